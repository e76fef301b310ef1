namespace MusterBot.Host.Telegram.Types;

/// <summary>Buttons attached to a message, row by row.</summary>
public sealed record InlineKeyboardMarkup : ReplyMarkup
{
    public InlineKeyboardMarkup()
    {
    }

    public InlineKeyboardMarkup(IReadOnlyList<IReadOnlyList<InlineKeyboardButton>> inlineKeyboard)
    {
        InlineKeyboard = inlineKeyboard;
    }

    /// <summary>A single row of buttons.</summary>
    public InlineKeyboardMarkup(params IReadOnlyList<InlineKeyboardButton> row)
    {
        InlineKeyboard = [row];
    }

    public IReadOnlyList<IReadOnlyList<InlineKeyboardButton>> InlineKeyboard { get; init; } = [];
}
