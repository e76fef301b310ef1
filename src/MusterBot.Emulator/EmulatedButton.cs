namespace MusterBot.Emulator;

/// <summary>One inline keyboard button of a message the bot sent.</summary>
public sealed record EmulatedButton(string Text, string? CallbackData, string? Url, int Row, int Column);
