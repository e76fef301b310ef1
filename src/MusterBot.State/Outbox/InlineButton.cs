namespace MusterBot.State.Outbox;

/// <summary>An inline button; <paramref name="CallbackData"/> is an opaque id of at most 64 bytes.</summary>
public sealed record InlineButton(string Text, string? CallbackData = null, string? Url = null);
