namespace MusterBot.State.Rates;

/// <summary>
/// A rate limit as a "theoretical arrival time" (GCRA): sends are spaced 1/rate apart, with up to
/// <c>burst</c> sends allowed back to back. Thread-safe: the sender loop reserves slots while finished sends
/// (on other threads) may pause the gate after a 429.
/// </summary>
public sealed class RateGate
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _interval;
    private readonly TimeSpan _tolerance;
    private DateTimeOffset _tat = DateTimeOffset.MinValue;
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;

    public RateGate(double perSecond, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _interval = TimeSpan.FromSeconds(1 / perSecond);
        _tolerance = _interval * (burst - 1);
    }

    /// <summary>Nothing may be sent before this time (set by <see cref="PauseUntil"/>).</summary>
    public DateTimeOffset PausedUntil
    {
        get
        {
            lock (_gate)
            {
                return _pausedUntil;
            }
        }
    }

    /// <summary>The earliest time a send is allowed, without taking it.</summary>
    public DateTimeOffset NextAllowed(DateTimeOffset now)
    {
        lock (_gate)
        {
            return NextAllowedCore(now);
        }
    }

    /// <summary>Takes the next slot and returns when it may be used (now, or later when the rate is exhausted).</summary>
    public DateTimeOffset Reserve(DateTimeOffset now)
    {
        lock (_gate)
        {
            var at = NextAllowedCore(now);
            _tat = (_tat > at ? _tat : at) + _interval;
            return at;
        }
    }

    /// <summary>Allows nothing before <paramref name="until"/> (Telegram's retry_after), with no burst right after.</summary>
    public void PauseUntil(DateTimeOffset until)
    {
        lock (_gate)
        {
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }

            var tat = until + _tolerance;
            if (tat > _tat)
            {
                _tat = tat;
            }
        }
    }

    /// <summary>True when the gate has no memory left of sends before <paramref name="now"/> (safe to forget).</summary>
    public bool IsIdle(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _tat <= now && _pausedUntil <= now;
        }
    }

    private DateTimeOffset NextAllowedCore(DateTimeOffset now)
    {
        var allowed = _tat - now > _tolerance ? _tat - _tolerance : now;
        return allowed > _pausedUntil ? allowed : _pausedUntil;
    }
}
