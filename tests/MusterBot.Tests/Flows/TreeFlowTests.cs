using MusterBot.Flows.Complaints;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Points;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Stats;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Org;
using MusterBot.State.Records.Stats;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

public partial class TreeFlowTests
{
    [Fact]
    public async Task StreetAdmin_Stats_AddsUpItsCommunities_AndDrillsDownToOneAndBack()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h, Rita, Oak);
        var second = await FileAsync(h, Rita, Oak, text: "Street light broken");
        await ResolveAsync(h, Hank, second);
        await FileAsync(h, Ray, Elm);
        await FulfilledWishAsync(h, Rita, Ada, Mia, Oak, stars: 5);
        await h.DrainAsync();

        await h.Command(Sam, "stats");
        var sent = await h.DrainAsync();
        var text = Assert.Single(To(sent, Sam));
        Assert.Contains("<b>Harbour</b> (street)", text, StringComparison.Ordinal);
        Assert.Contains("2 communities", text, StringComparison.Ordinal);
        Assert.Contains("Total: 3 · ", text, StringComparison.Ordinal);
        Assert.Contains("Oak: 2 complaints", text, StringComparison.Ordinal);
        Assert.Contains("Elm: 1 complaints", text, StringComparison.Ordinal);
        Assert.Contains("Micro-wishes: 1 · fulfilled 1 · average rating 5.0", text, StringComparison.Ordinal);
        Assert.Contains("Now: 3 complaints open · 0 under supervision · 0 escalated · 0 wishes open", text, StringComparison.Ordinal);
        var buttons = Buttons(sent, Sam);
        Assert.Contains(new ComplaintButton.NodeStats(Oak, StatsPeriod.Month).Encode(), buttons);
        Assert.Contains(new ComplaintButton.NodeStats(Elm, StatsPeriod.Month).Encode(), buttons);
        Assert.DoesNotContain(new ComplaintButton.NodeStats(2, StatsPeriod.Month).Encode(), buttons);

        // Down to Oak: its detailed view (grids of its own shard), the CSV and a way back up.
        await h.Press(Sam, new ComplaintButton.NodeStats(Oak, StatsPeriod.All).Encode());
        sent = await h.DrainAsync();
        var oak = Assert.Single(To(sent, Sam), t => !t.StartsWith("answer:", StringComparison.Ordinal));
        Assert.Contains("🏘 <b>Oak</b>", oak, StringComparison.Ordinal);
        Assert.Contains("Complaint figures", oak, StringComparison.Ordinal);
        Assert.Contains("North: 2 · ", oak, StringComparison.Ordinal);
        Assert.Contains(new ComplaintButton.NodeStats(Harbour, StatsPeriod.All).Encode(), Buttons(sent, Sam));
        Assert.Contains(new ComplaintButton.NodeStatsCsv(Oak, StatsPeriod.All).Encode(), Buttons(sent, Sam));

        await h.Press(Sam, new ComplaintButton.NodeStatsCsv(Oak, StatsPeriod.All).Encode());
        var csv = Assert.Single((await h.DrainAsync()).Select(m => m.Action).OfType<SendDocument>());
        Assert.Contains("C-0002", System.Text.Encoding.UTF8.GetString(csv.Content), StringComparison.Ordinal);

        await h.Press(Sam, new ComplaintButton.NodeStats(Harbour, StatsPeriod.All).Encode());
        Assert.Contains(To(await h.DrainAsync(), Sam), t => t.Contains("<b>Harbour</b> (street)", StringComparison.Ordinal));

        // The district sees its streets, the empty one too.
        await h.Command(Dora, "stats");
        var district = Assert.Single(To(await h.DrainAsync(), Dora));
        Assert.Contains("<b>Riverside</b> (district)", district, StringComparison.Ordinal);
        Assert.Contains("3 communities", district, StringComparison.Ordinal);
        Assert.Contains("Harbour: 3 complaints", district, StringComparison.Ordinal);
        Assert.Contains("Hill: 0 complaints", district, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommunityFiguresDocument_MatchesItsRecords_AfterEveryKindOfChange()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h, Rita, Oak);
        var n = await SupervisedInOakAsync(h);
        await FulfilledWishAsync(h, Rita, Ada, Mia, Oak, stars: 4);
        h.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        await h.FireDueTimersAsync();
        Assert.Single((await ComplaintAsync(h, Oak, n)).Escalations);

        var stored = await GetAsync<CommunityStats>(h, DocKeys.CommunityStats.In(Oak));
        Assert.NotNull(stored);
        var computed = await CommunityTally.ComputeAsync(new DocReader(h.Store, Oak), Oak, TimeSpan.FromHours(8), Ct);
        Assert.Equal(RecordJson.Serialize(computed.Months), RecordJson.Serialize(stored.Months));
        Assert.Equal(computed.Now, stored.Now);
        Assert.Equal(new StatsTally { OpenComplaints = 2, Supervised = 1, Escalated = 1 }, stored.Now);
        Assert.Null(await GetAsync<CommunityStats>(h, DocKeys.CommunityStats.In(Elm)));
    }

    [Fact]
    public async Task Stats_OfANodeNotAdministered_IsRefusedPolitely_AndCommunityStaffKeepTheirView()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h, Rita, Oak);
        await h.DrainAsync();

        foreach (var forged in new long[] { Hill, Pine, 2, 1, 999, 0, -5 })
        {
            await h.Press(Sam, new ComplaintButton.NodeStats(forged, StatsPeriod.Month).Encode());
            var answer = Assert.Single(await h.DrainAsync());
            Assert.Equal(new AnswerCallback(((AnswerCallback)answer.Action).CallbackQueryId, "Sorry, you do not administer that unit, so its figures are not shown.", true), answer.Action);
        }

        // A node above has no CSV of its own: stale.
        await h.Press(Sam, new ComplaintButton.NodeStatsCsv(Harbour, StatsPeriod.Month).Encode());
        Assert.Equal(["answer: This button is no longer valid."], To(await h.DrainAsync(), Sam));

        // Community staff: today's view of their community; the street and the neighbour are not theirs.
        await h.Command(Ada, "stats");
        var own = Assert.Single(To(await h.DrainAsync(), Ada));
        Assert.Contains("Complaint figures", own, StringComparison.Ordinal);
        Assert.DoesNotContain("communities", own, StringComparison.Ordinal);
        await h.Press(Ada, new ComplaintButton.NodeStats(Harbour, StatsPeriod.Month).Encode());
        Assert.Contains("do not administer", Assert.Single(To(await h.DrainAsync(), Ada)), StringComparison.Ordinal);
        await h.Press(Ada, new ComplaintButton.NodeStats(Elm, StatsPeriod.Month).Encode());
        Assert.Contains("do not administer", Assert.Single(To(await h.DrainAsync(), Ada)), StringComparison.Ordinal);

        // A resident: neither.
        await h.Command(Rita, "stats");
        Assert.Contains("only", Assert.Single(To(await h.DrainAsync(), Rita)), StringComparison.Ordinal);
        await h.Press(Rita, new ComplaintButton.NodeStats(Oak, StatsPeriod.Month).Encode());
        Assert.Contains("do not administer", Assert.Single(To(await h.DrainAsync(), Rita)), StringComparison.Ordinal);

        // An escalated complaint of a community that is not theirs, or one that does not exist.
        await h.Press(Hilda, new ComplaintButton.OpenEscalated(Oak, 1).Encode());
        Assert.Contains("do not administer", Assert.Single(To(await h.DrainAsync(), Hilda)), StringComparison.Ordinal);
        await h.Press(Sam, new ComplaintButton.Urge(Oak, 99).Encode());
        Assert.Equal(["answer: This button is no longer valid."], To(await h.DrainAsync(), Sam));
    }

    [Fact]
    public async Task OverdueSupervision_GoesUpOneLevelAtATime_WithoutPhoneOrTheAnonymousFilersName()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await SupervisedInOakAsync(h, anonymous: true);

        h.Clock.Advance(TimeSpan.FromDays(3) - TimeSpan.FromMinutes(1));
        await h.FireDueTimersAsync();
        Assert.Empty(To(await h.DrainAsync(), Sam));

        h.Clock.Advance(TimeSpan.FromMinutes(2));
        await h.FireDueTimersAsync();
        var sent = await h.DrainAsync();
        var street = Assert.Single(To(sent, Sam));
        Assert.Contains("escalated", street, StringComparison.Ordinal);
        Assert.Contains("C-0001 (Oak)", street, StringComparison.Ordinal);
        Assert.Contains("Harbour", street, StringComparison.Ordinal);
        Assert.Contains("Filed by: anonymous", street, StringComparison.Ordinal);
        Assert.DoesNotContain("Rita", street, StringComparison.Ordinal);
        Assert.DoesNotContain("+86", street, StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.OpenEscalated(Oak, n).Encode(), new ComplaintButton.Urge(Oak, n).Encode()], Buttons(sent, Sam));
        Assert.Contains(To(sent, Ada), t => t.Contains("escalated to Harbour", StringComparison.Ordinal));
        Assert.Empty(To(sent, Dora));
        Assert.Empty(To(sent, Cid));
        var complaint = await ComplaintAsync(h, Oak, n);
        Assert.Equal(OrgLevel.Street, Assert.Single(complaint.Escalations).Level);
        Assert.Contains(complaint.History, e => e.What == "escalated");

        h.Clock.Advance(TimeSpan.FromDays(2));
        await h.FireDueTimersAsync();
        sent = await h.DrainAsync();
        Assert.Contains("Riverside", Assert.Single(To(sent, Dora)), StringComparison.Ordinal);
        Assert.Empty(To(sent, Sam));
        Assert.Empty(To(sent, Cid));

        h.Clock.Advance(TimeSpan.FromDays(2));
        await h.FireDueTimersAsync();
        sent = await h.DrainAsync();
        Assert.Contains("Metro", Assert.Single(To(sent, Cid)), StringComparison.Ordinal);
        Assert.Equal([OrgLevel.Street, OrgLevel.District, OrgLevel.City], (await ComplaintAsync(h, Oak, n)).Escalations.Select(e => e.Level));

        // At the top: nothing further.
        h.Clock.Advance(TimeSpan.FromDays(10));
        await h.FireDueTimersAsync();
        sent = await h.DrainAsync();
        Assert.Empty(To(sent, Cid));
        Assert.Equal(3, (await ComplaintAsync(h, Oak, n)).Escalations.Count);
    }

    [Fact]
    public async Task Urge_TellsTheHandlerAndTheCommunityAdministrators_Once_AndOnlyWhileEscalated()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await SupervisedInOakAsync(h);
        var urge = new ComplaintButton.Urge(Oak, n).Encode();

        // Not escalated yet: nothing to urge.
        await h.Press(Sam, urge);
        Assert.Contains("nothing to urge", Assert.Single(To(await h.DrainAsync(), Sam)), StringComparison.Ordinal);

        h.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        await h.FireDueTimersAsync();
        await h.DrainAsync();

        await h.Press(Sam, new ComplaintButton.OpenEscalated(Oak, n).Encode());
        var sent = await h.DrainAsync();
        var summary = Assert.Single(To(sent, Sam), t => !t.StartsWith("answer:", StringComparison.Ordinal));
        Assert.Contains("Filed by: Rita", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("+86", summary, StringComparison.Ordinal);
        Assert.Contains(urge, Buttons(sent, Sam));

        await h.Press(Sam, urge);
        sent = await h.DrainAsync();
        Assert.Equal(["answer: C-0001 urged: its handler and the community's administrators have been told."], To(sent, Sam));
        Assert.Contains("Harbour (Sam) urges complaint C-0001", Assert.Single(To(sent, Hank)), StringComparison.Ordinal);
        Assert.Contains("Harbour (Sam) urges complaint C-0001", Assert.Single(To(sent, Ada)), StringComparison.Ordinal);
        Assert.Single((await ComplaintAsync(h, Oak, n)).History, e => e.What == "urged" && e.By == Sam.Id);

        // A second press: answered, nothing sent again.
        await h.Press(Sam, urge);
        sent = await h.DrainAsync();
        Assert.Contains("already urged", Assert.Single(To(sent, Sam)), StringComparison.Ordinal);
        Assert.Empty(To(sent, Hank));

        // Another street's administrator may not.
        await h.Press(Hilda, urge);
        Assert.Contains("do not administer", Assert.Single(To(await h.DrainAsync(), Hilda)), StringComparison.Ordinal);

        // Resolved: the old button says so.
        await h.Press(Hank, new ComplaintButton.Resolve(n).Encode());
        await h.Text(Hank, "Emptied daily now");
        await h.DrainAsync();
        await h.Press(Dora, urge);
        Assert.Contains("nothing to urge", Assert.Single(To(await h.DrainAsync(), Dora)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolvedUnderSupervision_BeforeTheDeadline_IsNotEscalated()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await SupervisedInOakAsync(h);
        await h.Press(Hank, new ComplaintButton.Resolve(n).Encode());
        await h.Text(Hank, "Fixed for good");
        await h.DrainAsync();

        h.Clock.Advance(TimeSpan.FromDays(8));
        await h.FireDueTimersAsync();
        var sent = await h.DrainAsync();
        Assert.Empty(To(sent, Sam));
        Assert.Empty((await ComplaintAsync(h, Oak, n)).Escalations);
    }

    [Fact]
    public async Task Points_AddUpAcrossCommunities_AndTheStreetRanksFromCommunityTotals()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FulfilledWishAsync(h, Rita, Ada, Mia, Oak, stars: 5);
        await FulfilledWishAsync(h, Ray, Eli, Max, Elm, stars: 4);
        await MoveAsync(h, Mia, Oak, Elm);
        await FulfilledWishAsync(h, Ray, Eli, Mia, Elm, stars: 5);

        Assert.Equal(["4", "5"], (await h.Store.GetSetMembersAsync(Sets.PointsShardsOf(Mia.Id), Shards.Root, Ct)).Order(StringComparer.Ordinal));
        Assert.Equal(15, (await GetAsync<PointsTotals>(h, DocKeys.PointsTotals.In(Oak)))!.All[Mia.Id]);
        Assert.Equal(15, (await GetAsync<PointsTotals>(h, DocKeys.PointsTotals.In(Elm)))!.All[Mia.Id]);

        await h.Command(Mia, "points");
        var balance = Assert.Single(To(await h.DrainAsync(), Mia));
        Assert.Contains("My points: 30", balance, StringComparison.Ordinal);
        Assert.Contains("· Oak: 15", balance, StringComparison.Ordinal);
        Assert.Contains("· Elm: 15", balance, StringComparison.Ordinal);

        await h.Command(Sam, "points");
        var sent = await h.DrainAsync();
        Assert.Contains(PointsButton.Codec.Encode(new PointsButton.RankNode(Harbour, RankPeriod.All)), Buttons(sent, Sam));
        await h.Press(Sam, PointsButton.Codec.Encode(new PointsButton.RankNode(Harbour, RankPeriod.All)));
        sent = await h.DrainAsync();
        var ranking = Assert.Single(To(sent, Sam), t => !t.StartsWith("answer:", StringComparison.Ordinal));
        Assert.Contains("Harbour points ranking", ranking, StringComparison.Ordinal);
        Assert.Contains("1. Mia — 30\n2. Max — 10", ranking, StringComparison.Ordinal);
        Assert.Contains(PointsButton.Codec.Encode(new PointsButton.RankNode(Oak, RankPeriod.All)), Buttons(sent, Sam));

        await h.Press(Sam, PointsButton.Codec.Encode(new PointsButton.RankNode(Oak, RankPeriod.Month)));
        Assert.Contains("1. Mia — 15", Assert.Single(To(await h.DrainAsync(), Sam), t => !t.StartsWith("answer:", StringComparison.Ordinal)), StringComparison.Ordinal);

        // Not Sam's: the other street, the district above, a node that does not exist.
        foreach (var forged in new long[] { Hill, 2, 999 })
        {
            await h.Press(Sam, PointsButton.Codec.Encode(new PointsButton.RankNode(forged, RankPeriod.All)));
            Assert.Contains("do not administer", Assert.Single(To(await h.DrainAsync(), Sam)), StringComparison.Ordinal);
        }

        // A member is not an administrator of any node.
        await h.Press(Max, PointsButton.Codec.Encode(new PointsButton.RankNode(Elm, RankPeriod.All)));
        Assert.Contains("do not administer", Assert.Single(To(await h.DrainAsync(), Max)), StringComparison.Ordinal);
    }

    /// <summary>A person moves to another community (as the tenancy work does): records written there, the directory points there.</summary>
    private static async Task MoveAsync(FlowHarness h, Sender who, long from, long to)
    {
        var profile = (await GetAsync<UserProfile>(h, DocKeys.User(who.Id).In(from)))!;
        Assert.Equal(CommitStatus.Committed, (await h.Store.CommitAsync(new Commit
        {
            Shard = to,
            Writes = [new DocWrite(DocKeys.User(who.Id), RecordJson.Serialize(profile), null)],
            SetChanges = [.. PeopleIndex.Changes(null, profile)],
        }, Ct)).Status);
        Assert.Equal(CommitStatus.Committed, (await h.Store.CommitAsync(new Commit
        {
            Shard = Shards.Root,
            Writes = [new DocWrite(DocKeys.Home(who.Id), RecordJson.Serialize(new PersonHome(to)), null)],
        }, Ct)).Status);
        Assert.Equal(CommitStatus.Committed, (await h.Store.CommitAsync(new Commit
        {
            Shard = from,
            Writes = [new DocWrite(DocKeys.User(who.Id), null, null), new DocWrite(DocKeys.Conversation(who.Id), null, null)],
            SetChanges = [.. PeopleIndex.Changes(profile, null)],
        }, Ct)).Status);
    }
}
