using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MusterBot.Host.Configuration;
using MusterBot.Host.Delivery;
using MusterBot.Host.Intake;
using MusterBot.Host.BotApi;
using MusterBot.Host.Timers;

namespace MusterBot.Host;

/// <summary>Registers the host's parts: options, the Bot API client, intake, sender, timers, command publishing.</summary>
public static class HostHostingExtensions
{
    public static IHostApplicationBuilder AddMusterBotHost(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<TelegramOptions>().BindConfiguration(TelegramOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelegramOptions>, TelegramOptionsValidator>();
        services.AddOptions<IntakeOptions>().BindConfiguration(IntakeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SenderOptions>().BindConfiguration(SenderOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TimerOptions>().BindConfiguration(TimerOptions.Section).ValidateOnStart();

        // Telegram.Bot's client; its token and address come from the Telegram section (or, in the sandbox, from the emulator).
        services.AddBotApiClient();

        services.AddSingleton<Health.ReadinessProbe>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxExecutor>();
        services.AddSingleton<UpdateDispatcher>();
        services.AddHostedService<OutboxSender>();
        services.AddHostedService<TimerService>();
        services.AddHostedService<CommandPublisher>();

        var mode = builder.Configuration.GetValue<TelegramMode?>($"{TelegramOptions.Section}:{nameof(TelegramOptions.Mode)}") ?? TelegramMode.Polling;
        var sandbox = string.IsNullOrWhiteSpace(builder.Configuration[$"{TelegramOptions.Section}:{nameof(TelegramOptions.BotToken)}"]);
        if (mode == TelegramMode.Webhook && !sandbox)
        {
            services.AddHostedService<WebhookRegistrar>();
        }
        else
        {
            services.AddHostedService<PollingIntake>();
        }

        return builder;
    }
}
