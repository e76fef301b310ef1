using Microsoft.Extensions.Options;
using MusterBot.Host.Configuration;
using Telegram.Bot;
using Telegram.Bot.Exceptions;

namespace MusterBot.Host.Intake;

/// <summary>In Webhook mode, registers the webhook (with its secret) at start; pending updates are never dropped.</summary>
public sealed partial class WebhookRegistrar(
    ITelegramBotClient client,
    IOptions<TelegramOptions> options,
    TimeProvider timeProvider,
    ILogger<WebhookRegistrar> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await client.SetWebhook(
                    options.Value.WebhookUrl!.ToString(),
                    secretToken: options.Value.WebhookSecret,
                    maxConnections: 40,
                    allowedUpdates: PollingIntake.AllowedUpdates,
                    dropPendingUpdates: false,
                    cancellationToken: stoppingToken).ConfigureAwait(false);
                LogRegistered(logger, options.Value.WebhookUrl.Host);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (RequestException ex)
            {
                LogFailed(logger, ex);
                await Task.Delay(delay, timeProvider, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
            }
        }
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Webhook registered at host {Host}")]
    private static partial void LogRegistered(ILogger logger, string host);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "setWebhook failed; retrying")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
