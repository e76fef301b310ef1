namespace MusterBot.Tests.Support;

public sealed class FakeTimeProviderTests
{
    [Fact]
    public void Advance_MovesUtcNow()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

        clock.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 3, 0, TimeSpan.Zero), clock.GetUtcNow());
    }

    [Fact]
    public async Task Delay_CompletesOnlyWhenClockReachesIt()
    {
        var clock = new FakeTimeProvider();
        var delay = Task.Delay(TimeSpan.FromSeconds(10), clock);

        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        await delay.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void PeriodicTimer_FiresOncePerPeriodPassed_UntilDisposed()
    {
        var clock = new FakeTimeProvider();
        var fired = new List<DateTimeOffset>();
        var start = clock.GetUtcNow();
        var timer = clock.CreateTimer(_ => fired.Add(clock.GetUtcNow()), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        clock.Advance(TimeSpan.FromSeconds(5));
        timer.Dispose();
        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal([start.AddSeconds(1), start.AddSeconds(3), start.AddSeconds(5)], fired);
    }
}
