using System.Globalization;

namespace MusterBot.Bench;

public enum StoreKind
{
    Redis,
    Memory,
}

public enum Scenario
{
    FanOut,
    CheckIn,
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

    /// <summary>checkin: presses injected per second (0 = as fast as the emulator takes them).</summary>
    public double PressRate { get; init; }

    /// <summary>Give up waiting for the outbox to drain after this long (0 = 30 × the ideal fan-out time + 60 s).</summary>
    public int TimeoutSeconds { get; init; }

    /// <summary>Sender:MaxInFlight: enough calls in flight to fill the rate despite the round trip, with headroom.</summary>
    public int MaxInFlight => Math.Clamp((int)Math.Ceiling(Rate * LatencyMs / 1000.0 * 1.5) + 4, 1, 1000);

    /// <summary>The fan-out's duration if every message went out exactly at the limit.</summary>
    public TimeSpan IdealDuration => TimeSpan.FromSeconds(Messages / Rate);

    public TimeSpan Timeout => TimeoutSeconds > 0
        ? TimeSpan.FromSeconds(TimeoutSeconds)
        : (IdealDuration * 30) + TimeSpan.FromSeconds(60);

    public const string Usage =
        "usage: MusterBot.Bench [--rate 1000] [--messages 10000] [--latency-ms 50] [--fraction429 0.01] [--replies 50] [--store redis|memory] [--timeout-s 0]\n" +
        "       MusterBot.Bench --scenario checkin [--members 10000] [--regions 10] [--press-rate 0] [--latency-ms 0] [--rate 1000] [--store redis|memory] [--timeout-s 0]";

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new BenchOptions();
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
                _ => throw new ArgumentException($"Unknown option {name}.\n{Usage}"),
            };
        }

        if (options.LatencyMs < 0 || options.Replies < 0 || options.Fraction429 is < 0 or > 1)
        {
            throw new ArgumentException($"--latency-ms and --replies must be ≥ 0, --fraction429 within 0..1.\n{Usage}");
        }

        if (options.Rate > 1000)
        {
            throw new ArgumentException("--rate must be at most 1000 (Sender:GlobalPerSecond is validated to that range).");
        }

        return options;
    }

    private static double Positive(string name, double value) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be positive.\n{Usage}");

    /// <summary>checkin measures the bot's own pipeline: no simulated latency unless --latency-ms follows.</summary>
    private static BenchOptions ParseScenario(BenchOptions options, string value) => value.ToUpperInvariant() switch
    {
        "FANOUT" => options with { Scenario = Scenario.FanOut },
        "CHECKIN" => options with { Scenario = Scenario.CheckIn, LatencyMs = 0, Fraction429 = 0 },
        _ => throw new ArgumentException($"--scenario is fanout or checkin, not {value}.\n{Usage}"),
    };

    private static StoreKind ParseStore(string value) => value.ToUpperInvariant() switch
    {
        "REDIS" => StoreKind.Redis,
        "MEMORY" => StoreKind.Memory,
        _ => throw new ArgumentException($"--store is redis or memory, not {value}.\n{Usage}"),
    };
}
