namespace MusterBot.State.Records.Musters;

/// <summary>
/// One region's part in a muster: its convenors at launch, how many members it calls, and what the convenors did.
/// <see cref="RegionId"/> is <see cref="Muster.NoRegion"/> for members without a region (they get the order directly).
/// </summary>
public sealed record MusterRegion(string RegionId, int Targeted)
{
    public long? ConvenorId { get; init; }

    public long? BackupConvenorId { get; init; }

    public DateTimeOffset? AcknowledgedAt { get; init; }

    public long? AcknowledgedBy { get; init; }

    public DateTimeOffset? RelayedAt { get; init; }

    public long? RelayedBy { get; init; }

    /// <summary>When the convenor's silence at T1 was escalated (backup told, members sent the order directly).</summary>
    public DateTimeOffset? EscalatedAt { get; init; }

    /// <summary>When the members were sent the order (by relay, escalation or directly); null = not yet.</summary>
    public DateTimeOffset? MembersToldAt { get; init; }

    /// <summary>Chats that hold a live roll-call summary of this region.</summary>
    public IReadOnlyList<long> PanelChats { get; init; } = [];

    /// <summary>
    /// Linked group chats of the region (issue #20) where the order was posted with the check-in buttons and a live roll
    /// call without phones or reasons is kept (pinned where the bot may pin).
    /// </summary>
    public IReadOnlyList<long> GroupChats { get; init; } = [];

    /// <summary>
    /// A community part's group of a workplace region's members (<see cref="TreeWorkplace.Key"/>): its convenor is
    /// ordered at the street's or city's level, and the members' orders are held here until that relay.
    /// </summary>
    public string? Workplace { get; init; }

    /// <summary>The workplace region's name (a community region's name comes from the directory).</summary>
    public string? Name { get; init; }

    public bool HasConvenor => ConvenorId is not null || BackupConvenorId is not null;
}
