using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MusterBot.State.Leases;
using MusterBot.State.Rates;
using MusterBot.State.Memory;
using MusterBot.State.Migration;
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
        // First hosted service: migrates a single-community store and creates the default tree before anything runs.
        builder.Services.AddOptions<DefaultTreeOptions>().BindConfiguration(DefaultTreeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<StoreStartup>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StoreStartup>());
        if (builder.Configuration.HasRedis())
        {
            if (RedisConnector.IsSentinel(RedisConnector.Parse(builder.Configuration[RedisSection + ":Configuration"]!)))
            {
                RaiseThreadPoolMinimum();
            }

            builder.Services.AddOptions<RedisStoreOptions>().BindConfiguration(RedisSection).ValidateDataAnnotations().ValidateOnStart();
            builder.Services.AddSingleton<IStateStore>(sp =>
            {
                var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisStoreOptions>>().Value;
                var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("MusterBot.State");
                // abortConnect=false: this returns even while Redis (or every sentinel) is down and reconnects by itself.
                var store = RedisStateStore.ConnectAsync(options, sp.GetRequiredService<TimeProvider>(), logger, CancellationToken.None).GetAwaiter().GetResult();
                if (store.Memory is { } memory)
                {
                    RedisLog.Memory(logger, memory.UsedBytes / 1048576.0, memory.MaxBytes / 1048576.0, memory.Policy);
                }
                else
                {
                    RedisLog.MemoryUnknown(logger);
                }

                return store;
            });
        }
        else
        {
            builder.Services.AddSingleton<IStateStore>(sp => new InMemoryStateStore(sp.GetRequiredService<TimeProvider>()));
        }

        // Both stores hold the leases too (the same connection); a test double of the store does not have to.
        builder.Services.TryAddSingleton<ILeaseStore>(sp => (ILeaseStore)sp.GetRequiredService<IStateStore>());
        builder.Services.TryAddSingleton<IInstanceRegistry>(sp => (IInstanceRegistry)sp.GetRequiredService<IStateStore>());
        builder.Services.TryAddSingleton<ISendRates>(sp => (ISendRates)sp.GetRequiredService<IStateStore>());

        return builder;
    }

    /// <summary>
    /// Through Sentinel, StackExchange.Redis 3.4 switches to a new primary with blocking calls on thread-pool threads
    /// (it asks the sentinels and reconfigures synchronously, from a timer and from connection events). With the
    /// default minimum (one thread per core) the pool then grows by about one thread a second, and the whole process
    /// stood still for up to 6 s after a failover on two cores (SentinelFailoverTests: longest stall of a 10 ms timer
    /// 0.9–1.8 s in 2 of 4 runs; with a minimum of 32, at most 25 ms in 4 of 4).
    /// </summary>
    private static void RaiseThreadPoolMinimum()
    {
        const int Minimum = 32;
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (workers < Minimum || io < Minimum)
        {
            ThreadPool.SetMinThreads(Math.Max(workers, Minimum), Math.Max(io, Minimum));
        }
    }
}
