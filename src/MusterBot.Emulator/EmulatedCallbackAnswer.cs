namespace MusterBot.Emulator;

/// <summary>The bot's answerCallbackQuery for one pressed button.</summary>
public sealed record EmulatedCallbackAnswer(
    string CallbackQueryId,
    long UserId,
    string? Text,
    bool ShowAlert,
    string? Url,
    DateTimeOffset AnsweredAt);
