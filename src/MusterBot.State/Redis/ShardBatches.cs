namespace MusterBot.State.Redis;

/// <summary>A caller's request waiting to go to Redis in a batch of its shard: it can be left out or failed as a whole.</summary>
internal abstract class BatchItem(CancellationToken cancellationToken)
{
    /// <summary>The caller's token: a caller that gave up before a batch took its request is left out.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Ends the caller's wait as cancelled (its request was not sent).</summary>
    public abstract void Cancel();

    /// <summary>Ends the caller's wait with the batch's failure.</summary>
    public abstract void Fail(Exception exception);
}

/// <summary>
/// Group writes of one shard (commits, outcomes, put-backs): concurrent requests for a shard go to Redis together, in
/// one script run. Per shard at most <c>pipeline</c> batches are under way; a request that comes while they are waits
/// for the next batch (up to <c>maxBatch</c> requests, oldest first), sent as soon as a batch of the shard has been
/// sent (<c>send</c> returned). There is no timer: a request that finds its shard idle is sent at once, on the caller's
/// thread, so an idle store adds no delay and a busy one makes batches as large as what arrived during one round trip.
/// </summary>
/// <remarks>
/// <c>send</c> answers the batch's callers; when it throws, each caller of the batch gets the exception, as from a
/// call of its own. One caller giving up never ends the batch of the others (<c>send</c> is given no caller's token).
/// </remarks>
internal sealed class ShardBatches<T>(int pipeline, int maxBatch, Func<long, T[], Task> send)
    where T : BatchItem
{
    private readonly Lock _lock = new();

    /// <summary>Shards with requests waiting or a batch under way (an idle shard is removed).</summary>
    private readonly Dictionary<long, ShardQueue> _queues = [];

    private sealed class ShardQueue
    {
        public Queue<T> Waiting { get; } = new();

        public int Running { get; set; }
    }

    /// <summary>Queues the request; when the shard has fewer than <c>pipeline</c> batches under way, sends from this thread.</summary>
    public void Add(long shard, T item)
    {
        ShardQueue? start = null;
        lock (_lock)
        {
            if (!_queues.TryGetValue(shard, out var queue))
            {
                queue = new ShardQueue();
                _queues[shard] = queue;
            }

            queue.Waiting.Enqueue(item);
            if (queue.Running < pipeline)
            {
                queue.Running++;
                start = queue;
            }
        }

        if (start is not null)
        {
            _ = RunAsync(shard, start);
        }
    }

    /// <summary>
    /// Up to <c>maxBatch</c> waiting requests, oldest first, leaving out those whose caller gave up; null when none
    /// waits (the runner then ends, and an idle shard's queue is dropped).
    /// </summary>
    private T[]? Take(long shard, ShardQueue queue)
    {
        lock (_lock)
        {
            List<T>? batch = null;
            while (queue.Waiting.Count > 0 && (batch?.Count ?? 0) < maxBatch)
            {
                var next = queue.Waiting.Dequeue();
                if (next.CancellationToken.IsCancellationRequested)
                {
                    next.Cancel();
                    continue;
                }

                (batch ??= new List<T>(Math.Min(maxBatch, queue.Waiting.Count + 1))).Add(next);
            }

            if (batch is not null)
            {
                return [.. batch];
            }

            queue.Running--;
            if (queue.Running == 0)
            {
                _queues.Remove(shard);
            }

            return null;
        }
    }

    private async Task RunAsync(long shard, ShardQueue queue)
    {
        while (Take(shard, queue) is { } batch)
        {
            try
            {
                await send(shard, batch).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Whatever the store throws belongs to the batch's callers, each as from a call of its own.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                foreach (var item in batch)
                {
                    item.Fail(ex);
                }
            }
        }
    }
}
