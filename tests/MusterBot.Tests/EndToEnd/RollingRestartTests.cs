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
/// Three instances (child processes) on one Redis, restarted one after another with SIGTERM while a muster's fan-out
/// drains and members write: each exits within 10 s, and nothing is lost or sent twice.
/// </summary>
[Collection("redis")]
public sealed class RollingRestartTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const int Recipients = 1_500;
    private const int Writers = 150;
    private const long FirstChat = 5_000_000_000;
    private const long FirstWriter = 6_000_000_000;
    private const string Text = "M-7 Muster: report to the square.";
    private const string Help = "What I can do";

    [Fact]
    public async Task RollingRestartOfThreeInstances_DuringAFanOutAndUpdates_LosesNothing_DuplicatesNothing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var ct = timeout.Token;
        await using var emulator = await BotHost.StartEmulatorAsync();
        emulator.Latency = TimeSpan.FromMilliseconds(20);
        var chats = Enumerable.Range(0, Recipients).Select(i => FirstChat + i).ToArray();
        foreach (var chat in chats)
        {
            emulator.CreateUser(chat, "R", "en");
        }

        for (var i = 0; i < Writers; i++)
        {
            emulator.CreateUser(FirstWriter + i, "W", "en");
        }

        var prefix = $"roll{Guid.NewGuid():N}:";
        await using var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = prefix }, TimeProvider.System, ct);
        var environment = new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = BotHost.Token,
            ["Telegram__ApiBaseUrl"] = emulator.BaseUrl,
            ["Telegram__PollTimeout"] = "00:00:05",
            ["Redis__Configuration"] = redis.ConnectionString,
            ["Redis__KeyPrefix"] = prefix,
            ["Sender__GlobalPerSecond"] = "60",
            ["Sender__PerChatPerSecond"] = "50",
            ["Sender__Lease"] = "00:00:30", // longer than the test's restarts: a message left claimed would show as late
        };

        var hosts = new ChildHost?[3];
        try
        {
            for (var i = 0; i < hosts.Length; i++)
            {
                hosts[i] = ChildHost.Start(environment);
            }

            // A rolling restart waits for the instances to be up (a loaded machine takes seconds to start three).
            foreach (var host in hosts)
            {
                await host!.WaitUntilStartedAsync(TimeSpan.FromSeconds(60), ct);
            }

            // The muster's fan-out, committed at once; 3 × 60/s drains it in about 8 s.
            var commit = await store.CommitAsync(new Commit { Outbox = [.. chats.Select(c => new OutboxMessage(Lane.Emergency, c, new SendText(Text)))] }, ct);
            Assert.Equal(CommitStatus.Committed, commit.Status);
            var writing = Task.Run(
                async () =>
                {
                    for (var i = 0; i < Writers; i++)
                    {
                        emulator.SendText(FirstWriter + i, "/help");
                        await Task.Delay(60, ct);
                    }
                },
                ct);

            // Each instance in turn: SIGTERM, wait for it to exit, start a new one.
            var exits = new List<double>();
            for (var i = 0; i < hosts.Length; i++)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                var old = hosts[i]!;
                var watch = Stopwatch.StartNew();
                using (var kill = Process.Start("kill", ["-TERM", old.Process.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync(ct);
                }

                using var exitLimit = CancellationTokenSource.CreateLinkedTokenSource(ct);
                exitLimit.CancelAfter(TimeSpan.FromSeconds(15));
                await old.Process.WaitForExitAsync(exitLimit.Token);
                exits.Add(watch.Elapsed.TotalSeconds);
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"instance {i} took {watch.Elapsed.TotalSeconds:F1} s to exit after SIGTERM:\n{old.Tail()}");
                Assert.True(old.Process.ExitCode == 0, $"instance {i} exited with code {old.Process.ExitCode} after SIGTERM:\n{old.Tail()}");
                old.Dispose();
                hosts[i] = ChildHost.Start(environment);
                await hosts[i]!.WaitUntilStartedAsync(TimeSpan.FromSeconds(60), ct);
            }

            await writing;
            var clock = Stopwatch.StartNew();
            while (chats.Any(c => emulator.Messages(c).Count == 0) || Answered(emulator) < Writers)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"after 60 s: {chats.Count(c => emulator.Messages(c).Count == 0)} recipients without the order, {Answered(emulator)} of {Writers} writers answered");
                await Task.Delay(100, ct);
            }

            await Task.Delay(TimeSpan.FromSeconds(2), ct); // a late duplicate would show up
            var perChat = chats.Select(c => emulator.Messages(c).Count(m => m.FromBot)).ToList();
            var perWriter = Enumerable.Range(0, Writers).Select(i => emulator.Messages(FirstWriter + i).Count(m => m.FromBot && m.Text!.StartsWith(Help, StringComparison.Ordinal))).ToList();
            output.WriteLine($"exits after SIGTERM: {string.Join(", ", exits.Select(e => e.ToString("F1", CultureInfo.InvariantCulture)))} s; "
                + $"orders per recipient {perChat.Min()}–{perChat.Max()}, answers per writer {perWriter.Min()}–{perWriter.Max()}; getUpdates conflicts {emulator.PollConflictsGiven}");
            Assert.All(perChat, n => Assert.Equal(1, n));
            Assert.All(perWriter, n => Assert.Equal(1, n));
            Assert.All((await store.CountOutboxAsync(ct)).Values, n => Assert.Equal(0, n));
        }
        finally
        {
            foreach (var host in hosts)
            {
                host?.Dispose();
            }
        }
    }

    private static int Answered(MusterBot.Emulator.BotApiEmulator emulator) =>
        Enumerable.Range(0, Writers).Count(i => emulator.Messages(FirstWriter + i).Any(m => m.FromBot && m.Text!.StartsWith(Help, StringComparison.Ordinal)));
}
