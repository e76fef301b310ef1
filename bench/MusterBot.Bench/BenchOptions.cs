using System.Globalization;

namespace MusterBot.Bench;

public enum StoreKind
{
    Redis,
    Memory,

    /// <summary>A 3-master Redis Cluster started by the bench (city scenario only; see RedisCluster).</summary>
    Cluster,
}

public enum Scenario
{
    FanOut,
    CheckIn,

    /// <summary>The city-size benchmark of issue #15 (see CityBench).</summary>
    City,

    /// <summary>A fan-out drained by several host processes on one Redis (issue #16; see MultiInstanceBench).</summary>
    Instances,

    /// <summary>MusterBot side by side with a grammY bot on the same emulator and Redis (issue #17; see PeerBench).</summary>
    Peer,
}

/// <summary>Command-line settings; defaults are the first run (10,000 messages at 1,000/s, 1% injected 429s).</summary>
public sealed record BenchOptions
{
    public double Rate { get; init; } = 1000;

    public int Messages { get; init; } = 10_000;

    public int LatencyMs { get; init; } = 50;

    public double Fraction429 { get; init; } = 0.01;

    public int Replies { get; init; } = 50;

    public StoreKind Store { get; init; } = StoreKind.Redis;

    /// <summary>fanout (default) or checkin (see CheckInBench).</summary>
    public Scenario Scenario { get; init; } = Scenario.FanOut;

    /// <summary>checkin: members called to the muster (each presses once).</summary>
    public int Members { get; init; } = 10_000;

    /// <summary>checkin: regions, one convenor each.</summary>
    public int Regions { get; init; } = 10;

    /// <summary>fanout: the N messages committed as this many commits of one shard each (1 = one commit, as a single-community launch).</summary>
    public int FanOutShards { get; init; } = 1;

    /// <summary>city: communities (the leaves of the synthetic tree).</summary>
    public int Communities { get; init; } = 1_530;

    /// <summary>city: grids spread over the communities.</summary>
    public int Grids { get; init; } = 7_508;

    /// <summary>city: districts under the city and streets spread over them.</summary>
    public int Districts { get; init; } = 11;

    public int Streets { get; init; } = 100;

    /// <summary>city: repetitions of every measurement (a fresh Redis each).</summary>
    public int Runs { get; init; } = 3;

    /// <summary>city: what to measure after seeding (seed = seeding and memory only; checkin adds the check-in burst).</summary>
    public CityPhases Phases { get; init; } = CityPhases.Seed | CityPhases.CheckIn;

    /// <summary>city: seed through IStateStore.CommitAsync (store) or by writing the store's key layout directly (raw).</summary>
    public SeedVia SeedVia { get; init; } = SeedVia.Store;

    /// <summary>city: commits (or raw pipelines) in flight while seeding.</summary>
    public int SeedInFlight { get; init; } = 8;

    /// <summary>checkin: presses injected per second (0 = as fast as the emulator takes them).</summary>
    public double PressRate { get; init; }

    /// <summary>
    /// checkin: mix bad input into the burst (issue #17): a second press by every 10th member, a forged button every 20th
    /// press, an update of an unknown kind every 25th, and one person's 100 messages (/help and /me by turns) spread over it.
    /// </summary>
    public bool BadInput { get; init; }

    /// <summary>checkin: also time the dashboard's API (issue #18) before the presses and after they are all committed.</summary>
    public bool Board { get; init; }

    /// <summary>
    /// checkin: Redis's time per script over the measured part, from its slow log (see RedisScriptTimes; it slows Redis
    /// down, so the run's other figures are not comparable with runs without it).
    /// </summary>
    public bool RedisScripts { get; init; }

    /// <summary>instances: host processes on the one Redis.</summary>
    public int Instances { get; init; } = 3;

    /// <summary>instances: SIGKILL one host once this share of the recipients has its message (0 = no kill).</summary>
    public double KillAt { get; init; }

    /// <summary>peer: distinct users in the /start burst.</summary>
    public int Users { get; init; } = 5_000;

    /// <summary>peer: updates of the same kind each bot handles before each measured burst (not measured; 0 = cold).</summary>
    public int WarmUp { get; init; } = 1_000;

    /// <summary>Give up waiting for the outbox to drain after this long (0 = 30 × the ideal fan-out time + 60 s).</summary>
    public int TimeoutSeconds { get; init; }

    /// <summary>--max-in-flight: Sender:MaxInFlight as given (0 = from the rate and the latency, <see cref="MaxInFlight"/>).</summary>
    public int MaxInFlightGiven { get; init; }

