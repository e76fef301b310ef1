using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;

namespace MusterBot.Tests.State;

/// <summary>The store contract on a real redis-server; each test uses its own key prefix.</summary>
[Collection("redis")]
public sealed class RedisStateStoreTests(RedisServerFixture redis) : StateStoreContract
{
    protected override async Task<IStateStore> CreateStoreAsync(FakeTimeProvider clock) =>
        await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"t{Guid.NewGuid():N}:" },
            clock,
            CancellationToken.None);

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

    /// <summary>Waits (real time, bounded) until the multiplexer has reconnected.</summary>
    private async Task WaitUntilReachableAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            try
            {
                await Store.PingAsync(timeout.Token);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }
}
