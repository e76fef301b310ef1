using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using MusterBot.State.Memory;
using MusterBot.State.Redis;

namespace MusterBot.State;

/// <summary>Registers the store: Redis when <c>Redis:Configuration</c> is set, else the in-memory store (sandbox only).</summary>
public static class StateHostingExtensions
{
    public const string RedisSection = "Redis";

    /// <summary>True when a Redis connection string is configured.</summary>
    public static bool HasRedis(this IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration?[RedisSection + ":Configuration"]);

    public static IHostApplicationBuilder AddMusterBotState(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        if (builder.Configuration.HasRedis())
        {
            builder.Services.AddOptions<RedisStoreOptions>().BindConfiguration(RedisSection).ValidateOnStart();
            builder.Services.AddSingleton<IStateStore>(sp =>
            {
                var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisStoreOptions>>().Value;
                // abortConnect=false: this returns even while Redis is down and reconnects by itself.
                return RedisStateStore.ConnectAsync(options, sp.GetRequiredService<TimeProvider>(), CancellationToken.None).GetAwaiter().GetResult();
            });
        }
        else
        {
            builder.Services.AddSingleton<IStateStore>(sp => new InMemoryStateStore(sp.GetRequiredService<TimeProvider>()));
        }

        return builder;
    }
}
