using MusterBot.State.Outbox;
using StackExchange.Redis;

namespace MusterBot.State.Redis;

/// <summary>
/// Group completion, as group commit (<c>RedisStateStore.Commits.cs</c>): the outcomes the sender records concurrently
/// for one shard go to Redis together, in one <see cref="RedisScripts.CompleteMany"/> run. Per shard at most
/// <see cref="RedisStoreOptions.CommitPipeline"/> such scripts are under way; an outcome that comes while they are waits
/// for the next (up to <see cref="RedisStoreOptions.MaxCommitBatch"/>). An idle shard's outcome is sent at once.
/// </summary>
/// <remarks>
/// Each outcome is recorded by the script's <c>complete</c> exactly as it would be alone; the batch shares the round
/// trip and the WAIT for replicas. When the script fails (connection lost) every caller of the batch gets the exception,
/// as from a call of its own (recording an outcome again is safe: it removes the message and writes the same record).
/// A caller's cancellation ends its own wait; its outcome is left out if no batch has taken it yet.
/// </remarks>
public sealed partial class RedisStateStore
{
    private readonly Lock _completeLock = new();

    /// <summary>Shards with outcomes waiting or a batch under way (an idle shard is removed).</summary>
    private readonly Dictionary<long, CompleteQueue> _completeQueues = [];

    private sealed class CompleteQueue
    {
        public Queue<PendingComplete> Waiting { get; } = new();

        public int Running { get; set; }
    }

    private sealed class PendingComplete(long number, byte[] record, CancellationToken cancellationToken)
    {
        public long Number { get; } = number;

        public byte[] Record { get; } = record;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async Task CompleteOutboxAsync(long outboxId, DeliveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var (shard, number) = Split(outboxId);
        var pending = new PendingComplete(number, DeliveryJson(record), cancellationToken);
        CompleteQueue? start = null;
        lock (_completeLock)
        {
            if (!_completeQueues.TryGetValue(shard, out var queue))
            {
                queue = new CompleteQueue();
                _completeQueues[shard] = queue;
            }

            queue.Waiting.Enqueue(pending);
            if (queue.Running < _commitPipeline)
            {
                queue.Running++;
                start = queue;
            }
        }

        if (start is not null)
        {
            _ = RunCompletionsAsync(shard, start);
        }

        await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private PendingComplete[]? TakeCompletions(long shard, CompleteQueue queue)
    {
        lock (_completeLock)
        {
            List<PendingComplete>? batch = null;
            while (queue.Waiting.Count > 0 && (batch?.Count ?? 0) < _maxCommitBatch)
            {
                var next = queue.Waiting.Dequeue();
                if (next.CancellationToken.IsCancellationRequested)
                {
                    next.Done.TrySetCanceled(next.CancellationToken);
                    continue;
                }

                (batch ??= new List<PendingComplete>(Math.Min(_maxCommitBatch, queue.Waiting.Count + 1))).Add(next);
            }

            if (batch is not null)
            {
                return [.. batch];
            }

            queue.Running--;
            if (queue.Running == 0)
            {
                _completeQueues.Remove(shard);
            }

            return null;
        }
    }

    private async Task RunCompletionsAsync(long shard, CompleteQueue queue)
    {
        var sp = ShardPrefix(shard);
        while (TakeCompletions(shard, queue) is { } batch)
        {
            try
            {
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
            catch (Exception ex)
            {
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }
            }
        }
    }
}
