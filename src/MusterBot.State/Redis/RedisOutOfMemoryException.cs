namespace MusterBot.State.Redis;

/// <summary>
/// Redis is over its <c>maxmemory</c> and refused a script that adds data (a commit) as a whole: nothing of it was
/// written. The update is tried again by intake; it succeeds once memory is freed or <c>maxmemory</c> raised.
/// </summary>
public sealed class RedisOutOfMemoryException : InvalidOperationException
{
    public RedisOutOfMemoryException()
    {
    }

    public RedisOutOfMemoryException(string message)
        : base(message)
    {
    }

    public RedisOutOfMemoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
