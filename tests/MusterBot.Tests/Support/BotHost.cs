using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MusterBot.Host;
using MusterBot.Emulator;

namespace MusterBot.Tests.Support;

/// <summary>The real bot host (MusterBotApp, production client, intake, flows, sender) in this process, against an emulator.</summary>
public sealed class BotHost : IAsyncDisposable
{
    /// <summary>A token of BotFather's shape, accepted by both the emulator and the options validator.</summary>
    public const string Token = "123456789:TESTtokenTESTtokenTESTtokenTESTtoken01";

    private BotHost(WebApplication app, LogCapture logs)
    {
        App = app;
        Logs = logs;
    }

    public WebApplication App { get; }

    public LogCapture Logs { get; }

    public Uri BaseAddress => new(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static Task<BotApiEmulator> StartEmulatorAsync() =>
        BotApiEmulator.StartAsync(new EmulatorOptions { Token = Token }, CancellationToken.None);

    /// <summary>Starts the host. <paramref name="redis"/> null = sandbox-style in-memory store (only without a token).</summary>
    public static async Task<BotHost> StartAsync(
        BotApiEmulator? emulator,
        string? redis,
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        string urls = "http://127.0.0.1:0")
    {
        var logs = new LogCapture();
        var config = new Dictionary<string, string?>
        {
            ["urls"] = urls,
            ["Telegram:PollTimeout"] = "00:00:02",
            ["Sender:PerChatPerSecond"] = "50",
            ["Sender:PerChatBurst"] = "10",
            ["Sender:IdlePoll"] = "00:00:00.050",
            ["Timers:PollInterval"] = "00:00:00.100",
        };
        if (emulator is not null)
        {
            config["Telegram:BotToken"] = emulator.Token;
            config["Telegram:ApiBaseUrl"] = emulator.BaseUrl;
        }

        if (redis is not null)
        {
            config["Redis:Configuration"] = redis;
            config["Redis:KeyPrefix"] = $"e2e{Guid.NewGuid():N}:";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var app = await MusterBotApp.CreateAsync([], b =>
        {
            b.Configuration.AddInMemoryCollection(config);
            b.Logging.AddProvider(logs);
            b.Logging.SetMinimumLevel(LogLevel.Debug);
            configure?.Invoke(b);
        });
        await app.StartAsync();
        return new BotHost(app, logs);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await App.StopAsync(cts.Token);
        await App.DisposeAsync();
    }
}
