using System.Diagnostics;
using System.Globalization;
using MusterBot.Emulator;
using MusterBot.Flows.Musters;
using MusterBot.Host;
using MusterBot.State;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.State.Redis;
using StackExchange.Redis;

namespace MusterBot.Bench.City;

/// <summary>What one city check-in burst measured.</summary>
public sealed record CityCheckInFigures(double CommittedRate, double AnsweredRate, double AnswerP50, double AnswerP99, double MusterBytesPerMember, int Answered, long Arrived);

/// <summary>
/// The whole city checks in: muster 1 is seeded into every community's shard as today's single-community launch
/// writes it once every convenor relayed (<see cref="CitySeed.Musters"/>; the city-level launch is "mustertree"'s),
/// the real host (<see cref="MusterBotApp"/>) runs against the seeded Redis and the Bot API emulator, and every member
/// presses "arrived" (<c>MusterButton.CheckIn(1, Arrived)</c>) as fast as the emulator takes the presses (or at
/// --press-rate/s). Each press goes through intake, the processor (PersonHome in the root shard → the member's
/// community shard), the muster flow and one commit in that shard. Measured: first press → every "arrived" set holds
/// all members (committed) and → every press answered (answerCallbackQuery). The orders were never sent in this
/// set-up, so the edits of the pressed orders are refused by the emulator (400, logged) after the commit; they do not
/// count.
/// </summary>
public sealed class CityCheckIn(BenchOptions options, CityModel city, string configuration)
{
    private const long AdminId = 5_000_000_001;
    private const long WarmUpUser = 3_000_000_001;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public async Task<CityCheckInFigures> RunAsync(RedisProbe probe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var n = city.Members.Count;

        // Muster 1 in every community (not measured as a launch: see CityBench's TODO for the real city launch).
        var before = await probe.UsedMemoryAsync();
        await using (var store = await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = configuration, KeyPrefix = CityBench.Prefix, AllowEviction = true }, TimeProvider.System, cancellationToken))
        {
            await CitySeed.CommitAsync(store, CitySeed.Musters(city, AdminId), options.SeedInFlight, cancellationToken);
        }

        var musterBytes = (await probe.UsedMemoryAsync() - before) / (double)n;

        await using var emulator = await BotApiEmulator.StartAsync(new EmulatorOptions { Token = FanOutBench.Token }, cancellationToken);
        using var logs = new CountingLoggerProvider();
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Telegram:Mode"] = "Polling",
            ["Telegram:BotToken"] = emulator.Token,
            ["Telegram:ApiBaseUrl"] = emulator.BaseUrl,
            ["Redis:Configuration"] = configuration,
            ["Redis:KeyPrefix"] = CityBench.Prefix,
            ["Sender:GlobalPerSecond"] = options.Rate.ToString(Inv),
            // Unset: the host's default for the rate (SenderOptions.EffectiveMaxInFlight), unless --max-in-flight is given.
            ["Sender:MaxInFlight"] = options.MaxInFlightGiven > 0 ? options.MaxInFlightGiven.ToString(Inv) : null,
            ["MusterBot:Admins:0"] = AdminId.ToString(Inv),
            ["Intake:FloodLimit"] = "100000",
        };
        var app = await CityHost.CreateAsync(settings, logs, emulator, city, cancellationToken);
        await using var host = app;

        emulator.CreateUser(WarmUpUser, "Warm", "en");
        await app.StartAsync(cancellationToken);
        emulator.SendText(WarmUpUser, "/help");
        await emulator.WaitForMessageAsync(WarmUpUser, _ => true, TimeSpan.FromSeconds(60), cancellationToken);

        var answersBefore = emulator.CallbackAnswers().Count;
        var pressedAt = new DateTimeOffset[n];
        var queryIds = new string[n];
        var data = new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data;
        GC.Collect();
        await probe.ResetStatsAsync();
        var redisBefore = await probe.WorkAsync();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var (allocatedBefore, pausedBefore, gen2Before) = (GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration(), GC.CollectionCount(2));
        var (jitBefore, jittedBefore) = (System.Runtime.JitInfo.GetCompilationTime(), System.Runtime.JitInfo.GetCompiledMethodCount());
        Console.WriteLine("  check-in burst starts");
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var pressing = Task.Run(
            async () =>
            {
                for (var i = 0; i < n; i++)
                {
                    if (options.PressRate > 0 && TimeSpan.FromSeconds(i / options.PressRate) is var due && due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed, cancellationToken);
                    }

                    var id = city.Members[i].Id;
                    pressedAt[i] = DateTimeOffset.UtcNow;
                    queryIds[i] = emulator.PressButton(id, id, 1, data);
                }
            },
            cancellationToken);

        // The "arrived" sets of every (community, region) part, counted with pipelined SCARDs. The parts fill in the order
        // of the presses (members are pressed community by community), so a poll asks the parts not yet full in that
        // order, 64 at a time, and stops at a batch that is not all full; a part found full is not asked again. So the
        // bench's own polling (every 100 ms) does not load the Redis it measures (asking every part each time cost 90
        // SCARDs per check-in over the city's 12,700 parts). After the burst every part is counted.
        var pending = city.Members.GroupBy(m => (m.CommunityId, m.RegionId))
            .Select(g => (Name: (RedisKey)(CityBench.Prefix + "{" + g.Key.CommunityId.ToString(Inv) + "}:set:" + Sets.MusterAnswers(1, g.Key.RegionId, CheckInStatus.Arrived)), Size: (long)g.Count()))
            .ToList();
        var db = probe.Connection.GetDatabase();
        long full = 0;
        async Task<long> ArrivedAsync(bool all)
        {
            var counted = new List<long>();
            while (counted.Count < pending.Count)
            {
                var batch = pending.Skip(counted.Count).Take(all ? pending.Count : 64).ToList();
                var counts = await Task.WhenAll(batch.Select(p => db.SetLengthAsync(p.Name)));
                counted.AddRange(counts);
                if (counts.Where((c, i) => c < batch[i].Size).Any())
                {
                    break;
                }
            }

            // The leading parts that are full leave the list.
            var leading = 0;
            while (leading < counted.Count && counted[leading] >= pending[leading].Size)
            {
                full += counted[leading++];
            }

            pending.RemoveRange(0, leading);
            return full + counted.Skip(leading).Sum();
        }

        var timeout = options.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(options.TimeoutSeconds) : TimeSpan.FromSeconds(60 + (n / 200.0));
        var committedAt = TimeSpan.Zero;
        var answeredAt = TimeSpan.Zero;
        long arrived = 0;
        while (clock.Elapsed < timeout && (committedAt == TimeSpan.Zero || answeredAt == TimeSpan.Zero))
        {
            await Task.Delay(100, cancellationToken);
            if (answeredAt == TimeSpan.Zero && emulator.CallbackAnswers().Count - answersBefore >= n)
            {
                answeredAt = clock.Elapsed;
            }

            if (committedAt == TimeSpan.Zero && pressing.IsCompleted && (arrived = await ArrivedAsync(all: false)) >= n)
            {
                committedAt = clock.Elapsed;
            }
        }

        await pressing;
        var cpuBurst = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var (allocated, paused, gen2) = (GC.GetTotalAllocatedBytes() - allocatedBefore, GC.GetTotalPauseDuration() - pausedBefore, GC.CollectionCount(2) - gen2Before);
        var (jit, jitted) = (System.Runtime.JitInfo.GetCompilationTime() - jitBefore, System.Runtime.JitInfo.GetCompiledMethodCount() - jittedBefore);
        var redisAfter = await probe.WorkAsync();
        arrived = await ArrivedAsync(all: true);
        var answers = emulator.CallbackAnswers().GroupBy(a => a.CallbackQueryId).ToDictionary(g => g.Key, g => g.Min(a => a.AnsweredAt), StringComparer.Ordinal);
        var latencies = new List<double>(n);
        var lastAnswer = started;
        for (var i = 0; i < n; i++)
        {
            if (queryIds[i] is { } q && answers.TryGetValue(q, out var at))
            {
                latencies.Add((at - pressedAt[i]).TotalMilliseconds);
                lastAnswer = at > lastAnswer ? at : lastAnswer;
            }
        }

        latencies.Sort();
        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            await app.StopAsync(stopping.Token);
        }

        Console.WriteLine(string.Format(
            Inv,
            "  check-in burst: {0:N0} presses injected in {1:0.0} s; arrived {2:N0}/{3:N0}; answered {4:N0}; committed at {5}; logs: {6}",
            n, (pressedAt[^1] - started).TotalSeconds, arrived, n, latencies.Count,
            committedAt == TimeSpan.Zero ? "NOT all (timed out)" : committedAt.TotalSeconds.ToString("0.00 s", Inv),
            string.Join(", ", logs.Counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + " " + kv.Value.ToString(Inv)))));
        // Where the CPU went during the burst (first press → all committed and answered, plus the ≤ 100 ms of the poll):
        // this process (the host, the emulator and this harness) and each primary; and the commands per check-in.
        var redisCpu = redisAfter.Select((r, i) => r.CpuSeconds - redisBefore[i].CpuSeconds).ToList();
        Console.WriteLine(string.Format(
            Inv,
            "  CPU during the burst ({0:0.0} s): this process {1:0.0} s = {2:0} µs per check-in; redis primaries {3} s = {4:0} µs per check-in",
            clock.Elapsed.TotalSeconds, cpuBurst.TotalSeconds, cpuBurst.TotalMilliseconds * 1000 / n,
            string.Join(" + ", redisCpu.Select(c => c.ToString("0.0", Inv))), redisCpu.Sum() * 1_000_000 / n));
        Console.WriteLine(string.Format(
            Inv,
            "  this process allocated {0:N0} B per check-in; GC paused {1:0.0} s ({2} gen2 collections, {3}); JIT {4:0.0} s ({5:N0} methods compiled during the burst)",
            allocated / n, paused.TotalSeconds, gen2, System.Runtime.GCSettings.IsServerGC ? "server GC" : "workstation GC", jit.TotalSeconds, jitted));
        var commands = redisAfter.SelectMany(r => r.Calls).Where(kv => !kv.Key.EndsWith(":usec", StringComparison.Ordinal)).GroupBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Calls: g.Sum(kv => kv.Value), PerNode: string.Join("/", redisAfter.Select(r => r.Calls.GetValueOrDefault(g.Key).ToString(Inv)))))
            .Where(c => c.Calls >= n / 100).OrderByDescending(c => c.Calls).ToList();
        double Usec(string name) => redisAfter.Sum(r => r.Calls.GetValueOrDefault(name + ":usec"));
        Console.WriteLine("  redis calls per check-in (per primary) and µs per check-in: " + string.Join(", ", commands.Select(c => string.Format(Inv, "{0} {1:0.00} ({2}) {3:0}µs", c.Name, c.Calls / (double)n, c.PerNode, Usec(c.Name) / n))));
        return new CityCheckInFigures(
            committedAt == TimeSpan.Zero ? 0 : n / committedAt.TotalSeconds,
            latencies.Count == 0 ? 0 : latencies.Count / (lastAnswer - started).TotalSeconds,
            Pct(latencies, 0.5),
            Pct(latencies, 0.99),
            musterBytes,
            latencies.Count,
            arrived);
    }

    private static double Pct(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
