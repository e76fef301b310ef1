using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Timers;

namespace MusterBot.Tests.Support;

/// <summary>A store that passes every call to another; a test double overrides only what it watches or breaks.</summary>
public abstract class DelegatingStore(IStateStore inner) : IStateStore
{
    protected IStateStore Inner { get; } = inner;

    public virtual Task<StoredDoc?> GetAsync(DocKey key, CancellationToken cancellationToken) => Inner.GetAsync(key, cancellationToken);

    public virtual Task<IReadOnlyList<StoredDoc?>> GetManyAsync(IReadOnlyList<DocKey> keys, CancellationToken cancellationToken) => Inner.GetManyAsync(keys, cancellationToken);

    public virtual Task<IReadOnlyList<string>> GetSetMembersAsync(string setName, long shard, CancellationToken cancellationToken) => Inner.GetSetMembersAsync(setName, shard, cancellationToken);

    public virtual Task<IReadOnlyDictionary<DeliveryStatus, int>> CountDeliveriesByTagAsync(string tag, long shard, CancellationToken cancellationToken) => Inner.CountDeliveriesByTagAsync(tag, shard, cancellationToken);

    public virtual Task<IReadOnlyDictionary<long, DeliveryStatus>> GetDeliveryOutcomesByTagAsync(string tag, long shard, CancellationToken cancellationToken) => Inner.GetDeliveryOutcomesByTagAsync(tag, shard, cancellationToken);

    public virtual Task<long> CountSetMembersAsync(string setName, long shard, CancellationToken cancellationToken) => Inner.CountSetMembersAsync(setName, shard, cancellationToken);

    public virtual Task<bool> IsUpdateHandledAsync(long updateId, long shard, CancellationToken cancellationToken) => Inner.IsUpdateHandledAsync(updateId, shard, cancellationToken);

    public virtual Task<CommitResult> CommitAsync(Commit commit, CancellationToken cancellationToken) => Inner.CommitAsync(commit, cancellationToken);

    public virtual Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, TimeSpan lease, CancellationToken cancellationToken) => Inner.ClaimOutboxAsync(max, lease, cancellationToken);

    public virtual Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, int reservedForReplies, TimeSpan lease, CancellationToken cancellationToken) => Inner.ClaimOutboxAsync(max, reservedForReplies, lease, cancellationToken);

    public virtual Task CompleteOutboxAsync(long outboxId, DeliveryRecord record, CancellationToken cancellationToken) => Inner.CompleteOutboxAsync(outboxId, record, cancellationToken);

    public virtual Task<long?> ForwardOutboxAsync(long outboxId, DeliveryRecord record, OutboxMessage forward, CancellationToken cancellationToken) => Inner.ForwardOutboxAsync(outboxId, record, forward, cancellationToken);

    public virtual Task RetryOutboxAsync(long outboxId, DateTimeOffset notBefore, int attempts, CancellationToken cancellationToken) => Inner.RetryOutboxAsync(outboxId, notBefore, attempts, cancellationToken);

    public virtual Task<DeliveryRecord?> GetDeliveryAsync(long outboxId, CancellationToken cancellationToken) => Inner.GetDeliveryAsync(outboxId, cancellationToken);

    public virtual Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesByTagAsync(string tag, long shard, CancellationToken cancellationToken) => Inner.GetDeliveriesByTagAsync(tag, shard, cancellationToken);

    public virtual Task<IReadOnlyDictionary<Lane, long>> CountOutboxAsync(CancellationToken cancellationToken) => Inner.CountOutboxAsync(cancellationToken);

    public virtual Task<IReadOnlyList<TimerEntry>> ClaimDueTimersAsync(int max, TimeSpan lease, CancellationToken cancellationToken) => Inner.ClaimDueTimersAsync(max, lease, cancellationToken);

    public virtual Task<TimerEntry?> GetTimerAsync(string timerId, long shard, CancellationToken cancellationToken) => Inner.GetTimerAsync(timerId, shard, cancellationToken);

    public virtual Task PingAsync(CancellationToken cancellationToken) => Inner.PingAsync(cancellationToken);

    public virtual Task EraseAllAsync(CancellationToken cancellationToken) => Inner.EraseAllAsync(cancellationToken);
}
