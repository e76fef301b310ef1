using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Timers;

namespace MusterBot.State;

/// <summary>
/// The bot's whole persisted state: documents, sets, the outbox with delivery records, timers and the
/// handled-update marks. Implemented on Redis (production) and in memory (sandbox, unit tests); one contract test
/// suite holds both to the same behaviour. Time comes from the implementation's <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// Every document, set and handled-update mark belongs to a shard (see <see cref="Shards"/>); one commit writes one
/// shard. Reads of a <see cref="DocKey"/> without a shard read <see cref="Shards.Root"/>. A commit's outbox messages
/// (with their delivery records and tags) and timers belong to the commit's shard too: outbox ids carry it
/// (<see cref="OutboxIds"/>), a timer knows it (<see cref="TimerEntry.Shard"/>); claims take from every shard.
/// </remarks>
public interface IStateStore
{
    Task<StoredDoc?> GetAsync(DocKey key, CancellationToken cancellationToken);

    /// <summary>Reads several documents; the result has one entry per key, in order (null where absent).</summary>
    Task<IReadOnlyList<StoredDoc?>> GetManyAsync(IReadOnlyList<DocKey> keys, CancellationToken cancellationToken);

    /// <summary>Members of a set of <paramref name="shard"/>, ordinal-sorted.</summary>
    Task<IReadOnlyList<string>> GetSetMembersAsync(string setName, long shard, CancellationToken cancellationToken);

    /// <summary>True when a commit to <paramref name="shard"/> for this update id was written in the last 24 hours.</summary>
    Task<bool> IsUpdateHandledAsync(long updateId, long shard, CancellationToken cancellationToken);

    /// <summary>Writes the whole commit atomically, or nothing (see <see cref="CommitStatus"/>).</summary>
    Task<CommitResult> CommitAsync(Commit commit, CancellationToken cancellationToken);

