namespace MusterBot.Emulator;

/// <summary>An earlier state of a message, kept when the bot edits it.</summary>
public sealed record EmulatedMessageRevision(
    string? Text,
    string? RawText,
    string? ParseMode,
    string? ReplyMarkupJson,
    DateTimeOffset ChangedAt);
