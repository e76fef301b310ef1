using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MusterBot.Emulator;
using MusterBot.Host.Intake;
using MusterBot.State.Redis;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;
using Xunit.Abstractions;

namespace MusterBot.Tests.EndToEnd;

/// <summary>
/// Several instances in polling mode on one Redis: exactly one polls (the poller's lease); when it stops, or dies by
/// SIGKILL, another takes over, and no update is lost or applied twice.
/// </summary>
[Collection("redis")]
public sealed class MultiInstancePollingTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const string Help = "What I can do";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoInstances_OnlyThePollerPolls_AndWhenItStops_TheOtherTakesOverAtOnce()
    {
        await using var emulator = await BotHost.StartEmulatorAsync();
        var prefix = $"multi{Guid.NewGuid():N}:";
        var settings = new Dictionary<string, string?> { ["Redis:KeyPrefix"] = prefix, ["Intake:PollerRetry"] = "00:00:00.200" };
        var first = await BotHost.StartAsync(emulator, redis.ConnectionString, settings);
        await using var second = await BotHost.StartAsync(emulator, redis.ConnectionString, settings);
        try
        {
            await emulator.WaitForAsync(() => Poller(first).IsPoller || Poller(second).IsPoller, Wait);
            var (leader, follower) = Poller(first).IsPoller ? (first, second) : (second, first);
            Assert.False(Poller(follower).IsPoller);

            // Both serve: updates are answered, and the emulator never saw two getUpdates at once.
            await AnswerHelpAsync(emulator, 100, 20);
            Assert.Equal(0, emulator.PollConflictsGiven);
            Assert.False(Poller(follower).IsPoller);

            // The poller stops (SIGTERM): it gives the lease back, and the other polls well before the lease would end.
            var watch = Stopwatch.StartNew();
            await leader.App.StopAsync();
            await emulator.WaitForAsync(() => Poller(follower).IsPoller, Wait);
            var takeover = watch.Elapsed;
            output.WriteLine($"takeover after a graceful stop: {takeover.TotalMilliseconds:F0} ms");
            Assert.True(takeover < TimeSpan.FromSeconds(5), $"the other instance took {takeover.TotalSeconds:F1} s to take over (lease 6 s)");
            Assert.Contains(leader.Logs.Lines, m => m.Contains("gave the poller's lease back", StringComparison.Ordinal));

            // (The stopped poller's last long poll may still be ending when the other's first one arrives: one 409
            // then, which only delays it.)
            await AnswerHelpAsync(emulator, 200, 20);
            output.WriteLine($"getUpdates conflicts after the takeover: {emulator.PollConflictsGiven}");
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    [Fact]
    public async Task ThePollerKilled_AnotherTakesOverWithinTenSeconds_NoUpdateLostOrAppliedTwice()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var ct = timeout.Token;
        await using var emulator = await BotHost.StartEmulatorAsync();
        const int users = 300;
        const long firstUser = 3_000_000_000;
        for (var i = 0; i < users; i++)
        {
            emulator.CreateUser(firstUser + i, "U" + i.ToString(CultureInfo.InvariantCulture), "en");
        }

        var prefix = $"kill{Guid.NewGuid():N}:";
        await using var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = prefix }, TimeProvider.System, ct);
        var environment = new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = BotHost.Token,
            ["Telegram__ApiBaseUrl"] = emulator.BaseUrl,
            ["Telegram__PollTimeout"] = "00:00:05",
            ["Redis__Configuration"] = redis.ConnectionString,
            ["Redis__KeyPrefix"] = prefix,
            ["Sender__GlobalPerSecond"] = "500",
            ["Sender__PerChatPerSecond"] = "50",
            ["Sender__Lease"] = "00:00:03",
        };

        using var first = ChildHost.Start(environment);
        using var second = new ChildHostSlot();
        try
        {
            // 1. The first instance takes the lease; then the second starts and waits.
            var firstId = await WaitForHolderAsync(store, null, first, ct);
            second.Host = ChildHost.Start(environment);
            await WaitUntilAsync(() => second.Host.Lines.Any(l => l.Contains("another instance polls", StringComparison.Ordinal)), second.Host, ct);

            // 2. Users write while the poller is killed half-way through.
            var sending = Task.Run(
                async () =>
                {
                    for (var i = 0; i < users; i++)
                    {
                        emulator.SendText(firstUser + i, "/help");
                        await Task.Delay(20, ct);
                    }
                },
                ct);
            await WaitUntilAsync(() => Answered(emulator, firstUser, users) >= 100, first, ct);
            var killedAt = Stopwatch.StartNew();
            first.Process.Kill(); // SIGKILL: the lease is not given back, it has to end by itself
            await first.Process.WaitForExitAsync(ct);
            var answeredAtKill = Answered(emulator, firstUser, users);
            var answeredBeforeKill = Enumerable.Range(0, users).Where(i => emulator.Messages(firstUser + i).Any(m => m.FromBot)).ToHashSet();

            // 3. The second takes over within 10 s (lease 6 s + retry 1 s), and every update is answered exactly once.
            var secondId = await WaitForHolderAsync(store, firstId, second.Host, ct);
            var takeover = killedAt.Elapsed;
            Assert.NotEqual(firstId, secondId);
            await sending;
            await WaitUntilAsync(() => Answered(emulator, firstUser, users) == users, second.Host, ct);
            await Task.Delay(TimeSpan.FromSeconds(2), ct); // a late second answer would show up
            var perUser = Enumerable.Range(0, users).Select(i => emulator.Messages(firstUser + i).Count(m => m.FromBot && m.Text!.StartsWith(Help, StringComparison.Ordinal))).ToList();
            output.WriteLine($"killed with {answeredAtKill} of {users} answered; the second instance held the lease {takeover.TotalSeconds:F1} s after the kill; "
                + $"answers per user: min {perUser.Min()}, max {perUser.Max()}; getUpdates conflicts {emulator.PollConflictsGiven}");
            Assert.True(takeover < TimeSpan.FromSeconds(10), $"takeover took {takeover.TotalSeconds:F1} s");
            // Every update answered; none applied twice. A reply whose call the killed instance made but whose outcome it
            // had not recorded yet is sent again by the other (at-least-once delivery, the documented crash behaviour:
            // architecture.md, CrashSafetyTests): such a second copy can only be of a reply already there at the kill,
            // and only of the few calls in flight then.
            Assert.All(perUser, count => Assert.InRange(count, 1, 2));
            var twice = Enumerable.Range(0, users).Where(i => perUser[i] == 2).ToList();
            Assert.All(twice, i => Assert.Contains(i, answeredBeforeKill));
            Assert.True(twice.Count <= 3, $"{twice.Count} users answered twice");
        }
        finally
        {
            first.KillIfRunning();
            second.Host?.KillIfRunning();
        }
    }

    private static PollingIntake Poller(BotHost host) =>
        host.App.Services.GetServices<IHostedService>().OfType<PollingIntake>().Single();

    private static int Answered(BotApiEmulator emulator, long firstUser, int users) =>
        Enumerable.Range(0, users).Count(i => emulator.Messages(firstUser + i).Any(m => m.FromBot && m.Text!.StartsWith(Help, StringComparison.Ordinal)));

    private static async Task AnswerHelpAsync(BotApiEmulator emulator, long firstUser, int users)
    {
        for (var i = 0; i < users; i++)
        {
            emulator.CreateUser(firstUser + i, "U", "en");
            emulator.SendText(firstUser + i, "/help");
        }

        for (var i = 0; i < users; i++)
        {
            await emulator.WaitForMessageAsync(firstUser + i, m => m.Text!.StartsWith(Help, StringComparison.Ordinal), Wait);
        }
    }

    private static async Task<string> WaitForHolderAsync(RedisStateStore store, string? other, ChildHost host, CancellationToken ct)
    {
        string? holder = null;
        await WaitUntilAsync(
            () =>
            {
                holder = store.LeaseHolderAsync(PollingIntake.PollerLeaseName, ct).GetAwaiter().GetResult();
                return holder is not null && holder != other;
            },
            host,
            ct);
        return holder!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, ChildHost host, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.False(host.Process.HasExited, $"the host exited:\n{host.Tail()}");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"not within 60 s:\n{host.Tail()}");
            await Task.Delay(50, ct);
        }
    }
}
