using System.Diagnostics;
using System.Globalization;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;
using MusterBot.Tests.Support;
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

            // The promoted replica had no scripts (Redis 7 neither replicates nor persists its script cache): a call
            // answered NOSCRIPT and the store loaded the script there, then ran it by its SHA.
            Assert.Equal("1", await sentinel.PrimaryAsync("SCRIPT", "EXISTS", Convert.ToHexStringLower(RedisScripts.CommitMany.Sha1)));
            Assert.Contains("cmdstat_evalsha", await sentinel.PrimaryAsync("INFO", "commandstats"), StringComparison.Ordinal);
        }
        finally
        {
            await sentinel.RestoreAsync();
        }
    }

    [Theory]
    [InlineData("serviceName=nosuch")] // a service the sentinels do not watch
    [InlineData("sentinelPassword=wrong-3b1f0c")] // the sentinels refuse the login
    public async Task Connect_NoSentinelNamesAPrimary_ReturnsAndSaysSo_NoPasswordInLogsOrErrors(string change)
    {
        await sentinel.EnsureSettledAsync();
        var key = change.Split('=')[0];
        var configuration = string.Join(',', sentinel.ConnectionString.Split(',').Select(part => part.StartsWith(key + "=", StringComparison.Ordinal) ? change : part))
            + ",connectTimeout=1000,asyncTimeout=1000"; // fail sooner than the 5 s defaults
        var logs = new LogCapture();
        await using var store = await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = configuration, KeyPrefix = "never:" }, TimeProvider.System, logs.CreateLogger("MusterBot.State"), CancellationToken.None);

        Assert.Null(store.Memory);
        var line = Assert.Single(logs.Lines, l => l.Contains("[5003]", StringComparison.Ordinal));
        output.WriteLine(line);
        Assert.Contains("service " + (key == "serviceName" ? "nosuch" : RedisSentinelFixture.ServiceName), line, StringComparison.Ordinal);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => store.PingAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token));
        output.WriteLine(error.GetType().Name + ": " + error.Message);
        foreach (var secret in new[] { sentinel.Password, sentinel.SentinelPassword, "wrong-3b1f0c" })
        {
            Assert.DoesNotContain(secret, logs.All, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Sentinels without a password, data nodes with one: StackExchange.Redis logs in to the sentinels with the data
    /// nodes' password when no sentinelPassword is given. What happens then is what docs/operations.md says.
    /// </summary>
    [Fact]
    public async Task Connect_SentinelWithoutAPassword_DataNodesWithOne()
    {
        await sentinel.EnsureSettledAsync();
        var lone = await sentinel.StartLoneSentinelAsync("lone");
        try
        {
            var logs = new LogCapture();
            var prefix = $"sp{Guid.NewGuid():N}:";
            await using var store = await RedisStateStore.ConnectAsync(
                new RedisStoreOptions { Configuration = $"127.0.0.1:{lone.ToString(CultureInfo.InvariantCulture)},serviceName=lone,password={sentinel.Password},connectTimeout=2000,asyncTimeout=2000", KeyPrefix = prefix },
                TimeProvider.System,
                logs.CreateLogger("MusterBot.State"),
                CancellationToken.None);
            string outcome;
            try
            {
                outcome = (await store.CommitAsync(new Commit { Writes = [new DocWrite(new DocKey("user", "1"), "{}", 0)] }, CancellationToken.None)).Status.ToString();
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                outcome = ex.GetType().Name + ": " + ex.Message.Split(" - ")[0];
            }

            output.WriteLine($"memory read at start: {store.Memory is not null}; commit: {outcome}; 5003 logged: {logs.Lines.Any(l => l.Contains("[5003]", StringComparison.Ordinal))}");
            Assert.Equal("Committed", outcome);
            Assert.NotNull(store.Memory);
        }
        finally
        {
            sentinel.StopLoneSentinel(lone);
        }
    }

    [Fact]
    public async Task Connect_BeforeTheSentinelsKnowTheService_TheStoreWritesOnceTheyDo()
    {
        await sentinel.EnsureSettledAsync();
        var prefix = $"sl{Guid.NewGuid():N}:";
        await sentinel.ForgetServiceAsync();
        try
        {
            await using var store = await ConnectAsync(prefix);
            Assert.Null(store.Memory); // nothing to read at start
            await sentinel.MonitorAgainAsync();
            var watch = Stopwatch.StartNew();
            var failures = 0;
            while (true)
            {
                try
                {
                    Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Writes = [new DocWrite(new DocKey("user", "1"), "{}", 0)] }, CancellationToken.None)).Status);
                    break;
                }
                catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
                {
                    failures++;
                    Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"no commit 20 s after the sentinels watch the service again ({failures} failures; last: {ex.Message})");
                    await Task.Delay(100);
                }
            }

            output.WriteLine($"the store wrote {watch.Elapsed.TotalSeconds:F1} s after the sentinels knew the service again ({failures} failed commits before)");
            Assert.Equal("1", await sentinel.PrimaryAsync("EXISTS", prefix + "{1}:doc:user:1"));
        }
        finally
        {
            await sentinel.MonitorAgainAsync();
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
