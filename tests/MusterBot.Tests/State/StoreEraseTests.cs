using System.Globalization;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Memory;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;
using MusterBot.State.Timers;

namespace MusterBot.Tests.State;

/// <summary><see cref="IStateStore.EraseAllAsync"/> (the sandbox's "reset demo"), for each store.</summary>
public abstract class StoreEraseContract : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero));

    protected IStateStore Store { get; private set; } = null!;

    protected abstract Task<IStateStore> CreateStoreAsync(FakeTimeProvider clock);

    public async Task InitializeAsync() => Store = await CreateStoreAsync(Clock);

    public async Task DisposeAsync()
    {
        if (Store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task EraseAll_ForgetsDocumentsSetsOutboxDeliveriesTimersAndUpdateMarks_AndTheStoreWorksAfterwards()
    {
        var doc = new DocKey("muster", "1");
        var first = await Store.CommitAsync(new Commit
        {
            UpdateId = 77,
            Writes = [new DocWrite(doc, "{}", 0)],
            SetChanges = [new SetChange("musters:open", "1", true)],
            Outbox = [new OutboxMessage(Lane.Normal, 5, new SendText("hello")) { Tag = "m1" }],
            SetTimers = [new TimerEntry("t1", Clock.GetUtcNow(), 5, "{}")],
        }, Ct);
        Assert.Equal(CommitStatus.Committed, first.Status);

        await Store.EraseAllAsync(Ct);

        Assert.Null(await Store.GetAsync(doc, Ct));
        Assert.Empty(await Store.GetSetMembersAsync("musters:open", Ct));
        Assert.False(await Store.IsUpdateHandledAsync(77, Ct));
        Assert.Null(await Store.GetDeliveryAsync(first.OutboxIds[0], Ct));
        Assert.Empty(await Store.GetDeliveriesByTagAsync("m1", Ct));
        Assert.All((await Store.CountOutboxAsync(Ct)).Values, count => Assert.Equal(0, count));
        Assert.Empty(await Store.ClaimOutboxAsync(10, TimeSpan.FromSeconds(30), Ct));
        Assert.Null(await Store.GetTimerAsync("t1", Ct));
        Assert.Empty(await Store.ClaimDueTimersAsync(10, TimeSpan.FromSeconds(30), Ct));

        // The same update and document can be written again, from version 1.
        var again = await Store.CommitAsync(new Commit { UpdateId = 77, Writes = [new DocWrite(doc, "{}", 0)] }, Ct);
        Assert.Equal(CommitStatus.Committed, again.Status);
        Assert.Equal(1, (await Store.GetAsync(doc, Ct))!.Version);
    }
}

public sealed class InMemoryStoreEraseTests : StoreEraseContract
{
    protected override Task<IStateStore> CreateStoreAsync(FakeTimeProvider clock) =>
        Task.FromResult<IStateStore>(new InMemoryStateStore(clock));
}

[Collection("redis")]
public sealed class RedisStoreEraseTests(RedisServerFixture redis) : StoreEraseContract
{
    protected override async Task<IStateStore> CreateStoreAsync(FakeTimeProvider clock) =>
        await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"t{Guid.NewGuid():N}:sandbox:" },
            clock,
            CancellationToken.None);

    /// <summary>
    /// More keys than one SCAN/UNLINK batch go; keys outside the prefix stay, also those a glob-unescaped prefix
    /// ("e[1]*:" as a pattern matches "e1x:…") or a prefix without its separator would catch.
    /// </summary>
    [Fact]
    public async Task EraseAll_DeletesEveryKeyUnderThePrefix_InBatches_AndNoOtherKey()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var prefix = $"e[{run}]*:sandbox:";
        await using var store = await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = prefix }, Clock, CancellationToken.None);
        var writes = Enumerable.Range(1, 1_234).Select(i => new DocWrite(new DocKey("wish", i.ToString(CultureInfo.InvariantCulture)), "{}", 0)).ToList();
        Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Writes = writes }, CancellationToken.None)).Status);
        string[] others = [$"e{run}x:sandbox:doc:wish:1", $"e[{run}]*:sandboxed", $"e[{run}]*:doc:wish:1", $"{run}:unrelated"];
        foreach (var other in others)
        {
            await redis.ExecuteAsync("SET", other, "keep");
        }

        Assert.Equal("1234", await CountAsync(prefix));

        await store.EraseAllAsync(CancellationToken.None);

        Assert.Equal("0", await CountAsync(prefix));
        foreach (var other in others)
        {
            Assert.Equal("keep", await redis.ExecuteAsync("GET", other));
            await redis.ExecuteAsync("DEL", other);
        }
    }

    [Fact]
    public async Task EraseAll_WithoutAKeyPrefix_IsRefused()
    {
        await using var store = await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = string.Empty }, Clock, CancellationToken.None);
        await redis.ExecuteAsync("SET", "erase-guard", "keep");

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.EraseAllAsync(CancellationToken.None));

        Assert.Equal("keep", await redis.ExecuteAsync("GET", "erase-guard"));
        await redis.ExecuteAsync("DEL", "erase-guard");
    }

    /// <summary>Counts the keys under a prefix with a Lua loop over SCAN (no KEYS, and independent of the store's code).</summary>
    private Task<string> CountAsync(string prefix) => redis.ExecuteAsync(
        "EVAL",
        "local n, c = 0, '0' repeat local r = redis.call('SCAN', c, 'COUNT', 1000) c = r[1] for _, k in ipairs(r[2]) do if string.sub(k, 1, #ARGV[1]) == ARGV[1] then n = n + 1 end end until c == '0' return n",
        "0",
        prefix);
}
