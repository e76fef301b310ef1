using System.Globalization;
using MusterBot.Emulator;
using MusterBot.Flows.Musters;
using MusterBot.Host;
using MusterBot.State.Records.Musters;
using MusterBot.State.Redis;

namespace MusterBot.Bench.City;

/// <summary>
/// The city-wide launch and the city roll call (<see cref="CityMusterHarness"/>) against the real host
/// (<see cref="MusterBotApp"/>: intake, flows, sender, and the TimerService that drives the launch's chain of
/// per-community commits) on the seeded Redis and the Bot API emulator. Settings that keep the bench from throttling
/// the product artificially: <c>Timers:PollInterval</c> 50 ms (the chain's links are due at once; the service only
/// sleeps when a claim finds nothing), <c>Muster:RollCallInterval</c> 1 s (its minimum), no simulated Bot API latency.
/// </summary>
public sealed class CityLaunch(BenchOptions options, CityModel city, string configuration, ICityMuster muster)
{
    public const long AdminId = 5_000_000_002;
    private const long WarmUpUser = 3_000_000_002;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public async Task<CityMusterFigures> RunAsync(CancellationToken cancellationToken)
    {
        await using (var store = await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = configuration, KeyPrefix = CityBench.Prefix, AllowEviction = true }, TimeProvider.System, cancellationToken))
        {
            await CitySeed.CommitAsync(store, muster.Setup(city, AdminId), 1, cancellationToken);
        }

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
            ["Intake:FloodLimit"] = "100000",
            ["Timers:PollInterval"] = "00:00:00.050",
            ["Muster:RollCallInterval"] = "00:00:01",
        };
        var app = await CityHost.CreateAsync(settings, logs, emulator, city, cancellationToken);
        await using var host = app;
        emulator.CreateUser(AdminId, "市管理员", "zh-CN");
        emulator.CreateUser(WarmUpUser, "Warm", "en");
        await app.StartAsync(cancellationToken);
        emulator.SendText(WarmUpUser, "/help");
        await emulator.WaitForMessageAsync(WarmUpUser, _ => true, TimeSpan.FromSeconds(60), cancellationToken);

        await using var reader = await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = configuration, KeyPrefix = CityBench.Prefix, AllowEviction = true }, TimeProvider.System, cancellationToken);
        var harness = new CityMusterHarness(muster, city, emulator, reader, AdminId);
        // The called members (workplace convenors get a convenor's order and are not called as members).
        var convenors = city.Regions.Select(r => r.Region.ConvenorId ?? r.Region.BackupConvenorId).OfType<long>().ToHashSet();
        var called = city.Members.Where(m => !convenors.Contains(m.Id)).ToList();
        var next = 0;
        async Task PressAsync(int count)
        {
            var before = emulator.CallbackAnswers().Count;
            var data = new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data;
            for (var i = 0; i < count; i++)
            {
                var id = called[next++].Id;
                var order = emulator.Messages(id).LastOrDefault(m => m.FromBot);
                emulator.PressButton(id, id, order?.MessageId ?? 1, data);
            }

            var wait = TimeSpan.FromSeconds(60 + (count / 100.0));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (emulator.CallbackAnswers().Count - before < count)
            {
                if (clock.Elapsed > wait)
                {
                    throw new InvalidOperationException(string.Create(Inv, $"{count:N0} presses were not answered within {wait}"));
                }

                await Task.Delay(100, cancellationToken);
            }

            Console.WriteLine(string.Create(Inv, $"    {count:N0} presses of \"arrived\" answered in {clock.Elapsed.TotalSeconds:0.0} s"));
        }

        var refresh = muster is TreeCityMuster tree ? tree.RefreshData(city.Nodes[0].Id) : new MusterButton.TreeRefresh(city.Nodes[0].Id, 1).Data;
        var limit = options.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(options.TimeoutSeconds) : TimeSpan.FromSeconds(600);
        try
        {
            // The timers' backlog while a live refresh is awaited: shards with a timer due (the root's work index) and the
            // oldest due time; and the outbox.
            await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(configuration);
            var db = redis.GetDatabase();
            async Task<string> BacklogAsync()
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var key = (StackExchange.Redis.RedisKey)(CityBench.Prefix + "{1}:ix:tm");
                var due = await db.SortedSetLengthAsync(key, double.NegativeInfinity, now);
                var oldest = await db.SortedSetRangeByRankWithScoresAsync(key, 0, 0);
                var overdue = oldest.Length == 0 ? 0 : Math.Max(0, now - oldest[0].Score) / 1000;
                // The root shard's newest outbox messages (the city's panel edits are enqueued there): their delivery records.
                var seq = (long?)await db.StringGetAsync(CityBench.Prefix + "{1}:seq:outbox") ?? 0;
                var newest = new List<string>();
                for (var n = Math.Max(1, seq - 3); n <= seq; n++)
                {
                    var d = await db.HashGetAsync(CityBench.Prefix + "{1}:dlv:" + n.ToString(Inv), ["s", "e", "m"]);
                    newest.Add(string.Create(Inv, $"{n}:{d[0]}{(d[2].HasValue ? "/m" + d[2] : "")}{(d[1].HasValue ? " (" + d[1] + ")" : "")}"));
                }

                return string.Create(Inv, $"{due:N0} shards with timers due, the oldest {overdue:0.0} s overdue; root outbox {string.Join(", ", newest)}");
            }

            return await harness.RunAsync(PressAsync, called.Count, refresh, limit, cancellationToken, BacklogAsync);
        }
        finally
        {
            Console.WriteLine("  launch/roll-call logs: " + string.Join(", ", logs.Counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + " " + kv.Value.ToString(Inv))));
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await app.StopAsync(stopping.Token);
        }
    }
}
