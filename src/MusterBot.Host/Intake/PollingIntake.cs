using Microsoft.Extensions.Options;
using MusterBot.Host.BotApi;
using MusterBot.Host.Configuration;
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
public sealed partial class PollingIntake(
    ITelegramBotClient client,
    UpdateDispatcher dispatcher,
    IOptions<TelegramOptions> telegramOptions,
    IOptions<IntakeOptions> intakeOptions,
    TimeProvider timeProvider,
    ILogger<PollingIntake> logger) : BackgroundService
{
    /// <summary>The update kinds the bot asks for (others are not even sent).</summary>
    public static IReadOnlyList<UpdateType> AllowedUpdates { get; } = [UpdateType.Message, UpdateType.CallbackQuery, UpdateType.MyChatMember];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pollSeconds = (int)telegramOptions.Value.PollTimeout.TotalSeconds;
        var retryDelay = intakeOptions.Value.RetryDelay;
        var delay = retryDelay;
        int? offset = null;
        var webhookRemoved = false;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!webhookRemoved)
                {
                    // getUpdates does not work while a webhook is set; pending updates are kept (never dropped).
                    await client.DeleteWebhook(dropPendingUpdates: false, stoppingToken).ConfigureAwait(false);
                    webhookRemoved = true;
                    LogStarted(logger, pollSeconds);
                }

                var request = new GetRawUpdatesRequest { Offset = offset, Limit = 100, Timeout = pollSeconds, AllowedUpdates = AllowedUpdates };
                var batch = await client.SendRequest(request, stoppingToken).ConfigureAwait(false);
                foreach (var unreadable in batch.Unreadable)
                {
                    LogUnreadable(logger, unreadable.UpdateId, unreadable.Problem);
                }

                if (batch.Updates.Count > 0)
                {
                    await dispatcher.DispatchBatchAsync(batch.Updates, stoppingToken).ConfigureAwait(false);
                }

                if (batch.LastId is { } last)
                {
                    offset = last + 1;
                }

                delay = retryDelay;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (ApiRequestException ex) when (ex.ErrorCode == 429 && ex.Parameters?.RetryAfter is { } retryAfter)
            {
                LogFlood(logger, retryAfter);
                await Task.Delay(TimeSpan.FromSeconds(retryAfter), timeProvider, stoppingToken).ConfigureAwait(false);
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

                try
                {
                    await Task.Delay(delay, timeProvider, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

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
