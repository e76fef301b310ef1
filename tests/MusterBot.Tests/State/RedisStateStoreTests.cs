using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;

namespace MusterBot.Tests.State;

/// <summary>The store contract on a real redis-server; each test uses its own key prefix.</summary>
[Collection("redis")]
public sealed class RedisStateStoreTests(RedisServerFixture redis) : RedisStoreContract
{
    protected override string ConnectionString => redis.ConnectionString;

    protected override Task<string> ExecuteForKeyAsync(string key, params string[] arguments) => redis.ExecuteAsync(arguments);

    [Fact]
    public async Task Connect_ToAServerThatEvictsKeys_IsRefusedWithAClearMessage_UnlessAllowed()
    {
        await redis.ExecuteAsync("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
        try
        {
            var ex = await Assert.ThrowsAsync<RedisEvictionPolicyException>(() => RedisStateStore.ConnectAsync(
                new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"t{Guid.NewGuid():N}:" }, TimeProvider.System, CancellationToken.None));
            Assert.Contains("'allkeys-lru'", ex.Message, StringComparison.Ordinal);
            Assert.Contains("maxmemory-policy noeviction", ex.Message, StringComparison.Ordinal);
            Assert.Contains("Redis:AllowEviction", ex.Message, StringComparison.Ordinal);

            await using var allowed = await RedisStateStore.ConnectAsync(
                new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"t{Guid.NewGuid():N}:", AllowEviction = true }, TimeProvider.System, CancellationToken.None);
            Assert.Equal("allkeys-lru", allowed.Memory?.Policy);
        }
        finally
        {
            await redis.ExecuteAsync("CONFIG", "SET", "maxmemory-policy", "noeviction");
        }
    }

    [Fact]
    public async Task Connect_ReadsTheServersMemoryAndPolicy()
    {
        await using var store = await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"t{Guid.NewGuid():N}:" }, TimeProvider.System, CancellationToken.None);

        Assert.NotNull(store.Memory);
        Assert.Equal("noeviction", store.Memory.Policy);
        Assert.True(store.Memory.UsedBytes > 0);
    }

    [Fact]
    public async Task Store_KeepsWorking_AfterRedisServerRestart()
    {
        var key = DocKey.ForLong("chat", -1001234567890);
        await Store.CommitAsync(new Commit { Writes = [new DocWrite(key, "before", 0)] }, CancellationToken.None);

        await redis.RestartAsync();
        await WaitUntilReachableAsync();

        // The restarted server has no persistence: the store starts empty but works (scripts are sent again).
        var result = await Store.CommitAsync(
            new Commit
            {
                Writes = [new DocWrite(key, "after", 0)],
                Outbox = [new OutboxMessage(Lane.Reply, 1, new SendText("hi"))],
            },
            CancellationToken.None);
        Assert.Equal(CommitStatus.Committed, result.Status);
        Assert.Equal("after", (await Store.GetAsync(key, CancellationToken.None))!.Json);
        Assert.Single(await Store.ClaimOutboxAsync(10, TimeSpan.FromSeconds(30), CancellationToken.None));
    }

    [Fact]
    public async Task Connect_WhileRedisIsDown_Returns_AndTheStoreWorksOnceRedisIsBack()
    {
        await redis.StopAsync();
        RedisStateStore store;
        try
        {
            // abortConnect=false: StackExchange.Redis 3.x returns a disconnected multiplexer instead of throwing.
            // The deadline only bounds a hang: connecting takes the client's connect timeout (5 s), more on a busy machine.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            store = await RedisStateStore.ConnectAsync(
                new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"t{Guid.NewGuid():N}:" },
                Clock,
                timeout.Token);
        }
        finally
        {
            await redis.StartAgainAsync();
        }

        await using (store)
        {
            await WaitUntilReachableAsync(store);
            var key = new DocKey("user", "1");
            var result = await store.CommitAsync(new Commit { Writes = [new DocWrite(key, "1", 0)] }, CancellationToken.None);
            Assert.Equal(CommitStatus.Committed, result.Status);
            Assert.Equal("1", (await store.GetAsync(key, CancellationToken.None))!.Json);
        }
    }

    private Task WaitUntilReachableAsync() => WaitUntilReachableAsync(Store);

    /// <summary>Waits (real time, bounded) until the multiplexer has reconnected.</summary>
    private static async Task WaitUntilReachableAsync(IStateStore store)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                await store.PingAsync(timeout.Token);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }
}
