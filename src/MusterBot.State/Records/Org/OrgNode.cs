namespace MusterBot.State.Records.Org;

/// <summary>
/// One node of the organisation tree (<c>doc:org:{id}</c> in the root shard). Its id is also its shard: a community's
/// grids, residents, wishes, complaints, mode and counters live in the shard of the community's id, a street's own
/// records in the street's. <see cref="Path"/> lists the ancestors from the root down, so "is X at or below Y" needs no
/// read. Nodes never move to another parent.
/// </summary>
public sealed record OrgNode(long Id, OrgLevel Level, long? ParentId, string Name)
{
    /// <summary>Ancestor ids from the root down to the parent (empty for the root).</summary>
    public IReadOnlyList<long> Path { get; init; } = [];

    /// <summary>Ids of the child nodes, in creation order.</summary>
    public IReadOnlyList<long> Children { get; init; } = [];

    /// <summary>User ids of the node's administrators: they act on this node and everything below it.</summary>
    public IReadOnlyList<long> Admins { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Set when the node was removed: it keeps its id and records, but takes no new work and is shown as removed.</summary>
    public DateTimeOffset? RemovedAt { get; init; }

    /// <summary>True when <paramref name="other"/> is this node or below it.</summary>
    public bool Covers(OrgNode other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Id == Id || other.Path.Contains(Id);
    }
}
