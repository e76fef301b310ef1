using MusterBot.Emulator;
using MusterBot.Emulator.Sandbox;
using MusterBot.Flows;
using MusterBot.Host.Configuration;
using MusterBot.Host.Health;
using MusterBot.Host.Intake;
using MusterBot.Host.Observability;
using MusterBot.Host.WebApp;
using MusterBot.State;

namespace MusterBot.Host;

/// <summary>
/// Builds the bot's web application. With a token it runs against Telegram (Redis required); without one it starts
/// the embedded Bot API emulator and runs the same code paths against it (the sandbox).
/// </summary>
public static partial class MusterBotApp
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <param name="args">Command-line arguments (configuration overrides such as --urls).</param>
    /// <param name="configure">Lets tests add configuration or replace services (e.g. the clock) before building.</param>
    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        configure?.Invoke(builder);

        var sandbox = string.IsNullOrWhiteSpace(builder.Configuration["Telegram:BotToken"]);
        var redis = builder.Configuration.HasRedis();
        if (!sandbox && !redis)
        {
            throw new StartupException(
                "Telegram:BotToken is set but Redis is not configured. Production state must be durable: set Redis:Configuration " +
                "(environment variable Redis__Configuration, e.g. \"localhost:6379\"), or remove the token to run the local sandbox.");
        }

        if (sandbox)
        {
            RefuseUnsafeSandbox(builder.Configuration);
            if (redis)
            {
                // The sandbox seeds demo people: never into keys that may hold a real community's data.
                var prefix = builder.Configuration["Redis:KeyPrefix"] is { Length: > 0 } configured ? configured : "mb:";
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Redis:KeyPrefix"] = prefix + SandboxKeyPrefix });
            }
        }

        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        BotApiEmulator? emulator = null;
        if (sandbox)
        {
            emulator = await builder.AddSandboxAsync(cancellationToken).ConfigureAwait(false);
            var sandboxToken = emulator.Token;
            builder.Services.PostConfigure<TelegramOptions>(o => o.BotToken = sandboxToken);
        }

        // The dashboard Mini App's address for its buttons: the public HTTPS one, or in the sandbox this host's own.
        var dashboard = builder.Configuration[$"{WebAppOptions.Section}:{nameof(WebAppOptions.PublicUrl)}"] is { Length: > 0 } publicUrl
            ? publicUrl
            : sandbox ? (builder.Configuration["urls"] is { Length: > 0 } urls ? urls.Split(';')[0] : DefaultUrl).TrimEnd('/') + "/app" : null;
        if (dashboard is not null)
        {
            builder.Services.AddSingleton(new Flows.Dashboard.DashboardLink(dashboard));
        }

        builder.AddMusterBotState();
        builder.AddMusterBotFlows();
        builder.AddMusterBotHost();

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MusterBot");
        if (emulator is not null)
        {
            LogSandbox(logger, emulator.BaseUrl, redis ? "Redis" : "in-memory (lost on exit)");
            LogSandboxPage(logger, (app.Configuration["urls"] ?? DefaultUrl).Split(';')[0]);
        }
        else
        {
            LogProduction(logger, app.Configuration["Telegram:Mode"] ?? "Polling");
        }

        app.MapHealth();
        app.MapMetrics();
        app.MapDashboard();
        if (emulator is not null)
        {
            app.MapSandbox(emulator);
        }
        app.MapTelegramWebhook();
        return app;
    }

    /// <summary>Added to <c>Redis:KeyPrefix</c> in the sandbox, so its demo data never mixes with a real community's.</summary>
    public const string SandboxKeyPrefix = "sandbox:";

    /// <summary>
    /// The sandbox fails closed: its emulator's control API can act as any user, so it never runs in a process
    /// declared Production (the image sets <c>ASPNETCORE_ENVIRONMENT=Production</c>), and it listens on loopback only
    /// unless <c>Sandbox:AllowRemote</c> says otherwise.
    /// </summary>
    private static void RefuseUnsafeSandbox(ConfigurationManager configuration)
    {
        if (string.Equals(configuration[HostDefaults.EnvironmentKey], Environments.Production, StringComparison.OrdinalIgnoreCase))
        {
            throw new StartupException(
                "Telegram:BotToken is not set, and this process runs in the Production environment, where the local sandbox " +
                "is not allowed. Set Telegram__BotToken (and Redis__Configuration) to run the bot; to try the sandbox, run " +
                "outside Production (no ASPNETCORE_ENVIRONMENT, or Development).");
        }

        var urls = configuration["urls"];
        if (!string.IsNullOrWhiteSpace(urls) && !AllLoopback(urls) && !configuration.GetValue<bool>("Sandbox:AllowRemote"))
        {
            throw new StartupException(
                $"The sandbox listens on this machine only (its test controls can act as any user), but the address {urls} " +
                "is reachable from elsewhere. Use --urls http://127.0.0.1:5080, or set Sandbox__AllowRemote=true on a network " +
                "nobody else can reach.");
        }
    }

    private static bool AllLoopback(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(url =>
            Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && (uri.IsLoopback || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)));

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "SANDBOX MODE: no Telegram:BotToken is set. The bot talks to the embedded Bot API emulator at {EmulatorUrl}; state store: {Store}. Set Telegram__BotToken (and Redis__Configuration) to run against Telegram.")]
    private static partial void LogSandbox(ILogger logger, string emulatorUrl, string store);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "SANDBOX web chat: open {PageUrl} in a browser and play the demo community (pick a person on the left).")]
    private static partial void LogSandboxPage(ILogger logger, string pageUrl);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "MusterBot starting against the Telegram Bot API ({Mode}); state store: Redis")]
    private static partial void LogProduction(ILogger logger, string mode);
}
