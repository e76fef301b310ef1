using System.Text.Json.Serialization;

namespace MusterBot.Host.Telegram.Types;

/// <summary>A button of a custom reply keyboard. Contact and location requests work in private chats only.</summary>
public sealed record KeyboardButton
{
    public required string Text { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool RequestContact { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool RequestLocation { get; init; }

    public static KeyboardButton WithText(string text) => new() { Text = text };

    public static KeyboardButton WithRequestContact(string text) => new() { Text = text, RequestContact = true };

    public static KeyboardButton WithRequestLocation(string text) => new() { Text = text, RequestLocation = true };
}
