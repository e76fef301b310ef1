namespace MusterBot.State.Redis;

/// <summary>
/// The Redis server may evict keys (<c>maxmemory-policy</c> other than <c>noeviction</c>): state and outbox keys would
/// vanish without an error, so the store refuses to start unless <see cref="RedisStoreOptions.AllowEviction"/> is set.
/// </summary>
public sealed class RedisEvictionPolicyException : InvalidOperationException
{
    public RedisEvictionPolicyException()
    {
    }

    public RedisEvictionPolicyException(string message)
        : base(message)
    {
    }

    public RedisEvictionPolicyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
