namespace MusterBot.Host.Delivery;

/// <summary>
/// A rate limit as a "theoretical arrival time" (GCRA): sends are spaced 1/rate apart, with up to
/// <c>burst</c> sends allowed back to back. Not thread-safe: the sender uses it from its single loop.
/// </summary>
public sealed class RateGate
{
    private readonly TimeSpan _interval;
    private readonly TimeSpan _tolerance;
    private DateTimeOffset _tat = DateTimeOffset.MinValue;

    public RateGate(double perSecond, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _interval = TimeSpan.FromSeconds(1 / perSecond);
        _tolerance = _interval * (burst - 1);
    }

    /// <summary>The earliest time a send is allowed, without taking it.</summary>
    public DateTimeOffset NextAllowed(DateTimeOffset now)
    {
        if (_tat <= now)
        {
            return now;
        }

        var allowed = _tat - _tolerance;
        return allowed > now ? allowed : now;
    }

    /// <summary>Takes the next slot and returns when it may be used (now, or later when the rate is exhausted).</summary>
    public DateTimeOffset Reserve(DateTimeOffset now)
    {
        var at = NextAllowed(now);
        _tat = (_tat > at ? _tat : at) + _interval;
        return at;
    }

    /// <summary>Allows nothing before <paramref name="until"/> (Telegram's retry_after).</summary>
    public void PauseUntil(DateTimeOffset until)
    {
        var tat = until + _tolerance;
        if (tat > _tat)
        {
            _tat = tat;
        }
    }

    /// <summary>True when the gate has no memory left of sends before <paramref name="now"/> (safe to forget).</summary>
    public bool IsIdle(DateTimeOffset now) => _tat <= now;
}
