using System.Diagnostics;
using System.Globalization;
using System.Text;
using MusterBot.State.Commits;
using MusterBot.State.Records;
using MusterBot.State.Redis;

namespace MusterBot.Bench.City;

/// <summary>
/// The city-size benchmark of issue #15: a synthetic city shaped like Ulanqab (<see cref="CityModel"/>) seeded into a
/// fresh Redis (one node, or the three-master cluster of <see cref="RedisCluster"/>) per run. Reports the seeding time,
/// Redis memory per member with a breakdown by key kind, and (single node, --phases checkin) the check-in burst of the
/// whole city (<see cref="CityCheckIn"/>). Extra redis-server arguments come from BENCH_REDIS_ARGS (space-separated,
/// e.g. "--hash-max-listpack-value 1024").
/// </summary>
public sealed class CityBench(BenchOptions options)
{
    public const string Prefix = "bench:";

    private static readonly System.Text.Json.JsonSerializerOptions Lean = new(RecordJson.Options)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault,
    };

    /// <summary>RecordJson's options with Chinese text written as UTF-8 instead of \uXXXX escapes (readers accept both).</summary>
    private static readonly System.Text.Json.JsonSerializerOptions Unescaped = new(RecordJson.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The city-level launch and roll call (the seam to "mustertree"; on main nothing is wired).</summary>
    public ICityMuster Muster { get; init; } = new TreeCityMuster();

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (options.Store == StoreKind.Memory)
        {
            throw new InvalidOperationException("--scenario city measures Redis: use --store redis or --store cluster.");
        }

        var extra = (Environment.GetEnvironmentVariable("BENCH_REDIS_ARGS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var clock = Stopwatch.StartNew();
        var city = CityModel.Generate(options, DateTimeOffset.UtcNow);
        var commits = CitySeed.Directory(city);
        var generated = clock.Elapsed;
        var items = commits.Sum(c => c.Writes.Count + c.SetChanges.Count);
        var shards = commits.Select(c => c.Shard).Distinct().Count();
        Console.WriteLine(string.Format(
            Inv,
            "City: {0:N0} nodes ({1} districts, {2} streets, {3:N0} communities), {4:N0} grids, {5:N0} members ({6:N0} convenors), {7} workplace regions; " +
            "{8:N0} commits to {9:N0} shards ({10:N0} writes and set changes) generated in {11:0.0} s; redis args: {12}",
            city.Nodes.Count, options.Districts, options.Streets, options.Communities, city.Grids.Values.Sum(g => g.Count), city.Members.Count,
            city.Members.Count(m => m.Roles.HasFlag(Roles.Convenor)), city.Regions.Count, commits.Count, shards, items, generated.TotalSeconds,
            extra.Length == 0 ? "(defaults)" : string.Join(' ', extra)));
        Console.WriteLine("Load before: " + Uptime());
        Console.WriteLine(JsonSizes(city));

        var runs = new List<RunFigures>();
        for (var run = 1; run <= options.Runs; run++)
        {
            var figures = await RunOnceAsync(run, city, commits, extra, cancellationToken);
            runs.Add(figures);
            Console.WriteLine(figures.Line(run));
        }

        Console.WriteLine();
        Console.WriteLine(Summary(runs, city));
        return runs.Any(r => r.Failed) ? 1 : 0;
    }

    private async Task<RunFigures> RunOnceAsync(int run, CityModel city, IReadOnlyList<Commit> commits, string[] extra, CancellationToken cancellationToken)
    {
        using var single = options.Store == StoreKind.Redis ? await RedisServer.StartAsync(extra, null) : null;
        using var cluster = options.Store == StoreKind.Cluster ? await RedisCluster.StartAsync(extra, cancellationToken) : null;
        var configuration = single?.ConnectionString ?? cluster!.ConnectionString;
        var probe = await RedisProbe.ConnectAsync(configuration);
        await using var connection = probe.Connection;
        var before = await probe.UsedMemoryAsync();
        var load = Uptime();

        // Seeding: through the store's commits (the way the bot writes), or the same keys written directly.
        string? failure = null;
        var clock = Stopwatch.StartNew();
        if (options.SeedVia == SeedVia.Store)
        {
            await using var store = await RedisStateStore.ConnectAsync(
                new RedisStoreOptions { Configuration = configuration, KeyPrefix = Prefix, AllowEviction = true }, TimeProvider.System, cancellationToken);
            try
            {
                await CitySeed.CommitAsync(store, commits, options.SeedInFlight, cancellationToken);
            }
            catch (StackExchange.Redis.RedisException ex)
            {
                failure = "seeding through the store failed: " + ex.Message;
            }
        }
        else
        {
            await CitySeed.WriteRawAsync(connection.GetDatabase(), Prefix, commits, options.SeedInFlight, cancellationToken);
        }

        var seeded = clock.Elapsed;
        var after = await probe.UsedMemoryAsync();
        var nodes = await probe.NodesAsync();
        var figures = new RunFigures
        {
            Seeding = seeded,
            UsedBefore = before,
            UsedAfter = after,
            Members = city.Members.Count,
            Nodes = nodes,
            Load = load,
            Failure = failure,
        };
        if (failure is not null)
        {
            return figures;
        }

        if (run == 1)
        {
            figures = figures with
            {
                Breakdown = await probe.BreakdownAsync(Prefix, 300),
                ListpackValue = await probe.ConfigAsync("hash-max-listpack-value"),
                ListpackEntries = await probe.ConfigAsync("hash-max-listpack-entries"),
            };
        }

        if (options.Phases.HasFlag(CityPhases.CheckIn))
        {
            // On the cluster this needs the "cluster" branch: on main the muster seed (a store commit) is refused there.
            try
            {
                var checkIn = await new CityCheckIn(options, city, configuration).RunAsync(probe, cancellationToken);
                figures = figures with { CheckIn = checkIn };
            }
            catch (StackExchange.Redis.RedisException ex) when (cluster is not null)
            {
                figures = figures with { CheckInNote = "check-ins on the cluster failed: " + ex.Message + " (the store's scripts are no-cluster before the \"cluster\" branch)" };
            }
        }

        if (options.Phases.HasFlag(CityPhases.Launch))
        {
            if (options.Phases.HasFlag(CityPhases.CheckIn))
            {
                // The check-in burst leaves its muster 1, every member's answer, ~240,000 queued edits and location hints
                // (the burst is measured to the last answer, not to an empty outbox) and a refresh timer per community.
                // The launch's host would first send those at the global rate, the administrator's replies behind them in
                // the same lane: no reply to /muster within a minute. So the launch starts from the city as seeded, as
                // with --phases launch alone.
                await ReseedAsync(configuration, connection.GetDatabase(), commits, cancellationToken);
            }

            try
            {
                var launch = await new CityLaunch(options, city, configuration, Muster).RunAsync(cancellationToken);
                figures = figures with { Launch = launch };
            }
            catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or TimeoutException or StackExchange.Redis.RedisException)
            {
                figures = figures with { LaunchNote = "launch/roll call failed: " + ex.Message };
            }
        }

        return figures;
    }

    /// <summary>Forgets everything under the bench's prefix (the store's own erase) and seeds the city again.</summary>
    private async Task ReseedAsync(string configuration, StackExchange.Redis.IDatabase raw, IReadOnlyList<Commit> commits, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var store = await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = configuration, KeyPrefix = Prefix, AllowEviction = true }, TimeProvider.System, cancellationToken);
        await store.EraseAllAsync(cancellationToken);
        if (options.SeedVia == SeedVia.Store)
        {
            await CitySeed.CommitAsync(store, commits, options.SeedInFlight, cancellationToken);
        }
        else
        {
            await CitySeed.WriteRawAsync(raw, Prefix, commits, options.SeedInFlight, cancellationToken);
        }

        Console.WriteLine(string.Create(Inv, $"  erased the check-in's state and seeded the city again for the launch in {clock.Elapsed.TotalSeconds:0.0} s"));
    }

    /// <summary>
    /// A typical profile's and home pointer's JSON as stored, and as it would be with default values (false, 0, the
    /// enums' zero) left out too (<c>JsonIgnoreCondition.WhenWritingDefault</c>; empty lists stay).
    /// </summary>
    private static string JsonSizes(CityModel city)
    {
        var member = city.Members[city.Members.Count / 2];
        var profile = city.Profile(member);
        var json = RecordJson.Serialize(profile);
        var leanJson = System.Text.Json.JsonSerializer.Serialize(profile, Lean);
        var unescaped = System.Text.Json.JsonSerializer.Serialize(profile, Unescaped);
        var home = RecordJson.Serialize(new MusterBot.State.Records.Org.PersonHome(member.CommunityId) { Since = city.Now });
        return string.Format(
            Inv,
            "A member's profile: {0} B of JSON ({1} B without default values, {2} B with Chinese as UTF-8 instead of \\u escapes); home pointer {3} B:\n  {4}\n  {5}",
            System.Text.Encoding.UTF8.GetByteCount(json), System.Text.Encoding.UTF8.GetByteCount(leanJson), System.Text.Encoding.UTF8.GetByteCount(unescaped),
            System.Text.Encoding.UTF8.GetByteCount(home), json, home);
    }

    private string Summary(IReadOnlyList<RunFigures> runs, CityModel city)
    {
        var b = new StringBuilder();
        var ok = runs.Where(r => !r.Failed).ToList();
        b.AppendLine(string.Format(Inv, "City-size benchmark: {0:N0} members, {1:N0} communities, store {2}, seeded via {3}, {4} run(s) ({5} failed)",
            city.Members.Count, options.Communities, options.Store.ToString().ToLowerInvariant(), options.SeedVia.ToString().ToLowerInvariant(), runs.Count, runs.Count - ok.Count));
        foreach (var failed in runs.Where(r => r.Failed))
        {
            b.AppendLine("  FAILED: " + failed.Failure);
        }

        if (ok.Count == 0)
        {
            return b.ToString();
        }

        b.AppendLine("| figure | min | median | max |");
        b.AppendLine("|---|---:|---:|---:|");
        Row(b, "seeding time (s)", ok.Select(r => r.Seeding.TotalSeconds), "0.0");
        Row(b, "Redis used_memory growth (MB)", ok.Select(r => (r.UsedAfter - r.UsedBefore) / 1048576.0), "0.0");
        Row(b, "bytes per member (goal ≤ 2,048)", ok.Select(r => r.BytesPerMember), "0");
        var checkIns = ok.Where(r => r.CheckIn is not null).Select(r => r.CheckIn!).ToList();
        if (checkIns.Count > 0)
        {
            Row(b, "muster seed: bytes per member called", checkIns.Select(c => c.MusterBytesPerMember), "0");
            Row(b, "check-ins committed per s (goal ≥ 3,000 on the cluster)", checkIns.Select(c => c.CommittedRate), "0");
            Row(b, "check-ins answered per s", checkIns.Select(c => c.AnsweredRate), "0");
            Row(b, "press → answer p50 (ms)", checkIns.Select(c => c.AnswerP50), "0");
            Row(b, "press → answer p99 (ms)", checkIns.Select(c => c.AnswerP99), "0");
        }

        var launches = ok.Where(r => r.Launch is not null).Select(r => r.Launch!).ToList();
        if (launches.Count > 0)
        {
            Row(b, "city launch → all messages in the outbox (s, goal ≤ 60)", launches.Select(l => l.AllInOutbox.TotalSeconds), "0.0");
            Row(b, "city launch → all messages sent (s)", launches.Select(l => l.AllSent.TotalSeconds), "0.0");
            Row(b, "convenor orders in the launch", launches.Select(l => (double)l.ConvenorOrders), "0");
            b.AppendLine("  convenors first: " + string.Join(", ", launches.Select(l => l.ConvenorOrdersFirst ? "yes" : "NO")));
            foreach (var i in Enumerable.Range(0, launches[0].Refreshes.Count))
            {
                var answers = launches[0].Refreshes[i].Answers;
                var autos = launches.Where(l => l.Refreshes.Count > i && l.Refreshes[i].Auto is not null).Select(l => l.Refreshes[i].Auto!.Value.TotalSeconds).ToList();
                if (autos.Count > 0)
                {
                    Row(b, string.Format(Inv, "roll call, {0:N0} answered: last press answered → live edit (s)", answers), autos, "0.00");
                }

                Row(b, string.Format(Inv, "roll call, {0:N0} answered: refresh press → answered (s, goal ≤ 1)", answers), launches.Where(l => l.Refreshes.Count > i).Select(l => l.Refreshes[i].Press.TotalSeconds), "0.000");
                Row(b, string.Format(Inv, "roll call, {0:N0} answered: refresh press → edited (s)", answers), launches.Where(l => l.Refreshes.Count > i).Select(l => l.Refreshes[i].PressEdit.TotalSeconds), "0.000");
            }
        }

        foreach (var note in ok.SelectMany(r => new[] { r.CheckInNote, r.LaunchNote }).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            b.AppendLine("  note: " + note);
        }

        b.AppendLine();
        b.AppendLine("Keys and memory per primary (run 1): " + string.Join("; ", ok[0].Nodes.Select(n => string.Format(Inv, "{0}: {1:N0} keys, {2:0.0} MB", n.Endpoint, n.Keys, n.UsedMemory / 1048576.0))));
        if (ok[0].Breakdown is { } breakdown)
        {
            var members = (double)city.Members.Count;
            b.AppendLine(string.Format(Inv, "Breakdown by key kind (run 1; MEMORY USAGE SAMPLES 0 of up to 300 keys per kind; hash-max-listpack-value {0}, -entries {1}):",
                ok[0].ListpackValue, ok[0].ListpackEntries));
            b.AppendLine("| kind | keys | bytes per key | encoding | mean JSON / set size | MB | bytes per member |");
            b.AppendLine("|---|---:|---:|---|---:|---:|---:|");
            foreach (var kind in breakdown)
            {
                b.AppendLine(string.Format(
                    Inv,
                    "| {0} | {1:N0} | {2:0} | {3} | {4} | {5:0.00} | {6:0} |",
                    kind.Kind, kind.Keys, kind.MeanBytes, kind.Encodings,
                    kind.MeanJson is { } json ? json.ToString("0", Inv) + " B" : kind.MeanElements is { } elements ? elements.ToString("0.#", Inv) : "",
                    kind.TotalBytes / 1048576.0, kind.TotalBytes / members));
            }

            var sum = breakdown.Sum(k => k.TotalBytes);
            var growth = ok[0].UsedAfter - ok[0].UsedBefore;
            b.AppendLine(string.Format(Inv, "| sum of MEMORY USAGE | {0:N0} | | | | {1:0.00} | {2:0} |", breakdown.Sum(k => k.Keys), sum / 1048576.0, sum / members));
            b.AppendLine(string.Format(Inv, "| rest of used_memory growth (keyspace table, allocator) | | | | | {0:0.00} | {1:0} |", (growth - sum) / 1048576.0, (growth - sum) / members));
        }

        return b.ToString();
    }

    private static void Row(StringBuilder b, string name, IEnumerable<double> values, string format)
    {
        var sorted = values.Order().ToList();
        b.AppendLine(string.Format(Inv, "| {0} | {1} | {2} | {3} |", name, sorted[0].ToString(format, Inv), Median(sorted).ToString(format, Inv), sorted[^1].ToString(format, Inv)));
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    /// <summary>The load averages of /proc/loadavg (the machine is shared: every figure says how busy it was).</summary>
    public static string Uptime()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Format(Inv, "load {0} {1} {2} on {3} cores", parts[0], parts[1], parts[2], Environment.ProcessorCount);
        }
        catch (IOException)
        {
            return "load unknown";
        }
    }

    private sealed record RunFigures
    {
        public TimeSpan Seeding { get; init; }

        public long UsedBefore { get; init; }

        public long UsedAfter { get; init; }

        public int Members { get; init; }

        public double BytesPerMember => (UsedAfter - UsedBefore) / (double)Members;

        public IReadOnlyList<(string Endpoint, long Keys, long UsedMemory)> Nodes { get; init; } = [];

        public IReadOnlyList<KindUsage>? Breakdown { get; init; }

        public string? ListpackValue { get; init; }

        public string? ListpackEntries { get; init; }

        public CityCheckInFigures? CheckIn { get; init; }

        public string? CheckInNote { get; init; }

        public string? LaunchNote { get; init; }

        public CityMusterFigures? Launch { get; init; }

        public string Load { get; init; } = "";

        public string? Failure { get; init; }

        public bool Failed => Failure is not null;

        public string Line(int run) => Failed
            ? string.Format(Inv, "run {0}: FAILED after {1:0.0} s: {2} ({3})", run, Seeding.TotalSeconds, Failure, Load)
            : string.Format(
                Inv,
                "run {0}: seeded in {1:0.0} s; used_memory +{2:0.0} MB = {3:0} B per member{4} ({5})",
                run, Seeding.TotalSeconds, (UsedAfter - UsedBefore) / 1048576.0, BytesPerMember,
                (CheckIn is { } c ? string.Format(Inv, "; check-ins: {0:0}/s committed, {1:0}/s answered, p50 {2:0} ms, p99 {3:0} ms, muster +{4:0} B per member", c.CommittedRate, c.AnsweredRate, c.AnswerP50, c.AnswerP99, c.MusterBytesPerMember) : "")
                + (Launch is { } l ? string.Format(Inv, "; launch: {0:N0} messages in the outbox in {1:0.0} s, all sent in {2:0.0} s, {3} convenor orders (first: {4}); roll call refresh press {5}", l.Expected, l.AllInOutbox.TotalSeconds, l.AllSent.TotalSeconds, l.ConvenorOrders, l.ConvenorOrdersFirst, string.Join(" / ", l.Refreshes.Select(r => r.Press.TotalSeconds.ToString("0.000", Inv)))) : "")
                + (LaunchNote is { } n ? "; " + n : ""),
                Load);
    }
}
