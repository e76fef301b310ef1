namespace MusterBot.State.Records.Directory;

/// <summary>One person on the imported roster (名册), keyed by normalised phone number.</summary>
public sealed record RosterEntry(string Phone, string Name, Roles Role)
{
    public string? GridId { get; init; }

    public string? RegionId { get; init; }

    public string? WorkUnit { get; init; }

    public IReadOnlyList<Skill> Skills { get; init; } = [];

    public DateTimeOffset ImportedAt { get; init; }

    /// <summary>The Telegram user who joined with this entry (shared contact matched), if any.</summary>
    public long? JoinedUserId { get; init; }
}
