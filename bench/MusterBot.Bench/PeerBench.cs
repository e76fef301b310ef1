using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MusterBot.Bench.Chaos;
using MusterBot.Emulator;
using MusterBot.State.Redis;
using StackExchange.Redis;

namespace MusterBot.Bench;

/// <summary>
/// Issue #17, point 1: MusterBot side by side with a grammY bot (grammY + @grammyjs/runner + Redis sessions, bench/peer/grammy)
/// on the same Bot API emulator (HTTP, no simulated latency, no rate limit) and the same redis-server, one bot after the
/// other in one run. Per run: a fresh redis-server and emulator; each bot gets an empty Redis (FLUSHALL), starts, and is
/// given, each time after a warm-up burst of the same kind that is not measured:
/// <list type="number">
/// <item>a /start burst: N distinct users (created in the emulator first) each send /start at once;</item>
/// <item>a check-in burst: N members each press "arrived" on the order of a muster.</item>
/// </list>
/// Both bots answer a /start with the same two messages and a check-in with an answered callback, the order edited and a
/// location request. MusterBot (the real host, <c>dotnet MusterBot.Host.dll</c>, a child process as deployed) is timed
/// until every update is confirmed — getUpdates called with an offset past it, which MusterBot does only after the update's
/// commit — and until every reply is sent; grammY until every reply is sent (its runner confirms updates as it fetches
/// them, before handling). The order of the bots alternates from run to run.
/// </summary>
public sealed class PeerBench(BenchOptions options)
{
    private const string Prefix = "bench:";
    private const long MusterStartWarm = 7_000_000_001;
    private const long MusterStart = 7_100_000_001;
    private const long GrammyStartWarm = 7_200_000_001;
    private const long GrammyStart = 7_300_000_001;
    private const long MusterMembers = 6_000_000_001;
    private const long GrammyMembers = 6_500_000_001;
    private const int StartReplies = 2;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);
    private (string Html, string Keyboard)? _order;
    private static readonly int ShortLength = int.TryParse(Environment.GetEnvironmentVariable("BENCH_PEER_SAMPLE"), out var length) ? length : 90;

    private int Users => options.Users;

    private int Members => options.Members;

    private int Warm => options.WarmUp;

    private TimeSpan Limit => options.TimeoutSeconds > 0
        ? TimeSpan.FromSeconds(options.TimeoutSeconds)
        : TimeSpan.FromSeconds(120 + (Math.Max(Users, Members) * 3 / options.Rate));

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(ChildHost.Dll))
        {
            throw new InvalidOperationException($"{ChildHost.Dll} is missing: build the bench first (dotnet build -c Release bench/MusterBot.Bench).");
        }

        var (grammyDirectory, versions) = await PeerGrammy.InstallAsync(cancellationToken);
        Console.WriteLine(string.Format(
            Inv,
            "peer: /start burst of {0:N0} users, check-in burst of {1:N0} presses, warm-up {2:N0} of each per bot and run, {3} run(s); emulator over HTTP without latency or rate limit; MusterBot Sender:GlobalPerSecond {4:0}",
            Users, Members, Warm, options.Runs, options.Rate));
        Console.WriteLine("peer: MusterBot = dotnet " + ChildHost.Dll + " (server GC, as deployed); grammY = " + versions);
        Console.WriteLine("peer: machine " + Environment.ProcessorCount + " cores; load average before " + LoadAverage());

        var runs = new List<PeerRun>();
        for (var i = 1; i <= options.Runs; i++)
        {
            var run = await RunOnceAsync(i, grammyDirectory, cancellationToken);
            runs.Add(run);
            Console.WriteLine(run.Report());
        }

        Console.WriteLine(Summary(runs));
        Console.WriteLine("peer: load average after " + LoadAverage());
        return runs.Any(r => r.Failed) ? 1 : 0;
    }

    private async Task<PeerRun> RunOnceAsync(int number, string grammyDirectory, CancellationToken cancellationToken)
    {
        using var redis = await RedisServer.StartAsync();
        await using var emulator = await BotApiEmulator.StartAsync(new EmulatorOptions { Token = FanOutBench.Token }, cancellationToken);
        Console.WriteLine(string.Format(Inv, "peer: run {0}: redis-server on port {1}, emulator at {2}", number, redis.Port, emulator.BaseUrl));
        foreach (var (first, count) in new[] { (MusterStartWarm, Warm), (MusterStart, Users), (GrammyStartWarm, Warm), (GrammyStart, Users), (GrammyMembers, Warm + Members) })
        {
            for (var i = 0; i < count; i++)
            {
                emulator.CreateUser(first + i, "U" + (first + i - 1).ToString(Inv)[^7..], "en");
            }
        }

        var run = new PeerRun(number, musterFirst: number % 2 == 1) { LoadAtStart = LoadAverage() };
        foreach (var musterBot in run.MusterFirst ? new[] { true, false } : [false, true])
        {
            await redis.FlushAllAsync();
            if (musterBot)
            {
                await RunMusterBotAsync(run, redis, emulator, cancellationToken);
            }
            else
            {
                await RunGrammyAsync(run, redis, emulator, grammyDirectory, cancellationToken);
            }

            // The next bot polls only once this one's last long poll has ended.
            await emulator.WaitForAsync(() => !emulator.IsPolling, TimeSpan.FromSeconds(30), cancellationToken);
        }

        run.LoadAtEnd = LoadAverage();
        return run;
    }

    private async Task RunMusterBotAsync(PeerRun run, RedisServer redis, BotApiEmulator emulator, CancellationToken cancellationToken)
    {
        await using var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = Prefix }, TimeProvider.System, cancellationToken);
        var muster = new CheckInMuster(MusterMembers, Warm + Members, Math.Clamp(options.Regions, 1, Warm + Members));
        await muster.SeedAsync(store, emulator, cancellationToken);

        var environment = new Dictionary<string, string>
        {
            ["Telegram__BotToken"] = emulator.Token,
            ["Telegram__ApiBaseUrl"] = emulator.BaseUrl,
            ["Telegram__Mode"] = "Polling",
            ["Redis__Configuration"] = redis.ConnectionString,
            ["Redis__KeyPrefix"] = Prefix,
            ["Sender__GlobalPerSecond"] = options.Rate.ToString(Inv),
            ["MusterBot__Admins__0"] = CheckInMuster.AdminId.ToString(Inv),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__Console__FormatterName"] = "simple",
        };
        using var host = new ChildHost(environment);
        var polls = emulator.RequestCount("getUpdates");
        host.Start();
        var starting = Stopwatch.StartNew();
        while (emulator.RequestCount("getUpdates") == polls || !emulator.IsPolling)
        {
            if (starting.Elapsed > TimeSpan.FromSeconds(60) || host.Crashes > 0)
            {
                throw new InvalidOperationException("MusterBot did not start polling within 60 s:\n" + host.Tail());
            }

            await Task.Delay(50, cancellationToken);
        }

        var process = Process.GetProcessById(host.ProcessId!.Value);
        TimeSpan Cpu()
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }

        var probe = new Probe(emulator, redis, Cpu, Limit);
        await probe.StartBurstAsync(MusterStartWarm, Warm, cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        run.MusterStart = await probe.StartBurstAsync(MusterStart, Users, cancellationToken);
        await CheckInMuster.WaitOutboxEmptyAsync(store, TimeSpan.FromSeconds(60), cancellationToken);

        var orders = await muster.LaunchAsync(store, emulator, TimeSpan.FromSeconds(120) + TimeSpan.FromSeconds(3 * (Warm + Members) / options.Rate), cancellationToken);
        if (_order is null && emulator.State.FindMessage(MusterMembers, orders[0]) is { } first)
        {
            _order = (first.RawText ?? first.Text ?? "", first.ReplyMarkupJson ?? "{}");
        }

        await Task.Delay(Settle, cancellationToken);
        await probe.CheckInBurstAsync(MusterMembers, orders, 0, Warm, cancellationToken);
        await CheckInMuster.WaitOutboxEmptyAsync(store, TimeSpan.FromSeconds(60), cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        run.MusterCheckIn = await probe.CheckInBurstAsync(MusterMembers, orders, Warm, Members, cancellationToken);
        await CheckInMuster.WaitOutboxEmptyAsync(store, TimeSpan.FromSeconds(60), cancellationToken);

        run.MusterSample = Sample(emulator, MusterStart, MusterMembers + Warm, orders[Warm]);
        run.MusterLogs = string.Join(", ", host.LogCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} ×{kv.Value}"));
        run.BotFailed |= host.Crashes > 0;
        await host.KillAsync();
    }

    private async Task RunGrammyAsync(PeerRun run, RedisServer redis, BotApiEmulator emulator, string directory, CancellationToken cancellationToken)
    {
        // The muster's order for grammY's members, sent by the bench (set-up): the text and buttons of MusterBot's order in
        // run 1 (MusterBot goes first in run 1), so the presses carry the same callback data.
        var order = _order ?? throw new InvalidOperationException("MusterBot's order is not known yet (MusterBot runs first in run 1)");
        var members = Warm + Members;
        var orders = await SendOrdersAsync(emulator, order.Html, order.Keyboard, members, cancellationToken);
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
        {
            var muster = new JsonObject { ["id"] = 1, ["code"] = "M-1", ["html"] = order.Html, ["keyboard"] = JsonNode.Parse(order.Keyboard) };
            await connection.GetDatabase().StringSetAsync("peer:muster:1", muster.ToJsonString());
        }

        using var bot = PeerGrammy.Start(directory, new Dictionary<string, string>
        {
            ["BOT_TOKEN"] = emulator.Token,
            ["API_ROOT"] = emulator.BaseUrl,
            ["REDIS_URL"] = "redis://127.0.0.1:" + redis.Port.ToString(Inv),
            ["CHECKIN_DATA"] = CheckInMuster.ArrivedData,
        });
        await bot.WaitReadyAsync(TimeSpan.FromSeconds(60), cancellationToken);
        await emulator.WaitForAsync(() => emulator.IsPolling, TimeSpan.FromSeconds(30), cancellationToken);

        var probe = new Probe(emulator, redis, () => bot.CpuTime, Limit, sessionKeys: true);
        await probe.StartBurstAsync(GrammyStartWarm, Warm, cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        run.GrammyStart = await probe.StartBurstAsync(GrammyStart, Users, cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        await probe.CheckInBurstAsync(GrammyMembers, orders, 0, Warm, cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        run.GrammyCheckIn = await probe.CheckInBurstAsync(GrammyMembers, orders, Warm, Members, cancellationToken);

        run.GrammySample = Sample(emulator, GrammyStart, GrammyMembers + Warm, orders[Warm]);
        run.GrammyErrors = bot.Lines.Count;
        run.BotFailed |= bot.Lines.Count > 0;
    }

    /// <summary>Sends every grammY member the order through the emulator's Bot API (set-up, not measured).</summary>
    private static async Task<int[]> SendOrdersAsync(BotApiEmulator emulator, string html, string keyboard, int count, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(emulator.BaseUrl) };
        var ids = new int[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var body = new JsonObject { ["chat_id"] = GrammyMembers + i, ["text"] = html, ["parse_mode"] = "HTML", ["reply_markup"] = JsonNode.Parse(keyboard) };
            using var response = await http.PostAsJsonAsync($"/bot{emulator.Token}/sendMessage", body, ct);
            var json = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
            ids[i] = json?["result"]?["message_id"]?.GetValue<int>() ?? throw new InvalidOperationException("sendMessage of an order failed: " + json?.ToJsonString());
        });
        return ids;
    }

    /// <summary>One /start user's replies and one member's check-in as the emulator shows them (to compare the bots).</summary>
    private static string Sample(BotApiEmulator emulator, long startUser, long member, int orderId)
    {
        static string Short(string? text) => text is null ? "–" : (text.Length > ShortLength ? text[..ShortLength] + "…" : text).ReplaceLineEndings(" ⏎ ");
        var b = new StringBuilder();
        foreach (var m in emulator.Messages(startUser))
        {
            b.Append("      /start → ").Append(Short(m.Text)).Append(m.SentReplyMarkupJson is { } markup ? "  [" + Short(markup) + "]" : "").AppendLine();
        }

        var answer = emulator.CallbackAnswers().LastOrDefault(a => a.UserId == member);
        b.Append("      press → answer: ").AppendLine(Short(answer?.Text));
        var order = emulator.State.FindMessage(member, orderId);
        b.Append("      order edited ").Append(order?.EditCount ?? 0).Append("×: ").Append(Short(order?.RawText)).Append("  [").Append(Short(order?.ReplyMarkupJson)).AppendLine("]");
        foreach (var m in emulator.Messages(member).Where(m => m.MessageId != orderId))
        {
            b.Append("      then → ").Append(Short(m.Text)).Append(m.SentReplyMarkupJson is { } markup ? "  [" + Short(markup) + "]" : "").AppendLine();
        }

        return b.ToString();
    }

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private string Summary(List<PeerRun> runs)
    {
        static string Spread(IEnumerable<double> values, string format)
        {
            var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
            return sorted.Count == 0 ? "–" : string.Join(" / ", new[] { sorted[0], sorted[(sorted.Count - 1) / 2], sorted[^1] }.Select(v => v.ToString(format, Inv)));
        }

        var b = new StringBuilder();
        b.AppendLine(string.Format(Inv, "min / median / max over {0} run(s):", runs.Count));
        foreach (var (name, muster, grammy) in new (string, Func<PeerRun, Burst?>, Func<PeerRun, Burst?>)[]
                 {
                     (string.Format(Inv, "/start burst ({0:N0} users)", Users), r => r.MusterStart, r => r.GrammyStart),
                     (string.Format(Inv, "check-in burst ({0:N0} presses)", Members), r => r.MusterCheckIn, r => r.GrammyCheckIn),
                 })
        {
            var pairs = runs.Select(r => (M: muster(r), G: grammy(r))).Where(p => p.M is not null && p.G is not null).Select(p => (M: p.M!, G: p.G!)).ToList();
            b.AppendLine("  " + name);
            b.AppendLine("    MusterBot updates confirmed/s     " + Spread(pairs.Select(p => p.M.ConfirmedRate), "0"));
            b.AppendLine("    MusterBot all replies sent, /s    " + Spread(pairs.Select(p => p.M.RepliedRate), "0"));
            b.AppendLine("    grammY all replies sent, /s       " + Spread(pairs.Select(p => p.G.RepliedRate), "0"));
            b.AppendLine("    grammY confirmed (at fetch), /s   " + Spread(pairs.Select(p => p.G.ConfirmedRate), "0"));
            b.AppendLine("    grammY every session written, /s  " + Spread(pairs.Select(p => p.G.StoredRate), "0"));
            if (pairs.Any(p => p.M.Answered is not null))
            {
                b.AppendLine("    MusterBot every press answered, /s " + Spread(pairs.Select(p => p.M.AnsweredRate), "0"));
                b.AppendLine("    grammY every press answered, /s    " + Spread(pairs.Select(p => p.G.AnsweredRate), "0"));
            }

            b.AppendLine("    ratio MusterBot confirmed ÷ grammY replied   " + Spread(pairs.Select(p => p.M.ConfirmedRate / p.G.RepliedRate), "0.00"));
            b.AppendLine("    ratio replied ÷ replied                      " + Spread(pairs.Select(p => p.M.RepliedRate / p.G.RepliedRate), "0.00"));
            b.AppendLine("    CPU s per 1,000 updates, MusterBot (bot; redis; emulator)  " + Spread(pairs.Select(p => p.M.BotCpuPerThousand), "0.000") + "; " + Spread(pairs.Select(p => p.M.RedisCpuPerThousand), "0.000") + "; " + Spread(pairs.Select(p => p.M.BenchCpuPerThousand), "0.000"));
            b.AppendLine("    CPU s per 1,000 updates, grammY (bot; redis; emulator)     " + Spread(pairs.Select(p => p.G.BotCpuPerThousand), "0.000") + "; " + Spread(pairs.Select(p => p.G.RedisCpuPerThousand), "0.000") + "; " + Spread(pairs.Select(p => p.G.BenchCpuPerThousand), "0.000"));
        }

        b.AppendLine();
        b.AppendLine("| run | first | burst | MusterBot confirmed | MusterBot all replies | grammY all replies | grammY confirmed (fetch) | ratio M conf. ÷ G repl. | ratio repl. ÷ repl. | CPU s / 1,000 M (bot; redis) | CPU s / 1,000 G (bot; redis) |");
        b.AppendLine("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in runs)
        {
            foreach (var (burst, m, g) in new[] { ("/start", r.MusterStart, r.GrammyStart), ("check-in", r.MusterCheckIn, r.GrammyCheckIn) })
            {
                if (m is null || g is null)
                {
                    continue;
                }

                b.AppendLine(string.Format(
                    Inv,
                    "| {0} | {1} | {2} | {3:0.00} s = {4:N0}/s | {5:0.00} s = {6:N0}/s | {7:0.00} s = {8:N0}/s | {9:0.00} s = {10:N0}/s | {11:0.00} | {12:0.00} | {13:0.000}; {14:0.000} | {15:0.000}; {16:0.000} |",
                    r.Number, r.MusterFirst ? "MusterBot" : "grammY", burst,
                    m.Confirmed.TotalSeconds, m.ConfirmedRate, m.Replied.TotalSeconds, m.RepliedRate,
                    g.Replied.TotalSeconds, g.RepliedRate, g.Confirmed.TotalSeconds, g.ConfirmedRate,
                    m.ConfirmedRate / g.RepliedRate, m.RepliedRate / g.RepliedRate,
                    m.BotCpuPerThousand, m.RedisCpuPerThousand, g.BotCpuPerThousand, g.RedisCpuPerThousand));
            }
        }

        return b.ToString();
    }

    /// <summary>Injects a burst into the emulator and times it: confirmation (no update pending) and every reply sent.</summary>
    private sealed class Probe(BotApiEmulator emulator, RedisServer redis, Func<TimeSpan> botCpu, TimeSpan limit, bool sessionKeys = false)
    {
        private readonly Process _self = Process.GetCurrentProcess();

        /// <summary>Users first … first + count − 1 each send /start; done when each has both replies.</summary>
        public async Task<Burst> StartBurstAsync(long first, int count, CancellationToken cancellationToken)
        {
            var sentBefore = emulator.AllSentCount;
            var keysBefore = sessionKeys ? await redis.DbSizeAsync() : null;
            var (started, clock, cpu) = await BeginAsync();
            for (var i = 0; i < count; i++)
            {
                emulator.SendText(first + i, "/start");
            }

            var injected = clock.Elapsed;
            var (confirmed, timedOut, stored) = await WaitAsync(clock, () => emulator.AllSentCount - sentBefore >= (long)count * StartReplies, keysBefore, count, cancellationToken);
            var used = await EndAsync(cpu);

            // Exact: each user's bot messages since the start of the burst; the last one's emulator time stamp.
            var last = started;
            var complete = 0;
            for (var i = 0; i < count; i++)
            {
                var replies = emulator.Messages(first + i).Where(m => m.Date >= started).ToList();
                if (replies.Count >= StartReplies)
                {
                    complete++;
                }

                foreach (var m in replies.Where(m => m.Date > last))
                {
                    last = m.Date;
                }
            }

            return new Burst(count, injected, confirmed, last - started, complete, used.Bot, used.Redis, used.Bench, timedOut) { RedisCommands = used.Commands, Stored = stored };
        }

        /// <summary>Members <paramref name="from"/> … from + count − 1 press "arrived"; done when each press is answered, the order edited and one more message sent.</summary>
        public async Task<Burst> CheckInBurstAsync(long firstMember, int[] orders, int from, int count, CancellationToken cancellationToken)
        {
            var answersBefore = emulator.RequestCount("answerCallbackQuery");
            var editsBefore = emulator.RequestCount("editMessageText");
            var sendsBefore = emulator.RequestCount("sendMessage");
            var queries = new string[count];
            var keysBefore = sessionKeys ? await redis.DbSizeAsync() : null;
            var (started, clock, cpu) = await BeginAsync();
            for (var i = 0; i < count; i++)
            {
                var member = firstMember + from + i;
                queries[i] = emulator.PressButton(member, member, orders[from + i], CheckInMuster.ArrivedData);
            }

            var injected = clock.Elapsed;
            var lastExact = TimeSpan.Zero;
            (int Complete, DateTimeOffset Last, DateTimeOffset LastAnswer) exact = (0, started, started);
            bool Done()
            {
                if (emulator.RequestCount("answerCallbackQuery") - answersBefore < count
                    || emulator.RequestCount("editMessageText") - editsBefore < count
                    || emulator.RequestCount("sendMessage") - sendsBefore < count
                    || clock.Elapsed - lastExact < TimeSpan.FromMilliseconds(200))
                {
                    return false;
                }

                lastExact = clock.Elapsed;
                exact = Exact();
                return exact.Complete == count;
            }

            var (confirmed, timedOut, stored) = await WaitAsync(clock, Done, keysBefore, count, cancellationToken);
            var used = await EndAsync(cpu);
            if (exact.Complete < count)
            {
                exact = Exact();
            }

            return new Burst(count, injected, confirmed, exact.Last - started, exact.Complete, used.Bot, used.Redis, used.Bench, timedOut)
            {
                RedisCommands = used.Commands,
                Answered = exact.LastAnswer - started,
                Stored = stored,
            };

            (int Complete, DateTimeOffset Last, DateTimeOffset LastAnswer) Exact()
            {
                var answers = emulator.CallbackAnswers()
                    .GroupBy(a => a.CallbackQueryId, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Min(a => a.AnsweredAt), StringComparer.Ordinal);
                var last = started;
                var lastAnswer = started;
                var complete = 0;
                for (var i = 0; i < count; i++)
                {
                    var member = firstMember + from + i;
                    if (answers.TryGetValue(queries[i], out var answer) && answer > lastAnswer)
                    {
                        lastAnswer = answer;
                    }

                    var order = emulator.State.FindMessage(member, orders[from + i]);
                    var ask = emulator.Messages(member).Where(m => m.Date >= started && m.MessageId != orders[from + i]).Select(m => (DateTimeOffset?)m.Date).Min();
                    if (!answers.TryGetValue(queries[i], out var answered) || order?.EditDate is not { } edited || edited < started || ask is null)
                    {
                        continue;
                    }

                    complete++;
                    foreach (var at in new[] { answered, edited, ask.Value })
                    {
                        if (at > last)
                        {
                            last = at;
                        }
                    }
                }

                return (complete, last, lastAnswer);
            }
        }

        private async Task<(DateTimeOffset Started, Stopwatch Clock, (TimeSpan Bot, TimeSpan Redis, TimeSpan Bench) Cpu)> BeginAsync()
        {
            await redis.ResetStatsAsync();
            _self.Refresh();
            var cpu = (botCpu(), redis.CpuTime, _self.TotalProcessorTime);
            return (DateTimeOffset.UtcNow, Stopwatch.StartNew(), cpu);
        }

        private async Task<(TimeSpan Bot, TimeSpan Redis, TimeSpan Bench, IReadOnlyDictionary<string, (long Calls, long Microseconds)> Commands)> EndAsync((TimeSpan Bot, TimeSpan Redis, TimeSpan Bench) before)
        {
            _self.Refresh();
            var used = (botCpu() - before.Bot, redis.CpuTime - before.Redis, _self.TotalProcessorTime - before.Bench);
            return (used.Item1, used.Item2, used.Item3, await redis.CommandStatsAsync());
        }

        /// <summary>
        /// Polls every 2 ms until no update is pending (confirmed) and <paramref name="done"/> holds, or the limit. With
        /// <c>sessionKeys</c> (grammY: every update of a burst is a new chat's first session) it also waits, polling DBSIZE
        /// every 10 ms, until Redis holds <paramref name="newKeys"/> more keys than before: every session written.
        /// </summary>
        private async Task<(TimeSpan Confirmed, bool TimedOut, TimeSpan? Stored)> WaitAsync(Stopwatch clock, Func<bool> done, long? keysBefore, int newKeys, CancellationToken cancellationToken)
        {
            var confirmed = TimeSpan.Zero;
            var finished = false;
            TimeSpan? stored = sessionKeys ? null : TimeSpan.Zero;
            var lastDbSize = TimeSpan.Zero;
            while (true)
            {
                if (confirmed == TimeSpan.Zero && emulator.PendingUpdateCount == 0)
                {
                    confirmed = clock.Elapsed;
                }

                finished = finished || done();
                if (stored is null && clock.Elapsed - lastDbSize >= TimeSpan.FromMilliseconds(10))
                {
                    lastDbSize = clock.Elapsed;
                    if (await redis.DbSizeAsync() - keysBefore >= newKeys)
                    {
                        stored = clock.Elapsed;
                    }
                }

                if (confirmed != TimeSpan.Zero && finished && stored is not null)
                {
                    return (confirmed, false, sessionKeys ? stored : null);
                }

                if (clock.Elapsed > limit)
                {
                    return (confirmed, true, sessionKeys ? stored : null);
                }

                await Task.Delay(2, cancellationToken);
            }
        }
    }
}

/// <summary>One measured burst of one bot.</summary>
internal sealed record Burst(int Updates, TimeSpan Injected, TimeSpan Confirmed, TimeSpan Replied, int Complete, TimeSpan BotCpu, TimeSpan RedisCpu, TimeSpan BenchCpu, bool TimedOut)
{
    public double ConfirmedRate => Confirmed > TimeSpan.Zero ? Updates / Confirmed.TotalSeconds : double.NaN;

    public double RepliedRate => Complete == Updates && Replied > TimeSpan.Zero ? Updates / Replied.TotalSeconds : double.NaN;

    public double BotCpuPerThousand => BotCpu.TotalSeconds / (Updates / 1000.0);

    public double RedisCpuPerThousand => RedisCpu.TotalSeconds / (Updates / 1000.0);

    public double BenchCpuPerThousand => BenchCpu.TotalSeconds / (Updates / 1000.0);

    public bool Failed => TimedOut || Complete < Updates;

    /// <summary>grammY: first update → every update's session in Redis (DBSIZE polled every 10 ms; null for MusterBot).</summary>
    public TimeSpan? Stored { get; init; }

    public double StoredRate => Stored is { } stored && stored > TimeSpan.Zero ? Updates / stored.TotalSeconds : double.NaN;

    /// <summary>Check-in: first press → the last press answered (answerCallbackQuery; not rate-limited by MusterBot's sender).</summary>
    public TimeSpan? Answered { get; init; }

    public double AnsweredRate => Complete == Updates && Answered is { } answered && answered > TimeSpan.Zero ? Updates / answered.TotalSeconds : double.NaN;

    /// <summary>Redis's command statistics over the burst (CONFIG RESETSTAT at its start): command → calls, µs.</summary>
    public IReadOnlyDictionary<string, (long Calls, long Microseconds)> RedisCommands { get; init; } = new Dictionary<string, (long, long)>();

    /// <summary>The bot's commands: without the bench's own (INFO, CONFIG RESETSTAT, DBSIZE).</summary>
    private IEnumerable<KeyValuePair<string, (long Calls, long Microseconds)>> BotCommands =>
        RedisCommands.Where(kv => kv.Key is not ("config|resetstat" or "info" or "dbsize"));

    /// <summary>Redis calls per update, the busiest commands first (by time inside Redis).</summary>
    public string RedisLine() => string.Format(
        CultureInfo.InvariantCulture,
        "{0:0.0} Redis calls per update, scripts' calls included ({1})",
        BotCommands.Sum(kv => kv.Value.Calls) / (double)Updates,
        string.Join(", ", BotCommands.OrderByDescending(kv => kv.Value.Microseconds).Take(4)
            .Select(kv => string.Format(CultureInfo.InvariantCulture, "{0} {1:0.00} × {2:0} µs", kv.Key, kv.Value.Calls / (double)Updates, kv.Value.Microseconds / (double)Math.Max(1, kv.Value.Calls)))));

    public string Line(string bot, bool peer) => string.Format(
        CultureInfo.InvariantCulture,
        "    {0,-10} injected {1:0.000} s · confirmed {2} · all replies sent {3}{8}{9} · CPU s / 1,000 (bot; redis; emulator + bench) {4:0.000}; {5:0.000}; {6:0.000}{7}",
        bot,
        Injected.TotalSeconds,
        Confirmed > TimeSpan.Zero ? string.Format(CultureInfo.InvariantCulture, "{0:0.000} s = {1:N0}/s{2}", Confirmed.TotalSeconds, ConfirmedRate, peer ? " (at fetch, before handling)" : " (after commit)") : "NOT all",
        Complete == Updates ? string.Format(CultureInfo.InvariantCulture, "{0:0.000} s = {1:N0}/s", Replied.TotalSeconds, RepliedRate) : string.Format(CultureInfo.InvariantCulture, "NOT all ({0:N0} of {1:N0})", Complete, Updates),
        BotCpuPerThousand,
        RedisCpuPerThousand,
        BenchCpuPerThousand,
        TimedOut ? " · TIMED OUT" : "",
        Answered is { } answered ? string.Format(CultureInfo.InvariantCulture, " (every press answered {0:0.000} s = {1:N0}/s)", answered.TotalSeconds, AnsweredRate) : "",
        Stored is { } stored ? string.Format(CultureInfo.InvariantCulture, " · every session written {0:0.000} s = {1:N0}/s", stored.TotalSeconds, StoredRate) : "");
}

/// <summary>One run of the peer benchmark: both bots' measured bursts.</summary>
internal sealed class PeerRun(int number, bool musterFirst)
{
    public int Number => number;

    public bool MusterFirst => musterFirst;

    public Burst? MusterStart { get; set; }

    public Burst? MusterCheckIn { get; set; }

    public Burst? GrammyStart { get; set; }

    public Burst? GrammyCheckIn { get; set; }

    public string? MusterSample { get; set; }

    public string? GrammySample { get; set; }

    public string MusterLogs { get; set; } = "";

    public int GrammyErrors { get; set; }

    public string LoadAtStart { get; init; } = "?";

    public string LoadAtEnd { get; set; } = "?";

    /// <summary>A bot crashed (MusterBot) or printed an error (grammY).</summary>
    public bool BotFailed { get; set; }

    public bool Failed => BotFailed || new[] { MusterStart, MusterCheckIn, GrammyStart, GrammyCheckIn }.Any(b => b is null || b.Failed);

    public string Report()
    {
        var b = new StringBuilder();
        b.AppendLine(string.Format(CultureInfo.InvariantCulture, "run {0} ({1} first; load average {2} at its start, {3} at its end):", number, MusterFirst ? "MusterBot" : "grammY", LoadAtStart, LoadAtEnd));
        foreach (var (name, m, g) in new[] { ("/start burst", MusterStart, GrammyStart), ("check-in burst", MusterCheckIn, GrammyCheckIn) })
        {
            b.AppendLine(string.Format(CultureInfo.InvariantCulture, "  {0}, {1:N0} updates:", name, m?.Updates ?? g?.Updates ?? 0));
            if (m is not null)
            {
                b.AppendLine(m.Line("MusterBot", peer: false));
                b.AppendLine("               " + m.RedisLine());
            }

            if (g is not null)
            {
                b.AppendLine(g.Line("grammY", peer: true));
                b.AppendLine("               " + g.RedisLine());
            }

            if (m is not null && g is not null)
            {
                b.AppendLine(string.Format(
                    CultureInfo.InvariantCulture,
                    "    ratio MusterBot confirmed ÷ grammY all replies {0:0.00}; all replies ÷ all replies {1:0.00}",
                    m.ConfirmedRate / g.RepliedRate,
                    m.RepliedRate / g.RepliedRate));
            }
        }

        b.AppendLine("  MusterBot log warnings/errors: " + (MusterLogs.Length == 0 ? "none" : MusterLogs) + "; grammY error lines: " + GrammyErrors.ToString(CultureInfo.InvariantCulture));
        if (number == 1)
        {
            b.AppendLine("  what a user sees (one /start user, one member's press), MusterBot:");
            b.Append(MusterSample);
            b.AppendLine("  grammY:");
            b.Append(GrammySample);
        }

        return b.ToString();
    }
}
