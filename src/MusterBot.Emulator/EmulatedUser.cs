namespace MusterBot.Emulator;

/// <summary>A simulated Telegram user talking to the bot in a private chat whose id equals the user id.</summary>
public sealed record EmulatedUser(
    long Id,
    string FirstName,
    string? LastName,
    string? Username,
    string? LanguageCode,
    bool HasBlockedBot);
