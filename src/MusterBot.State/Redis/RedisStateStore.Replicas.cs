using System.Net;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace MusterBot.State.Redis;

/// <summary>
/// <see cref="RedisStoreOptions.WaitForReplicas"/>: after a commit and after a recorded outcome of a message, the store
/// sends <c>WAIT n timeout</c> to the primary that took the write. WAIT answers once n replicas have acknowledged every
/// write this connection made so far (Redis tracks it per client), so it must go on the same connection as the write:
/// StackExchange.Redis keeps one interactive connection per server, and <c>IServer.ExecuteAsync</c> uses it.
/// </summary>
/// <remarks>
/// WAIT blocks that connection while it waits (Redis runs a client's commands in order), so every command of this
/// process to that primary queues behind it: on loopback about 0.1 ms per WAIT (docs/operations.md has the figures).
/// Writes that finish while a WAIT is under way share the next one (group commit): it is sent once the running one
/// has answered, so it was sent after each of their writes had been answered and covers them all; at most one WAIT per
/// primary is under way, however many writes wait.
/// WAITAOF (the primary's own fsync as well) needs Redis 7.2; WAIT is enough against a failover, which promotes a
/// replica's memory, not the old primary's file.
/// </remarks>
public sealed partial class RedisStateStore
{
    private readonly ILogger _logger;
    private readonly int _waitReplicas;
    private readonly long _waitTimeoutMs;
    private readonly Lock _behindLock = new();
    private long _behindSinceWarning;
    private long _behindTotal;
    private long _lastBehindWarningMs = long.MinValue;
    private long _skipWaitsUntilMs = long.MinValue;
    private volatile bool _behind;
    private readonly Lock _barrierLock = new();
    private readonly Dictionary<EndPoint, Barrier> _barriers = [];

    /// <summary>One primary's WAIT under way, and the callers that came after it was sent (they need the next one).</summary>
    private sealed class Barrier
    {
        public Task<long>? Running { get; set; }

        public TaskCompletionSource<long>? Next { get; set; }
    }

    /// <summary>After a WAIT came back short, how long writes do not wait (one WAIT then tries again).</summary>
    private const long BehindPauseMs = 1_000;

    /// <summary>
    /// The timeout of that one WAIT while the replicas are behind: it blocks the connection for every command of this
    /// process, so not the whole <see cref="RedisStoreOptions.WaitTimeout"/> once a second (with the replica gone after
    /// a failover, 500 ms a second held the fan-out back by half).
    /// </summary>
    private const long BehindProbeMs = 50;

    /// <summary>
    /// Writes reported done without <see cref="RedisStoreOptions.WaitForReplicas"/> replicas' confirmation since start:
    /// WAIT timed out, or it was skipped while the replicas were behind.
    /// </summary>
    public long WritesNotConfirmedByReplicas => Interlocked.Read(ref _behindTotal);

    /// <summary>One write: see <see cref="ReplicatedAsync(RedisKey, int, CancellationToken)"/>.</summary>
    private Task ReplicatedAsync(RedisKey key, CancellationToken cancellationToken) => ReplicatedAsync(key, 1, cancellationToken);

    /// <summary>
    /// WAIT on the primary holding <paramref name="key"/> (a key the write just touched), when
    /// <see cref="RedisStoreOptions.WaitForReplicas"/> is set. Fewer replicas than asked after the timeout: the write
    /// counts as done, a warning is logged (at most once a minute, with the count), and for the next second writes do
    /// not wait at all (each would wait the whole timeout: with a replica down, 64 decisions at a time would make 64
    /// commits a second); then one WAIT of at most 50 ms tries again, and once the replicas answer in time writes wait
    /// for them as before. A lost connection throws like any store call: the caller's retry is safe, every write of the
    /// store is idempotent. <paramref name="writes"/>: how many writes (the commits of a batch) the one WAIT covers, as
    /// they count in <see cref="WritesNotConfirmedByReplicas"/>.
    /// </summary>
    private async Task ReplicatedAsync(RedisKey key, int writes, CancellationToken cancellationToken)
    {
        if (_waitReplicas == 0)
        {
            return;
        }

        if (NowMs() < Interlocked.Read(ref _skipWaitsUntilMs))
        {
            NoteBehind(acknowledged: null, writes);
            return;
        }

        var acknowledged = await SharedWaitAsync(_connection.GetServer(key)).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (acknowledged < _waitReplicas)
        {
            _behind = true;
            Interlocked.Exchange(ref _skipWaitsUntilMs, NowMs() + BehindPauseMs);
            NoteBehind(acknowledged, writes);
        }
        else
        {
            _behind = false;
        }
    }

    /// <summary>
    /// A WAIT on <paramref name="server"/> sent after this call (the caller's write has been answered): a new one when
    /// none is under way there, else the one that follows the running one.
    /// </summary>
    private Task<long> SharedWaitAsync(IServer server)
    {
        lock (_barrierLock)
        {
            if (!_barriers.TryGetValue(server.EndPoint, out var barrier))
            {
                barrier = new Barrier();
                _barriers[server.EndPoint] = barrier;
            }

            if (barrier.Running is null or { IsCompleted: true })
            {
                barrier.Running = SendWaitAsync(server, barrier);
                return barrier.Running;
            }

            barrier.Next ??= new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            return barrier.Next.Task;
        }
    }

    /// <summary>Sends one WAIT; once it has answered, sends the next for the callers that came meanwhile (if any).</summary>
    private async Task<long> SendWaitAsync(IServer server, Barrier barrier)
    {
        try
        {
            var timeoutMs = _behind ? Math.Min(BehindProbeMs, _waitTimeoutMs) : _waitTimeoutMs;
            return (long)await server.ExecuteAsync("WAIT", [_waitReplicas, timeoutMs], CommandFlags.DemandMaster).ConfigureAwait(false);
        }
        finally
        {
            lock (_barrierLock)
            {
                var next = barrier.Next;
                barrier.Next = null;
                barrier.Running = null;
                if (next is not null)
                {
                    var sent = SendWaitAsync(server, barrier);
                    barrier.Running = sent.IsCompleted ? null : sent;
                    _ = sent.ContinueWith(
                        t =>
                        {
                            if (t.IsCompletedSuccessfully)
                            {
                                next.TrySetResult(t.Result);
                            }
                            else
                            {
                                next.TrySetException(t.Exception?.InnerExceptions ?? [new TaskCanceledException()]);
                            }
                        },
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }
            }
        }
    }

    /// <param name="acknowledged">What WAIT answered, or null when it was skipped.</param>
    /// <param name="count">How many writes it was for.</param>
    private void NoteBehind(long? acknowledged, int count)
    {
        Interlocked.Add(ref _behindTotal, count);
        var now = NowMs();
        long writes;
        lock (_behindLock)
        {
            _behindSinceWarning += count;
            if (acknowledged is null || (_lastBehindWarningMs != long.MinValue && now - _lastBehindWarningMs < 60_000))
            {
                return;
            }

            writes = _behindSinceWarning;
            _behindSinceWarning = 0;
            _lastBehindWarningMs = now;
        }

        RedisLog.ReplicasBehind(_logger, acknowledged.Value, _waitReplicas, _waitTimeoutMs, writes);
    }
}
