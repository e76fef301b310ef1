namespace MusterBot.State.Redis;

/// <summary>What INFO memory said at connect: the eviction policy, used and maximum memory in bytes (0 = no limit).</summary>
public sealed record RedisMemory(string Policy, long UsedBytes, long MaxBytes);
