using Microsoft.Extensions.Options;

namespace MusterBot.Host.Telegram;

/// <summary>Registers <see cref="ITelegramBotClient"/> as a typed HttpClient.</summary>
public static class TelegramServiceCollectionExtensions
{
    /// <summary>The name of the HttpClient the bot client uses.</summary>
    public const string HttpClientName = "MusterBot.Telegram";

    /// <summary>
    /// Registers the client with options from <see cref="IOptions{TelegramBotClientOptions}"/> (bind or configure them
    /// yourself). The HttpClient has an infinite timeout (the client times each request itself, long polls longer than
    /// the rest) and no request logging: the default logging writes the URL, which holds the token.
    /// </summary>
    /// <returns>The HttpClient builder, e.g. for a test handler or a resilience handler.</returns>
    public static IHttpClientBuilder AddTelegramBotClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<TelegramBotClientOptions>();
        return services
            .AddHttpClient<ITelegramBotClient, TelegramBotClient>(
                HttpClientName,
                (httpClient, provider) => new TelegramBotClient(provider.GetRequiredService<IOptions<TelegramBotClientOptions>>().Value, httpClient))
            .ConfigureHttpClient(httpClient => httpClient.Timeout = Timeout.InfiniteTimeSpan)
            // Long-lived singletons (the poller, the sender) keep their client; recycling pooled connections
            // instead of handlers still picks up DNS changes.
            .UseSocketsHttpHandler((handler, _) => handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers();
    }

    /// <summary>Registers the client and configures its options.</summary>
    public static IHttpClientBuilder AddTelegramBotClient(this IServiceCollection services, Action<TelegramBotClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return services.AddTelegramBotClient();
    }
}
