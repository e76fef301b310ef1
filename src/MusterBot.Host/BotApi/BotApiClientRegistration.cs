using Microsoft.Extensions.Options;
using MusterBot.Host.Configuration;
using Telegram.Bot;

namespace MusterBot.Host.BotApi;

/// <summary>Registers Telegram.Bot's <see cref="ITelegramBotClient"/> over a named HttpClient set up for this bot.</summary>
public static class BotApiClientRegistration
{
    /// <summary>The name of the HttpClient the Bot API client uses (a benchmark or test may add a handler to it).</summary>
    public const string HttpClientName = "MusterBot.Telegram";

    /// <summary>
    /// Registers the client from <see cref="TelegramOptions"/> (token and base URL). The HttpClient has no request
    /// logging (the default logging writes the URL, which holds the token) and an infinite timeout of its own:
    /// <see cref="BotApiTimeoutHandler"/> times each call, long polls longer than the rest. Telegram.Bot's own retry of
    /// 429 answers is switched off: the sender honours <c>retry_after</c> per lane and the poller waits it out.
    /// </summary>
    public static IHttpClientBuilder AddBotApiClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddTransient<BotApiTimeoutHandler>();
        services.AddTransient<UploadContentTypeHandler>();
        services.AddTransient<DeepUpdateGuardHandler>();
        services.AddSingleton<ITelegramBotClient>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<TelegramOptions>>().Value;
            var httpClient = provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
            return new TelegramBotClient(ClientOptions(options), httpClient);
        });
        return services
            .AddHttpClient(HttpClientName)
            .ConfigureHttpClient(httpClient => httpClient.Timeout = Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler<BotApiTimeoutHandler>()
            .AddHttpMessageHandler<UploadContentTypeHandler>()
            .AddHttpMessageHandler<DeepUpdateGuardHandler>()
            // The poller and the sender keep their client for the life of the process; recycling pooled
            // connections instead of handlers still picks up DNS changes.
            .UseSocketsHttpHandler((handler, _) => handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers();
    }

    /// <summary>Telegram.Bot's options for our configuration; the base URL is passed only when it is not Telegram's.</summary>
    public static TelegramBotClientOptions ClientOptions(TelegramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.BotToken))
        {
            throw new InvalidOperationException("Telegram:BotToken is not set (the sandbox sets the emulator's token before the client is built).");
        }

        var baseUrl = options.ApiBaseUrl.GetLeftPart(UriPartial.Authority);
        var telegram = TelegramOptions.DefaultApiBaseUrl.GetLeftPart(UriPartial.Authority);
        return new TelegramBotClientOptions(options.BotToken, string.Equals(baseUrl, telegram, StringComparison.OrdinalIgnoreCase) ? null : baseUrl)
        {
            RetryThreshold = 0,
        };
    }
}
