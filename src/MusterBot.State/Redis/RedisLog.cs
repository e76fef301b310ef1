using Microsoft.Extensions.Logging;

namespace MusterBot.State.Redis;

/// <summary>The store's log lines (never the connection string: it may hold a password).</summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Redis memory at start: used {UsedMegabytes:0.0} MB, maxmemory {MaxMegabytes:0.0} MB (0 = no limit), maxmemory-policy {Policy}")]
    public static partial void Memory(ILogger logger, double usedMegabytes, double maxMegabytes, string policy);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Redis did not answer at start: its memory and eviction policy will be checked at the next start")]
    public static partial void MemoryUnknown(ILogger logger);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Redis Sentinel: no sentinel named a reachable primary for service {Service} at start (sentinels unreachable, an unknown service name, or a wrong sentinelPassword); the connection asks them again every second")]
    public static partial void NoPrimaryYet(ILogger logger, string service);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Redis WAIT: only {Acknowledged} of {Wanted} replicas confirmed a write within {TimeoutMs} ms ({Writes} writes not confirmed since the last warning; while the replicas are behind, one write a second waits for them, at most 50 ms). They count as done, but a failover now could lose them. Check the replicas (INFO replication)")]
    public static partial void ReplicasBehind(ILogger logger, long acknowledged, int wanted, long timeoutMs, long writes);
}
