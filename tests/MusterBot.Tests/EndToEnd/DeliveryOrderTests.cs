using MusterBot.Emulator;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;
using Xunit.Abstractions;

namespace MusterBot.Tests.EndToEnd;

/// <summary>
/// One person's replies arrive in the order of their updates, also when that person sends many updates among many
/// other people's (issue #17: per-person order; the sender's claims, retries and rate gates must not reorder a chat).
/// </summary>
[Collection("redis")]
public sealed class DeliveryOrderTests(RedisServerFixture redis, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private BotApiEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        await redis.EnsureRunningAsync();
        _emulator = await BotHost.StartEmulatorAsync();
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Theory]
    [InlineData("30", "3")]
    [InlineData("100", "100")]
    public async Task ManyUpdatesOfOnePerson_AmongOthers_AreAnsweredInOrder(string perChatPerSecond, string perChatBurst)
    {
        const long busy = 900;
        const int busyUpdates = 160;
        const int others = 240;
        _emulator.CreateUser(busy, "Busy", "en");
        for (var i = 0; i < others; i++)
        {
            _emulator.CreateUser(1_000 + i, "Other", "en");
        }

        await using var host = await BotHost.StartAsync(_emulator, redis.ConnectionString, new Dictionary<string, string?>
        {
            ["Intake:FloodLimit"] = "1000",
            ["Sender:PerChatPerSecond"] = perChatPerSecond,
            ["Sender:PerChatBurst"] = perChatBurst,
            ["Sender:GlobalPerSecond"] = "1000",
        });

        // Interleaved: the busy person's updates are spread among the others', so they fall into many polls and claims.
        var other = 0;
        for (var i = 0; i < busyUpdates; i++)
        {
            _emulator.SendText(busy, i % 2 == 0 ? "/help" : "/me");
            if (i % 2 == 1 && other < others)
            {
                _emulator.SendText(1_000 + other, "/help");
                _emulator.SendText(1_000 + other + 1, "/help");
                _emulator.SendText(1_000 + other + 2, "/help");
                other += 3;
            }
        }

        await _emulator.WaitForAsync(() => _emulator.Messages(busy).Count >= busyUpdates, Wait);
        var replies = _emulator.Messages(busy);
        var kinds = replies.Select(m => m.Text!.StartsWith("What I can do", StringComparison.Ordinal) ? 'h' : 'm').ToArray();
        output.WriteLine(new string(kinds));
        Assert.Equal(busyUpdates, replies.Count);
        for (var i = 0; i < busyUpdates; i++)
        {
            Assert.True(kinds[i] == (i % 2 == 0 ? 'h' : 'm'), $"reply {i} out of order: {new string(kinds)}");
        }
    }
}
