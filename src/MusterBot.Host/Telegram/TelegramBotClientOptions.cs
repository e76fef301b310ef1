namespace MusterBot.Host.Telegram;

/// <summary>Settings of <see cref="TelegramBotClient"/>. <see cref="ToString"/> never shows the token.</summary>
public sealed class TelegramBotClientOptions
{
    public const string DefaultBaseUrl = "https://api.telegram.org";

    public TelegramBotClientOptions()
    {
    }

    public TelegramBotClientOptions(string token, string? baseUrl = null)
    {
        Token = token;
        BaseUrl = baseUrl ?? DefaultBaseUrl;
    }

    /// <summary>The bot token from BotFather (<c>123456:ABC...</c>). Secret.</summary>
    public string Token { get; set; } = string.Empty;

    /// <summary>The Bot API server, without a trailing <c>/bot</c> (e.g. a local Bot API server or an emulator).</summary>
    public string BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>Timeout of one ordinary request (everything except the wait of a long poll).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a long poll may run beyond its <c>timeout</c> before the client gives up on it.</summary>
    public TimeSpan LongPollMargin { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The bot's id: the part of the token before the colon (not secret), or null.</summary>
    public long? BotId =>
        Token.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 && long.TryParse(Token.AsSpan(0, colon), out var id) ? id : null;

    public override string ToString() =>
        $"TelegramBotClientOptions {{ Token = {RedactedToken}, BaseUrl = {BaseUrl}, RequestTimeout = {RequestTimeout}, LongPollMargin = {LongPollMargin} }}";

    /// <summary>The token with its secret part replaced: <c>123456:***</c>, or <c>***</c>.</summary>
    internal string RedactedToken => string.IsNullOrEmpty(Token) ? "(empty)" : BotId is long id ? $"{id}:***" : "***";
}