    /// <summary>Sender:MaxInFlight: enough calls in flight to fill the rate despite the round trip, with headroom.</summary>
    public int MaxInFlight => MaxInFlightGiven > 0 ? MaxInFlightGiven : Math.Clamp((int)Math.Ceiling(Rate * LatencyMs / 1000.0 * 1.5) + 4, 1, 1000);

    /// <summary>The fan-out's duration if every message went out exactly at the limit.</summary>
    public TimeSpan IdealDuration => TimeSpan.FromSeconds(Messages / Rate);

    public TimeSpan Timeout => TimeoutSeconds > 0
        ? TimeSpan.FromSeconds(TimeoutSeconds)
        : (IdealDuration * 30) + TimeSpan.FromSeconds(60);

    public const string Usage =
        "usage: MusterBot.Bench [--rate 1000] [--messages 10000] [--latency-ms 50] [--fraction429 0.01] [--replies 50] [--store redis|memory] [--timeout-s 0] [--fanout-shards 1]\n" +
        "       MusterBot.Bench --scenario checkin [--members 10000] [--regions 10] [--press-rate 0] [--bad-input 0|1] [--board 0|1] [--redis-scripts 0|1] [--latency-ms 0] [--rate 1000] [--store redis|memory] [--timeout-s 0]\n" +
        "       MusterBot.Bench --scenario instances [--instances 3] [--rate 1000] [--messages 10000] [--latency-ms 50] [--kill-at 0] [--runs 3] [--max-in-flight 0]\n" +
        "       MusterBot.Bench --scenario peer [--users 5000] [--members 5000] [--warmup 1000] [--runs 3] [--regions 10] [--rate 1000] [--timeout-s 0]\n" +
        "       MusterBot.Bench --scenario city [--communities 1530] [--grids 7508] [--members 120000] [--regions 600] [--districts 11] [--streets 100]\n" +
        "                       [--store redis|cluster] [--runs 3] [--phases seed,checkin,launch,rollcall] [--seed-via store|raw] [--seed-in-flight 8] [--max-in-flight 16] [--press-rate 0] [--timeout-s 0]";

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        // The city scenario has its own defaults (Ulanqab's size), whatever the order of the options.
        var options = IndexOfPair(args, "--scenario", "city") ? CityDefaults
            : IndexOfPair(args, "--scenario", "peer") ? PeerDefaults
            : new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                throw new ArgumentException(Usage);
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{name} needs a value.\n{Usage}");
            }

            var value = args[++i];
            options = name switch
            {
                "--rate" => options with { Rate = Positive(name, double.Parse(value, CultureInfo.InvariantCulture)) },
                "--messages" => options with { Messages = (int)Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--latency-ms" => options with { LatencyMs = int.Parse(value, CultureInfo.InvariantCulture) },
                "--fraction429" => options with { Fraction429 = double.Parse(value, CultureInfo.InvariantCulture) },
                "--replies" => options with { Replies = int.Parse(value, CultureInfo.InvariantCulture) },
                "--store" => options with { Store = ParseStore(value) },
                "--timeout-s" => options with { TimeoutSeconds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--scenario" => ParseScenario(options, value),
                "--members" => options with { Members = (int)Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--regions" => options with { Regions = (int)Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--press-rate" => options with { PressRate = double.Parse(value, CultureInfo.InvariantCulture) },
                "--bad-input" => options with { BadInput = int.Parse(value, CultureInfo.InvariantCulture) != 0 },
                "--board" => options with { Board = int.Parse(value, CultureInfo.InvariantCulture) != 0 },
                "--redis-scripts" => options with { RedisScripts = int.Parse(value, CultureInfo.InvariantCulture) != 0 },
                "--fanout-shards" => options with { FanOutShards = (int)Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--communities" => options with { Communities = (int)Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--grids" => options with { Grids = (int)Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--districts" => options with { Districts = (int)Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--streets" => options with { Streets = (int)Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--runs" => options with { Runs = (int)Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--phases" => options with { Phases = ParsePhases(value) },
                "--seed-via" => options with { SeedVia = ParseSeedVia(value) },
                "--max-in-flight" => options with { MaxInFlightGiven = (int)Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--instances" => options with { Instances = (int)Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--kill-at" => options with { KillAt = double.Parse(value, CultureInfo.InvariantCulture) },
                "--users" => options with { Users = (int)Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--warmup" => options with { WarmUp = int.Parse(value, CultureInfo.InvariantCulture) },
                "--seed-in-flight" => options with { SeedInFlight = (int)Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                _ => throw new ArgumentException($"Unknown option {name}.\n{Usage}"),
            };
        }

        if (options.LatencyMs < 0 || options.Replies < 0 || options.Fraction429 is < 0 or > 1 || options.WarmUp < 0)
        {
            throw new ArgumentException($"--latency-ms, --replies and --warmup must be ≥ 0, --fraction429 within 0..1.\n{Usage}");
        }

        if (options.Rate > 1000)
        {
            throw new ArgumentException("--rate must be at most 1000 (Sender:GlobalPerSecond is validated to that range).");
        }

        if (options.Store == StoreKind.Cluster && options.Scenario != Scenario.City)
        {
            throw new ArgumentException($"--store cluster is for --scenario city only.\n{Usage}");
        }

        if (options.Scenario == Scenario.City
            && (options.Streets < options.Districts || options.Communities < options.Streets || options.Grids < options.Communities
                || options.Members < options.Communities || options.Members < 2 * options.Regions))
        {
            throw new ArgumentException("--scenario city needs districts ≤ streets ≤ communities ≤ grids, communities ≤ members and 2 × regions ≤ members.");
        }

        return options;
    }

    /// <summary>Ulanqab's size (issue #15): 1,530 communities, 7,508 grids, 120,000 members, 600 workplace regions.</summary>
    public static BenchOptions CityDefaults { get; } = new()
    {
        Scenario = Scenario.City,
        Members = 120_000,
        Regions = 600,
        LatencyMs = 0,
        Fraction429 = 0,
    };

    /// <summary>Issue #17's peer comparison: 5,000 users' /start, 5,000 check-ins, no simulated latency, MusterBot's sender at its highest rate.</summary>
    public static BenchOptions PeerDefaults { get; } = new()
    {
        Scenario = Scenario.Peer,
        Members = 5_000,
        LatencyMs = 0,
        Fraction429 = 0,
    };

    private static bool IndexOfPair(IReadOnlyList<string> args, string name, string value)
    {
        for (var i = 0; i + 1 < args.Count; i++)
        {
            if (args[i] == name && string.Equals(args[i + 1], value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static CityPhases ParsePhases(string value)
    {
        var phases = CityPhases.None;
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            phases |= part.ToUpperInvariant() switch
            {
                "SEED" => CityPhases.Seed,
                "CHECKIN" => CityPhases.Seed | CityPhases.CheckIn,
                "LAUNCH" or "ROLLCALL" => CityPhases.Seed | CityPhases.Launch,
                _ => throw new ArgumentException($"--phases lists seed, checkin, launch, rollcall, not {part}.\n{Usage}"),
            };
        }

        return phases == CityPhases.None ? CityPhases.Seed : phases;
    }

    private static SeedVia ParseSeedVia(string value) => value.ToUpperInvariant() switch
    {
        "STORE" => SeedVia.Store,
        "RAW" => SeedVia.Raw,
        _ => throw new ArgumentException($"--seed-via is store or raw, not {value}.\n{Usage}"),
    };

    private static double Positive(string name, double value) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be positive.\n{Usage}");

    /// <summary>checkin measures the bot's own pipeline: no simulated latency unless --latency-ms follows.</summary>
    private static BenchOptions ParseScenario(BenchOptions options, string value) => value.ToUpperInvariant() switch
    {
        "FANOUT" => options with { Scenario = Scenario.FanOut },
        "CHECKIN" => options with { Scenario = Scenario.CheckIn, LatencyMs = 0, Fraction429 = 0 },
        "CITY" => options with { Scenario = Scenario.City },
        "INSTANCES" => options with { Scenario = Scenario.Instances, Fraction429 = 0 },
        "PEER" => options with { Scenario = Scenario.Peer },
        _ => throw new ArgumentException($"--scenario is fanout, checkin, city, instances or peer, not {value}.\n{Usage}"),
    };

    private static StoreKind ParseStore(string value) => value.ToUpperInvariant() switch
    {
        "REDIS" => StoreKind.Redis,
        "MEMORY" => StoreKind.Memory,
        "CLUSTER" => StoreKind.Cluster,
        _ => throw new ArgumentException($"--store is redis, memory or cluster, not {value}.\n{Usage}"),
    };
}

/// <summary>What the city scenario measures after seeding.</summary>
[Flags]
public enum CityPhases
{
    None = 0,
    Seed = 1,
    CheckIn = 2,

    /// <summary>The city-wide launch and the city roll call (CityMusterHarness; needs "mustertree").</summary>
    Launch = 4,
}

/// <summary>How the city scenario seeds: through the store's commits, or by writing the store's key layout directly.</summary>
public enum SeedVia
{
    Store,
    Raw,
}
