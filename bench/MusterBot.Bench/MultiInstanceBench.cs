using System.Diagnostics;
using System.Globalization;
using MusterBot.Bench.Chaos;
using MusterBot.Emulator;
using MusterBot.State.Commits;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;
using StackExchange.Redis;

namespace MusterBot.Bench;

/// <summary>
/// Issue #16, point 6: a fan-out of N emergency messages drained by several host processes (<c>dotnet
/// MusterBot.Host.dll</c>, polling mode, one Redis) against the Bot API emulator over HTTP, whose own limit is the
/// senders' <c>Sender:GlobalPerSecond</c>: the shared rate gates must keep the processes together at the limit (≥ 98 %
/// in the steady state) with no 429. With <c>--kill-at f</c> the instance holding the poller lease is SIGKILLed once a
/// share f of the recipients have their message: nothing may be lost, and duplicates are bounded by what that instance
/// had in flight (messages claimed by all instances at the kill are printed; its own calls in flight are at most
/// Sender:MaxInFlight). Each run starts a fresh Redis, emulator and hosts.
/// </summary>
public sealed class MultiInstanceBench(BenchOptions options)
{
    private const string Prefix = "bench:";
    private const long FirstRecipient = 1_000_000_001;
    private const long WarmUpUser = 3_000_000_001;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Claimed messages of a killed instance come back after this (production default 1 min).</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(ChildHost.Dll))
        {
            throw new InvalidOperationException($"{ChildHost.Dll} is missing: build the bench first (dotnet build -c Release bench/MusterBot.Bench).");
        }

        Console.WriteLine($"instances: {options.Instances} hosts, {options.Messages:N0} messages at {options.Rate.ToString(Inv)}/s, latency {options.LatencyMs} ms, " +
            $"MaxInFlight {options.MaxInFlight} each, kill at {(options.KillAt > 0 ? options.KillAt.ToString("P0", Inv) : "never")}, lease {Lease.TotalSeconds} s, {options.Runs} run(s)");
        var runs = new List<Run>();
        for (var i = 1; i <= options.Runs; i++)
        {
            var run = await RunOnceAsync(cancellationToken);
            runs.Add(run);
            Console.WriteLine($"run {i}: {run}");
        }

        static string Spread(IEnumerable<double> values, string format)
        {
            var sorted = values.Order().ToList();
            return string.Join(" / ", new[] { sorted[0], sorted[sorted.Count / 2], sorted[^1] }.Select(v => v.ToString(format, Inv)));
        }

        Console.WriteLine();
        Console.WriteLine("min / median / max over the runs:");
        Console.WriteLine($"  steady rate      {Spread(runs.Select(r => r.SteadyRate), "0.0")} /s ({Spread(runs.Select(r => r.SteadyRate / options.Rate * 100), "0.0")} % of {options.Rate.ToString(Inv)})");
        Console.WriteLine($"  busiest second   {Spread(runs.Select(r => (double)r.BusiestSecond), "0")} calls");
        Console.WriteLine($"  429s             {Spread(runs.Select(r => (double)r.TooMany), "0")}");
        Console.WriteLine($"  lost             {Spread(runs.Select(r => (double)r.Lost), "0")}");
        Console.WriteLine($"  duplicates       {Spread(runs.Select(r => (double)r.Duplicates), "0")}");
        if (options.KillAt > 0)
        {
            Console.WriteLine($"  claimed at kill  {Spread(runs.Select(r => (double)r.ClaimedAtKill), "0")} (all instances; the killed one had at most {options.MaxInFlight} calls in flight)");
        }

        Console.WriteLine($"  all delivered    {Spread(runs.Select(r => r.AllDelivered.TotalSeconds), "0.0")} s (ideal {options.IdealDuration.TotalSeconds.ToString("0.0", Inv)} s)");
        return runs.Any(r => r.Lost > 0 || r.TimedOut) ? 1 : 0;
    }

    private async Task<Run> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var redis = await RedisServer.StartAsync();
        await using var emulator = await BotApiEmulator.StartAsync(new EmulatorOptions { Token = FanOutBench.Token }, cancellationToken);
        for (var i = 0; i < options.Messages; i++)
        {
            emulator.CreateUser(FirstRecipient + i, $"R{i}", "en");
        }

        emulator.CreateUser(WarmUpUser, "Warm", "en");
        var environment = new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = emulator.Token,
            ["Telegram__ApiBaseUrl"] = emulator.BaseUrl,
            ["Redis__Configuration"] = redis.ConnectionString,
            ["Redis__KeyPrefix"] = Prefix,
            ["Sender__GlobalPerSecond"] = options.Rate.ToString(Inv),
            ["Sender__MaxInFlight"] = options.MaxInFlight.ToString(Inv),
            ["Sender__Lease"] = Lease.ToString("c", Inv),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__Console__FormatterName"] = "simple",
            ["DOTNET_gcServer"] = "0",
        };
        var hosts = Enumerable.Range(0, options.Instances).Select(_ => new ChildHost(environment)).ToList();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        await using var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = Prefix }, TimeProvider.System, cancellationToken);
        try
        {
            foreach (var host in hosts)
            {
                host.Start();
            }

            // Ready: every instance has announced itself, and the poller answers.
            var waiting = Stopwatch.StartNew();
            while (await db.SortedSetLengthAsync(Prefix + "{lease:instances}") < options.Instances)
            {
                if (waiting.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException("the hosts did not start within 60 s:\n" + string.Join("\n---\n", hosts.Select(h => h.Tail())));
                }

                await Task.Delay(100, cancellationToken);
            }

            emulator.SendText(WarmUpUser, "/help");
            await emulator.WaitForMessageAsync(WarmUpUser, _ => true, TimeSpan.FromSeconds(60), cancellationToken);

            emulator.Latency = TimeSpan.FromMilliseconds(options.LatencyMs);
            emulator.RateLimitPerSecond = options.Rate;
            var sentBefore = emulator.RequestCount("sendMessage");
            var tooManyBefore = emulator.TooManyRequestsGiven;
            var outbox = Enumerable.Range(0, options.Messages)
                .Select(i => new OutboxMessage(Lane.Emergency, FirstRecipient + i, new SendText($"<b>MUSTER</b> bench order {i + 1}: report to your station.")))
                .ToArray();
            var started = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            var commit = await store.CommitAsync(new Commit { Outbox = outbox }, cancellationToken);
            if (commit.Status != CommitStatus.Committed)
            {
                throw new InvalidOperationException($"The fan-out commit was refused: {commit.Status}");
            }

            DateTimeOffset? killedAt = null;
            var claimedAtKill = 0L;
            var timedOut = false;
            while (true)
            {
                var calls = emulator.RequestCount("sendMessage") - sentBefore;
                if (options.KillAt > 0 && killedAt is null && calls >= options.KillAt * options.Messages)
                {
                    for (var lane = 0; lane < 4; lane++)
                    {
                        claimedAtKill += await db.SortedSetLengthAsync(Prefix + "{1}:inflight:" + lane.ToString(Inv));
                    }

                    var poller = (string?)await db.StringGetAsync(Prefix + "{lease:poller}");
                    var victim = hosts.FirstOrDefault(h => poller is not null && h.ProcessId is { } pid && poller.Contains(":" + pid.ToString(Inv) + ":", StringComparison.Ordinal)) ?? hosts[0];
                    await victim.KillAsync();
                    killedAt = DateTimeOffset.UtcNow;
                }

                if (calls >= options.Messages && Delivered(emulator) == options.Messages)
                {
                    break;
                }

                if (clock.Elapsed > options.Timeout)
                {
                    timedOut = true;
                    break;
                }

                await Task.Delay(calls >= options.Messages ? 250 : 20, cancellationToken);
            }

            var allDelivered = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken); // late duplicates would show by now
            var dates = new List<DateTimeOffset>(options.Messages);
            long lost = 0, duplicates = 0;
            for (var i = 0; i < options.Messages; i++)
            {
                var messages = emulator.Messages(FirstRecipient + i);
                lost += messages.Count == 0 ? 1 : 0;
                duplicates += Math.Max(0, messages.Count - 1);
                dates.AddRange(messages.Select(m => m.Date));
            }

            dates.Sort();
            return new Run(
                SteadyRate(dates, killedAt),
                BusiestSecond(dates),
                emulator.TooManyRequestsGiven - tooManyBefore,
                lost,
                duplicates,
                claimedAtKill,
                allDelivered,
                timedOut,
                killedAt is { } k ? k - started : null,
                hosts.Sum(h => h.Crashes));
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }
        }
    }

    private long Delivered(BotApiEmulator emulator)
    {
        long delivered = 0;
        for (var i = 0; i < options.Messages; i++)
        {
            delivered += emulator.Messages(FirstRecipient + i).Count > 0 ? 1 : 0;
        }

        return delivered;
    }

    /// <summary>
    /// Messages accepted per second in the steady state: after the first second (the start-up burst) up to the last
    /// message, or up to the kill when there was one (after it the killed instance's claims wait for their lease).
    /// </summary>
    private static double SteadyRate(List<DateTimeOffset> dates, DateTimeOffset? killedAt)
    {
        if (dates.Count < 2)
        {
            return 0;
        }

        var from = dates[0] + TimeSpan.FromSeconds(1);
        var to = killedAt is { } k && k < dates[^1] ? k : dates[^1];
        if (to - from < TimeSpan.FromSeconds(1))
        {
            from = dates[0];
        }

        var count = dates.Count(d => d > from && d <= to);
        return count / (to - from).TotalSeconds;
    }

    private static int BusiestSecond(List<DateTimeOffset> dates)
    {
        var busiest = 0;
        var j = 0;
        for (var i = 0; i < dates.Count; i++)
        {
            while (dates[i] - dates[j] >= TimeSpan.FromSeconds(1))
            {
                j++;
            }

            busiest = Math.Max(busiest, i - j + 1);
        }

        return busiest;
    }

    private sealed record Run(
        double SteadyRate,
        int BusiestSecond,
        long TooMany,
        long Lost,
        long Duplicates,
        long ClaimedAtKill,
        TimeSpan AllDelivered,
        bool TimedOut,
        TimeSpan? KilledAfter,
        int Crashes)
    {
        public override string ToString() =>
            $"steady {SteadyRate.ToString("0.0", Inv)}/s, busiest second {BusiestSecond}, 429s {TooMany}, lost {Lost}, duplicates {Duplicates}"
            + (KilledAfter is { } k ? $", killed the poller after {k.TotalSeconds.ToString("0.0", Inv)} s with {ClaimedAtKill} claimed by all" : string.Empty)
            + $", all delivered after {AllDelivered.TotalSeconds.ToString("0.0", Inv)} s" + (TimedOut ? " (TIMED OUT)" : string.Empty)
            + (Crashes > 0 ? $", {Crashes} unexpected exits" : string.Empty);
    }
}
