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

    /// <summary>
    /// Organisation nodes the person administers (mirrors <see cref="Org.OrgNode.Admins"/>): they act on each of these
    /// nodes and everything below it. Administrators from configuration administer the root.
    /// </summary>
    public IReadOnlyList<long> AdminOf { get; init; } = [];

    public DateTimeOffset FirstSeenAt { get; init; }

    public DateTimeOffset LastSeenAt { get; init; }

    /// <summary>True while the person has blocked the bot (403 or a my_chat_member update).</summary>
    public bool BlockedBot { get; init; }

    /// <summary>When the person finished registration (null = visitor).</summary>
    public DateTimeOffset? RegisteredAt { get; init; }

    /// <summary>Normalised phone number (+86…), given by the person or verified by a shared contact.</summary>
    public string? Phone { get; init; }

    /// <summary>Home grid (网格) and building (楼栋).</summary>
    public string? GridId { get; init; }

    public string? BuildingId { get; init; }

    /// <summary>Work region (片区) of a member.</summary>
    public string? RegionId { get; init; }

    /// <summary>
    /// The organisation node (a street, district or the city) whose shard holds <see cref="RegionId"/>: a workplace
    /// region (在职党员, grouped by work unit). Null = a region of the person's home community, as before the tree.
    /// </summary>
    public long? WorkNodeId { get; init; }

    public string? WorkUnit { get; init; }

    public IReadOnlyList<Skill> Skills { get; init; } = [];

    /// <summary>Fields fixed by an invitation, the roster or a verified contact: not editable in /me.</summary>
    public ProfileFields Fixed { get; init; }

    /// <summary>A member who is away: not available until this date (inclusive). Null = available.</summary>
    public DateOnly? AwayUntil { get; init; }
}
