using Microsoft.Extensions.Options;
using MusterBot.Host.BotApi;
using MusterBot.Host.Configuration;
using MusterBot.State.Leases;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace MusterBot.Host.Intake;

/// <summary>
/// Long polling through Telegram.Bot (not its receivers, which confirm an update before handling it). The offset
/// moves past a batch only after every update in it was handled and committed (Telegram confirms an update when
/// getUpdates is next called with a greater offset), so a crash re-delivers instead of losing; re-delivered updates
/// are recognised by update_id and not applied twice. Each update is parsed on its own: one that Telegram.Bot's types
/// cannot read is logged with its id and skipped, and the rest of the batch goes on.
/// </summary>
/// <remarks>
/// With several instances on one store exactly one polls: the holder of the <see cref="PollerLeaseName"/> lease in the
/// store. It extends the lease every third of <see cref="IntakeOptions.PollerLease"/>; when an extension fails or finds
/// another owner, it stops polling at once (the batch it is handling is finished: commits are atomic and marked with
/// their update_id, so an update the next poller gets again is not applied twice). The others try to take the lease
/// every <see cref="IntakeOptions.PollerRetry"/>. On shutdown the lease is given back, so the next takes over at once.
/// </remarks>
public sealed partial class PollingIntake(
    ITelegramBotClient client,
    UpdateDispatcher dispatcher,
    ILeaseStore leases,
    InstanceIdentity instance,
    Observability.BotMetrics metrics,
    IOptions<TelegramOptions> telegramOptions,
    IOptions<IntakeOptions> intakeOptions,
    TimeProvider timeProvider,
    ILogger<PollingIntake> logger) : BackgroundService
{
    /// <summary>The store's lease that names the one instance that polls.</summary>
    public const string PollerLeaseName = "poller";

    /// <summary>The update kinds the bot asks for (others are not even sent).</summary>
    public static IReadOnlyList<UpdateType> AllowedUpdates { get; } = [UpdateType.Message, UpdateType.CallbackQuery, UpdateType.MyChatMember];

    private readonly IntakeOptions _options = intakeOptions.Value;

    /// <summary>True while this instance holds the poller's lease (for health and tests).</summary>
    public bool IsPoller { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var waitingLogged = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!await TryLeadAsync(stoppingToken).ConfigureAwait(false))
                {
                    if (!waitingLogged)
                    {
                        LogFollowing(logger, instance.Id);
                        waitingLogged = true;
                    }

                    await Task.Delay(_options.PollerRetry, timeProvider, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                waitingLogged = false;
                IsPoller = true;
                metrics.IsPoller = true;
                LogLeading(logger, instance.Id);
                using var lost = new CancellationTokenSource();
                using var term = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lost.Token);
                var keeping = KeepLeaseAsync(lost, term.Token);
                try
                {
                    await PollAsync(term.Token, lost.Token).ConfigureAwait(false);
                }
                finally
                {
                    IsPoller = false;
                    metrics.IsPoller = false;
                    await term.CancelAsync().ConfigureAwait(false);
                    await keeping.ConfigureAwait(false);
                }

                if (lost.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
                {
                    LogLeaseLost(logger, instance.Id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await GiveBackAsync().ConfigureAwait(false);
        }
    }

    private async Task<bool> TryLeadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await leases.TryAcquireLeaseAsync(PollerLeaseName, instance.Id, _options.PollerLease, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLeaseFailed(logger, ex);
            return false;
        }
    }

    /// <summary>
    /// Extends the lease every third of its time; cancels <paramref name="lost"/> when another owner has it or when no
    /// extension succeeded for longer than the lease minus one renewal period (it may have ended by then).
    /// </summary>
    private async Task KeepLeaseAsync(CancellationTokenSource lost, CancellationToken term)
    {
        var period = _options.PollerLease / 3;
        var heldUntil = timeProvider.GetUtcNow() + _options.PollerLease;
        try
        {
            while (!term.IsCancellationRequested)
            {
                await Task.Delay(period, timeProvider, term).ConfigureAwait(false);
                var askedAt = timeProvider.GetUtcNow();
                try
                {
                    if (!await leases.TryAcquireLeaseAsync(PollerLeaseName, instance.Id, _options.PollerLease, term).ConfigureAwait(false))
                    {
                        await lost.CancelAsync().ConfigureAwait(false);
                        return;
                    }

                    heldUntil = askedAt + _options.PollerLease;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogLeaseFailed(logger, ex);
                    if (timeProvider.GetUtcNow() + period >= heldUntil)
                    {
                        await lost.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested)
        {
        }
    }

    private async Task GiveBackAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (await leases.ReleaseLeaseAsync(PollerLeaseName, instance.Id, timeout.Token).ConfigureAwait(false))
            {
                LogLeaseReleased(logger, instance.Id);
            }
        }
#pragma warning disable CA1031 // Shutting down: a lease not given back ends by itself after PollerLease.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogLeaseFailed(logger, ex);
        }
    }

    /// <summary>
    /// Polls until <paramref name="term"/> ends (shutdown or the lease lost). Updates fetched are handled to the end unless
    /// the lease is lost (<paramref name="lost"/>): on shutdown their commits finish.
    /// </summary>
    /// <remarks>
    /// A sliding window: the next getUpdates does not wait for the whole batch before it. Its offset is the lowest update
    /// still being handled (Telegram confirms only the updates below the offset), so nothing is confirmed before it is
    /// committed; what comes back again of the updates under way or done above it is recognised by id and not handed in
    /// twice. While updates are under way the poll does not wait (timeout 0), and a fetch that brought nothing new waits
    /// for the oldest of them. When an update fails, the window settles and polling starts again from it (the updates
    /// after it that were committed come back and are recognised as handled).
    /// </remarks>
    private async Task PollAsync(CancellationToken term, CancellationToken lost)
    {
        var pollSeconds = (int)telegramOptions.Value.PollTimeout.TotalSeconds;
        var retryDelay = _options.RetryDelay;
        var delay = retryDelay;
        int? offset = null;
        int? lastHandedIn = null;
        var window = new SortedDictionary<int, Task>();
        var webhookRemoved = false;

        try
        {
            while (!term.IsCancellationRequested)
            {
                try
                {
                    if (!webhookRemoved)
                    {
                        // getUpdates does not work while a webhook is set; pending updates are kept (never dropped).
                        await client.DeleteWebhook(dropPendingUpdates: false, term).ConfigureAwait(false);
                        webhookRemoved = true;
                        LogStarted(logger, pollSeconds);
                    }

                    // The updates handled at the front of the window may be confirmed.
                    while (window.Count > 0 && window.First() is { Value.IsCompleted: true } front)
                    {
                        if (!front.Value.IsCompletedSuccessfully)
                        {
                            // It and everything after it come again once the window has settled.
                            await SettleAsync(window).ConfigureAwait(false);
                            window.Clear();
                            offset = front.Key;
                            lastHandedIn = front.Key - 1;
                            await front.Value.ConfigureAwait(false);
                        }

                        window.Remove(front.Key);
                    }

                    if (window.Count == 0 && lastHandedIn is { } handedIn)
                    {
                        offset = handedIn + 1;
                    }

                    var request = new GetRawUpdatesRequest
                    {
                        Offset = window.Count > 0 ? window.First().Key : offset,
                        Limit = 100,
                        Timeout = window.Count > 0 ? 0 : pollSeconds,
                        AllowedUpdates = AllowedUpdates,
                    };
                    // What was handed in already comes back (the offset is the oldest under way): it is only stepped over.
                    UpdateBatchConverter.HeldThrough = lastHandedIn;
                    var batch = await client.SendRequest(request, term).ConfigureAwait(false);
                    var known = lastHandedIn;
                    foreach (var unreadable in batch.Unreadable.Where(u => known is null || u.UpdateId is null || u.UpdateId > known))
                    {
                        metrics.UpdateReceived();
                        metrics.UpdateDropped("unreadable");
                        LogUnreadable(logger, unreadable.UpdateId, unreadable.Problem);
                    }

                    var fresh = batch.Updates.Where(u => known is null || u.Id > known).ToList();
                    if (fresh.Count > 0)
                    {
                        foreach (var (updateId, handled) in dispatcher.StartBatch(fresh, lost))
                        {
                            window[updateId] = handled;
                        }
                    }

                    if (batch.LastId is { } last && (lastHandedIn is null || last > lastHandedIn))
                    {
                        lastHandedIn = last;
                    }

                    if (window.Count > 0)
                    {
                        // Under way: look again when the oldest is handled (or, with a backlog, the oldest quarter of a
                        // full answer), or shortly for what came meanwhile (a little later when this fetch brought nothing
                        // new: the next would bring the same until the oldest is done).
                        var (front, backlog) = FrontToWaitFor(window, lastHandedIn, request.Limit.Value);
                        var wait = fresh.Count == 0 ? WindowIdlePoll : backlog ? WindowFullPoll : WindowPoll;
                        await Task.WhenAny(front.Count == 1 ? front[0] : Task.WhenAll(front), Task.Delay(wait, timeProvider, term)).ConfigureAwait(false);
                    }

                    delay = retryDelay;
                }
                catch (OperationCanceledException) when (term.IsCancellationRequested)
                {
                    break;
                }
                catch (ApiRequestException ex) when (ex.ErrorCode == 429 && ex.Parameters?.RetryAfter is { } retryAfter)
                {
                    LogFlood(logger, retryAfter);
                    if (!await PauseAsync(TimeSpan.FromSeconds(retryAfter), term).ConfigureAwait(false))
                    {
                        break;
                    }
                }
#pragma warning disable CA1031 // The poller must survive any failure: log, back off, poll again (nothing was confirmed).
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    if (ex is ApiRequestException { ErrorCode: 409 })
                    {
                        LogConflict(logger);
                        webhookRemoved = false;
                    }
                    else
                    {
                        LogPollFailed(logger, ex, delay.TotalSeconds);
                    }

                    if (!await PauseAsync(delay, term).ConfigureAwait(false))
                    {
                        break;
                    }

                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                }
            }
        }
        finally
        {
            // Stopping: what was handed in is handled to the end (or cut off with the lease), never confirmed here.
            await SettleAsync(window).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The fewest new updates a getUpdates answer should bring while Telegram holds a backlog. Each answer starts at the
    /// oldest update under way, so it carries again everything the poller holds from there; polling as soon as the
    /// oldest is done brought 17 new updates per answer of 100 on average in the 10,000 check-in burst, and the bot
    /// read each update 5.4–5.7 times. Waiting until the front of the window leaves room for a quarter of an answer
    /// reads each about 2.7 times (docs/benchmarks.md), and keeps at least three quarters of the window busy.
    /// </summary>
    internal const int MinFresh = 25;

    /// <summary>
    /// What the poller waits for before its next getUpdates (or a short timer, whichever is first): the oldest update
    /// under way; or, when the next answer would bring fewer than <see cref="MinFresh"/> new updates (the window spans
    /// more than <paramref name="limit"/> − <see cref="MinFresh"/> ids from its oldest to the last handed in), every
    /// update at its front whose end leaves room for them. Ids that Telegram skipped only make it wait for fewer.
    /// </summary>
    internal static (List<Task> Front, bool Backlog) FrontToWaitFor(SortedDictionary<int, Task> window, int? lastHandedIn, int limit)
    {
        var oldest = window.First();
        var through = (lastHandedIn ?? oldest.Key) - (limit - MinFresh);
        if (oldest.Key > through)
        {
            return ([oldest.Value], false);
        }

        var front = new List<Task>();
        foreach (var (id, handled) in window)
        {
            if (id > through)
            {
                break;
            }

            // One person's updates of one batch share a task.
            if (front.Count == 0 || !ReferenceEquals(front[^1], handled))
            {
                front.Add(handled);
            }
        }

        return (front, true);
    }

    /// <summary>
    /// The most the poller waits for the front of a full window (<see cref="FrontToWaitFor"/>) before it polls anyway
    /// (for the updates that came meanwhile, when a slow update holds the front).
    /// </summary>
    private static readonly TimeSpan WindowFullPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>How soon the poller looks for more updates while earlier ones are under way.</summary>
    private static readonly TimeSpan WindowPoll = TimeSpan.FromMilliseconds(5);

    /// <summary>As <see cref="WindowPoll"/> after a fetch that brought nothing new (the oldest update under way is slow).</summary>
    private static readonly TimeSpan WindowIdlePoll = TimeSpan.FromMilliseconds(50);

    private static async Task SettleAsync(SortedDictionary<int, Task> window)
    {
        foreach (var task in window.Values.Distinct())
        {
            try
            {
                await task.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Waiting only: the failure is handled by the poll loop (the update comes again).
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private async Task<bool> PauseAsync(TimeSpan delay, CancellationToken term)
    {
        try
        {
            await Task.Delay(delay, timeProvider, term).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information, Message = "Instance {Instance} holds the poller's lease: it polls Telegram")]
    private static partial void LogLeading(ILogger logger, string instance);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Information, Message = "Instance {Instance}: another instance polls; taking over when its lease ends")]
    private static partial void LogFollowing(ILogger logger, string instance);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Warning, Message = "Instance {Instance} lost the poller's lease; it stopped polling")]
    private static partial void LogLeaseLost(ILogger logger, string instance);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Warning, Message = "The poller's lease could not be taken or extended (the store did not answer)")]
    private static partial void LogLeaseFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Instance {Instance} gave the poller's lease back")]
    private static partial void LogLeaseReleased(ILogger logger, string instance);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Long polling started (timeout {PollSeconds} s)")]
    private static partial void LogStarted(ILogger logger, int pollSeconds);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Polling or handling a batch failed; retrying in {DelaySeconds} s (nothing was confirmed)")]
    private static partial void LogPollFailed(ILogger logger, Exception exception, double delaySeconds);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "getUpdates answered 409 Conflict: another instance polls this bot, or a webhook is set")]
    private static partial void LogConflict(ILogger logger);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "getUpdates answered 429; waiting {RetryAfterSeconds} s")]
    private static partial void LogFlood(ILogger logger, int retryAfterSeconds);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Update {UpdateId} cannot be read ({Problem}); skipped, the rest of its batch goes on")]
    private static partial void LogUnreadable(ILogger logger, int? updateId, string? problem);
}
