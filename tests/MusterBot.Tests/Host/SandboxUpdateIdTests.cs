using MusterBot.Emulator.Sandbox;

namespace MusterBot.Tests.Host;

public sealed class SandboxUpdateIdTests
{
    [Fact]
    public void ARestartedSandbox_StartsAboveTheIdsOfAnEarlierRun_AndStaysWithin32Bits()
    {
        var first = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
        var earlier = SandboxHostingExtensions.FirstUpdateIdAt(first);

        // An earlier run of an hour that handed out 4 ids a second ends just below the next run's start.
        var later = SandboxHostingExtensions.FirstUpdateIdAt(first.AddHours(1));

        Assert.True(later >= earlier + (3600 * 4), $"{earlier} → {later}");
        Assert.InRange(SandboxHostingExtensions.FirstUpdateIdAt(first.AddYears(14)), 100_000_001, int.MaxValue);
        Assert.Equal(100_000_001, SandboxHostingExtensions.FirstUpdateIdAt(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }
}