    /// <summary>
    /// Takes up to <paramref name="max"/> ready messages (NotBefore ≤ now): callback answers (Answer lane) first, then Emergency, then Reply, then
    /// Normal. Within a lane, messages put back by <see cref="RetryOutboxAsync"/> whose NotBefore has passed come first
    /// (by NotBefore, then id), so a refused message does not wait behind a whole fan-out; then the others by ready
    /// time, then id. Taken messages are leased: not handed out again until the lease expires (a crashed sender's
    /// messages come back after <paramref name="lease"/>, a put-back message still ahead of the fresh ones).
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="ClaimOutboxAsync(int, TimeSpan, CancellationToken)"/>, but up to <paramref name="reservedForReplies"/>
    /// of the claim go to ready Reply-lane messages first, so a direct reply never waits behind a long emergency fan-out.
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, int reservedForReplies, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="ClaimOutboxAsync(int, int, TimeSpan, CancellationToken)"/>, but at most <paramref name="maxRateLimited"/>
    /// of the claim from the rate-limited lanes (all but <see cref="Lane.Answer"/>): a sender takes no more messages than
    /// its rate lets it send soon, and the rest wait in the outbox instead of going back and forth. (A store that keeps
    /// no such budget claims as the overload without it.)
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, int reservedForReplies, int maxRateLimited, TimeSpan lease, CancellationToken cancellationToken) =>
        ClaimOutboxAsync(max, reservedForReplies, lease, cancellationToken);

    /// <summary>Removes a claimed message from the outbox and stores its final delivery record.</summary>
    Task CompleteOutboxAsync(long outboxId, DeliveryRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// In one atomic step: stores the final delivery record of a claimed message and enqueues <paramref name="forward"/>
    /// (the same message to a migrated group's new chat id) in its place. Returns the new message's id, or null (and
    /// changes nothing) when the message is no longer in the outbox — its outcome was recorded already, so a repeated
    /// call never enqueues twice.
    /// </summary>
    Task<long?> ForwardOutboxAsync(long outboxId, DeliveryRecord record, OutboxMessage forward, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a claimed message back into its lane, ready at <paramref name="notBefore"/> and never claimed before it;
    /// from then on it is claimed before the lane's messages that were never put back.
    /// </summary>
    Task RetryOutboxAsync(long outboxId, DateTimeOffset notBefore, int attempts, CancellationToken cancellationToken);

    /// <summary>The delivery record of a message: Queued while it waits, then its final state; null if unknown.</summary>
    Task<DeliveryRecord?> GetDeliveryAsync(long outboxId, CancellationToken cancellationToken);

    /// <summary>Delivery records of every message enqueued with this tag in <paramref name="shard"/>, in id order.</summary>
    Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesByTagAsync(string tag, long shard, CancellationToken cancellationToken);

    /// <summary>
    /// How many chats' messages with this tag ended in each final state, one outcome per chat: Sent over Unreachable over
    /// Failed (a chat told twice counts once, as sent if either arrived). The Redis store keeps these counts as outcomes
    /// are recorded, so reading them costs the same for 10 chats or 10,000; this default reads every record.
    /// </summary>
    Task<IReadOnlyDictionary<DeliveryStatus, int>> CountDeliveriesByTagAsync(string tag, long shard, CancellationToken cancellationToken) =>
        CountDeliveriesFromRecordsAsync(tag, shard, cancellationToken);

    /// <summary>The counts of <see cref="CountDeliveriesByTagAsync"/>, from every record of the tag.</summary>
    async Task<IReadOnlyDictionary<DeliveryStatus, int>> CountDeliveriesFromRecordsAsync(string tag, long shard, CancellationToken cancellationToken) =>
        (await OutcomesFromRecordsAsync(tag, shard, cancellationToken).ConfigureAwait(false)).Values.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>
    /// Each chat's final outcome of the messages with this tag, as <see cref="CountDeliveriesByTagAsync"/> counts them
    /// (chats whose messages are still queued are absent). The Redis store keeps this map as outcomes are recorded (one
    /// read of chat ids and states, no delivery records); this default reads every record.
    /// </summary>
    Task<IReadOnlyDictionary<long, DeliveryStatus>> GetDeliveryOutcomesByTagAsync(string tag, long shard, CancellationToken cancellationToken) =>
        OutcomesFromRecordsAsync(tag, shard, cancellationToken);

    /// <summary>The map of <see cref="GetDeliveryOutcomesByTagAsync"/>, from every record of the tag.</summary>
    async Task<IReadOnlyDictionary<long, DeliveryStatus>> OutcomesFromRecordsAsync(string tag, long shard, CancellationToken cancellationToken)
    {
        var best = new Dictionary<long, DeliveryStatus>();
        foreach (var record in await GetDeliveriesByTagAsync(tag, shard, cancellationToken).ConfigureAwait(false))
        {
            if (OutcomeRank(record.Status) > (best.TryGetValue(record.ChatId, out var known) ? OutcomeRank(known) : 0))
            {
                best[record.ChatId] = record.Status;
            }
        }

        return best;
    }

    /// <summary>How many members a set has, without reading them (Redis SCARD); this default reads them.</summary>
    async Task<long> CountSetMembersAsync(string setName, long shard, CancellationToken cancellationToken) =>
        (await GetSetMembersAsync(setName, shard, cancellationToken).ConfigureAwait(false)).Count;

    /// <summary>Whether a set has a member, without reading the others (Redis SISMEMBER); this default reads them.</summary>
    async Task<bool> IsSetMemberAsync(string setName, string member, long shard, CancellationToken cancellationToken) =>
        (await GetSetMembersAsync(setName, shard, cancellationToken).ConfigureAwait(false)).Contains(member, StringComparer.Ordinal);

    /// <summary>Which final outcome of a chat's messages counts: Sent, then Unreachable, then Failed (Queued: none yet).</summary>
    static int OutcomeRank(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Sent => 3,
        DeliveryStatus.Unreachable => 2,
        DeliveryStatus.Failed => 1,
        _ => 0,
    };

    /// <summary>Messages waiting or in flight, per lane, over every shard.</summary>
    Task<IReadOnlyDictionary<Lane, long>> CountOutboxAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes up to <paramref name="max"/> due timers of any shard, leased like outbox messages; a commit to the timer's
    /// shard (<see cref="TimerEntry.Shard"/>) consumes them.
    /// </summary>
    Task<IReadOnlyList<TimerEntry>> ClaimDueTimersAsync(int max, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>The timer <paramref name="timerId"/> of <paramref name="shard"/>, or null.</summary>
    Task<TimerEntry?> GetTimerAsync(string timerId, long shard, CancellationToken cancellationToken);

    /// <summary>Checks that the store answers (readiness probe).</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Forgets everything this store holds: documents, sets, the outbox, delivery records, timers and handled-update
    /// marks (on Redis: every key under the store's key prefix, found with SCAN and deleted with UNLINK in batches; no
    /// other key is touched). The sandbox's "reset demo" calls it; the bot never does. Not atomic: run it while nothing
    /// else writes, or accept that a commit racing with it may leave a key behind.
    /// </summary>
    Task EraseAllAsync(CancellationToken cancellationToken);
}

/// <summary>Reads of the root shard, for callers that know no other (single-community tools and tests).</summary>
public static class StateStoreRootExtensions
{
    /// <summary>Members of a set of the root shard.</summary>
    public static Task<IReadOnlyList<string>> GetSetMembersAsync(this IStateStore store, string setName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.GetSetMembersAsync(setName, Shards.Root, cancellationToken);
    }

    /// <summary>True when a commit to the root shard for this update id was written in the last 24 hours.</summary>
    public static Task<bool> IsUpdateHandledAsync(this IStateStore store, long updateId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.IsUpdateHandledAsync(updateId, Shards.Root, cancellationToken);
    }

    /// <summary>Delivery records of the messages enqueued with this tag in the root shard.</summary>
    public static Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesByTagAsync(this IStateStore store, string tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.GetDeliveriesByTagAsync(tag, Shards.Root, cancellationToken);
    }

    /// <summary>A timer of the root shard.</summary>
    public static Task<TimerEntry?> GetTimerAsync(this IStateStore store, string timerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.GetTimerAsync(timerId, Shards.Root, cancellationToken);
    }
}
