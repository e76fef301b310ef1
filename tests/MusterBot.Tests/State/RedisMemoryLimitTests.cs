using System.Globalization;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;

namespace MusterBot.Tests.State;

/// <summary>
/// Redis over its <c>maxmemory</c> (noeviction): a commit, which adds data, is refused whole before it runs — even one
/// whose first write is a DEL, which a script without flags would have let through past the limit — while claims and
/// completions (which drain the outbox) still run. These tests own their redis-server, so filling it harms no one.
/// </summary>
public sealed class RedisMemoryLimitTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await redis.ExecuteAsync("CONFIG", "SET", "maxmemory", "0");
        await redis.ExecuteAsync("FLUSHALL");
    }

    [Fact]
    public async Task OverMaxmemory_ACommitIsRefusedWhole_StateUnchanged_DrainingGoesOn_AndAfterFreeingItCommits()
    {
        await using var store = await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"oom{Guid.NewGuid():N}:" }, TimeProvider.System, Ct);
        var key = new DocKey("user", "1");
        var before = await store.CommitAsync(
            new Commit { Writes = [new DocWrite(key, "v1", 0)], Outbox = [new OutboxMessage(Lane.Reply, 1, new SendText("queued before"))] }, Ct);
        Assert.Equal(CommitStatus.Committed, before.Status);

        await FillMemoryAsync();

        // The document write starts with a DEL (allowed over maxmemory); the whole commit must still be refused.
        var ex = await Assert.ThrowsAsync<RedisOutOfMemoryException>(() => store.CommitAsync(
            new Commit
            {
                Writes = [new DocWrite(key, "v2", 1), new DocWrite(new DocKey("user", "2"), "new", 0)],
                SetChanges = [new SetChange("people", "2", Add: true)],
                Outbox = [new OutboxMessage(Lane.Reply, 2, new SendText("refused"))],
                UpdateId = 99,
            },
            Ct));
        Assert.Contains("maxmemory", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Commit", ex.Message, StringComparison.Ordinal);

        Assert.Equal(new StoredDoc(key, "v1", 1), await store.GetAsync(key, Ct));
        Assert.Null(await store.GetAsync(new DocKey("user", "2"), Ct));
        Assert.Empty(await store.GetSetMembersAsync("people", Ct));
        Assert.False(await store.IsUpdateHandledAsync(99, Ct));
        Assert.Equal(1, (await store.CountOutboxAsync(Ct)).Values.Sum());

        // Draining still works: the waiting message is claimed and its outcome recorded (never re-sent for lack of memory).
        var claimed = Assert.Single(await store.ClaimOutboxAsync(10, TimeSpan.FromSeconds(30), Ct));
        await store.CompleteOutboxAsync(claimed.Id, new DeliveryRecord(claimed.Id, 1, DeliveryStatus.Sent, DateTimeOffset.UtcNow) { TelegramMessageId = 7, Attempts = 1 }, Ct);
        Assert.Equal(DeliveryStatus.Sent, (await store.GetDeliveryAsync(claimed.Id, Ct))!.Status);
        Assert.Equal(0, (await store.CountOutboxAsync(Ct)).Values.Sum());

        // Memory freed: the same commit goes through.
        await redis.ExecuteAsync("EVAL", "for _, k in ipairs(redis.call('KEYS', 'fill:*')) do redis.call('DEL', k) end return 1", "0");
        var after = await store.CommitAsync(new Commit { Writes = [new DocWrite(key, "v2", 1)], UpdateId = 99 }, Ct);
        Assert.Equal(CommitStatus.Committed, after.Status);
        Assert.Equal(new StoredDoc(key, "v2", 2), await store.GetAsync(key, Ct));
    }

    [Theory]
    [InlineData("6.2.14")]
    [InlineData("5.0.7")]
    public void Version_Before7_IsRefused_NamingTheVersion(string version)
    {
        var ex = Assert.Throws<RedisVersionException>(() => RedisStateStore.EnsureSupportedVersion(version));
        Assert.Contains($"Redis {version} is too old", ex.Message, StringComparison.Ordinal);
        Assert.Contains("7.0 or newer", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7.0.15")]
    [InlineData("7.2.4")]
    [InlineData("8.0.0")]
    [InlineData(null)]
    public void Version_7OrNewer_OrUnknown_IsAccepted(string? version) => RedisStateStore.EnsureSupportedVersion(version);

    [Fact]
    public async Task Connect_ToThisServer_PassesTheVersionCheck()
    {
        var info = await redis.ExecuteAsync("INFO", "server");
        Assert.Contains("redis_version:7.", info, StringComparison.Ordinal);
        await using var store = await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"oom{Guid.NewGuid():N}:" }, TimeProvider.System, Ct);
        await store.PingAsync(Ct);
    }

    /// <summary>Sets maxmemory to 2 MB above what is used and writes 64 KB strings until Redis answers OOM.</summary>
    private async Task FillMemoryAsync()
    {
        var info = await redis.ExecuteAsync("INFO", "memory");
        var used = long.Parse(info.Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal))["used_memory:".Length..].Trim(), CultureInfo.InvariantCulture);
        await redis.ExecuteAsync("CONFIG", "SET", "maxmemory", (used + (2 * 1024 * 1024)).ToString(CultureInfo.InvariantCulture));
        var value = new string('x', 64 * 1024);
        for (var i = 0; i < 1_000; i++)
        {
            try
            {
                await redis.ExecuteAsync("SET", "fill:" + i.ToString(CultureInfo.InvariantCulture), value);
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("OOM", StringComparison.Ordinal))
            {
                // The refused SET's 64 KB sat in its connection's buffer, counted until that connection closed: set the
                // limit below what the data now holds, so the server stays over it.
                info = await redis.ExecuteAsync("INFO", "memory");
                used = long.Parse(info.Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal))["used_memory:".Length..].Trim(), CultureInfo.InvariantCulture);
                await redis.ExecuteAsync("CONFIG", "SET", "maxmemory", (used - (256 * 1024)).ToString(CultureInfo.InvariantCulture));
                return;
            }
        }

        Assert.Fail("Redis never reported OOM");
    }
}
