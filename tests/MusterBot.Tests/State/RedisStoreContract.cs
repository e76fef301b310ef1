using System.Globalization;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;
using MusterBot.State.Timers;

namespace MusterBot.Tests.State;

/// <summary>
/// The store contract plus what only Redis has: the key layout (every key of a shard carries its hash tag) and the work
/// index in the root shard (its guard against a stale claim, its sweep). Run on one node and on a 3-master cluster.
/// </summary>
public abstract class RedisStoreContract : StateStoreContract
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>This test's key prefix (each test has its own).</summary>
    protected string Prefix { get; } = $"t{Guid.NewGuid():N}:";

    protected abstract string ConnectionString { get; }

    /// <summary>Runs one raw command on the node that owns <paramref name="key"/>.</summary>
    protected abstract Task<string> ExecuteForKeyAsync(string key, params string[] arguments);

    protected override async Task<IStateStore> CreateStoreAsync(FakeTimeProvider clock) =>
        await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = ConnectionString, KeyPrefix = Prefix }, clock, Ct);

    [Fact]
    public async Task Lease_BetweenInstancesWhoseClocksDiffer_IsJudgedByRedisAlone()
    {
        // Two instances on one store, their clocks 2 s apart (and frozen): the lease holds and ends on Redis's clock.
        var ahead = new FakeTimeProvider(Clock.GetUtcNow() + TimeSpan.FromSeconds(2));
        await using var other = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = ConnectionString, KeyPrefix = Prefix }, ahead, Ct);
        // The lease lives 1.8 s (shorter than the skew: judged by the clock ahead it would have ended at once); the
        // margins are wide because a loaded machine may stall a step for most of a second.
        var ttl = TimeSpan.FromMilliseconds(1800);

        Assert.True(await Leases.TryAcquireLeaseAsync("poller", "a", ttl, Ct));
        Assert.False(await other.TryAcquireLeaseAsync("poller", "b", ttl, Ct));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(await other.TryAcquireLeaseAsync("poller", "b", ttl, Ct));
        await Task.Delay(TimeSpan.FromMilliseconds(1700));

        Assert.True(await other.TryAcquireLeaseAsync("poller", "b", ttl, Ct));
        Assert.False(await Leases.TryAcquireLeaseAsync("poller", "a", ttl, Ct));
        Assert.Equal("b", await Leases.LeaseHolderAsync("poller", Ct));
    }

    [Fact]
    public async Task EveryKeyOfAShard_CarriesItsHashTag_AndTheWorkIndexIsInTheRootShard()
    {
        var now = Clock.GetUtcNow();
        var result = await Store.CommitAsync(new Commit
        {
            Shard = 4,
            UpdateId = 77,
            Writes = [new DocWrite(new DocKey("wish", "1"), "{}", 0)],
            SetChanges = [new SetChange("people", "9", true)],
            Outbox = [new OutboxMessage(Lane.Normal, 9, new SendText("x")) { Tag = "w:1" }],
            SetTimers = [new TimerEntry("wi:auto:1", now.AddMinutes(1), 9, "{}")],
        }, Ct);

        Assert.Equal([OutboxIds.Compose(4, 1)], result.OutboxIds);
        foreach (var key in (string[])["doc:wish:1", "set:people", "upd:77", "ob:1", "dlv:1", "lane:2", "tag:w:1", "seq:outbox", "tmr:wi:auto:1", "timers", "epoch"])
        {
            Assert.Equal("1", await ExecuteForKeyAsync(Prefix + "{4}:" + key, "EXISTS", Prefix + "{4}:" + key));
        }

        var root = Prefix + "{1}:";
        Assert.Equal(Text(now.ToUnixTimeMilliseconds()), await ExecuteForKeyAsync(root + "ix:f:2", "ZSCORE", root + "ix:f:2", "4"));
        Assert.Equal(Text(now.AddMinutes(1).ToUnixTimeMilliseconds()), await ExecuteForKeyAsync(root + "ix:tm", "ZSCORE", root + "ix:tm", "4"));
        Assert.Equal("1", await ExecuteForKeyAsync(root + "ix:shards", "SISMEMBER", root + "ix:shards", "4"));
        Assert.Equal("1", await ExecuteForKeyAsync(root + "ix:epoch", "HGET", root + "ix:epoch", "4"));
    }

    [Fact]
    public async Task AClaimsStaleIndexUpdate_LandingAfterACommit_DoesNotHideTheCommitsMessage()
    {
        // The shard had a message; a claim took it and was completed: the shard is empty at epoch 1.
        var first = (await Store.CommitAsync(new Commit { Shard = 7, Outbox = [new OutboxMessage(Lane.Emergency, 1, new SendText("a"))] }, Ct)).OutboxIds[0];
        Assert.Equal(first, Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct)).Id);
        await Store.CompleteOutboxAsync(first, new DeliveryRecord(first, 1, DeliveryStatus.Sent, Clock.GetUtcNow()), Ct);
        var shard = Prefix + "{7}:";
        Assert.Equal("1", await ExecuteForKeyAsync(shard + "epoch", "GET", shard + "epoch"));

        // A commit adds a message (epoch 2) and indexes it …
        var second = (await Store.CommitAsync(new Commit { Shard = 7, Outbox = [new OutboxMessage(Lane.Emergency, 2, new SendText("b"))] }, Ct)).OutboxIds[0];

        // … and only then lands the index update of a claim that saw the shard empty at epoch 1 ("remove shard 7").
        var rp = Prefix + "{1}:";
        await ExecuteForKeyAsync(rp + "ix:epoch", ["EVAL", RedisScripts.Reindex.Body, "1", rp + "ix:epoch", rp, "7", "1", "1", "", "", "", "", "", "", "", "", ""]);

        // No sweep runs (the clock stands still): the index still names shard 7, so the message is claimed.
        Assert.Equal(second, Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct)).Id);
    }

    [Fact]
    public async Task AnIndexEntryLost_AfterACommit_OnlyDelaysDelivery_UntilTheSweep()
    {
        Assert.Empty(await Store.ClaimOutboxAsync(10, Lease, Ct)); // the store's first claim sweeps
        var id = (await Store.CommitAsync(new Commit { Shard = 9, Outbox = [new OutboxMessage(Lane.Normal, 1, new SendText("x"))] }, Ct)).OutboxIds[0];

        // As if the process died between the commit and its index update.
        var rp = Prefix + "{1}:";
        Assert.Equal("1", await ExecuteForKeyAsync(rp + "ix:f:2", "ZREM", rp + "ix:f:2", "9"));
        Assert.Empty(await Store.ClaimOutboxAsync(10, Lease, Ct));

        Clock.Advance(new RedisStoreOptions().IndexSweepInterval);

        Assert.Equal(id, Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct)).Id);
        Assert.Equal(1, (await Store.CountOutboxAsync(Ct))[Lane.Normal]);
    }

    [Fact]
    public async Task ATimerIndexEntryLost_IsFoundBySweep()
    {
        Assert.Empty(await Store.ClaimDueTimersAsync(10, Lease, Ct));
        await Store.CommitAsync(new Commit { Shard = 9, SetTimers = [new TimerEntry("t", Clock.GetUtcNow(), 1, "{}")] }, Ct);
        var rp = Prefix + "{1}:";
        Assert.Equal("1", await ExecuteForKeyAsync(rp + "ix:tm", "ZREM", rp + "ix:tm", "9"));
        Assert.Empty(await Store.ClaimDueTimersAsync(10, Lease, Ct));

        await ((RedisStateStore)Store).SweepIndexAsync(Ct);

        Assert.Equal((9L, "t"), (Assert.Single(await Store.ClaimDueTimersAsync(10, Lease, Ct)) is var t ? (t.Shard, t.Id) : default));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AClaimWhoseAnswerNeverCame_IsPutBackByTheNextClaim_NotAfterItsLease(bool timer)
    {
        var sp = Prefix + "{9}:";
        // A first item claimed as usual: the claim script is loaded on the server (a paused call of a script it does
        // not know would come back NOSCRIPT without running) and the index sweep is done.
        async Task CommitAsync(string id) => await Store.CommitAsync(new Commit
        {
            Shard = 9,
            SetTimers = timer ? [new TimerEntry(id, Clock.GetUtcNow(), 1, "{}")] : [],
            Outbox = timer ? [] : [new OutboxMessage(Lane.Normal, long.Parse(id, CultureInfo.InvariantCulture), new SendText("x"))],
        }, Ct);
        async Task<List<string>> ClaimAsync(CancellationToken ct) => timer
            ? (await Store.ClaimDueTimersAsync(10, Lease, ct)).Select(t => t.Id).ToList()
            : (await Store.ClaimOutboxAsync(10, Lease, ct)).Select(m => m.ChatId.ToString(CultureInfo.InvariantCulture)).ToList();
        await CommitAsync("4");
        Assert.Equal(["4"], await ClaimAsync(Ct));
        await CommitAsync("5");

        // The shard's node holds every write for 1.5 s: the claim's script is sent and waits there, its caller gives
        // up after 0.3 s, and the script runs when the pause ends — claimed, with nobody holding it.
        Assert.Equal("OK", await ExecuteForKeyAsync(sp + "timers", "CLIENT", "PAUSE", "1500", "WRITE"));
        using (var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ClaimAsync(giveUp.Token));
        }

        var inflight = timer ? sp + "timers:inflight" : sp + "inflight:2";
        for (var waited = 0; await ExecuteForKeyAsync(inflight, "ZCARD", inflight) != "2"; waited += 50)
        {
            Assert.True(waited < 10_000, "the paused claim never ran");
            await Task.Delay(50);
        }

        // The lease is 30 s and the clock has not moved: only the release by the lost claim's token gives it back; the
        // first item stays with the claim that holds it.
        Assert.Equal(["5"], await ClaimAsync(Ct));
        Assert.Equal("2", await ExecuteForKeyAsync(inflight, "ZCARD", inflight));
        Assert.Empty(await ClaimAsync(Ct));
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
