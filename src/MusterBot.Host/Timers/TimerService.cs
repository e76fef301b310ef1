using Microsoft.Extensions.Options;
using MusterBot.Flows.Events;
using MusterBot.Host.Intake;
using MusterBot.State;

namespace MusterBot.Host.Timers;

/// <summary>
/// Fires persisted timers: reads the due-time index (time from <see cref="TimeProvider"/>), and delivers each due
/// timer into the flows as an ordinary event, in order with the person's updates (the system's timers in order per
/// shard; different people and shards concurrently). The commit of that event consumes
/// the timer, so a timer fires once even across crashes (a claimed but unconsumed timer comes back after its lease).
/// </summary>
public sealed partial class TimerService(
    IStateStore store,
    UpdateDispatcher dispatcher,
    Observability.BotMetrics metrics,
    IOptions<TimerOptions> options,
    TimeProvider timeProvider,
    ILogger<TimerService> logger) : BackgroundService
{
    /// <summary>How long the timers claimed at a stop (SIGTERM) may take to be decided and committed.</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A claimed batch is decided to the end at a stop (within ShutdownGrace): a timer cut off would wait for its lease.
        using var stopped = new CancellationTokenSource();
        var drain = stopped.Token;
        await using var onStop = stoppingToken.Register(() => stopped.CancelAfter(ShutdownGrace)).ConfigureAwait(false);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = await store.ClaimDueTimersAsync(100, options.Value.Lease, drain).ConfigureAwait(false);

                // A person's timers in order with each other; the system's by shard (the links of a street's or city's
                // muster in 1,530 communities run side by side, bounded by the dispatcher's concurrency).
                await Task.WhenAll(due.GroupBy(t => UpdateDispatcher.TimerOrderingKey(t.UserId, t.Shard)).Select(async group =>
                {
                    foreach (var timer in group)
                    {
                        metrics.TimerFired(timeProvider.GetUtcNow() - timer.DueAt);
                        await dispatcher.DispatchTimerAsync(new TimerFired(timer.UserId, timer.Id, timer.Payload, timer.Shard), drain).ConfigureAwait(false);
                    }
                })).ConfigureAwait(false);

                if (due.Count == 0)
                {
                    await Task.Delay(options.Value.PollInterval, timeProvider, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested || drain.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // Timers must keep firing after a store outage or a failing flow.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogFailed(logger, ex);
                try
                {
                    await Task.Delay(options.Value.PollInterval, timeProvider, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "Firing timers failed; retrying")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
