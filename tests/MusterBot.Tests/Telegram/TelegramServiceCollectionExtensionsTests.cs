using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MusterBot.Host.Telegram;

namespace MusterBot.Tests.Telegram;

public sealed class TelegramServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddTelegramBotClient_SendsThroughTheHttpClientWithoutLoggingTheToken()
    {
        var handler = RecordingHandler.ReturningResult("""{"id":123456789,"is_bot":true,"first_name":"Muster"}""");
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services
            .AddTelegramBotClient(options =>
            {
                options.Token = TestBot.Token;
                options.BaseUrl = TestBot.BaseUrl;
            })
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<ITelegramBotClient>();
        var me = await client.GetMe();

        Assert.Equal(123456789, me.Id);
        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "getMe"), handler.Single.Uri);
        Assert.DoesNotContain(logs.Lines, line => line.Contains(TestBot.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddTelegramBotClient_HttpClientHasNoTimeoutOfItsOwn()
    {
        var services = new ServiceCollection();
        services.AddTelegramBotClient(options => options.Token = TestBot.Token);
        await using var provider = services.BuildServiceProvider();

        using var httpClient = provider.GetRequiredService<IHttpClientFactory>().CreateClient(TelegramServiceCollectionExtensions.HttpClientName);

        Assert.Equal(Timeout.InfiniteTimeSpan, httpClient.Timeout);
    }
}
