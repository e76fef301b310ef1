using MusterBot.State.Outbox;
using StackExchange.Redis;

namespace MusterBot.State.Redis;

/// <summary>
/// Group completion, as group commit (<c>RedisStateStore.Commits.cs</c>): the outcomes the sender records concurrently
/// for one shard go to Redis together, in one <see cref="RedisScripts.CompleteMany"/> run (<see cref="ShardBatches{T}"/>:
/// per shard at most <see cref="RedisStoreOptions.CommitPipeline"/> such scripts under way, up to
/// <see cref="RedisStoreOptions.MaxCommitBatch"/> outcomes each). An idle shard's outcome is sent at once.
/// </summary>
/// <remarks>
/// Each outcome is recorded by the script's <c>complete</c> exactly as it would be alone; the batch shares the round
/// trip and the WAIT for replicas. When the script fails (connection lost) every caller of the batch gets the exception,
/// as from a call of its own (recording an outcome again is safe: it removes the message and writes the same record).
/// A caller's cancellation ends its own wait; its outcome is left out if no batch has taken it yet.
/// </remarks>
public sealed partial class RedisStateStore
{
    private readonly ShardBatches<PendingComplete> _completions;

    private sealed class PendingComplete(long number, byte[] record, CancellationToken cancellationToken) : BatchItem(cancellationToken)
    {
        public long Number { get; } = number;

        public byte[] Record { get; } = record;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Cancel() => Done.TrySetCanceled(CancellationToken);

        public override void Fail(Exception exception) => Done.TrySetException(exception);
    }

    public async Task CompleteOutboxAsync(long outboxId, DeliveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var (shard, number) = Split(outboxId);
        var pending = new PendingComplete(number, DeliveryJson(record), cancellationToken);
        _completions.Add(shard, pending);
        await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task SendCompletionsAsync(long shard, PendingComplete[] batch)
    {
        var sp = ShardPrefix(shard);
        var keys = new List<RedisKey>((batch.Length * 2) + 12);
        var args = new RedisValue[2 + (batch.Length * 2)];
        args[0] = sp;
        args[1] = _deliveryRetentionMs;
        for (var i = 0; i < batch.Length; i++)
        {
            keys.Add(sp + "ob:" + Text(batch[i].Number));
            keys.Add(sp + "dlv:" + Text(batch[i].Number));
            args[2 + (i * 2)] = Text(batch[i].Number);
            args[3 + (i * 2)] = batch[i].Record;
        }

        keys.AddRange(LaneKeys(sp));

        // Not any caller's token: one caller giving up must not end the batch of the others.
        var result = (RedisResult[])(await EvalAsync(RedisScripts.CompleteMany, [.. keys], args, CancellationToken.None).ConfigureAwait(false))!;

        // Redis:WaitForReplicas: an outcome lost in a failover would send the message again.
        await ReplicatedAsync(sp + "epoch", batch.Length, CancellationToken.None).ConfigureAwait(false);
        for (var i = 0; i < batch.Length; i++)
        {
            if (result[i].Resp2Type == ResultType.Integer)
            {
                batch[i].Done.TrySetResult();
            }
            else
            {
                batch[i].Done.TrySetException(new InvalidOperationException(
                    $"Redis could not record the outcome of outbox message {batch[i].Number} of shard {shard} ({(string?)result[i]}); the others sent with it were not affected."));
            }
        }
    }
}
