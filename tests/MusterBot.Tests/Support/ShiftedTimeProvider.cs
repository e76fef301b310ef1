namespace MusterBot.Tests.Support;

/// <summary>
/// The system clock plus an offset that only grows. Timers, delays and timestamps stay real (the host's long polls,
/// sender and timer polling keep running), while everything that reads the time of day — stored timer due times,
/// outbox ready times, the flows' "now" — sees the shifted clock. <see cref="Advance"/> jumps the whole host forward,
/// e.g. past a muster's T1, without waiting.
/// </summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public ShiftedTimeProvider()
    {
    }

    /// <summary>Starts at <paramref name="offset"/> from the system clock (behind it when negative: a skewed machine).</summary>
    public ShiftedTimeProvider(TimeSpan offset)
    {
        _offsetTicks = offset.Ticks;
    }

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, delta.Ticks);
    }
}
