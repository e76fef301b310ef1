namespace MusterBot.State.Outbox;

/// <summary>
/// An inline button: <paramref name="CallbackData"/> is an opaque id of at most 64 bytes; <paramref name="Url"/> opens
/// a link; <paramref name="WebApp"/> opens that HTTPS page as a Telegram Mini App (private chats only).
/// </summary>
public sealed record InlineButton(string Text, string? CallbackData = null, string? Url = null, string? WebApp = null);
