using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Memory;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Musters;
using MusterBot.State.Records.Org;
using MusterBot.State.Timers;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// 吹哨—征调—报到 (issue #15 point 4): a city's workplace region "Power Co" (w2, at the city node 1) has convenor Dee
/// (lives in Elm 4) and backup Eve (lives in Pine 6); its members Fay (Elm 4), Gus (Oak 5) and Hal (Yew 9, West St).
/// The convenor is ordered with the launch, before any community's part; the members' orders wait in their home
/// communities' parts until the relay (or the escalation at T1); the launcher can close every part at once.
/// </summary>
public partial class MusterTreeTests
{
    private static readonly Sender Dee = FlowHarness.Person(80, "en", "Dee");
    private static readonly Sender Eve = FlowHarness.Person(81, "en", "Eve");
    private static readonly Sender Fay = FlowHarness.Person(82, "en", "Fay");
    private static readonly Sender Gus = FlowHarness.Person(83, "en", "Gus");
    private static readonly Sender Hal = FlowHarness.Person(84, "en", "Hal");

    private const string PowerKey = "1.w2";

    private static async Task SeedWorkplaceAsync(FlowHarness h)
    {
        var now = h.Clock.GetUtcNow();
        var commits = new Dictionary<long, (List<DocWrite> Writes, List<SetChange> Sets)>();
        (List<DocWrite> Writes, List<SetChange> Sets) In(long shard) => commits.TryGetValue(shard, out var c) ? c : commits[shard] = ([], []);
        void Put<T>(long shard, DocKey key, T record) => In(shard).Writes.Add(new DocWrite(key.In(shard), RecordJson.Serialize(record), null));
        void Sets(long shard, IEnumerable<SetChange> changes) => In(shard).Sets.AddRange(changes);

        Put(Shards.Root, DocKeys.Region("w2"), new Region("w2", "Power Co") { ConvenorId = Dee.Id, BackupConvenorId = Eve.Id });
        Sets(Shards.Root, [new SetChange(MusterBot.State.Records.Sets.Regions, "w2", Add: true)]);
        foreach (var (who, shard, roles) in new[] { (Dee, 4L, Roles.Member | Roles.Convenor), (Eve, 6L, Roles.Member | Roles.Convenor), (Fay, 4L, Roles.Member), (Gus, 5L, Roles.Member), (Hal, 9L, Roles.Member) })
        {
            var profile = new UserProfile(who.Id, who.Id, who.FirstName)
            {
                Language = Language.En,
                Roles = roles,
                RegisteredAt = now,
                FirstSeenAt = now,
                Phone = "+86139" + who.Id.ToString("D8", CultureInfo.InvariantCulture),
                RegionId = "w2",
                WorkNodeId = Shards.Root,
            };
            Put(shard, DocKeys.User(who.Id), profile);
            Sets(shard, PeopleIndex.Changes(null, profile).Where(c => c.Shard is null));
            Sets(Shards.Root, PeopleIndex.Changes(null, profile).Where(c => c.Shard == Shards.Root).Select(c => c with { Shard = null }));
            Put(Shards.Root, DocKeys.Home(who.Id), new PersonHome(shard) { Since = now });
        }

        foreach (var (shard, (writes, sets)) in commits.OrderBy(c => c.Key))
        {
            Assert.Equal(CommitStatus.Committed, (await h.Store.CommitAsync(new Commit { Shard = shard, Writes = writes, SetChanges = sets }, Ct)).Status);
        }
    }

    /// <summary>The city administrator's launch over every community, with every workplace region below.</summary>
    private static Task CityLaunchAsync(FlowHarness h) =>
        LaunchAsync(h, CityAdmin, choose: c =>
        {
            c.Add(new MusterButton.ToggleAllNodes().Data);
            c.Add(new MusterButton.ToggleAllWorkplace().Data);
        });

