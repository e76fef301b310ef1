using System.Diagnostics;
using System.Globalization;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;
using Xunit.Abstractions;

namespace MusterBot.Tests.State;

/// <summary>
/// The store on Redis Sentinel (one primary, one replica, three sentinels on loopback; see
/// <see cref="RedisSentinelFixture"/>): it finds the primary through the sentinels, and after the primary is killed
/// (SIGKILL) it follows the promoted replica, where its scripts are loaded again.
/// </summary>
[Collection("redis-sentinel")]
public sealed class RedisSentinelTests(RedisSentinelFixture sentinel, ITestOutputHelper output)
{
    [Fact]
    public async Task Connect_ThroughTheSentinels_WritesOnThePrimary_AndReadsItsServerInfo()
    {
        await sentinel.EnsureSettledAsync();
        var prefix = $"sc{Guid.NewGuid():N}:";
        await using var store = await ConnectAsync(prefix);
        Assert.NotNull(store.Memory);
        Assert.Equal("noeviction", store.Memory!.Policy);

        var key = new DocKey("user", "1");
        Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Writes = [new DocWrite(key, "{}", 0)] }, CancellationToken.None)).Status);
        var primaryKey = prefix + "{1}:doc:user:1";
        Assert.Equal("1", await sentinel.PrimaryAsync("EXISTS", primaryKey));
        await WaitForReplicaAsync(primaryKey);
    }

    [Fact]
    public async Task PrimaryKilled_TheStoreFollowsThePromotedReplica_AndLoadsItsScriptsThere()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await sentinel.EnsureSettledAsync();
        var prefix = $"sf{Guid.NewGuid():N}:";
        await using var store = await ConnectAsync(prefix);
        var key = new DocKey("user", "1");
        Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Writes = [new DocWrite(key, "1", 0)] }, ct)).Status);
        await WaitForReplicaAsync(prefix + "{1}:doc:user:1");

        try
        {
            await sentinel.KillPrimaryAsync();
            var killed = Stopwatch.StartNew();
            var failover = sentinel.WaitForFailoverAsync(TimeSpan.FromSeconds(30));

            // Commit until one succeeds: the store must find the new primary by itself.
            var failures = 0;
            var version = 1L;
            string? firstError = null;
            while (true)
            {
                try
                {
                    var result = await store.CommitAsync(new Commit { Writes = [new DocWrite(key, "2", version)] }, ct);
                    Assert.Equal(CommitStatus.Committed, result.Status);
                    break;
                }
                catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
                {
                    failures++;
                    firstError ??= ex.GetType().Name + ": " + ex.Message;
                    await Task.Delay(100, ct);
                }
            }

            var writable = killed.Elapsed;
            var switched = await failover;
            output.WriteLine($"sentinels switched after {switched.TotalSeconds:F2} s; the store wrote again {writable.TotalSeconds:F2} s after the kill, after {failures} failed commits (first: {firstError})");
            Assert.Equal(new StoredDoc(key, "2", 2), await store.GetAsync(key, ct));
            Assert.Equal("1", await sentinel.PrimaryAsync("EXISTS", prefix + "{1}:doc:user:1"));

            // The promoted replica had no scripts: the first call answered NOSCRIPT and the store loaded the script there.
            var stats = await sentinel.PrimaryAsync("INFO", "commandstats");
            Assert.Contains("cmdstat_evalsha", stats, StringComparison.Ordinal);
        }
        finally
        {
            await sentinel.RestoreAsync();
        }
    }

    private Task<RedisStateStore> ConnectAsync(string prefix) =>
        RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = sentinel.ConnectionString, KeyPrefix = prefix }, TimeProvider.System, CancellationToken.None);

    private async Task WaitForReplicaAsync(string key)
    {
        var watch = Stopwatch.StartNew();
        while (await sentinel.NodeAsync(sentinel.ReplicaPort, "EXISTS", key) != "1")
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{key} did not reach the replica");
            await Task.Delay(10);
        }
    }
}
