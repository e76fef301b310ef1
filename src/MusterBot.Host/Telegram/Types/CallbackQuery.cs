namespace MusterBot.Host.Telegram.Types;

/// <summary>A press on an inline keyboard button. Must always be answered with answerCallbackQuery.</summary>
public sealed record CallbackQuery
{
    public string Id { get; init; } = string.Empty;

    public User From { get; init; } = null!;

    /// <summary>The message the button was attached to, if the bot sent it and it is not too old.</summary>
    public Message? Message { get; init; }

    public string? InlineMessageId { get; init; }

    public string? ChatInstance { get; init; }

    /// <summary>The button's callback_data: untrusted input, 1-64 bytes.</summary>
    public string? Data { get; init; }
}
