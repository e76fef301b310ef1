using System.ComponentModel.DataAnnotations;

namespace MusterBot.State.Redis;

/// <summary>Settings of <see cref="RedisStateStore"/> (bindable from configuration).</summary>
public sealed class RedisStoreOptions
{
    /// <summary>
    /// A StackExchange.Redis connection string, e.g. <c>localhost:6379,password=…</c>; for Redis Cluster, several
    /// masters, e.g. <c>10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379,password=…</c> (the client finds the cluster and its
    /// slots by itself); for Redis Sentinel, the sentinels and the service name, e.g.
    /// <c>10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379,serviceName=musterbot,password=…,sentinelPassword=…</c> (the
    /// client asks them for the primary and follows a failover; see docs/operations.md). It may hold passwords: never
    /// log it. <c>abortConnect=false</c> is always applied, so the store reconnects after a Redis restart.
    /// </summary>
    public string Configuration { get; set; } = "";

    /// <summary>Prefix of every key the store writes (see docs/redis-keys.md); lets several bots or tests share a server.</summary>
    public string KeyPrefix { get; set; } = "mb:";

    /// <summary>How long a finished delivery record (and its tag index) is kept after the last change.</summary>
    public TimeSpan DeliveryRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a handled update id is remembered for de-duplication.</summary>
    public TimeSpan HandledUpdateRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How often claims rebuild the work index from the registry of shards (docs/redis-keys.md, "Work index"): the
    /// longest a message waits when the process died between a commit and its index update.
    /// </summary>
    public TimeSpan IndexSweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Start even when the server's <c>maxmemory-policy</c> evicts keys. Off by default: with an eviction policy, state
    /// and outbox keys can disappear without an error. For a throwaway test server only.
    /// </summary>
    public bool AllowEviction { get; set; }

    /// <summary>
    /// How many replicas must have a write before the store reports it done (Redis <c>WAIT</c> after every commit and
    /// every recorded outcome of a message; see docs/operations.md, "Redis Sentinel and failover"). 0 (the default):
    /// no wait; a failover may then lose the writes the primary had acknowledged but not yet passed on.
    /// </summary>
    [Range(0, 16)]
    public int WaitForReplicas { get; set; }

    /// <summary>
    /// How long a write waits for <see cref="WaitForReplicas"/> replicas (a healthy replica on the same network answers
    /// within a millisecond). When it passes (a replica down or far behind), the write counts as done anyway, a warning
    /// is logged, and for the next second writes do not wait (then one write waits at most 50 ms to see whether they are
    /// back): the store stays available, without the guarantee, until the replicas catch up. A WAIT holds up every
    /// command of this process to that primary while it waits (Redis answers a connection's commands in order), so
    /// the first write after a replica is lost holds the process up for this long.
    /// </summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Group commit: how many batch scripts of one shard may be under way at once. Commits of a shard that come while
    /// that many are under way wait and go together in the next batch (one script run, one reindex, one WAIT). 2 (the
    /// default): one batch runs in Redis while the next is on its way, so a commit waits at most about one round trip
    /// for its turn; 1 makes the largest batches (fewest script runs, least Redis CPU per commit) at up to one more
    /// round trip of waiting; more than 2 makes batches smaller with little gain (Redis runs one script at a time).
    /// The sender's recorded outcomes and put-backs of a shard are grouped by the same limits.
    /// </summary>
    [Range(1, 64)]
    public int CommitPipeline { get; set; } = 2;

    /// <summary>
    /// Group commit: the most commits of one shard sent in one batch script. Redis does nothing else while a script runs,
    /// so this bounds how long one batch holds it (a commit of one update takes it some tens of microseconds). 1 turns
    /// group commit off (with <see cref="CommitPipeline"/> 64, commits go one script each as before).
    /// </summary>
    [Range(1, 1024)]
    public int MaxCommitBatch { get; set; } = 64;
}
