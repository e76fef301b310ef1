using System.Diagnostics.CodeAnalysis;

namespace MusterBot.Host.Telegram.Types;

/// <summary>A button of an inline keyboard: exactly one of <see cref="CallbackData"/> or <see cref="Url"/> is set.</summary>
public sealed record InlineKeyboardButton
{
    public required string Text { get; init; }

    /// <summary>1-64 bytes sent back in the callback query. Keep it a short opaque id.</summary>
    public string? CallbackData { get; init; }

    public string? Url { get; init; }

    public static InlineKeyboardButton WithCallbackData(string text, string callbackData) =>
        new() { Text = text, CallbackData = callbackData };

    public static InlineKeyboardButton WithUrl(string text, string url) => new() { Text = text, Url = url };
}
