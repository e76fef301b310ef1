using MusterBot.Host.Telegram;

namespace MusterBot.Tests.Telegram;

/// <summary>A client wired to a transport double, with a recognisable fake token.</summary>
internal sealed class TestBot : IDisposable
{
    public const string Token = "123456789:AAH-s3cret_T0ken-value";
    public const string BaseUrl = "https://bot.test";
    public const string MethodUrlPrefix = BaseUrl + "/bot" + Token + "/";

    private readonly HttpClient _httpClient;

    public TestBot(HttpMessageHandler handler, Action<TelegramBotClientOptions>? configure = null)
    {
        Options = new TelegramBotClientOptions(Token, BaseUrl);
        configure?.Invoke(Options);
        _httpClient = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        Client = new TelegramBotClient(Options, _httpClient);
    }

    public TelegramBotClientOptions Options { get; }

    public TelegramBotClient Client { get; }

    public void Dispose() => _httpClient.Dispose();
}
