namespace MusterBot.Host.Configuration;

/// <summary>
/// The <c>Telegram</c> configuration section (names are a fixed contract: <c>Telegram__BotToken</c>, …).
/// <see cref="ToString"/> never shows the token or the webhook secret.
/// </summary>
public sealed class TelegramOptions
{
    public const string Section = "Telegram";

    /// <summary>From BotFather. Empty: the bot runs the local sandbox against the embedded emulator.</summary>
    public string? BotToken { get; set; }

    /// <summary>The client calls <c>{ApiBaseUrl}/bot{token}/{method}</c>.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://api.telegram.org");

    public TelegramMode Mode { get; set; } = TelegramMode.Polling;

    /// <summary>Public HTTPS address Telegram posts updates to (Webhook mode); it should end in /telegram/webhook.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>Sent back by Telegram in X-Telegram-Bot-Api-Secret-Token; 1–256 characters of A-Z a-z 0-9 _ -.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Long-poll wait per getUpdates call (Telegram allows up to 50 s); the HTTP timeout is longer.</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Timeout of an ordinary Bot API call.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsSandbox => string.IsNullOrWhiteSpace(BotToken);

    public override string ToString() =>
        $"Mode={Mode}, ApiBaseUrl={ApiBaseUrl}, Token={(IsSandbox ? "(none: sandbox)" : "(set)")}, WebhookUrl={WebhookUrl}, WebhookSecret={(WebhookSecret is null ? "(none)" : "(set)")}";
}
