using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MusterBot.State.Redis;
using StackExchange.Redis;

namespace MusterBot.State.Migration;

/// <summary>
/// Runs before the bot handles anything (the first hosted service; the sandbox seeder awaits it too): on Redis it
/// migrates a store of the single-community release (<see cref="SingleCommunityMigration"/>); on any store it leaves
/// the default tree in place (<see cref="Records.Org.DefaultTree"/>, names from <c>MusterBot:Organisation</c>). Runs
/// once per process; while Redis is unreachable it waits and tries again.
/// </summary>
public sealed partial class StoreStartup(
    IStateStore store,
    IOptions<DefaultTreeOptions> treeOptions,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<StoreStartup> logger,
    IOptions<RedisStoreOptions>? redisOptions = null) : IHostedService
{
    private readonly Lock _gate = new();
    private Task<MigrationReport>? _run;

    /// <summary>The outcome of the start-up (once finished).</summary>
    public MigrationReport? Report => _run is { IsCompletedSuccessfully: true } run ? run.Result : null;

    public Task StartAsync(CancellationToken cancellationToken) => EnsureAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Migrates / creates the tree once per process; later calls wait for the first.</summary>
    public Task<MigrationReport> EnsureAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_run is null || _run.IsFaulted || _run.IsCanceled)
            {
                _run = RunAsync(cancellationToken);
            }

            return _run;
        }
    }

    private async Task<MigrationReport> RunAsync(CancellationToken cancellationToken)
    {
        var names = treeOptions.Value.Names;
        if (store is not RedisStateStore || redisOptions is null)
        {
            // In memory: nothing to migrate; the tree as on a fresh store.
            await store.CommitAsync(Records.Org.DefaultTree.Commit(names, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            return new MigrationReport(MigrationOutcome.Fresh);
        }

        var admins = configuration.GetSection("MusterBot:Admins").Get<long[]>() ?? [];
        while (true)
        {
            try
            {
                var parsed = RedisConnector.Parse(redisOptions.Value.Configuration);
                await using var connection = await RedisConnector.ConnectAsync(parsed, cancellationToken).ConfigureAwait(false);
                var migration = new SingleCommunityMigration(store, connection, redisOptions.Value.KeyPrefix, time, logger);
                return await migration.RunAsync(names, admins, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                // The message of these exceptions names the endpoint, never the password.
                LogRedisUnavailable(logger, ex.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 65, Level = LogLevel.Warning, Message = "Store start-up: Redis is not reachable ({Error}); the bot waits for it before handling anything, trying again in 2 s.")]
    private static partial void LogRedisUnavailable(ILogger logger, string error);
}
