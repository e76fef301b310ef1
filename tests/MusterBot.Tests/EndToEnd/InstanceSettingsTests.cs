using MusterBot.Tests.State;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.EndToEnd;

/// <summary>Instances on one store configured differently say so loudly; configured alike, they say nothing.</summary>
[Collection("redis")]
public sealed class InstanceSettingsTests(RedisServerFixture redis)
{
    private const string Disagree = "INSTANCES DISAGREE";

    [Fact]
    public async Task TwoInstancesWithOtherRatesAndAdmins_LogAnErrorNamingEachSetting_AlikeTheyDoNot()
    {
        await using var emulator = await BotHost.StartEmulatorAsync();
        var prefix = $"cfg{Guid.NewGuid():N}:";
        await using var first = await BotHost.StartAsync(emulator, redis.ConnectionString, new Dictionary<string, string?>
        {
            ["Redis:KeyPrefix"] = prefix,
            ["Sender:GlobalPerSecond"] = "30",
            ["MusterBot:Admins:0"] = "7000000001",
        });
        await using var alike = await BotHost.StartAsync(emulator, redis.ConnectionString, new Dictionary<string, string?>
        {
            ["Redis:KeyPrefix"] = prefix,
            ["Sender:GlobalPerSecond"] = "30",
            ["MusterBot:Admins:0"] = "7000000001",
        });
        await using var other = await BotHost.StartAsync(emulator, redis.ConnectionString, new Dictionary<string, string?>
        {
            ["Redis:KeyPrefix"] = prefix,
            ["Sender:GlobalPerSecond"] = "60",
            ["MusterBot:Admins:0"] = "7000000002",
        });

        await emulator.WaitForAsync(() => other.Logs.Lines.Any(l => l.Contains(Disagree, StringComparison.Ordinal)), TimeSpan.FromSeconds(30));
        var line = other.Logs.Lines.First(l => l.Contains(Disagree, StringComparison.Ordinal));
        Assert.StartsWith("Error", line, StringComparison.Ordinal);
        Assert.Contains("Sender:GlobalPerSecond: here 60", line, StringComparison.Ordinal);
        Assert.Contains("has 30", line, StringComparison.Ordinal);
        Assert.Contains("MusterBot:Admins: here 7000000002", line, StringComparison.Ordinal);
        Assert.DoesNotContain(BotHost.Token, line, StringComparison.Ordinal);

        // The first two started before the third: alike, they said nothing then.
        Assert.DoesNotContain(alike.Logs.Lines, l => l.Contains(Disagree, StringComparison.Ordinal));
    }
}
