using System.Diagnostics;
using MusterBot.Flows.Complaints;
using MusterBot.Flows.Points;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Org;
using MusterBot.State.Records.Stats;
using MusterBot.State.Redis;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;
using Xunit.Abstractions;

namespace MusterBot.Tests.Flows;

/// <summary>
/// A city of 1,530 communities (10 districts, 100 streets) on real Redis: the city administrator's /stats and points
/// ranking read one figures document and one totals document per community, and add them up right.
/// </summary>
[Collection("redis")]
public sealed class CityScaleTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const int Districts = 10;
    private const int StreetsPerDistrict = 10;
    private const int Communities = 1530;
    private const int PeoplePerCommunity = 40;

    [Fact]
    public async Task CityStats_AndRanking_Over1530Communities_AddUpEveryCommunity_OnRedis()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"city{Guid.NewGuid():N}:" }, clock, CancellationToken.None);
        var h = new FlowHarness(store);
        var mayor = FlowHarness.Person(9, "en", "Mayor");
        var now = clock.GetUtcNow();
        var month = now.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

        // The tree: ids 2..11 districts, 12..111 streets, 112.. communities (spread over the streets).
        var nodes = new List<OrgNode>();
        var streets = Enumerable.Range(0, Districts * StreetsPerDistrict).Select(i => 2L + Districts + i).ToList();
        var communities = Enumerable.Range(0, Communities).Select(i => 2L + Districts + streets.Count + i).ToList();
        nodes.Add(new OrgNode(1, OrgLevel.City, null, "City") { Children = [.. Enumerable.Range(0, Districts).Select(d => 2L + d)], Admins = [mayor.Id] });
        for (var d = 0; d < Districts; d++)
        {
            nodes.Add(new OrgNode(2 + d, OrgLevel.District, 1, "D" + d) { Path = [1], Children = [.. streets.Skip(d * StreetsPerDistrict).Take(StreetsPerDistrict)] });
        }

        for (var s = 0; s < streets.Count; s++)
        {
            var district = 2L + (s / StreetsPerDistrict);
            nodes.Add(new OrgNode(streets[s], OrgLevel.Street, district, "S" + s) { Path = [1, district], Children = [.. communities.Where((_, i) => i % streets.Count == s)] });
        }

        for (var c = 0; c < Communities; c++)
        {
            var street = streets[c % streets.Count];
            nodes.Add(new OrgNode(communities[c], OrgLevel.Community, street, "C" + c) { Path = [1, 2L + ((c % streets.Count) / StreetsPerDistrict), street] });
        }

        var mayorProfile = new UserProfile(mayor.Id, mayor.Id, "Mayor") { Language = Language.En, LanguageChosen = true, AdminOf = [1], RegisteredAt = now };
        Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit
        {
            Shard = Shards.Root,
            Writes = [.. nodes.Select(n => new DocWrite(DocKeys.OrgNode(n.Id), RecordJson.Serialize(n), null)), new DocWrite(DocKeys.User(mayor.Id), RecordJson.Serialize(mayorProfile), null)],
        }, CancellationToken.None)).Status);

        // Each community: (c % 10) + 1 complaints filed this month, c % 3 wishes, and points for its people
        // (person p of community c earns p+1; person 1000 earns 1 in every community: 1,530 across the city).
        await Parallel.ForEachAsync(Enumerable.Range(0, Communities), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (c, ct) =>
        {
            var tally = new StatsTally { Filed = (c % 10) + 1, Wishes = c % 3 };
            var stats = new CommunityStats { Months = new Dictionary<string, StatsTally> { [month] = tally }, Now = new StatsTally { OpenComplaints = 1 } };
            var all = Enumerable.Range(0, PeoplePerCommunity).ToDictionary(p => 100_000L + (c * 100L) + p, p => p + 1);
            all[1000] = 1;
            await store.CommitAsync(new Commit
            {
                Shard = communities[c],
                Writes =
                [
                    new DocWrite(DocKeys.CommunityStats, RecordJson.Serialize(stats), null),
                    new DocWrite(DocKeys.PointsTotals, RecordJson.Serialize(new PointsTotals { All = all }), null),
                ],
            }, ct);
        });
        var filed = Enumerable.Range(0, Communities).Sum(c => (c % 10) + 1);

        var watch = Stopwatch.StartNew();
        await h.Command(mayor, "stats");
        var statsTime = watch.Elapsed;
        var text = Assert.Single((await h.DrainAsync()).Select(m => m.Action).OfType<SendText>()).Html;
        Assert.Contains($"{Communities} communities", text, StringComparison.Ordinal);
        Assert.Contains($"Total: {filed} · ", text, StringComparison.Ordinal);
        Assert.Contains($"Now: {Communities} complaints open", text, StringComparison.Ordinal);
        Assert.Contains("D0: ", text, StringComparison.Ordinal);
        Assert.Contains("D9: ", text, StringComparison.Ordinal);

        watch.Restart();
        await h.Press(mayor, PointsButton.Codec.Encode(new PointsButton.RankNode(1, RankPeriod.All)));
        var rankingTime = watch.Elapsed;
        var ranking = Assert.Single((await h.DrainAsync()).Select(m => m.Action).OfType<EditText>()).Html;
        Assert.Contains("1. #1000 — 1530\n2. #", ranking, StringComparison.Ordinal);
        Assert.Contains(" — 40\n", ranking, StringComparison.Ordinal);

        watch.Restart();
        await h.Press(mayor, new ComplaintButton.NodeStats(streets[0], StatsPeriod.Month).Encode());
        var streetTime = watch.Elapsed;

        // Warm (JIT done): the refresh an administrator sees after the first.
        watch.Restart();
        await h.Press(mayor, new ComplaintButton.NodeStats(1, StatsPeriod.All).Encode());
        var warmStats = watch.Elapsed;
        watch.Restart();
        await h.Press(mayor, PointsButton.Codec.Encode(new PointsButton.RankNode(1, RankPeriod.Month)));
        var warmRanking = watch.Elapsed;
        output.WriteLine($"city /stats over {Communities} communities: first {statsTime.TotalMilliseconds:F0} ms, warm {warmStats.TotalMilliseconds:F0} ms; "
            + $"city ranking: first {rankingTime.TotalMilliseconds:F0} ms, warm {warmRanking.TotalMilliseconds:F0} ms; one street: {streetTime.TotalMilliseconds:F0} ms");
    }
}
