namespace MusterBot.Tests.Support;

/// <summary>
/// Where the fake clocks of the flow tests start: Saturday 2025-03-01 08:00 UTC. The dates those tests type and expect
/// ("2025-03-10", "Wanted by 2025-03-08") are relative to it; <see cref="FakeTimeProvider"/> alone starts at
/// 2000-01-01 00:00 UTC. A store's clock and the harness's clock must start at the same time.
/// </summary>
public static class TestClock
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
}
