using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Musters;
using MusterBot.State;
using MusterBot.State.Gauges;
using MusterBot.State.Records;

namespace MusterBot.Host.Observability;

/// <summary>
/// Reads the store's gauges every <see cref="MetricsOptions.SampleInterval"/>: outbox depth and the age of the oldest
/// ready message per lane, the earliest overdue timer, the open musters (the sizes of the sets of open musters over
/// every shard with work: a community's and a street's or city's), and a ping's round trip. A failed reading leaves the
/// last depth, age and musters and sets the round trip to -1 (the "Redis down" alert).
/// </summary>
public sealed partial class StoreSampler(
    IStateStore store,
    BotMetrics metrics,
    IOptions<MetricsOptions> options,
    TimeProvider timeProvider,
    ILogger<StoreSampler> logger) : BackgroundService
{
    /// <summary>The sets of open musters, in each shard: a community's (<c>scope</c> community) and a street's, district's or city's (tree).</summary>
    private static readonly string[] OpenMusterSets = [Sets.OpenMusters, MusterFlow.OpenTreeMusters];

    private static readonly string[] MusterScopes = ["community", "tree"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failedBefore = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var started = timeProvider.GetTimestamp();
                await store.PingAsync(stoppingToken).ConfigureAwait(false);
                var rtt = timeProvider.GetElapsedTime(started).TotalSeconds;
                var sample = metrics.Sample with { RedisSeconds = rtt };
                if (store is IStoreGauges gauges)
                {
                    var reading = await gauges.ReadGaugesAsync(stoppingToken).ConfigureAwait(false);
                    var open = await gauges.CountSetsAsync(OpenMusterSets, stoppingToken).ConfigureAwait(false);
                    var now = timeProvider.GetUtcNow();
                    sample = new StoreSample(
                        [.. reading.Depth.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("lane", BotMetrics.LaneName(d.Key))))],
                        [.. reading.Depth.Keys.Select(lane => new Measurement<double>(
                            reading.OldestReady.TryGetValue(lane, out var at) ? Math.Max(0, (now - at).TotalSeconds) : 0,
                            new KeyValuePair<string, object?>("lane", BotMetrics.LaneName(lane))))],
                        reading.OldestTimerDue is { } due ? Math.Max(0, (now - due).TotalSeconds) : 0,
                        rtt)
                    {
                        Musters = [.. open.Select((count, i) => new Measurement<long>(count, new KeyValuePair<string, object?>("scope", MusterScopes[i])))],
                    };
                }

                metrics.Sample = sample;
                failedBefore = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // A gauge reading must never stop the service: the store is down, say so.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                metrics.Sample = metrics.Sample with { RedisSeconds = -1 };
                if (!failedBefore)
                {
                    LogFailed(logger, ex);
                    failedBefore = true;
                }
            }

            try
            {
                await Task.Delay(options.Value.SampleInterval, timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Reading the store's gauges failed; the Redis round trip reads -1 until it answers")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
