using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MusterBot.Host.BotApi;
using MusterBot.Host.Configuration;
using Telegram.Bot;

namespace MusterBot.Tests.BotApi;

/// <summary>
/// Telegram.Bot's client exactly as the host registers it (<see cref="BotApiClientRegistration.AddBotApiClient"/>),
/// with a transport double in place of the network and every log line captured.
/// </summary>
internal sealed class BotApiTestClient : IDisposable
{
    public const string Token = "123456789:AAH-s3cret_T0ken-valueAAH-s3cret_T0ken";

    private readonly ServiceProvider _provider;

    public BotApiTestClient(HttpMessageHandler transport, Action<TelegramOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddOptions<TelegramOptions>().Configure(o =>
        {
            o.BotToken = Token;
            o.ApiBaseUrl = new Uri("https://bot.test");
            configure?.Invoke(o);
        });
        services.AddBotApiClient().ConfigurePrimaryHttpMessageHandler(() => transport);
        _provider = services.BuildServiceProvider();
        Client = _provider.GetRequiredService<ITelegramBotClient>();
        Options = _provider.GetRequiredService<IOptions<TelegramOptions>>().Value;
    }

    public CapturingLoggerProvider Logs { get; } = new();

    public ITelegramBotClient Client { get; }

    public TelegramOptions Options { get; }

    public void Dispose() => _provider.Dispose();
}
