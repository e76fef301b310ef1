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
/// A Redis outage in the middle of a 2,000-message fan-out while the bot process lives: redis-server (append-only
/// file, so its data survives) is killed with SIGKILL and started again on the same port 6.5 s later. The sender keeps
/// the outcomes it could not record and records them once Redis answers, sends nothing it cannot record, and puts back
/// what it had claimed but not sent, so every recipient gets the message exactly once and the fan-out goes on at once
/// (not after the 1-minute lease). The figures are in docs/reliability.md.
/// </summary>
public sealed class RedisOutageTests(PersistentRedisServerFixture redis, ITestOutputHelper output) : IClassFixture<PersistentRedisServerFixture>
{
    private const int Recipients = 2_000;
    private const int KillAt = 1_000;
    private const long FirstChatId = 20_000_000_000;
    private const string Text = "M-2 Muster: check in now.";
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(6.5);

    [Fact]
    public async Task RedisKilledMidFanOut_AndBack_EveryRecipientGetsTheMessageExactlyOnce_WithoutWaitingForTheLease()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var ct = timeout.Token;
        await using var emulator = await BotHost.StartEmulatorAsync();
        var chats = Enumerable.Range(0, Recipients).Select(i => FirstChatId + i).ToArray();
        foreach (var chat in chats)
        {
            emulator.CreateUser(chat, "U" + (chat - FirstChatId).ToString(CultureInfo.InvariantCulture), "en");
        }

        emulator.Latency = TimeSpan.FromMilliseconds(20);
        var prefix = $"outage{Guid.NewGuid():N}:";
        long[] ids;
        await using (var setup = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = prefix }, TimeProvider.System, ct))
        {
            var commit = await setup.CommitAsync(
                new Commit { Outbox = [.. chats.Select(c => new OutboxMessage(Lane.Emergency, c, new SendText(Text)) { Tag = "muster:outage" })] }, ct);
            Assert.Equal(CommitStatus.Committed, commit.Status);
            ids = [.. commit.OutboxIds];
        }

        // The default lease (1 minute): before the fix, messages whose outcome was lost waited it out and were sent again.
        await using var host = await BotHost.StartAsync(emulator, redis.ConnectionString, new Dictionary<string, string?>
        {
            ["Redis:KeyPrefix"] = prefix,
            ["Sender:GlobalPerSecond"] = "200",
            ["Sender:MaxInFlight"] = "16",
        });

        var watch = Stopwatch.StartNew();
        while (emulator.AllSentCount < KillAt)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"only {emulator.AllSentCount} sent in 60 s");
            await Task.Delay(5, ct);
        }

        await redis.StopAsync();
        var sentAtKill = emulator.AllSentCount;
        await Task.Delay(Outage, ct);
        var sentDuringOutage = emulator.AllSentCount - sentAtKill;
        await redis.StartAgainAsync();
        var back = Stopwatch.StartNew();
        var sentAtRestart = emulator.AllSentCount;
        TimeSpan? resumedAfter = null;

        while (chats.Any(c => emulator.Messages(c).Count == 0))
        {
            if (resumedAfter is null && emulator.AllSentCount > sentAtRestart)
            {
                resumedAfter = back.Elapsed;
            }

            Assert.True(back.Elapsed < TimeSpan.FromSeconds(120), $"120 s after Redis came back {chats.Count(c => emulator.Messages(c).Count == 0)} recipients still have no message");
            await Task.Delay(20, ct);
        }

        var completedAfter = back.Elapsed;

        // A late duplicate would show up here; then every message must have left the outbox as Sent.
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        await using var check = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = prefix }, TimeProvider.System, ct);
        var left = (await check.CountOutboxAsync(ct)).Values.Sum();
        var notSent = 0;
        foreach (var id in ids)
        {
            if (await check.GetDeliveryAsync(id, ct) is not { Status: DeliveryStatus.Sent, TelegramMessageId: not null })
            {
                notSent++;
            }
        }

        var perChat = chats.Select(c => emulator.Messages(c).Count).ToArray();
        var duplicates = perChat.Sum() - Recipients;
        output.WriteLine(
            $"Redis killed at {sentAtKill} of {Recipients} sent, {sentDuringOutage} sent during the {Outage.TotalSeconds} s outage; "
            + $"sending resumed {resumedAfter?.TotalSeconds ?? 0:F1} s and every recipient was reached {completedAfter.TotalSeconds:F1} s after Redis was back; "
            + $"lost {perChat.Count(n => n == 0)}, duplicates {duplicates} in {perChat.Count(n => n > 1)} chats; "
            + $"left in the outbox {left}; delivery records not Sent {notSent}");

        Assert.All(perChat, n => Assert.Equal(1, n));
        Assert.Equal(Recipients, emulator.AllSentCount);
        Assert.Equal(0, left);
        Assert.Equal(0, notSent);

        // Generous sanity bound: the remaining ~1,000 messages take about 5 s at 200/s; the lease is 60 s.
        Assert.True(completedAfter < TimeSpan.FromSeconds(40), $"the fan-out took {completedAfter.TotalSeconds:F1} s after Redis was back");
    }
}
