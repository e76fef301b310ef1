using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MusterBot.Host.Configuration;
using MusterBot.Host.Delivery;
using MusterBot.Host.Intake;
using MusterBot.Host.BotApi;
using MusterBot.Host.Observability;
using MusterBot.Host.Timers;
using OpenTelemetry.Metrics;
using MusterBot.State;

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
        services.AddOptions<WebApp.WebAppOptions>().BindConfiguration(WebApp.WebAppOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // Telegram.Bot's client; its token and address come from the Telegram section (or, in the sandbox, from the emulator).
        services.AddBotApiClient();

        services.TryAddSingleton(InstanceIdentity.ForThisProcess());

        // SIGTERM: intake, sender and timers stop side by side, each finishing what it holds within 5 s (a batch's
        // commits, calls in flight, claimed timers), so the process exits within 10 s (HostOptions' default is 30 s).
        services.Configure<HostOptions>(o =>
        {
            o.ServicesStopConcurrently = true;
            if (builder.Configuration["shutdownTimeoutSeconds"] is null)
            {
                o.ShutdownTimeout = TimeSpan.FromSeconds(9);
            }
        });
        // Metrics (docs/operations.md#metrics): the bot's meter, exported to Prometheus at Metrics:Path and/or OTLP.
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BotMetrics>();
        services.AddHostedService<StoreSampler>();
        var metrics = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        services.AddOpenTelemetry().WithMetrics(m =>
        {
            m.AddMeter(BotMetrics.MeterName);
            if (metrics.Prometheus)
            {
                m.AddPrometheusExporter();
            }

            if (metrics.OtlpEndpoint is { } endpoint)
            {
                m.AddOtlpExporter(o => o.Endpoint = endpoint);
            }
        });

        services.AddSingleton<Health.ReadinessProbe>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxExecutor>();
        services.AddSingleton<UpdateDispatcher>();
        services.AddHostedService<OutboxSender>();
        services.AddHostedService<TimerService>();
        services.AddHostedService<CommandPublisher>();
        services.AddHostedService<InstanceSettingsCheck>();

        var mode = builder.Configuration.GetValue<TelegramMode?>($"{TelegramOptions.Section}:{nameof(TelegramOptions.Mode)}") ?? TelegramMode.Polling;
        var sandbox = string.IsNullOrWhiteSpace(builder.Configuration[$"{TelegramOptions.Section}:{nameof(TelegramOptions.BotToken)}"]);
        var webhookOnRedis = mode == TelegramMode.Webhook && !sandbox && builder.Configuration.HasRedis();
        services.PostConfigure<IntakeOptions>(o => o.PersonLeases ??= webhookOnRedis);
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
