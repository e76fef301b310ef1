namespace MusterBot.Host.Configuration;

/// <summary>
/// The <c>Telegram</c> configuration section (names are a fixed contract: <c>Telegram__BotToken</c>, …).
/// <see cref="ToString"/> never shows the token or the webhook secret.
/// </summary>
public sealed class TelegramOptions
{
    public const string Section = "Telegram";

    /// <summary>Telegram's own Bot API server.</summary>
    public static Uri DefaultApiBaseUrl { get; } = new("https://api.telegram.org");

    /// <summary>From BotFather. Empty: the bot runs the local sandbox against the embedded emulator.</summary>
    public string? BotToken { get; set; }

    /// <summary>
    /// The client calls <c>{ApiBaseUrl}/bot{token}/{method}</c>: Telegram's server, a local Bot API server, a proxy or
    /// the emulator. Scheme, host and port only (Telegram.Bot drops a path).
    /// </summary>
    public Uri ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    public TelegramMode Mode { get; set; } = TelegramMode.Polling;

    /// <summary>Public HTTPS address Telegram posts updates to (Webhook mode); it should end in /telegram/webhook.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>Sent back by Telegram in X-Telegram-Bot-Api-Secret-Token; 1–256 characters of A-Z a-z 0-9 _ -.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Long-poll wait per getUpdates call (Telegram allows up to 50 s); the HTTP timeout is longer.</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Timeout of an ordinary Bot API call.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How much longer than <see cref="PollTimeout"/> a long poll's HTTP request may take.</summary>
    public TimeSpan LongPollMargin { get; set; } = TimeSpan.FromSeconds(10);

    public bool IsSandbox => string.IsNullOrWhiteSpace(BotToken);

    public override string ToString() =>
        $"Mode={Mode}, ApiBaseUrl={ApiBaseUrl}, Token={(IsSandbox ? "(none: sandbox)" : "(set)")}, WebhookUrl={WebhookUrl}, WebhookSecret={(WebhookSecret is null ? "(none)" : "(set)")}";
}
