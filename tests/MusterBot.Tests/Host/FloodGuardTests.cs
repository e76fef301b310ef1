using MusterBot.Host.Intake;

namespace MusterBot.Tests.Host;

public sealed class FloodGuardTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void Allow_WithinLimit_AllowsThenDropsTheRest()
    {
        var guard = new FloodGuard(3, Window, _clock);

        Assert.True(guard.Allow(1));
        Assert.True(guard.Allow(1));
        Assert.True(guard.Allow(1));
        Assert.False(guard.Allow(1));
        Assert.False(guard.Allow(1));
    }

    [Fact]
    public void Allow_JustBeforeWindowEnds_StillDrops()
    {
        var guard = new FloodGuard(1, Window, _clock);
        Assert.True(guard.Allow(1));

        _clock.Advance(Window - TimeSpan.FromMilliseconds(1));

        Assert.False(guard.Allow(1));
    }

    [Fact]
    public void Allow_AfterWindow_ResetsTheCount()
    {
        var guard = new FloodGuard(2, Window, _clock);
        Assert.True(guard.Allow(1));
        Assert.True(guard.Allow(1));
        Assert.False(guard.Allow(1));

        _clock.Advance(Window);

        Assert.True(guard.Allow(1));
        Assert.True(guard.Allow(1));
        Assert.False(guard.Allow(1));
    }

    [Fact]
    public void Allow_DifferentUsers_AreCountedIndependently()
    {
        var guard = new FloodGuard(2, Window, _clock);
        Assert.True(guard.Allow(7_000_000_001));
        Assert.True(guard.Allow(7_000_000_001));
        Assert.False(guard.Allow(7_000_000_001));

        Assert.True(guard.Allow(7_000_000_002));
        Assert.True(guard.Allow(7_000_000_002));
        Assert.False(guard.Allow(7_000_000_002));
    }

    [Fact]
    public void Allow_UserIdsDifferingAbove32Bits_AreNotConfused()
    {
        var guard = new FloodGuard(1, Window, _clock);

        Assert.True(guard.Allow(5));
        Assert.True(guard.Allow(5 + (1L << 32)));
        Assert.False(guard.Allow(5));
    }
}
