using System.Diagnostics;
using System.Globalization;
using MusterBot.State.Commits;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;
using Xunit.Abstractions;

namespace MusterBot.Tests.EndToEnd;

/// <summary>
/// The bot (in this process, against the Bot API emulator) on Redis Sentinel — one primary, one replica, three
/// sentinels, passwords on both (<see cref="RedisSentinelFixture"/>) — while a 1,000-message muster fan-out drains; the
/// primary is killed with SIGKILL at 300 sent. The sentinels promote the replica, the bot follows it and finishes the
/// fan-out: every recipient gets the order; messages sent twice are at most the calls in flight (a recorded outcome the
/// failover took back, or a claim); neither password appears in any log line. The figures are printed.
/// </summary>
[Collection("redis-sentinel")]
public sealed class SentinelFailoverTests(RedisSentinelFixture sentinel, ITestOutputHelper output)
{
    private const int Recipients = 1_000;
    private const int KillAt = 300;
    private const int MaxInFlight = 16;
    private const long FirstChatId = 30_000_000_000;
    private const string Text = "M-9 Muster: report to the depot.";

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task PrimaryKilledMidFanOut_TheBotFollowsThePromotedReplica_EveryRecipientGetsTheOrder(int waitForReplicas)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await sentinel.EnsureSettledAsync();
        await using var emulator = await BotHost.StartEmulatorAsync();
        var chats = Enumerable.Range(0, Recipients).Select(i => FirstChatId + i).ToArray();
        foreach (var chat in chats)
        {
            emulator.CreateUser(chat, "U" + (chat - FirstChatId).ToString(CultureInfo.InvariantCulture), "en");
        }

        emulator.Latency = TimeSpan.FromMilliseconds(20);
        var prefix = $"sentinel{Guid.NewGuid():N}:";
        await using var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = sentinel.ConnectionString, KeyPrefix = prefix }, TimeProvider.System, ct);
        var commit = await store.CommitAsync(
            new Commit { Outbox = [.. chats.Select(c => new OutboxMessage(Lane.Emergency, c, new SendText(Text)) { Tag = "muster:sentinel" })] }, ct);
        Assert.Equal(CommitStatus.Committed, commit.Status);

        await using var host = await BotHost.StartAsync(emulator, sentinel.ConnectionString, new Dictionary<string, string?>
        {
            ["Redis:KeyPrefix"] = prefix,
            ["Redis:WaitForReplicas"] = waitForReplicas.ToString(CultureInfo.InvariantCulture),
            ["Sender:GlobalPerSecond"] = "200",
            ["Sender:MaxInFlight"] = MaxInFlight.ToString(CultureInfo.InvariantCulture),
            ["Sender:Lease"] = "00:00:05", // a message whose claim survived but whose outcome did not is sent again after this
        });

        try
        {
            var watch = Stopwatch.StartNew();
            while (emulator.AllSentCount < KillAt)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"only {emulator.AllSentCount} sent in 30 s");
                await Task.Delay(5, ct);
            }

            // How late this process runs a 10 ms timer during the failover (the thread pool starved by blocking calls would show).
            var lagMs = 0.0;
            using var lagStop = new CancellationTokenSource();
            var lagProbe = Task.Run(async () =>
            {
                while (!lagStop.IsCancellationRequested)
                {
                    var tick = Stopwatch.StartNew();
                    await Task.Delay(10);
                    lagMs = Math.Max(lagMs, tick.Elapsed.TotalMilliseconds - 10);
                }
            });
            var oldPrimary = await sentinel.KillPrimaryAsync();
            var killed = Stopwatch.StartNew();
            var killedAt = DateTimeOffset.UtcNow;
            var sentAtKill = emulator.AllSentCount;
            var failover = sentinel.WaitForFailoverAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(200, ct); // the calls in flight at the kill come back
            var settled = emulator.AllSentCount;
            while (chats.Any(c => emulator.Messages(c).Count == 0))
            {
                Assert.True(killed.Elapsed < TimeSpan.FromSeconds(45), $"45 s after the kill {chats.Count(c => emulator.Messages(c).Count == 0)} recipients have no order ({emulator.AllSentCount} sent)");
                await Task.Delay(20, ct);
            }

            var done = killed.Elapsed;
            await lagStop.CancelAsync();
            await lagProbe;
            var switched = await failover;

            // A late duplicate would show up here (the lease is 5 s); then every message must have left the outbox as Sent.
            await Task.Delay(TimeSpan.FromSeconds(6), ct);
            var left = (await store.CountOutboxAsync(ct)).Values.Sum();
            var notSent = 0;
            foreach (var id in commit.OutboxIds)
            {
                if (await store.GetDeliveryAsync(id, ct) is not { Status: DeliveryStatus.Sent, TelegramMessageId: not null })
                {
                    notSent++;
                }
            }

            var perChat = chats.Select(c => emulator.Messages(c).Count).ToArray();
            var lost = perChat.Count(n => n == 0);
            var duplicates = perChat.Sum() - Recipients;
            var unconfirmed = host.App.Services.GetService(typeof(IStateStore)) is RedisStateStore hostStore ? hostStore.WritesNotConfirmedByReplicas : -1;
            output.WriteLine(
                $"WaitForReplicas={waitForReplicas}: primary {oldPrimary} killed at {killedAt:HH:mm:ss.fff} at {sentAtKill} of {Recipients} sent ({settled} once the calls in flight returned); "
                + $"sentinels switched to {sentinel.PrimaryPort} {switched.TotalSeconds:F1} s after the kill; every recipient had the order {done.TotalSeconds:F1} s after the kill "
                + $"(the {Recipients - settled} left take {(Recipients - settled) / 200.0:F1} s at 200/s without a failover); "
                + $"lost {lost}, sent twice {duplicates} (in {perChat.Count(n => n > 1)} chats); left in the outbox {left}; delivery records not Sent {notSent}; "
                + $"writes not confirmed by the replica {unconfirmed}; longest stall of this process's timers {lagMs:F0} ms; thread pool min {MinThreads()}");

            if (switched > TimeSpan.FromSeconds(5))
            {
                output.WriteLine("a slow failover; the sentinels said:\n" + sentinel.SentinelEvents(40));
            }

            Assert.Equal(0, lost);
            Assert.InRange(duplicates, 0, MaxInFlight);
            Assert.Equal(0, left);
            Assert.Equal(0, notSent);
            Assert.DoesNotContain(sentinel.Password, host.Logs.All, StringComparison.Ordinal);
            Assert.DoesNotContain(sentinel.SentinelPassword, host.Logs.All, StringComparison.Ordinal);
        }
        finally
        {
            await sentinel.RestoreAsync();
        }
    }

    private static string MinThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        return $"{workers}/{io}";
    }
}
