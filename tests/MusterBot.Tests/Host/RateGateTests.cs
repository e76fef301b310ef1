using MusterBot.State.Rates;

namespace MusterBot.Tests.Host;

public sealed class RateGateTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Reserve_WithoutBurst_SpacesSendsOneIntervalApart()
    {
        var gate = new RateGate(10, 1);

        Assert.Equal(T0, gate.Reserve(T0));
        Assert.Equal(T0.AddMilliseconds(100), gate.Reserve(T0));
        Assert.Equal(T0.AddMilliseconds(200), gate.Reserve(T0));
    }

    [Fact]
    public void Reserve_WithBurst_AllowsBurstBackToBackThenSpaces()
    {
        var gate = new RateGate(10, 3);

        Assert.Equal(T0, gate.Reserve(T0));
        Assert.Equal(T0, gate.Reserve(T0));
        Assert.Equal(T0, gate.Reserve(T0));
        Assert.Equal(T0.AddMilliseconds(100), gate.Reserve(T0));
        Assert.Equal(T0.AddMilliseconds(200), gate.Reserve(T0));
    }

    [Fact]
    public void NextAllowed_FreshGateWithBurst_IsNow()
    {
        var gate = new RateGate(30, 3);

        Assert.Equal(T0, gate.NextAllowed(T0));
        Assert.True(gate.IsIdle(T0));
    }

    [Fact]
    public void Reserve_AfterQuietPeriod_AllowsBurstAgain()
    {
        var gate = new RateGate(10, 2);
        gate.Reserve(T0);
        gate.Reserve(T0);
        gate.Reserve(T0);

        var later = T0.AddSeconds(5);

        Assert.Equal(later, gate.Reserve(later));
        Assert.Equal(later, gate.Reserve(later));
        Assert.Equal(later.AddMilliseconds(100), gate.Reserve(later));
    }

    [Fact]
    public void Reserve_WhenCallerIsLate_DoesNotReturnTimeInThePast()
    {
        var gate = new RateGate(1, 1);
        gate.Reserve(T0);

        var late = T0.AddSeconds(3);

        Assert.Equal(late, gate.Reserve(late));
        Assert.Equal(late.AddSeconds(1), gate.Reserve(late));
    }

    [Fact]
    public void PauseUntil_AllowsNothingBeforeTheEndOfThePause()
    {
        var gate = new RateGate(10, 3);
        var until = T0.AddSeconds(5);

        gate.PauseUntil(until);

        Assert.Equal(until, gate.NextAllowed(T0));
        Assert.Equal(until, gate.NextAllowed(T0.AddSeconds(4.9)));
        Assert.Equal(until, gate.Reserve(T0));
        Assert.True(gate.Reserve(T0) >= until);
    }

    [Fact]
    public void PauseUntil_ThenReserve_ResumesAtTheRateWithoutABurst()
    {
        var gate = new RateGate(10, 3);
        var until = T0.AddSeconds(1);
        gate.PauseUntil(until);

        Assert.Equal(until, gate.Reserve(until));
        Assert.Equal(until.AddMilliseconds(100), gate.Reserve(until));
        Assert.Equal(until.AddMilliseconds(200), gate.Reserve(until));
    }

    [Fact]
    public void PauseUntil_EarlierThanReservedSlots_DoesNotShortenTheWait()
    {
        var gate = new RateGate(1, 1);
        for (var i = 0; i < 10; i++)
        {
            gate.Reserve(T0);
        }

        var before = gate.NextAllowed(T0);
        gate.PauseUntil(T0.AddSeconds(2));

        Assert.Equal(T0.AddSeconds(10), before);
        Assert.Equal(before, gate.NextAllowed(T0));
    }

    [Fact]
    public void PauseUntil_InThePast_ChangesNothing()
    {
        var gate = new RateGate(10, 1);

        gate.PauseUntil(T0.AddSeconds(-1));

        Assert.Equal(T0, gate.NextAllowed(T0));
        Assert.Equal(T0, gate.Reserve(T0));
    }

    [Fact]
    public void NextAllowed_DoesNotReserveASlot()
    {
        var gate = new RateGate(10, 1);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(T0, gate.NextAllowed(T0));
        }

        Assert.Equal(T0, gate.Reserve(T0));
        Assert.Equal(T0.AddMilliseconds(100), gate.NextAllowed(T0));
        Assert.Equal(T0.AddMilliseconds(100), gate.NextAllowed(T0));
        Assert.Equal(T0.AddMilliseconds(100), gate.Reserve(T0));
    }

    [Fact]
    public void IsIdle_NewGate_IsIdle()
    {
        var gate = new RateGate(1, 1);

        Assert.True(gate.IsIdle(T0));
    }

    [Fact]
    public void IsIdle_AfterSend_IsBusyUntilTheSlotHasPassed()
    {
        var gate = new RateGate(2, 1);
        gate.Reserve(T0);

        Assert.False(gate.IsIdle(T0));
        Assert.False(gate.IsIdle(T0.AddMilliseconds(499)));
        Assert.True(gate.IsIdle(T0.AddMilliseconds(500)));
    }

    [Fact]
    public void IsIdle_DuringPause_IsBusy()
    {
        var gate = new RateGate(10, 1);

        gate.PauseUntil(T0.AddSeconds(3));

        Assert.False(gate.IsIdle(T0.AddSeconds(2)));
        Assert.True(gate.IsIdle(T0.AddSeconds(3)));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(1, 0)]
    public void Constructor_WithNonPositiveRateOrBurst_Throws(double perSecond, int burst)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateGate(perSecond, burst));
    }
}
