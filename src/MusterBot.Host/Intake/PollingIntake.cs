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
    /// Polls until <paramref name="term"/> ends (shutdown or the lease lost). A batch already fetched is handled to the
    /// end unless the lease is lost (<paramref name="lost"/>): on shutdown its commits finish.
    /// </summary>
    private async Task PollAsync(CancellationToken term, CancellationToken lost)
    {
        var pollSeconds = (int)telegramOptions.Value.PollTimeout.TotalSeconds;
        var retryDelay = _options.RetryDelay;
        var delay = retryDelay;
        int? offset = null;
        var webhookRemoved = false;

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

                var request = new GetRawUpdatesRequest { Offset = offset, Limit = 100, Timeout = pollSeconds, AllowedUpdates = AllowedUpdates };
                var batch = await client.SendRequest(request, term).ConfigureAwait(false);
                foreach (var unreadable in batch.Unreadable)
                {
                    metrics.UpdateReceived();
                    metrics.UpdateDropped("unreadable");
                    LogUnreadable(logger, unreadable.UpdateId, unreadable.Problem);
                }

                if (batch.Updates.Count > 0)
                {
                    await dispatcher.DispatchBatchAsync(batch.Updates, lost).ConfigureAwait(false);
                }

                if (batch.LastId is { } last)
                {
                    offset = last + 1;
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
