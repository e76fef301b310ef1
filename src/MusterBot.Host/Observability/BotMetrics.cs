using System.Diagnostics.Metrics;

namespace MusterBot.Host.Observability;

/// <summary>
/// The bot's instruments (meter <c>MusterBot</c>), recorded where things happen and exported by OpenTelemetry
/// (Prometheus at <c>/metrics</c>, or OTLP): see docs/operations.md#metrics for the names, the scrape configuration, the
/// dashboard and the alerts. Gauges that need the store (outbox depth and age, overdue timers, open musters, Redis round
/// trip) are read by <see cref="StoreSampler"/> every few seconds, not at each scrape.
/// </summary>
public sealed class BotMetrics
{
    public const string MeterName = "MusterBot";

    /// <summary>Bucket bounds in seconds for every duration (the SDK's default bounds are meant for milliseconds).</summary>
    public static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    };

    private readonly Counter<long> _updatesReceived;
    private readonly Counter<long> _updatesHandled;
    private readonly Counter<long> _updatesDropped;
    private readonly Histogram<double> _handleSeconds;
    private readonly Counter<long> _sends;
    private readonly Histogram<double> _commitToSendSeconds;
    private readonly Counter<long> _timersFired;
    private readonly Histogram<double> _timerLagSeconds;
    private readonly Counter<long> _checkIns;

    public BotMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _updatesReceived = meter.CreateCounter<long>("musterbot.updates.received", "{update}", "Updates taken in (getUpdates or webhook).");
        _updatesHandled = meter.CreateCounter<long>("musterbot.updates.handled", "{update}", "Updates decided and committed (outcome: handled, duplicate).");
        _updatesDropped = meter.CreateCounter<long>("musterbot.updates.dropped", "{update}", "Updates not handled (reason: kind, flood, unreadable, failed).");
        _handleSeconds = meter.CreateHistogram<double>("musterbot.update.duration", "s", "From taking an update in to its commit.", advice: Seconds);
        _sends = meter.CreateCounter<long>("musterbot.sends", "{call}", "Bot API calls of the sender by outcome (sent, superseded, retry_after, unreachable, server_error, transport, failed).");
        _commitToSendSeconds = meter.CreateHistogram<double>("musterbot.send.delay", "s", "From a message's commit to the Bot API's answer that it was sent.", advice: Seconds);
        _timersFired = meter.CreateCounter<long>("musterbot.timers.fired", "{timer}", "Due timers delivered into the flows.");
        _timerLagSeconds = meter.CreateHistogram<double>("musterbot.timer.lag", "s", "How late a timer fired after it was due.", advice: Seconds);
        _checkIns = meter.CreateCounter<long>("musterbot.checkins", "{press}", "Check-in button presses taken in (a muster's members answering).");
        meter.CreateObservableGauge("musterbot.outbox.depth", () => Sample.Depth, "{message}", "Messages in the outbox per lane (sampled).");
        meter.CreateObservableGauge("musterbot.outbox.age", () => Sample.Age, "s", "Age of the oldest message in the outbox per lane (sampled).");
        meter.CreateObservableGauge("musterbot.timers.overdue", () => new Measurement<double>(Sample.TimerLag), "s", "How long the earliest due timer not yet fired has been due (sampled; 0: none).");
        meter.CreateObservableGauge("musterbot.musters.active", () => Sample.Musters, "{muster}", "Open musters (sampled): scope=community counts each community's muster, a street's or city's muster once per community taking part; scope=tree counts the street, district and city musters.");
        meter.CreateObservableGauge("musterbot.redis.rtt", () => new Measurement<double>(Sample.RedisSeconds), "s", "Round trip of a ping to the store (sampled; -1 while it does not answer).");
        meter.CreateObservableGauge("musterbot.poller.leader", () => new Measurement<int>(IsPoller ? 1 : 0), "1", "1 while this instance holds the poller's lease.");
    }

    /// <summary>The latest reading of the store (written by <see cref="StoreSampler"/>).</summary>
    public StoreSample Sample { get; set; } = StoreSample.Empty;

    /// <summary>Set by the polling intake while it holds the poller's lease.</summary>
    public bool IsPoller { get; set; }

    /// <summary>The <c>lane</c> tag's value.</summary>
    public static string LaneName(MusterBot.State.Outbox.Lane lane) => lane switch
    {
        MusterBot.State.Outbox.Lane.Emergency => "emergency",
        MusterBot.State.Outbox.Lane.Reply => "reply",
        MusterBot.State.Outbox.Lane.Normal => "normal",
        MusterBot.State.Outbox.Lane.Answer => "answer",
        _ => "other",
    };

    public void UpdateReceived(int count = 1) => _updatesReceived.Add(count);

    public void UpdateHandled(bool duplicate, TimeSpan took)
    {
        _updatesHandled.Add(1, new KeyValuePair<string, object?>("outcome", duplicate ? "duplicate" : "handled"));
        _handleSeconds.Record(took.TotalSeconds);
    }

    public void UpdateDropped(string reason) => _updatesDropped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Sent(string outcome, string lane) =>
        _sends.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("lane", lane));

    public void SendDelay(TimeSpan sinceCommit, string lane) => _commitToSendSeconds.Record(Math.Max(0, sinceCommit.TotalSeconds), new KeyValuePair<string, object?>("lane", lane));

    public void TimerFired(TimeSpan lag)
    {
        _timersFired.Add(1);
        _timerLagSeconds.Record(Math.Max(0, lag.TotalSeconds));
    }

    public void CheckIn() => _checkIns.Add(1);
}

/// <summary>One reading of the store for the sampled gauges.</summary>
public sealed record StoreSample(IReadOnlyList<Measurement<long>> Depth, IReadOnlyList<Measurement<double>> Age, double TimerLag, double RedisSeconds)
{
    public static StoreSample Empty { get; } = new([], [], 0, -1);

    /// <summary>Open musters by <c>scope</c> (community, tree).</summary>
    public IReadOnlyList<Measurement<long>> Musters { get; init; } = [];
}
