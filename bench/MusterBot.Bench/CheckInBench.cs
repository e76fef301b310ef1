using System.Diagnostics;
using System.Globalization;
using System.Text;
using MusterBot.Host;
using MusterBot.Emulator;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Musters;

namespace MusterBot.Bench;

/// <summary>
/// Check-ins per second through the whole pipeline: the emulator (long polling) → intake → the muster flow → the store
/// → the outbox → the emulator. Set-up (not measured): N members in R regions with a convenor each are committed into
/// the store, the administrator launches a drill through the /muster wizard, every convenor relays, and the N orders
/// are delivered. Then every member presses "arrived" on their order (<c>MusterButton.CheckIn(1, Arrived)</c>), injected as fast as the emulator
/// takes them (or at --press-rate/s), and the run waits until every press is committed (the regions' "arrived" sets
/// hold all N) and answered (answerCallbackQuery in the emulator).
/// </summary>
public sealed class CheckInBench(BenchOptions options)
{
    private const long AdminId = CheckInMuster.AdminId;
    private const long FirstMember = 6_000_000_001;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var n = options.Members;
        var regions = Math.Clamp(options.Regions, 1, n);
        using var redis = options.Store == StoreKind.Redis ? await RedisServer.StartAsync() : null;
        await using var ownEmulator = options.Store == StoreKind.Redis
            ? await BotApiEmulator.StartAsync(new EmulatorOptions { Token = FanOutBench.Token }, cancellationToken)
            : null;
        using var logs = new CountingLoggerProvider();
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Telegram:Mode"] = "Polling",
            ["Sender:GlobalPerSecond"] = options.Rate.ToString(Inv),
            // At least the production default (16): with no simulated latency the fan-out formula would give 4.
            ["Sender:MaxInFlight"] = Math.Max(16, options.MaxInFlight).ToString(Inv),
            ["MusterBot:Admins:0"] = AdminId.ToString(Inv),
            ["Intake:FloodLimit"] = "100000",
        };
        if (redis is not null && ownEmulator is not null)
        {
            settings["Telegram:BotToken"] = ownEmulator.Token;
            settings["Telegram:ApiBaseUrl"] = ownEmulator.BaseUrl;
            settings["Redis:Configuration"] = redis.ConnectionString;
            settings["Redis:KeyPrefix"] = "bench:";
        }

        var app = await MusterBotApp.CreateAsync([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.Logging.ClearProviders();
            b.Logging.AddProvider(logs);
        }, cancellationToken);
        await using var host = app;
        var emulator = ownEmulator ?? app.Services.GetRequiredService<BotApiEmulator>();
        var store = app.Services.GetRequiredService<IStateStore>();

        var muster = new CheckInMuster(FirstMember, n, regions);
        await muster.SeedAsync(store, emulator, cancellationToken);

        emulator.Latency = TimeSpan.FromMilliseconds(options.LatencyMs);
        await app.StartAsync(cancellationToken);
        var setup = Stopwatch.StartNew();

        var setupLimit = TimeSpan.FromSeconds(60) + TimeSpan.FromSeconds(3 * n / options.Rate);
        var orderIds = await muster.LaunchAsync(store, emulator, setupLimit, cancellationToken);
        var setupTime = setup.Elapsed;
        var boardBefore = options.Board ? await BoardProbe.MeasureAsync(app, emulator, AdminId, cancellationToken) : null;
        var pageBefore = options.Board ? await BoardProbe.MeasurePageAsync(app, emulator, AdminId, cancellationToken) : null;
        if (Environment.GetEnvironmentVariable("BENCH_PAUSE_BEFORE_PRESSES") is { Length: > 0 } pause)
        {
            // For a profiler: say when the measured part starts, then give it time to attach.
            await Console.Error.WriteLineAsync($"presses in {pause} s (pid {Environment.ProcessId})");
            await Task.Delay(TimeSpan.FromSeconds(double.Parse(pause, Inv)), cancellationToken);
        }

        // Measured: N presses of "arrived".
        var self = Process.GetCurrentProcess();
        self.Refresh();
        var cpuBefore = self.TotalProcessorTime;
        var redisCpuBefore = redis?.CpuTime ?? TimeSpan.Zero;
        if (redis is not null)
        {
            await redis.ResetStatsAsync();
            if (options.RedisScripts)
            {
                await RedisScriptTimes.StartAsync(redis.Port);
            }
        }

        var answersBefore = emulator.CallbackAnswerCount;
        var editsBefore = emulator.RequestCount("editMessageText");
        var sendsBefore = emulator.RequestCount("sendMessage");
        var pollsBefore = emulator.RequestCount("getUpdates");
        var servedBefore = emulator.UpdatesServed;
        using var allocations = Environment.GetEnvironmentVariable("BENCH_ALLOCATIONS") == "1" ? new AllocationListener() : null;
        GC.Collect();
        allocations?.Start();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var pauseBefore = GC.GetTotalPauseDuration();
        var gen0Before = GC.CollectionCount(0);
        var gen1Before = GC.CollectionCount(1);
        var gen2Before = GC.CollectionCount(2);

        var pressedAt = new DateTimeOffset[n];
        var queryIds = new string[n];
        var bad = options.BadInput ? new BadInputMix(emulator, FirstMember, orderIds) : null;
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var pressing = Task.Run(
            async () =>
            {
                for (var i = 0; i < n; i++)
                {
                    if (options.PressRate > 0)
                    {
                        var due = TimeSpan.FromSeconds(i / options.PressRate);
                        if (due > clock.Elapsed)
                        {
                            await Task.Delay(due - clock.Elapsed, cancellationToken);
                        }
                    }

                    pressedAt[i] = DateTimeOffset.UtcNow;
                    queryIds[i] = emulator.PressButton(FirstMember + i, FirstMember + i, orderIds[i], CheckInMuster.ArrivedData);
                    bad?.After(i, n);
                }
            },
            cancellationToken);

        var committedAt = TimeSpan.Zero;
        var timedOut = false;
        var arrivedSets = muster.ArrivedSets;
        // The harness polls every 20 ms: it counts (SCARD, and the emulator's count under its lock) instead of reading
        // the sets and copying the answers, which cost the measured process and Redis a share of their CPU.
        while (true)
        {
            await Task.Delay(20, cancellationToken);
            if (committedAt == TimeSpan.Zero && pressing.IsCompleted)
            {
                var committed = 0;
                foreach (var set in arrivedSets)
                {
                    committed += (int)await store.CountSetMembersAsync(set, MusterBot.State.Records.Org.DefaultTree.CommunityId, cancellationToken);
                }

                if (committed >= n)
                {
                    committedAt = clock.Elapsed;
                }
            }

            if (committedAt != TimeSpan.Zero && emulator.CallbackAnswerCount - answersBefore >= n
                && (bad is null || MembersAnswered() >= n))
            {
                break;
            }

            if (clock.Elapsed > options.Timeout)
            {
                timedOut = true;
                break;
            }
        }

        await pressing;
        var answeredAll = clock.Elapsed;

        // With bad input mixed in, the answers to the extra presses do not count: only the members' first presses.
        int MembersAnswered()
        {
            var answered = emulator.CallbackAnswers().Select(a => a.CallbackQueryId).ToHashSet(StringComparer.Ordinal);
            return queryIds.Count(q => q is not null && answered.Contains(q));
        }
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        var gcPause = GC.GetTotalPauseDuration() - pauseBefore;
        var gcCounts = (GC.CollectionCount(0) - gen0Before, GC.CollectionCount(1) - gen1Before, GC.CollectionCount(2) - gen2Before);
        var redisCpu = (redis?.CpuTime ?? TimeSpan.Zero) - redisCpuBefore;
        var injectTime = pressedAt[^1] - started;

        var answers = emulator.CallbackAnswers().GroupBy(a => a.CallbackQueryId).ToDictionary(g => g.Key, g => g.Min(a => a.AnsweredAt), StringComparer.Ordinal);
        var latencies = new List<double>(n);
        var bySecond = new List<List<double>>();
        var lastAnswer = started;
        for (var i = 0; i < n; i++)
        {
            if (queryIds[i] is { } q && answers.TryGetValue(q, out var at))
            {
                latencies.Add((at - pressedAt[i]).TotalMilliseconds);
                var second = (int)(pressedAt[i] - started).TotalSeconds;
                while (bySecond.Count <= second)
                {
                    bySecond.Add([]);
                }

                bySecond[second].Add((at - pressedAt[i]).TotalMilliseconds);
                if (at > lastAnswer)
                {
                    lastAnswer = at;
                }
            }
        }

        latencies.Sort();
        var memberQueries = queryIds.Where(q => q is not null).ToHashSet(StringComparer.Ordinal);
        var wrong = emulator.CallbackAnswers().Skip(answersBefore).Count(a => memberQueries.Contains(a.CallbackQueryId) && (a.Text is null || !a.Text.Contains("arrived", StringComparison.Ordinal)));

        // Redis's own account of the measured part (every press committed and answered), per 1,000 check-ins; the
        // commands run inside scripts are counted both on their own and in their script's time.
        var redisStats = redis is null ? null : await redis.CommandStatsAsync();
        var polls = emulator.RequestCount("getUpdates") - pollsBefore;
        var served = emulator.UpdatesServed - servedBefore;
        var scriptTimes = redis is not null && options.RedisScripts ? await RedisScriptTimes.ReadAsync(redis.Port) : default;

        await CheckInMuster.WaitOutboxEmptyAsync(store, TimeSpan.FromSeconds(120), cancellationToken);
        var drained = clock.Elapsed;

        // The busy person's 100 replies go out at the per-chat rate (Sender:PerChatPerSecond, 1/s by default): the outbox
        // drain above waits for them.
        var badReport = bad is null ? null : await bad.ReportAsync(TimeSpan.FromSeconds(30), cancellationToken);
        var boardAfter = options.Board ? await BoardProbe.MeasureAsync(app, emulator, AdminId, cancellationToken) : null;
        var pageAfter = options.Board ? await BoardProbe.MeasurePageAsync(app, emulator, AdminId, cancellationToken) : null;
        var edits = emulator.RequestCount("editMessageText") - editsBefore;
        var sends = emulator.RequestCount("sendMessage") - sendsBefore;
        var redisPeak = redis is null ? null : await redis.UsedMemoryPeakAsync();

        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await app.StopAsync(stopping.Token);
        }

        var commitRate = committedAt == TimeSpan.Zero ? 0 : n / committedAt.TotalSeconds;
        var answerRate = n / (lastAnswer - started).TotalSeconds;
        var b = new StringBuilder();
        void Row(string name, string value) => b.AppendLine(string.Format(Inv, "  {0,-44} {1}", name, value));
        b.AppendLine(string.Format(
            Inv,
            "MusterBot check-in benchmark: {0:N0} members in {1} regions, store {2}, latency {3} ms, Sender:GlobalPerSecond {4:0.##}, presses {5}{6}",
            n, regions, options.Store.ToString().ToLowerInvariant(), options.LatencyMs, options.Rate, options.PressRate > 0 ? string.Format(Inv, "at {0:0.##}/s", options.PressRate) : "as fast as possible", bad is null ? string.Empty : ", with bad input mixed in"));
        Row("set-up (launch, relay, N orders delivered)", string.Format(Inv, "{0:0.0} s", setupTime.TotalSeconds));
        foreach (var (when, timings) in new[] { ("before the presses", boardBefore), ("after every press", boardAfter) })
        {
            foreach (var t in timings ?? [])
            {
                Row($"dashboard {t.What}, {when}", string.Format(Inv, "{0:0.0} / {1:0.0} / {2:0.0} ms (min/median/max of {3}), {4:N0} B; {5}", t.Min, t.Median, t.Max, BoardProbe.Requests, t.Bytes, t.Check));
            }
        }

        foreach (var (when, timings) in new[] { ("before the presses", pageBefore), ("after every press", pageAfter) })
        {
            foreach (var t in timings ?? [])
            {
                Row($"dashboard {t.What}, {when}", string.Format(Inv, "{0:0} / {1:0} / {2:0} ms (min/median/max of {3}); {4}", t.Min, t.Median, t.Max, BoardProbe.PageLoads, t.Check));
            }
        }

        Row("presses injected in", string.Format(Inv, "{0:0.000} s", injectTime.TotalSeconds));
        Row("all committed (first press → last in the sets)", committedAt == TimeSpan.Zero ? "NOT all" : string.Format(Inv, "{0:0.00} s = {1:0} check-ins/s", committedAt.TotalSeconds, commitRate));
        Row("all answered (first press → last answer)", string.Format(Inv, "{0:0.00} s = {1:0} check-ins/s", (lastAnswer - started).TotalSeconds, answerRate));
        if (bySecond.Count > 1)
        {
            // Where in the run the tail is: a warm-up tail sits in the first second, a steady one spreads over all.
            foreach (var bucket in bySecond)
            {
                bucket.Sort();
            }

            Row("p99 by second of pressing", string.Join(" · ", bySecond.Select((b, i) => string.Format(Inv, "{0}: {1:0}", i, Pct(b, 0.99)))) + " ms");
        }

        Row("press → answer p50 / p99 / max", string.Format(Inv, "{0:0} / {1:0} / {2:0} ms ({3:N0} answered, {4} with an unexpected text)", Pct(latencies, 0.5), Pct(latencies, 0.99), latencies.Count > 0 ? latencies[^1] : 0, latencies.Count, wrong));
        Row("getUpdates until all answered", string.Format(Inv, "{0:N0} polls carried {1:N0} updates ({2:0.0} per press)", polls, served, served / (double)n));
        Row("outbox drained (edits + location asks)", string.Format(Inv, "{0:0.00} s; {1:N0} editMessageText, {2:N0} sendMessage", drained.TotalSeconds, edits, sends));
        Row("CPU s per 1,000 check-ins (bot; redis)", string.Format(Inv, "{0:0.000}; {1}", cpu.TotalSeconds / (n / 1000.0), redis is null ? "–" : (redisCpu.TotalSeconds / (n / 1000.0)).ToString("0.000", Inv)));
        // The whole process (host, emulator, harness): what the GC had to do for the burst.
        Row("allocated per check-in; GCs gen0/1/2; GC pause", string.Format(Inv, "{0:0.0} KB; {1}/{2}/{3}; {4:0} ms ({5:0.0} % of first press → last answer)", allocated / 1024.0 / n, gcCounts.Item1, gcCounts.Item2, gcCounts.Item3, gcPause.TotalMilliseconds, lastAnswer > started ? 100 * gcPause / (lastAnswer - started) : 0));
        foreach (var line in allocations?.Report(12) ?? [])
        {
            Row("allocation samples (BENCH_ALLOCATIONS)", line);
        }

        if (badReport is not null)
        {
            Row("bad input mixed in", badReport);
        }

        if (redisStats is { Count: > 0 })
        {
            var perThousand = n / 1000.0;
            Row("redis time per 1,000 check-ins (top 8)", string.Join(", ", redisStats.OrderByDescending(c => c.Value.Microseconds).Take(8)
                .Select(c => string.Format(Inv, "{0} {1:0} calls {2:0} ms", c.Key, c.Value.Calls / perThousand, c.Value.Microseconds / perThousand / 1000.0))));
        }

        if (scriptTimes.Scripts is { Count: > 0 } scripts)
        {
            // Per 1,000 check-ins: runs, time, and the commands the script ran (their own time is part of the script's).
            var perThousand = n / 1000.0;
            Row("redis per script per 1,000 (slow log" + (scriptTimes.Overflowed ? ", FULL: the oldest were dropped" : "") + ")", "runs, ms; commands run inside, their ms");
            foreach (var s in scripts.Take(8))
            {
                Row("  " + s.Name, string.Format(Inv, "{0:0} runs {1:0.0} ms ({2:0.0} µs a run); {3:0} commands {4:0.0} ms", s.Runs / perThousand, s.Microseconds / perThousand / 1000.0, (double)s.Microseconds / s.Runs, s.InnerCalls / perThousand, s.InnerMicroseconds / perThousand / 1000.0));
            }
        }

        Row("peak working set (redis peak)", string.Format(Inv, "{0:0} MB ({1})", self.PeakWorkingSet64 / 1048576.0, redisPeak is { } m ? (m / 1048576.0).ToString("0", Inv) + " MB" : "–"));
        if (timedOut)
        {
            Row("TIMED OUT", string.Format(Inv, "after {0:0} s", options.Timeout.TotalSeconds));
        }

        foreach (var (key, count) in new SortedDictionary<string, int>(logs.Counts.ToDictionary(), StringComparer.Ordinal))
        {
            Row("log " + key, count.ToString(Inv));
        }

        Console.WriteLine(b.ToString());
        Console.WriteLine("| store | members | regions | latency | presses | committed s | check-ins/s (committed) | answered/s | answer p50 / p99 / max ms | CPU s / 1,000 (bot; redis) |");
        Console.WriteLine("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Format(
            Inv,
            "| {0} | {1:N0} | {2} | {3} ms | {4} | {5:0.00} | {6:0} | {7:0} | {8:0} / {9:0} / {10:0} | {11:0.000}; {12} |",
            options.Store.ToString().ToLowerInvariant(), n, regions, options.LatencyMs, (options.PressRate > 0 ? string.Format(Inv, "{0:0}/s", options.PressRate) : "burst") + (bad is null ? string.Empty : " + bad input"),
            committedAt.TotalSeconds, commitRate, answerRate, Pct(latencies, 0.5), Pct(latencies, 0.99), latencies.Count > 0 ? latencies[^1] : 0,
            cpu.TotalSeconds / (n / 1000.0), redis is null ? "–" : (redisCpu.TotalSeconds / (n / 1000.0)).ToString("0.000", Inv)));
        return timedOut || latencies.Count < n || wrong > 0 || bad is { Ordered: false } or { AllAnswered: false } ? 1 : 0;
    }

    private static double Pct(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
