using System.Globalization;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;

namespace MusterBot.Tests.State;

/// <summary>
/// The whole store contract on a real Redis Cluster of three masters (<see cref="RedisClusterFixture"/>), and what a
/// cluster adds: shards spread over the masters, every script runs on the master of its shard's slot, erasing scans
/// every master.
/// </summary>
[Collection("redis-cluster")]
public sealed class RedisClusterStateStoreTests(RedisClusterFixture cluster) : RedisStoreContract
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    protected override string ConnectionString => cluster.ConnectionString;

    protected override Task<string> ExecuteForKeyAsync(string key, params string[] arguments) => cluster.ExecuteForKeyAsync(key, arguments);

    [Fact]
    public async Task CommitsOfTwoShards_LandOnDifferentMasters_AndClaimsTakeFromBoth()
    {
        var first = 2L;
        var firstOwner = await cluster.OwnerOfAsync(Prefix + "{2}:epoch");
        var second = Enumerable.Range(3, 100).Select(i => (long)i).First(s => cluster.OwnerOfAsync(Prefix + "{" + Text(s) + "}:epoch").Result != firstOwner);
        var secondOwner = await cluster.OwnerOfAsync(Prefix + "{" + Text(second) + "}:epoch");

        var ids = new List<long>();
        foreach (var shard in (long[])[first, second])
        {
            var result = await Store.CommitAsync(new Commit
            {
                Shard = shard,
                UpdateId = 5,
                Writes = [new DocWrite(new DocKey("wish", "1"), "{}", 0)],
                Outbox = [new OutboxMessage(Lane.Reply, shard, new SendText("hi"))],
            }, Ct);
            Assert.Equal(CommitStatus.Committed, result.Status);
            ids.AddRange(result.OutboxIds);
        }

        Assert.NotEqual(firstOwner, secondOwner);
        Assert.Equal("1", await RedisServerFixture.ExecuteOnAsync(firstOwner, "EXISTS", Prefix + "{2}:doc:wish:1"));
        Assert.Equal("1", await RedisServerFixture.ExecuteOnAsync(secondOwner, "EXISTS", Prefix + "{" + Text(second) + "}:doc:wish:1"));
        Assert.Equal("1", await RedisServerFixture.ExecuteOnAsync(secondOwner, "EXISTS", Prefix + "{" + Text(second) + "}:ob:1"));
        Assert.True(await Store.IsUpdateHandledAsync(5, second, Ct));
        Assert.Equal(ids.Order(), (await Store.ClaimOutboxAsync(10, TimeSpan.FromSeconds(30), Ct)).Select(m => m.Id).Order());
    }

    [Fact]
    public async Task SharedRates_RunOnACluster_AllTheirKeysInOneSlot()
    {
        var limits = new MusterBot.State.Rates.SendLimits(1, 1, 5, 1, 1, 1, 0.5, 1, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(30));
        var rates = (MusterBot.State.Rates.ISendRates)Store;

        var first = await rates.TakeAsync(limits, 42, true, false, "a", Ct);
        var busy = await rates.TakeAsync(limits, 42, true, false, "b", Ct);
        var paid = await rates.TakeAsync(limits, -42, true, true, "a", Ct);
        await rates.ReleaseChatAsync(42, "a", Ct);
        await rates.PauseAsync(limits, 42, TimeSpan.FromSeconds(3), Ct);
        await rates.PauseAsync(limits, null, TimeSpan.FromSeconds(3), Ct);
        var paused = await rates.TakeAsync(limits, 43, false, false, "b", Ct);

        Assert.Equal(MusterBot.State.Rates.RateVerdict.Go, first.Verdict);
        Assert.Equal(MusterBot.State.Rates.RateVerdict.ChatBusy, busy.Verdict);
        Assert.Equal(new MusterBot.State.Rates.RateTicket(MusterBot.State.Rates.RateVerdict.Go, TimeSpan.Zero), paid);
        Assert.Equal(MusterBot.State.Rates.RateVerdict.Paused, paused.Verdict);
        var owner = await cluster.OwnerOfAsync(Prefix + "{rate}pause");
        Assert.Equal(owner, await cluster.OwnerOfAsync(Prefix + "{rate}chat:42"));
        Assert.Equal("1", await RedisServerFixture.ExecuteOnAsync(owner, "EXISTS", Prefix + "{rate}chat:42"));
    }

    [Fact]
    public async Task EraseAll_ScansEveryMaster()
    {
        foreach (var shard in Enumerable.Range(1, 30).Select(i => (long)i))
        {
            await Store.CommitAsync(new Commit { Shard = shard, Writes = [new DocWrite(new DocKey("wish", "1"), "{}", 0)], Outbox = [new OutboxMessage(Lane.Normal, 1, new SendText("x"))] }, Ct);
        }

        var before = await CountAsync();
        Assert.True(before.All(n => n > 0), "every master holds some of the 30 shards");

        await Store.EraseAllAsync(Ct);

        Assert.All(await CountAsync(), n => Assert.Equal(0, n));
        Assert.Empty(await Store.ClaimOutboxAsync(10, TimeSpan.FromSeconds(30), Ct));
    }

    /// <summary>Keys under this test's prefix, per master (a Lua loop over SCAN on each node).</summary>
    private async Task<List<long>> CountAsync()
    {
        var counts = new List<long>();
        foreach (var port in cluster.Ports)
        {
            var n = await RedisServerFixture.ExecuteOnAsync(
                port,
                "EVAL",
                "#!lua flags=no-writes,allow-cross-slot-keys\nlocal n, c = 0, '0' repeat local r = redis.call('SCAN', c, 'COUNT', 1000) c = r[1] for _, k in ipairs(r[2]) do if string.sub(k, 1, #ARGV[1]) == ARGV[1] then n = n + 1 end end until c == '0' return n",
                "0",
                Prefix);
            counts.Add(long.Parse(n, CultureInfo.InvariantCulture));
        }

        return counts;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
