using MusterBot.Host.Delivery;

namespace MusterBot.Tests.Host;

public class SenderOptionsTests
{
    [Fact]
    public void Calls_in_flight_follow_the_highest_rate_unless_set()
    {
        Assert.Equal(16, new SenderOptions().EffectiveMaxInFlight); // 30/s
        Assert.Equal(250, new SenderOptions { GlobalPerSecond = 1000 }.EffectiveMaxInFlight);
        Assert.Equal(250, new SenderOptions { PaidBroadcast = true }.EffectiveMaxInFlight); // paid broadcast at 1,000/s
        Assert.Equal(16, new SenderOptions { PaidBroadcast = false, PaidBroadcastPerSecond = 1000 }.EffectiveMaxInFlight);
        Assert.Equal(25, new SenderOptions { PaidBroadcast = true, PaidBroadcastPerSecond = 100 }.EffectiveMaxInFlight);
        Assert.Equal(8, new SenderOptions { GlobalPerSecond = 1000, MaxInFlight = 8 }.EffectiveMaxInFlight);
    }
}