    /// <summary>The city's launch with Power Co, its parts written, the outbox drained.</summary>
    private static async Task<FlowHarness> CityLaunchedWithPartsAsync()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await SeedWorkplaceAsync(h);
        await CityLaunchAsync(h);
        await h.FireDueTimersAsync();
        await h.DrainAsync();
        return h;
    }

    [Fact]
    public async Task The_workplace_convenor_is_ordered_with_the_launch_and_members_wait_for_the_relay_in_their_home_communities()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await SeedWorkplaceAsync(h);
        await CityLaunchAsync(h);

        // The launch itself: Dee's order (in this decision, before any community's part), nobody else's.
        var launch = await h.DrainAsync();
        NoErrors(launch);
        var order = Assert.Single(TextsTo(launch, Dee));
        Assert.True(Assert.Single(launch, m => m.ChatId == Dee.Id).SendFirst, "the convenor's order is marked to be sent first");
        Assert.Equal([Dee.Id], launch.Where(m => m.SendFirst).Select(m => m.ChatId));
        Assert.Contains("Power Co", order, StringComparison.Ordinal);
        Assert.Contains("calling 4 people in 4 communities", order, StringComparison.Ordinal);
        Assert.Contains(TextsTo(launch, CityAdmin), t => t.Contains("Sent first to 1 workplace convenors; they relay it to 4 members", StringComparison.Ordinal));
        Assert.DoesNotContain(launch, m => m.ChatId is 42 or 50 or 82 or 83 or 84);
        var share = (await GetAsync<TreeWorkplace>(h.Store, DocKeys.TreeWorkplace(1, PowerKey).In(1)))!;
        Assert.Equal([4L, 5L, 6L, 9L], share.Communities); // Eve, the backup, is called as a member until she takes over
        Assert.Null(share.MembersToldAt);

        // The parts: Fay, Gus and Hal are called in their home communities as Power Co's group, held.
        await h.FireDueTimersAsync();
        var parts = await h.DrainAsync();
        NoErrors(parts);
        foreach (var (who, community) in new[] { (Fay, 4L), (Gus, 5L), (Hal, 9L) })
        {
            var group = (await GetAsync<MusterRegion>(h.Store, DocKeys.MusterRegion(1, PowerKey).In(community)))!;
            Assert.Null(group.MembersToldAt);
            Assert.Equal([Sets.Member(who.Id)], await h.Store.GetSetMembersAsync(Sets.MusterTargets(1, PowerKey), community, Ct));
            Assert.Empty(TextsTo(parts, who));
        }

        // The convenor is not called as a member; Bo (an Oak member of no workplace region) got his order directly.
        Assert.Null(await GetAsync<MusterAnswer>(h.Store, DocKeys.MusterAnswer(1, Dee.Id).In(4)));
        Assert.Single(TextsTo(parts, Bo));
        // In the parts only a community region's convenor (Cora, region r1 of Oak) is sent first.
        Assert.Equal([Cora.Id], parts.Where(m => m.SendFirst).Select(m => m.ChatId).Distinct());

        // Acknowledge, then relay: every member gets the order, told to report where they live.
        await h.Press(Dee, new MusterButton.WorkplaceAck(1, 1, 0).Data);
        await h.Press(Dee, new MusterButton.WorkplaceRelay(1, 1, 0).Data);
        var relay = await h.DrainAsync();
        Assert.Contains(relay, m => m.ChatId == Dee.Id && m.Action is AnswerCallback { Text: var t } && t!.Contains("Relayed to 4 people (4 communities)", StringComparison.Ordinal));

        // Relays within a second share one pass over the communities.
        Assert.Equal(0, await h.FireDueTimersAsync());
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1 + 4, await h.FireDueTimersAsync());
        var released = await h.DrainAsync();
        NoErrors(released);
        Assert.Single(TextsTo(released, Fay), t => t.Contains("Report to Elm", StringComparison.Ordinal));
        Assert.Single(TextsTo(released, Gus), t => t.Contains("Report to Oak", StringComparison.Ordinal));
        Assert.Single(TextsTo(released, Hal), t => t.Contains("Report to Yew", StringComparison.Ordinal));
        Assert.Empty(TextsTo(released, Bo));
        Assert.NotNull((await GetAsync<MusterRegion>(h.Store, DocKeys.MusterRegion(1, PowerKey).In(5)))!.MembersToldAt);

        // A second relay is answered politely and sends nothing.
        await h.Press(Dee, new MusterButton.WorkplaceRelay(1, 1, 0).Data);
        var again = await h.DrainAsync();
        Assert.Contains(again, m => m.ChatId == Dee.Id && m.Action is AnswerCallback { Text: var a } && a!.Contains("no need to relay again", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, await h.FireDueTimersAsync());
        Assert.DoesNotContain(await h.DrainAsync(), m => m.ChatId is 82 or 83 or 84);

        // Gus checks in at Oak; Dee's roll call shows one line per community, from the tallies.
        await h.Press(Gus, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        await h.DrainAsync();
        await h.Press(Dee, new MusterButton.WorkplaceRollCall(1, 1, 0).Data);
        var rollCall = Assert.Single(TextsTo(await h.DrainAsync(), Dee), t => t.Contains("Roll call", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("called 4 · 📍1", rollCall, StringComparison.Ordinal);
        Assert.Contains("<b>Oak</b> called 1 · 📍1", rollCall, StringComparison.Ordinal);
        Assert.Contains("<b>Yew</b> called 1 · 📍0", rollCall, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relay_that_reaches_a_community_before_its_part_is_written_is_kept_and_the_part_tells_the_members()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await SeedWorkplaceAsync(h);
        await CityLaunchAsync(h);
        await h.DrainAsync();

        // Relay before any part is written, and the pass's links run in each community before its part is written
        // (as when a pass overtakes the chains): each leaves the relayed keys in the community's marker (the Hospital has
        // no convenor, so it counts as relayed from the start).
        await h.Press(Dee, new MusterButton.WorkplaceRelay(1, 1, 0).Data);
        await h.DrainAsync();
        var tree = (await GetAsync<TreeMuster>(h.Store, DocKeys.TreeMuster(1).In(1)))!;
        for (var i = 0; i < tree.Communities.Count; i++)
        {
            var payload = new MusterTimer.TreeRelease(1, 1, i).Id;
            var community = tree.Communities[i].CommunityId;
            var at = h.Clock.GetUtcNow();
            await h.Store.CommitAsync(new Commit { Shard = community, SetTimers = [new TimerEntry(MusterFlow.TimerIdAt(community, payload), at, MusterFlow.SystemUser, payload)] }, Ct);
        }

        var due = await h.Store.ClaimDueTimersAsync(1_000, TimeSpan.FromMinutes(1), Ct);
        foreach (var timer in due.Where(t => t.Payload.StartsWith("mu:trl:", StringComparison.Ordinal)))
        {
            await h.Processor.ProcessAsync(null, new TimerFired(timer.UserId, timer.Id, timer.Payload, timer.Shard), Ct);
        }

        Assert.Equal([PowerKey, "3.w1"], (await GetAsync<TreeMusterPart>(h.Store, DocKeys.TreeMusterPart(1, 1).In(5)))!.Released);
        foreach (var timer in due.Where(t => !t.Payload.StartsWith("mu:trl:", StringComparison.Ordinal)))
        {
            await h.Processor.ProcessAsync(null, new TimerFired(timer.UserId, timer.Id, timer.Payload, timer.Shard), Ct);
        }

        await h.FireDueTimersAsync();
        var sent = await h.DrainAsync();
        NoErrors(sent);
        Assert.Equal(1, (await GetAsync<TreeMusterPart>(h.Store, DocKeys.TreeMusterPart(1, 1).In(5)))!.LocalNumber);
        foreach (var who in new[] { Fay, Gus, Hal, Eve })
        {
            Assert.Single(TextsTo(sent, who), t => t.Contains("Report to", StringComparison.Ordinal));
        }

        // The pass itself comes a second later and sends nothing twice.
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await h.FireDueTimersAsync() > 0);
        Assert.DoesNotContain(await h.DrainAsync(), m => m.ChatId is 81 or 82 or 83 or 84 && m.Action is SendText);
    }

    [Fact]
    public async Task A_silent_workplace_convenor_is_escalated_at_T1_the_backup_takes_over_and_the_members_are_told()
    {
        var h = await CityLaunchedWithPartsAsync();

        h.Clock.Advance(new MusterOptions().AcknowledgeWithin + TimeSpan.FromSeconds(1));
        await h.FireDueTimersAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.FireDueTimersAsync();
        var escalated = await h.DrainAsync();
        NoErrors(escalated);
        Assert.Contains(TextsTo(escalated, Eve), t => t.Contains("the region's 4 members were told directly", StringComparison.Ordinal));
        Assert.Contains(TextsTo(escalated, CityAdmin), t => t.Contains("the convenor of Power Co did not confirm; 4 members were told directly", StringComparison.Ordinal));
        foreach (var who in new[] { Fay, Gus, Hal })
        {
            Assert.Single(TextsTo(escalated, who), t => t.Contains("Report to", StringComparison.Ordinal));
        }

        var share = (await GetAsync<TreeWorkplace>(h.Store, DocKeys.TreeWorkplace(1, PowerKey).In(1)))!;
        Assert.NotNull(share.EscalatedAt);

        // The backup may act on it; the convenor's late relay is answered (already told), nothing sent twice.
        await h.Press(Eve, new MusterButton.WorkplaceAck(1, 1, 0).Data);
        await h.Press(Dee, new MusterButton.WorkplaceRelay(1, 1, 0).Data);
        await h.FireDueTimersAsync();
        Assert.DoesNotContain(await h.DrainAsync(), m => m.ChatId is 82 or 83 or 84);
        Assert.Equal(Eve.Id, (await GetAsync<TreeWorkplace>(h.Store, DocKeys.TreeWorkplace(1, PowerKey).In(1)))!.AcknowledgedBy);
    }

    [Fact]
    public async Task Wrong_people_stale_and_forged_workplace_buttons_are_refused_politely_and_change_nothing()
    {
        var h = await CityLaunchedWithPartsAsync();
        var before = (await h.Store.GetAsync(DocKeys.TreeWorkplace(1, PowerKey).In(1), Ct))!.Version;

        foreach (var (who, data) in new[]
                 {
                     (Fay, new MusterButton.WorkplaceRelay(1, 1, 0).Data),  // a member, not the convenor
                     (Cora, new MusterButton.WorkplaceAck(1, 1, 0).Data),   // another region's convenor
                     (Dee, new MusterButton.WorkplaceRelay(1, 1, 7).Data),  // no such region in the muster
                     (Dee, new MusterButton.WorkplaceRelay(1, 9, 0).Data),  // no such muster
                     (Dee, new MusterButton.WorkplaceRelay(3, 1, 0).Data),  // another node's muster number
                     (Dee, "mu:wpr:1:1:x"),                                 // does not decode
                 })
        {
            await h.Press(who, data);
            var answers = await h.DrainAsync();
            Assert.Contains(answers, m => m.ChatId == who.Id && m.Action is AnswerCallback { Text.Length: > 0 });
            Assert.DoesNotContain(answers, m => m.ChatId is 82 or 83 or 84 && m.Action is SendText);
        }

        Assert.Equal(before, (await h.Store.GetAsync(DocKeys.TreeWorkplace(1, PowerKey).In(1), Ct))!.Version);
        Assert.Equal(0, await h.FireDueTimersAsync());
    }

    [Fact]
    public async Task The_launcher_closes_every_community_part_at_once_and_a_second_or_stale_close_is_answered()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await SeedWorkplaceAsync(h);
        await LaunchAsync(h, StreetAdmin);
        await h.FireDueTimersAsync();
        await h.DrainAsync();

        // Not the launcher's node: refused. Then ask, confirm.
        await h.Press(Kay, new MusterButton.TreeCloseConfirm(3, 1).Data);
        Assert.Contains(await h.DrainAsync(), m => m.ChatId == Kay.Id && m.Action is AnswerCallback { ShowAlert: true });
        await h.Press(StreetAdmin, new MusterButton.TreeClose(3, 1).Data);
        Assert.Contains(TextsTo(await h.DrainAsync(), StreetAdmin), t => t.Contains("Close muster M-3.1? The musters of its 3 communities close with it", StringComparison.Ordinal));
        await h.Press(StreetAdmin, new MusterButton.TreeCloseConfirm(3, 1).Data);
        Assert.Equal(MusterStatus.Closed, (await GetAsync<TreeMuster>(h.Store, DocKeys.TreeMuster(1).In(3)))!.Status);
        await h.FireDueTimersAsync();
        var closed = await h.DrainAsync();
        NoErrors(closed);
        foreach (var community in StreetCommunities)
        {
            Assert.Equal(MusterStatus.Closed, (await GetAsync<Muster>(h.Store, DocKeys.Muster(1).In(community)))!.Status);
            Assert.Empty(await h.Store.GetSetMembersAsync(Sets.OpenMusters, community, Ct));
        }

        Assert.Empty(await h.Store.GetSetMembersAsync(MusterFlow.OpenTreeMusters, 3, Ct));
        Assert.Contains(TextsTo(closed, Bo), t => t.Contains("M-1", StringComparison.Ordinal));

        // A second confirm (or the old "close" button) is answered and does nothing.
        await h.Press(StreetAdmin, new MusterButton.TreeCloseConfirm(3, 1).Data);
        Assert.Contains(await h.DrainAsync(), m => m.ChatId == StreetAdmin.Id && m.Action is AnswerCallback { Text: var t } && t!.Contains("is closed", StringComparison.Ordinal));
        Assert.Equal(0, await h.FireDueTimersAsync());
    }

    [Fact]
    public async Task Parts_are_written_by_several_chains_side_by_side()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await CityLaunchAsync(h);
        await h.DrainAsync();

        // Four communities, so four lanes: the start (in the city's shard, with the muster) sets every lane's first link,
        // all due at once (none waits for another's commit).
        var tree = (await GetAsync<TreeMuster>(h.Store, DocKeys.TreeMuster(1).In(1)))!;
        Assert.Equal(4, tree.Lanes);
        var start = Assert.Single(await h.Store.ClaimDueTimersAsync(1_000, TimeSpan.FromMinutes(1), Ct));
        Assert.Equal((new MusterTimer.TreeStart(1).Id, Shards.Root), (start.Payload, start.Shard));
        await h.Processor.ProcessAsync(null, new TimerFired(start.UserId, start.Id, start.Payload, start.Shard), Ct);
        var due = await h.Store.ClaimDueTimersAsync(1_000, TimeSpan.FromMinutes(1), Ct);
        Assert.Equal(4, due.Count(t => t.Payload.StartsWith("mu:ts:", StringComparison.Ordinal)));
    }
}
