using MusterBot.State.Outbox;
using MusterBot.State.Timers;

namespace MusterBot.State.Commits;

/// <summary>
/// Everything one handled event changes, written as one atomic unit (all or nothing):
/// documents (with version checks), set memberships, outgoing messages (the outbox) and timers.
/// </summary>
public sealed record Commit
{
    /// <summary>
    /// The one shard this commit writes (see <see cref="Documents.Shards"/>). Every document and set change must be in
    /// it (a key or change without a shard is taken to be in it); the store refuses anything else with an
    /// <see cref="ArgumentException"/>. A decision that changes several shards is written as a sequence of commits,
    /// one per shard, each carrying the same <see cref="UpdateId"/> (its handled mark is kept per shard, so a sequence
    /// cut short by a crash resumes where it stopped when the update is handled again).
    /// </summary>
    public long Shard { get; init; } = Documents.Shards.Root;

    /// <summary>
    /// The Telegram update this commit handles. The store remembers it (24 h) in the same atomic write and refuses a
    /// second commit for the same update with <see cref="CommitStatus.DuplicateUpdate"/>: handling is exactly-once
    /// even though delivery is at-least-once.
    /// </summary>
    public long? UpdateId { get; init; }

    /// <summary>
    /// The timer this commit handles. It must still exist (else <see cref="CommitStatus.DuplicateUpdate"/>) and is
    /// removed by the commit, so a timer fires at most once even when it is delivered twice.
    /// </summary>
    public string? ConsumesTimerId { get; init; }

    public IReadOnlyList<DocWrite> Writes { get; init; } = [];

    public IReadOnlyList<SetChange> SetChanges { get; init; } = [];

    /// <summary>Messages to enqueue; their <see cref="OutboxMessage.Id"/> is assigned by the store.</summary>
    public IReadOnlyList<OutboxMessage> Outbox { get; init; } = [];

    /// <summary>Timers to create or replace (same id replaces).</summary>
    public IReadOnlyList<TimerEntry> SetTimers { get; init; } = [];

    public IReadOnlyList<string> CancelTimers { get; init; } = [];

    public bool IsEmpty =>
        UpdateId is null && ConsumesTimerId is null && Writes.Count == 0 && SetChanges.Count == 0
        && Outbox.Count == 0 && SetTimers.Count == 0 && CancelTimers.Count == 0;
}
