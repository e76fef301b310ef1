namespace MusterBot.State.Records.Groups;

/// <summary>What a group chat is linked to.</summary>
public enum GroupTarget
{
    Grid,
    Building,
    Region,
}

/// <summary>
/// A group or supergroup linked to a grid, building or convenor region of a community (stored in the root shard, so
/// the group's own events — the bot removed, the group migrated — find it whoever sends them).
/// </summary>
public sealed record GroupLink(long ChatId, string Title, GroupTarget Target, string TargetId)
{
    /// <summary>The community (shard) the target belongs to.</summary>
    public long Community { get; init; }

    public bool Supergroup { get; init; }

    /// <summary>What the bot may do there, as last told by Telegram (my_chat_member).</summary>
    public bool CanPost { get; init; } = true;

    public bool CanPin { get; init; }

    public long LinkedBy { get; init; }

    public DateTimeOffset LinkedAt { get; init; }

    /// <summary>The group's earlier id when it became a supergroup.</summary>
    public long? MigratedFrom { get; init; }

    /// <summary>The language the bot writes in there (the linking administrator's).</summary>
    public Language Language { get; init; }
}

/// <summary>A "/link" sent in a group by an administrator of the community and of the group, waiting for them to choose the target in private.</summary>
public sealed record PendingGroupLink(long ChatId, string Title, bool Supergroup, long By, long Community, DateTimeOffset At)
{
    public bool CanPin { get; init; }
}
