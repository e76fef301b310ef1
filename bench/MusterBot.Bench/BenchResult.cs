using System.Globalization;
using System.Text;

namespace MusterBot.Bench;

/// <summary>The figures of one run and their printed forms.</summary>
public sealed record BenchResult
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public required BenchOptions Options { get; init; }

    /// <summary>How long the commit of N outbox messages took (all --fanout-shards commits).</summary>
    public TimeSpan CommitTime { get; init; }

    /// <summary>From the start of the commit to the emulator receiving the last fan-out message.</summary>
    public TimeSpan FanOutTime { get; init; }

    /// <summary>The fan-out split into lead-in, steady window and retry tail (null when nothing was received).</summary>
    public SteadyState? Steady { get; init; }

    /// <summary>From the start of the commit to the first answered fan-out call (commit, claim, one round trip).</summary>
    public TimeSpan? LeadIn { get; init; }

    /// <summary>From the start of the commit until the outbox was empty and every reply had come.</summary>
    public TimeSpan DrainTime { get; init; }

    public bool TimedOut { get; init; }

    public long Received { get; init; }

    public long Lost { get; init; }

    public long Duplicates { get; init; }

    /// <summary>sendMessage calls the emulator received (fan-out, retries and replies).</summary>
    public long SendRequests { get; init; }

    public long TooManyRequests { get; init; }

    public long RecordsSent { get; init; }

    public long RecordsFailed { get; init; }

    /// <summary>Fan-out messages whose delivery record shows more than one attempt (transient failures only).</summary>
    public long RecordsRetried { get; init; }

    public IReadOnlyList<TimeSpan> ReplyDelays { get; init; } = [];

    public int RepliesMissing { get; init; }

    public int RepliesAfterFanOut { get; init; }

    /// <summary>CPU of this process (host + emulator + harness) over the run.</summary>
    public TimeSpan Cpu { get; init; }

    public TimeSpan? RedisCpu { get; init; }

    public long PeakWorkingSet { get; init; }

    public long? RedisPeakMemory { get; init; }

    public IReadOnlyDictionary<string, int> Logs { get; init; } = new Dictionary<string, int>();

    /// <summary>End to end: N ÷ (start of the commit → the emulator accepting the last fan-out message).</summary>
    public double AchievedRate => Options.Messages / FanOutTime.TotalSeconds;

    public double Share => AchievedRate / Options.Rate;

    /// <summary>Steady state: see <see cref="SteadyState"/>.</summary>
    public double? SteadyShare => Steady is { } s ? s.Rate / Options.Rate : null;

    public double? SteadyCallShare => Steady is { } s ? s.CallRate / Options.Rate : null;

    public double CpuPerThousand => Cpu.TotalSeconds / (Options.Messages / 1000.0);

    public double? RedisCpuPerThousand => RedisCpu?.TotalSeconds / (Options.Messages / 1000.0);

    public TimeSpan? ReplyP50 => Percentile(0.50);

    public TimeSpan? ReplyP99 => Percentile(0.99);

    public TimeSpan? ReplyMax => ReplyDelays.Count == 0 ? null : ReplyDelays.Max();

    public bool RateGoalMet => Share >= 0.95;

    public bool SteadyGoalMet => SteadyShare >= 0.95;

    public bool ReplyGoalMet => RepliesMissing == 0 && ReplyP99 is { } p99 && p99 < TimeSpan.FromSeconds(1);

    public static string MarkdownHeader =>
        "| store | limit/s | messages | fan-out s = lead-in + steady + tail | end to end: achieved/s (share) | steady state: fan-out accepted/s (share) | steady: all calls/s (share) | 429s (sendMessage calls) | reply p50 / p99 / max s | lost | dup | CPU s / 1,000 (bot; redis) | peak WS MB (redis peak MB) |\n" +
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    public string MarkdownRow => string.Format(
        Inv,
        "| {0} | {1:0.##} | {2:N0} | {3} | {4:0.0} ({5:P1}) | {6} | {7} | {8} ({9:N0}) | {10} / {11} / {12} | {13} | {14} | {15:0.000}; {16} | {17:0} ({18}) |",
        Options.Store.ToString().ToLowerInvariant(),
        Options.Rate,
        Options.Messages,
        Steady is { } s && LeadIn is { } lead
            ? string.Format(Inv, "{0:0.00} = {1:0.00} + {2:0.00} + {3:0.00}", FanOutTime.TotalSeconds, lead.TotalSeconds, s.Window.TotalSeconds, s.Tail.TotalSeconds)
            : FanOutTime.TotalSeconds.ToString("0.00", Inv),
        AchievedRate,
        Share,
        Steady is { } s1 ? string.Format(Inv, "{0:0.0} ({1:P1})", s1.Rate, SteadyShare) : "–",
        Steady is { } s2 ? string.Format(Inv, "{0:0.0} ({1:P1})", s2.CallRate, SteadyCallShare) : "–",
        TooManyRequests,
        SendRequests,
        Seconds(ReplyP50),
        Seconds(ReplyP99),
        Seconds(ReplyMax),
        Lost,
        Duplicates,
        CpuPerThousand,
        RedisCpuPerThousand is { } r ? r.ToString("0.000", Inv) : "–",
        PeakWorkingSet / 1048576.0,
        RedisPeakMemory is { } m ? (m / 1048576.0).ToString("0", Inv) : "–");

    public string Table()
    {
        var o = Options;
        var b = new StringBuilder();
        void Row(string name, string value, string? goal = null) =>
            b.AppendLine(string.Format(Inv, "  {0,-44} {1,-28} {2}", name, value, goal ?? string.Empty));

        b.AppendLine(string.Format(
            Inv,
            "MusterBot fan-out benchmark: {0:N0} messages, limit {1:0.##}/s, latency {2} ms, {3:P1} injected 429s, {4} replies, store {5}, Sender:MaxInFlight {6}",
            o.Messages, o.Rate, o.LatencyMs, o.Fraction429, o.Replies, o.Store.ToString().ToLowerInvariant(), o.MaxInFlight));
        Row("commit of the fan-out", Ms(CommitTime));
        Row("fan-out (commit → last received)", string.Format(Inv, "{0:0.00} s (ideal {1:0.00} s)", FanOutTime.TotalSeconds, o.IdealDuration.TotalSeconds));
        Row("end to end: achieved rate", string.Format(Inv, "{0:0.0}/s = {1:P1} of the limit", AchievedRate, Share), Goal(RateGoalMet, "goal ≥ 95%"));
        if (Steady is { } s)
        {
            Row("lead-in (commit → first answer)", Seconds(LeadIn) + " s");
            Row("steady window (first → last first attempt)", string.Format(Inv, "{0:0.000} s, measured {1:0.000} s (first {2:0} s left out)", s.Window.TotalSeconds, s.Measured.TotalSeconds, s.Skipped.TotalSeconds));
            Row("steady state: fan-out accepted", string.Format(Inv, "{0:0.0}/s = {1:P1} of the limit", s.Rate, SteadyShare), Goal(SteadyGoalMet, "goal ≥ 95%"));
            Row("  whole window, first second included", string.Format(Inv, "{0:0.0}/s = {1:P1} of the limit", s.FullRate, s.FullRate / o.Rate));
            Row("steady state: all sendMessage calls", string.Format(Inv, "{0:0.0}/s = {1:P1} of the limit", s.CallRate, SteadyCallShare));
            Row("  of them accepted (fan-out + replies)", string.Format(Inv, "{0:0.0}/s = {1:P1} of the limit", s.AcceptedCallRate, s.AcceptedCallRate / o.Rate));
            Row("  fan-out 200 / replies 200 / 429 / other", string.Format(Inv, "{0:N0} / {1:N0} / {2:N0} / {3:N0} of {4:N0}", s.FanOutCallsAccepted, s.OtherAccepted, s.TooManyRequests, s.Calls - s.FanOutCallsAccepted - s.OtherAccepted - s.TooManyRequests, s.Calls));
            Row("  calls answered in each second of the window", string.Join(' ', s.CallsPerSecond));
            Row("bot's stamp after the emulator's p50 / p99", string.Format(Inv, "{0:0.0} / {1:0.0} ms (accepted first attempts)", s.StampLagP50.TotalMilliseconds, s.StampLagP99.TotalMilliseconds));
            Row("refusal → retry accepted p50 / max", string.Format(Inv, "{0:0.000} / {1:0.000} s (retry_after 1 s + wait in the outbox + round trip)", s.RetryDelayP50.TotalSeconds, s.RetryDelayMax.TotalSeconds));
            Row("retry tail (last first attempt → last)", string.Format(Inv, "{0:0.000} s: {1} retries accepted in it", s.Tail.TotalSeconds, s.AcceptedInTail));
            Row("429s: fan-out first / fan-out retry / replies", string.Format(Inv, "{0} / {1} / {2}", s.FirstAttemptsRefused, s.RetriesRefused, s.OthersRefused));
        }

        Row("429s given by the emulator", string.Format(Inv, "{0} of {1:N0} sendMessage calls", TooManyRequests, SendRequests));
        Row("reply queue delay p50 / p99 / max", string.Format(Inv, "{0} / {1} / {2} s", Seconds(ReplyP50), Seconds(ReplyP99), Seconds(ReplyMax)), Goal(ReplyGoalMet, "goal p99 < 1 s"));
        Row("replies answered", string.Format(Inv, "{0} of {1} ({2} after the fan-out ended)", ReplyDelays.Count, o.Replies, RepliesAfterFanOut));
        Row("fan-out received / lost / duplicates", string.Format(Inv, "{0:N0} / {1} / {2}", Received, Lost, Duplicates), Goal(Lost == 0, "lost must be 0"));
        Row("delivery records sent / failed", string.Format(Inv, "{0:N0} / {1} ({2} retried after transient errors)", RecordsSent, RecordsFailed, RecordsRetried));
        Row("CPU s per 1,000 messages", string.Format(Inv, "{0:0.000} bot process{1}", CpuPerThousand, RedisCpuPerThousand is { } r ? string.Format(Inv, " + {0:0.000} redis-server", r) : string.Empty));
        Row("CPU s total", string.Format(Inv, "{0:0.00} in {1:0.00} s wall", Cpu.TotalSeconds, DrainTime.TotalSeconds));
        Row("peak working set", string.Format(Inv, "{0:0} MB{1}", PeakWorkingSet / 1048576.0, RedisPeakMemory is { } m ? string.Format(Inv, " (redis used_memory_peak {0:0} MB)", m / 1048576.0) : string.Empty));
        if (TimedOut)
        {
            Row("TIMED OUT", string.Format(Inv, "after {0:0} s: the outbox did not drain", o.Timeout.TotalSeconds));
        }

        foreach (var (key, n) in Logs)
        {
            Row("log " + key, n.ToString(Inv));
        }

        return b.ToString();
    }

    private TimeSpan? Percentile(double p)
    {
        if (ReplyDelays.Count == 0)
        {
            return null;
        }

        // Nearest rank: with 50 samples p99 is the largest.
        var sorted = ReplyDelays.Order().ToList();
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static string Goal(bool met, string goal) => (met ? "met   " : "NOT met") + " (" + goal + ")";

    private static string Seconds(TimeSpan? t) => t is { } v ? v.TotalSeconds.ToString("0.000", Inv) : "–";

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", Inv) + " ms";
}
