using System.Globalization;

namespace MusterBot.Bench.Chaos;

/// <summary>Settings of <c>MusterBot.Bench chaos</c>; the defaults are issue #13's full run.</summary>
public sealed record ChaosOptions
{
    /// <summary>Members called to the real muster (each checks in by pressing the order's button).</summary>
    public int Members { get; init; } = 2_000;

    /// <summary>Regions, one convenor each.</summary>
    public int Regions { get; init; } = 20;

    /// <summary>SIGKILLs of the host during the muster phase (each followed by a restart).</summary>
    public int Kills { get; init; } = 20;

    /// <summary>SIGKILLs (and restarts) of redis-server during the muster phase.</summary>
    public int RedisKills { get; init; } = 5;

    /// <summary>Odd and malformed updates of the fuzz phase.</summary>
    public int Fuzz { get; init; } = 10_000;

    /// <summary>Fuzz updates injected per second.</summary>
    public double FuzzRate { get; init; } = 100;

    /// <summary>
    /// The deepest nesting of a fuzz update's "entities" (the whole update is 3 levels deeper). Telegram never nests an
    /// update deeply; JSON readers refuse more than 64 levels by default.
    /// </summary>
    public int MaxDepth { get; init; } = 58;

    /// <summary>redis-server's appendfsync: always (no acknowledged write is lost by a SIGKILL) or everysec.</summary>
    public string Fsync { get; init; } = "always";

    /// <summary>Sender:GlobalPerSecond of the host.</summary>
    public double Rate { get; init; } = 100;

    /// <summary>Sender:MaxInFlight of the host: the per-crash bound on duplicate sends.</summary>
    public int MaxInFlight { get; init; } = 16;

    /// <summary>Seed of every random choice (kill moments, fuzz).</summary>
    public int Seed { get; init; } = 13;

    /// <summary>Give up the muster phase after this long.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(25);

    public const string Usage =
        "usage: MusterBot.Bench chaos [--members 2000] [--regions 20] [--kills 20] [--redis-kills 5] [--fuzz 10000] [--fuzz-rate 100] [--max-depth 58]\n" +
        "                             [--fsync always|everysec] [--rate 100] [--max-in-flight 16] [--seed 13] [--timeout-s 1500]";

    public static ChaosOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new ChaosOptions();
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
                "--members" => options with { Members = AtLeast(name, Int(value), 1) },
                "--regions" => options with { Regions = AtLeast(name, Int(value), 1) },
                "--kills" => options with { Kills = AtLeast(name, Int(value), 0) },
                "--redis-kills" => options with { RedisKills = AtLeast(name, Int(value), 0) },
                "--fuzz" => options with { Fuzz = AtLeast(name, Int(value), 0) },
                "--fuzz-rate" => options with { FuzzRate = double.Parse(value, CultureInfo.InvariantCulture) is > 0 and var r ? r : throw new ArgumentException("--fuzz-rate must be positive.") },
                "--max-depth" => options with { MaxDepth = AtLeast(name, Int(value), 11) },
                "--fsync" => options with { Fsync = value is "always" or "everysec" ? value : throw new ArgumentException($"--fsync is always or everysec, not {value}.\n{Usage}") },
                "--rate" => options with { Rate = double.Parse(value, CultureInfo.InvariantCulture) is > 0 and <= 1000 and var g ? g : throw new ArgumentException("--rate must be within (0, 1000].") },
                "--max-in-flight" => options with { MaxInFlight = AtLeast(name, Int(value), 1) },
                "--seed" => options with { Seed = Int(value) },
                "--timeout-s" => options with { Timeout = TimeSpan.FromSeconds(AtLeast(name, Int(value), 10)) },
                _ => throw new ArgumentException($"Unknown option {name}.\n{Usage}"),
            };
        }

        return options with { Regions = Math.Min(options.Regions, options.Members) };
    }

    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    private static int AtLeast(string name, int value, int min) =>
        value >= min ? value : throw new ArgumentException($"{name} must be at least {min}.\n{Usage}");
}
