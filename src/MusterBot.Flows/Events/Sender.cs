namespace MusterBot.Flows.Events;

/// <summary>Who acted, as Telegram told us (user ids are 64-bit).</summary>
public sealed record Sender(long Id, string FirstName, string? LastName = null, string? Username = null, string? LanguageCode = null);
