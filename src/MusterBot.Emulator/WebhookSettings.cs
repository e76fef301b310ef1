namespace MusterBot.Emulator;

/// <summary>The webhook as set by setWebhook, with the token that stops its delivery loop.</summary>
internal sealed class WebhookSettings(Uri url, string? secretToken, int maxConnections, CancellationTokenSource stop)
{
    public Uri Url { get; } = url;

    public string? SecretToken { get; } = secretToken;

    public int MaxConnections { get; } = maxConnections;

    public CancellationTokenSource Stop { get; } = stop;

    public DateTimeOffset? LastErrorDate { get; set; }

    public string? LastErrorMessage { get; set; }
}
