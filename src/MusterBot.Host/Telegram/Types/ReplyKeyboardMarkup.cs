using System.Text.Json.Serialization;

namespace MusterBot.Host.Telegram.Types;

/// <summary>A custom keyboard replacing the user's keyboard, row by row.</summary>
public sealed record ReplyKeyboardMarkup : ReplyMarkup
{
    public ReplyKeyboardMarkup()
    {
    }

    public ReplyKeyboardMarkup(IReadOnlyList<IReadOnlyList<KeyboardButton>> keyboard)
    {
        Keyboard = keyboard;
    }

    /// <summary>A single row of buttons.</summary>
    public ReplyKeyboardMarkup(params IReadOnlyList<KeyboardButton> row)
    {
        Keyboard = [row];
    }

    public IReadOnlyList<IReadOnlyList<KeyboardButton>> Keyboard { get; init; } = [];

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ResizeKeyboard { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool OneTimeKeyboard { get; init; }

    public string? InputFieldPlaceholder { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool IsPersistent { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Selective { get; init; }
}
