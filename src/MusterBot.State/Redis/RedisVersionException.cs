namespace MusterBot.State.Redis;

/// <summary>
/// The Redis server is older than 7.0: the store's scripts declare their flags in a <c>#!lua</c> shebang (so a write
/// is refused whole when Redis is over <c>maxmemory</c>), which older servers cannot load.
/// </summary>
public sealed class RedisVersionException : InvalidOperationException
{
    public RedisVersionException()
    {
    }

    public RedisVersionException(string message)
        : base(message)
    {
    }

    public RedisVersionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
