using System.Collections.Concurrent;
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
/// Crash safety of the delivery path: the real host (a child process) is killed with SIGKILL in the middle of a
/// 2,000-message fan-out on real Redis and started again. Every recipient must get the message; duplicates are bounded
/// by the messages in flight at the kill (the outbox keeps a message until its outcome is recorded).
/// </summary>
[Collection("redis")]
public sealed class CrashSafetyTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const int Recipients = 2_000;
    private const int MaxInFlight = 16;
    private const long FirstChatId = 10_000_000_000; // above 2^32: ids must be 64-bit everywhere
    private const string Text = "M-1 Muster: check in now.";

    [Fact]
    public async Task SigkillDuringFanOut_AndRestart_EveryRecipientGetsTheMessage_DuplicatesBoundedByInFlight()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        await using var emulator = await BotHost.StartEmulatorAsync();
        var chats = Enumerable.Range(0, Recipients).Select(i => FirstChatId + i).ToArray();
        foreach (var chat in chats)
        {
            emulator.CreateUser(chat, "U" + (chat - FirstChatId).ToString(CultureInfo.InvariantCulture), "en");
        }

        emulator.Latency = TimeSpan.FromMilliseconds(20);

        // What a muster launch commits: the whole fan-out in one atomic commit on the emergency lane.
        var prefix = $"crash{Guid.NewGuid():N}:";
        await using var store = await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = prefix }, TimeProvider.System, ct);
        var commit = await store.CommitAsync(
            new Commit { Outbox = [.. chats.Select(c => new OutboxMessage(Lane.Emergency, c, new SendText(Text)) { Tag = "muster:crash" })] },
            ct);
        Assert.Equal(CommitStatus.Committed, commit.Status);
        Assert.Equal(Recipients, commit.OutboxIds.Count);

        var environment = new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = BotHost.Token,
            ["Telegram__ApiBaseUrl"] = emulator.BaseUrl,
            ["Redis__Configuration"] = redis.ConnectionString,
            ["Redis__KeyPrefix"] = prefix,
            ["Sender__GlobalPerSecond"] = "200",
            ["Sender__MaxInFlight"] = MaxInFlight.ToString(CultureInfo.InvariantCulture),
            ["Sender__Lease"] = "00:00:03",
        };

        using var first = ChildHost.Start(environment);
        using var second = new ChildHostSlot();
        try
        {
            // 1. Let the first process send a good part of the fan-out, then kill it for real.
            var watch = Stopwatch.StartNew();
            while (emulator.AllSentCount < 400)
            {
                Assert.False(first.Process.HasExited, $"the first host exited on its own (code {ExitCodeOf(first.Process)}):\n{first.Tail()}");
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(45), $"the first host sent only {emulator.AllSentCount} in 45 s:\n{first.Tail()}");
                await Task.Delay(5, ct);
            }

            var sentAtKill = emulator.AllSentCount;
            first.Process.Kill(); // SIGKILL on Linux: no shutdown hooks, no in-flight call finishes in the host.
            await first.Process.WaitForExitAsync(ct);
            var killedAfter = watch.Elapsed;
            Assert.True(first.Process.HasExited);
            if (OperatingSystem.IsLinux())
            {
                Assert.Equal(137, first.Process.ExitCode); // 128 + SIGKILL
            }

            Assert.DoesNotContain(first.Lines, l => l.Contains("Application is shutting down", StringComparison.Ordinal));

            // Calls the emulator was still answering when the client died settle within the latency.
            await Task.Delay(200, ct);
            var sentBeforeRestart = emulator.AllSentCount;
            Assert.InRange(sentBeforeRestart, 400, 1_599);
            var outboxAtKill = (await store.CountOutboxAsync(ct)).Values.Sum();

            // Telegram has them but the store does not know: exactly these may be sent a second time.
            var sentNotRecorded = sentBeforeRestart + outboxAtKill - Recipients;

            // 2. Restart with the same settings; wait until every recipient has the message.
            var restart = Stopwatch.StartNew();
            second.Host = ChildHost.Start(environment);
            var missing = Recipients;
            while (true)
            {
                Assert.False(second.Host.Process.HasExited, $"the second host exited (code {ExitCodeOf(second.Host.Process)}):\n{second.Host.Tail()}");
                if (emulator.AllSentCount >= Recipients)
                {
                    missing = chats.Count(c => emulator.Messages(c).Count == 0);
                    if (missing == 0)
                    {
                        break;
                    }
                }

                Assert.True(
                    restart.Elapsed < TimeSpan.FromSeconds(60),
                    $"after 60 s {missing} recipients still have no message ({emulator.AllSentCount} sent):\n{second.Host.Tail()}");
                await Task.Delay(50, ct);
            }

            var completedAfter = restart.Elapsed;

            // 3. Let it run a little longer (a late duplicate would show up), then check the store and count.
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            var counts = await store.CountOutboxAsync(ct);
            Assert.All(counts, kv => Assert.Equal(0, kv.Value));

            var perChat = chats.Select(c => emulator.Messages(c)).ToArray();
            Assert.All(perChat, messages => Assert.All(messages, m => Assert.Equal(Text, m.Text)));
            var lost = perChat.Count(m => m.Count == 0);
            var total = perChat.Sum(m => m.Count);
            var duplicates = total - Recipients;
            var chatsWithDuplicates = perChat.Count(m => m.Count > 1);

            var notSent = new List<string>();
            foreach (var id in commit.OutboxIds)
            {
                var record = await store.GetDeliveryAsync(id, ct);
                if (record is not { Status: DeliveryStatus.Sent, TelegramMessageId: not null })
                {
                    notSent.Add($"{id}: {record?.Status.ToString() ?? "no record"}");
                }
            }

            output.WriteLine(
                $"first host: killed after {killedAfter.TotalSeconds:F1} s with {sentAtKill} sent at the kill, "
                + $"{sentBeforeRestart} once settled; {outboxAtKill} left in the outbox, of them {sentNotRecorded} already sent "
                + $"(exit code {first.Process.ExitCode})");
            output.WriteLine(
                $"second host: every recipient reached {completedAfter.TotalSeconds:F1} s after its start; "
                + $"total {total} messages, lost {lost}, duplicates {duplicates} in {chatsWithDuplicates} chats "
                + $"(bound: MaxInFlight = {MaxInFlight}); delivery records not Sent: {notSent.Count}");

            Assert.Equal(0, lost);
            Assert.Equal(total, emulator.AllSentCount); // nothing else was sent
            Assert.InRange(sentNotRecorded, 0, MaxInFlight); // at most the calls in flight are unrecorded
            Assert.Equal(sentNotRecorded, duplicates); // and each of them, no other, is sent again once
            Assert.True(notSent.Count == 0, "delivery records not Sent: " + string.Join(", ", notSent.Take(10)));
        }
        finally
        {
            first.KillIfRunning();
            second.Host?.KillIfRunning();
        }
    }

    private static string ExitCodeOf(Process process) =>
        process.HasExited ? process.ExitCode.ToString(CultureInfo.InvariantCulture) : "running";
}
