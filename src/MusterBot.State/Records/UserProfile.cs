namespace MusterBot.State.Records;

/// <summary>
/// One person who has written to the bot. <see cref="Id"/> is the Telegram user id (64-bit);
/// <see cref="ChatId"/> their private chat with the bot.
/// </summary>
public sealed record UserProfile(long Id, long ChatId, string FirstName)
{
    public string? LastName { get; init; }

    public string? Username { get; init; }

    public Language Language { get; init; }

    /// <summary>True once the person chose a language with /lang; Telegram's language_code no longer applies.</summary>
    public bool LanguageChosen { get; init; }

    /// <summary>Roles stored for the person (administrators from configuration are added at run time).</summary>
    public Roles Roles { get; init; }

    public DateTimeOffset FirstSeenAt { get; init; }

    public DateTimeOffset LastSeenAt { get; init; }

    /// <summary>True while the person has blocked the bot (403 or a my_chat_member update).</summary>
    public bool BlockedBot { get; init; }
}
