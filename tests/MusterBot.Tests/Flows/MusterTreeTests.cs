using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.State;
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
/// Musters at any level (issue #15 point 4): a street or city administrator launches over communities (one part per
/// community, written one commit at a time by a resumable chain), each community's staff and convenors work on their
/// part as today, and the launcher sees a roll call aggregated by child node. The tree: city 1 → district 2 → street 3
/// "East St" (communities 4 "Elm", 5 "Oak", 6 "Pine") and street 8 "West St" (community 9 "Yew"). Street 3 has a
/// workplace region w1 "Hospital".
/// </summary>
public partial class MusterTreeTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static readonly Sender StreetAdmin = FlowHarness.Person(7, "en", "Stan");
    private static readonly Sender CityAdmin = FlowHarness.Person(70, "en", "Cid");
    private static readonly Sender Kay = FlowHarness.Person(40, "en", "Kay"); // administrator of community 4
    private static readonly Sender Cora = FlowHarness.Person(41, "en", "Cora"); // convenor of region r1 in 4
    private static readonly Sender Ann = FlowHarness.Person(42, "en", "Ann");
    private static readonly Sender Amy = FlowHarness.Person(43, "en", "Amy");
    private static readonly Sender Bo = FlowHarness.Person(50, "en", "Bo");
    private static readonly Sender Bi = FlowHarness.Person(51, "en", "Bi");
    private static readonly Sender Wu = FlowHarness.Person(52, "en", "Wu"); // lives in 5, works in w1 (Hospital)
    private static readonly Sender Cy = FlowHarness.Person(60, "en", "Cy");
    private static readonly Sender Yan = FlowHarness.Person(90, "en", "Yan");

    private static readonly long[] StreetCommunities = [4, 5, 6];

    private static FlowHarness NewHarness(IStateStore? store = null) => new(store, new MusterOptions());

    /// <summary>The tree, the people (each living in their community's shard), the workplace region, straight through the store.</summary>
    private static async Task SeedAsync(FlowHarness h)
    {
        var now = h.Clock.GetUtcNow();
        var commits = new Dictionary<long, (List<DocWrite> Writes, List<SetChange> Sets)>();
        (List<DocWrite> Writes, List<SetChange> Sets) In(long shard)
        {
            if (!commits.TryGetValue(shard, out var part))
            {
                part = ([], []);
                commits[shard] = part;
            }

            return part;
        }

        void Put<T>(long shard, DocKey key, T record) => In(shard).Writes.Add(new DocWrite(key.In(shard), RecordJson.Serialize(record), null));

        OrgNode Node(long id, OrgLevel level, long? parent, string name, long[] path, long[] children, long[]? admins = null) =>
            new(id, level, parent, name) { Path = path, Children = children, Admins = admins ?? [], CreatedAt = now };

        foreach (var node in new[]
                 {
                     Node(1, OrgLevel.City, null, "Metro", [], [2], [CityAdmin.Id]),
                     Node(2, OrgLevel.District, 1, "Central", [1], [3, 8]),
                     Node(3, OrgLevel.Street, 2, "East St", [1, 2], [4, 5, 6], [StreetAdmin.Id]),
                     Node(4, OrgLevel.Community, 3, "Elm", [1, 2, 3], [], [Kay.Id]),
                     Node(5, OrgLevel.Community, 3, "Oak", [1, 2, 3], []),
                     Node(6, OrgLevel.Community, 3, "Pine", [1, 2, 3], []),
                     Node(8, OrgLevel.Street, 2, "West St", [1, 2], [9]),
                     Node(9, OrgLevel.Community, 8, "Yew", [1, 2, 8], []),
                 })
        {
            Put(Shards.Root, DocKeys.OrgNode(node.Id), node);
        }

        Put(Shards.Root, DocKeys.OrgCounters, new OrgCounters(9));

        // Community 4 has a region with a convenor; the street has a workplace region.
        Put(4, DocKeys.Region("r1"), new Region("r1", "Port") { ConvenorId = Cora.Id });
        In(4).Sets.Add(new SetChange(Sets.Regions, "r1", Add: true));
        Put(3, DocKeys.Region("w1"), new Region("w1", "Hospital"));
        In(3).Sets.Add(new SetChange(Sets.Regions, "w1", Add: true));
        In(3).Sets.Add(new SetChange(Sets.PeopleInRegion("w1"), Sets.Member(Wu.Id), Add: true));
        In(3).Sets.Add(new SetChange(Sets.PeopleInRegion("w1"), Sets.Member(Yan.Id), Add: true));

        void Person(Sender who, long shard, Roles roles, string? regionId = null, long[]? adminOf = null, Skill[]? skills = null)
        {
            var profile = new UserProfile(who.Id, who.Id, who.FirstName)
            {
                Language = Language.En,
                Roles = roles,
                RegisteredAt = now,
                FirstSeenAt = now,
                Phone = "+86138" + who.Id.ToString("D8", CultureInfo.InvariantCulture),
                RegionId = regionId,
                AdminOf = adminOf ?? [],
                Skills = skills ?? [],
            };
            Put(shard, DocKeys.User(who.Id), profile);
            In(shard).Sets.AddRange(PeopleIndex.Changes(null, profile));
            if (shard != Shards.Root)
            {
                Put(Shards.Root, DocKeys.Home(who.Id), new PersonHome(shard) { Since = now });
            }
        }

        Person(StreetAdmin, Shards.Root, Roles.None, adminOf: [3]);
        Person(CityAdmin, Shards.Root, Roles.None, adminOf: [1]);
        Person(Kay, 4, Roles.Admin, adminOf: [4]);
        Person(Cora, 4, Roles.Member | Roles.Convenor, "r1");
        Person(Ann, 4, Roles.Member, "r1", skills: [Skill.Medical]);
        Person(Amy, 4, Roles.Member, "r1");
        Person(Bo, 5, Roles.Member);
        Person(Bi, 5, Roles.Member, skills: [Skill.Medical]);
        Person(Wu, 5, Roles.Member, "w1");
        Person(Cy, 6, Roles.Member);
        Person(Yan, 9, Roles.Member, "w1");

        foreach (var (shard, (writes, sets)) in commits.OrderBy(kv => kv.Key))
        {
            var result = await h.Store.CommitAsync(new Commit { Shard = shard, Writes = writes, SetChanges = sets }, Ct);
            Assert.Equal(CommitStatus.Committed, result.Status);
        }
    }

    /// <summary>The wizard over communities: the choice, then kind, scope, report-to (each its own), no pin, 60 min, drill, go.</summary>
    private static async Task LaunchAsync(FlowHarness h, Sender by, Action<List<string>>? choose = null, bool everyone = true, bool press = true, bool drill = true)
    {
        await h.Command(by, "muster");
        var choices = new List<string>();
        if (choose is null)
        {
            choices.Add(new MusterButton.ToggleAllNodes().Data);
        }
        else
        {
            choose(choices);
        }

        foreach (var choice in choices)
        {
            await h.Press(by, choice);
        }

        await h.Press(by, new MusterButton.Done().Data);
        await h.Press(by, new MusterButton.PickKind(MusterKind.Flood).Data);
        if (everyone)
        {
            await h.Press(by, new MusterButton.PickScope(MusterScopeKind.Everyone).Data);
        }
        else
        {
            await h.Press(by, new MusterButton.PickScope(MusterScopeKind.Skills).Data);
            await h.Press(by, new MusterButton.CycleSkill(Skill.Medical).Data);
            await h.Press(by, new MusterButton.Done().Data);
        }

        await h.Press(by, new MusterButton.Skip().Data); // each community reports to its own
        await h.Press(by, new MusterButton.Skip().Data); // no pin
        await h.Press(by, new MusterButton.ReportWithin(60).Data);
        await h.Press(by, new MusterButton.DrillOrReal(drill).Data);
        if (!drill)
        {
            await h.Press(by, new MusterButton.Skip().Data);
        }

        if (press)
        {
            await h.Press(by, new MusterButton.Launch().Data);
        }
    }

    private static async Task<T?> GetAsync<T>(IStateStore store, DocKey key)
        where T : class
    {
        var doc = await store.GetAsync(key, Ct);
        return doc is null ? null : RecordJson.Deserialize<T>(doc.Json);
    }

    private static List<string> TextsTo(IEnumerable<OutboxMessage> messages, Sender who) =>
        messages.Where(m => m.ChatId == who.Id).Select(m => m.Action switch
        {
            SendText s => s.Html,
            EditText e => "[edit] " + e.Html,
            AnswerCallback a => "[answer] " + a.Text,
            _ => m.Action.GetType().Name,
        }).ToList();

    private static void NoErrors(IEnumerable<OutboxMessage> messages) =>
        Assert.DoesNotContain(messages, m => m.Action is SendText { Html: var html } && html.StartsWith("Sorry, something went wrong", StringComparison.Ordinal));

    [Fact]
    public async Task A_street_launch_writes_one_part_per_community_whose_members_report_there_and_staff_see_it()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h, StreetAdmin);
        var launch = await h.DrainAsync();
        NoErrors(launch);
        Assert.Contains(TextsTo(launch, StreetAdmin), t => t.Contains("M-3.1", StringComparison.Ordinal) && t.Contains("3 communities", StringComparison.Ordinal));

        // Nothing reached a community yet: the parts are written by the chain, one community per commit.
        Assert.Null(await GetAsync<Muster>(h.Store, DocKeys.Muster(1).In(4)));
        await h.FireDueTimersAsync();
        var sent = await h.DrainAsync();
        NoErrors(sent);

        // Every community's part wrote its tally in the street's shard (that is how the roll call counts the parts sent).
        foreach (var community in new[] { 4L, 5L, 6L })
        {
            Assert.NotNull(await GetAsync<TreeMusterTally>(h.Store, DocKeys.TreeMusterTally(1, community).In(3)));
        }
        foreach (var (community, name) in new[] { (4L, "Elm"), (5L, "Oak"), (6L, "Pine") })
        {
            var part = (await GetAsync<Muster>(h.Store, DocKeys.Muster(1).In(community)))!;
            Assert.Equal(new TreeOrigin(3, 1, "Report to " + name), part.Origin);
            Assert.Equal("Report to " + name, part.Plan.RallyText);
            Assert.Equal(StreetAdmin.Id, part.LaunchedBy);
            Assert.NotNull(await GetAsync<TreeMusterPart>(h.Store, DocKeys.TreeMusterPart(3, 1).In(community)));
            Assert.Contains("1", await h.Store.GetSetMembersAsync(Sets.OpenMusters, community, Ct));
        }

        // Community 4: the convenor gets the order (and relays as today); community 5: members directly, told where to report.
        Assert.Contains(TextsTo(sent, Cora), t => t.Contains("Report to Elm", StringComparison.Ordinal));
        Assert.Empty(TextsTo(sent, Ann));
        Assert.Single(TextsTo(sent, Bo), t => t.Contains("Report to Oak", StringComparison.Ordinal));
        Assert.Single(TextsTo(sent, Cy), t => t.Contains("Report to Pine", StringComparison.Ordinal));
        Assert.Empty(TextsTo(sent, Yan)); // community 9 is not below street 3
        Assert.Null(await GetAsync<Muster>(h.Store, DocKeys.Muster(1).In(9)));

        // The convenor relays; Ann (living in 4) checks in on her community's part.
        await h.Press(Cora, new MusterButton.Relay(1, "r1").Data);
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        await h.Press(Bo, new MusterButton.CheckIn(1, CheckInStatus.OnTheWay).Data);
        var answer = (await GetAsync<MusterAnswer>(h.Store, DocKeys.MusterAnswer(1, Ann.Id).In(4)))!;
        Assert.Equal(CheckInStatus.Arrived, answer.Status);

        // Community 4's administrator sees the members reporting to them in /rollcall.
        await h.DrainAsync();
        await h.Command(Kay, "rollcall");
        var staff = TextsTo(await h.DrainAsync(), Kay);
        Assert.Contains(staff, t => t.Contains("Roll call M-1", StringComparison.Ordinal) && t.Contains("called 2", StringComparison.Ordinal));

        // The launcher's roll call: one line per community, from the tallies, edited in place.
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        var edits = TextsTo(await h.DrainAsync(), StreetAdmin).Where(t => t.StartsWith("[edit]", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(edits);
        var last = edits[^1];
        Assert.Contains("<b>Elm</b>", last, StringComparison.Ordinal);
        Assert.Contains("<b>Oak</b>", last, StringComparison.Ordinal);
        Assert.Contains("<b>Pine</b>", last, StringComparison.Ordinal);
        Assert.Contains("called 2 · 📍1 🏃0", last, StringComparison.Ordinal); // Elm: Ann arrived
        Assert.Contains("called 3 · 📍0 🏃1", last, StringComparison.Ordinal); // Oak: Bo, Bi, Wu; Bo on the way
        var elm = (await GetAsync<TreeMusterTally>(h.Store, DocKeys.TreeMusterTally(1, 4).In(3)))!;
        Assert.Equal(1, elm.ByStatus[CheckInStatus.Arrived]);
    }

    [Fact]
    public async Task Workplace_region_members_report_to_the_community_where_they_live()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h, StreetAdmin, choose: c => c.Add(new MusterButton.ToggleWorkplace("w1").Data));
        await h.FireDueTimersAsync();
        var sent = await h.DrainAsync();
        NoErrors(sent);

        // Only Wu (lives in Oak, below the street) is called; Yan lives in Yew, below another street. Wu is in Oak's
        // part as the Hospital's group; the Hospital has no convenor, so the order goes to Wu directly.
        var part = (await GetAsync<Muster>(h.Store, DocKeys.Muster(1).In(5)))!;
        Assert.Equal(["3.w1"], part.RegionIds);
        var group = (await GetAsync<MusterRegion>(h.Store, DocKeys.MusterRegion(1, "3.w1").In(5)))!;
        Assert.Equal((1, "3.w1", "Hospital"), (group.Targeted, group.Workplace, group.Name));
        Assert.NotNull(group.MembersToldAt);
        Assert.Equal([Sets.Member(Wu.Id)], await h.Store.GetSetMembersAsync(Sets.MusterTargets(1, "3.w1"), 5, Ct));
        Assert.Single(TextsTo(sent, Wu), t => t.Contains("Report to Oak", StringComparison.Ordinal));
        Assert.Empty(TextsTo(sent, Bo));
        Assert.Empty(TextsTo(sent, Yan));
        Assert.Null(await GetAsync<Muster>(h.Store, DocKeys.Muster(1).In(4)));
        await h.Press(Wu, new MusterButton.CheckIn(1, CheckInStatus.Acknowledged).Data);
        Assert.Equal(CheckInStatus.Acknowledged, (await GetAsync<MusterAnswer>(h.Store, DocKeys.MusterAnswer(1, Wu.Id).In(5)))!.Status);
    }

    [Fact]
    public async Task Skills_and_counts_apply_in_every_community()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h, StreetAdmin, everyone: false);
        await h.FireDueTimersAsync();
        var sent = await h.DrainAsync();
        NoErrors(sent);
        Assert.Equal([Sets.Member(Ann.Id)], await h.Store.GetSetMembersAsync(Sets.MusterTargets(1, "r1"), 4, Ct));
        Assert.Equal([Sets.Member(Bi.Id)], await h.Store.GetSetMembersAsync(Sets.MusterTargets(1, Muster.NoRegion), 5, Ct));
        Assert.Empty(TextsTo(sent, Bo));
        Assert.NotNull(await GetAsync<Muster>(h.Store, DocKeys.Muster(1).In(6)));
        Assert.Empty(await h.Store.GetSetMembersAsync(Sets.MusterTargets(1, Muster.NoRegion), 6, Ct));
        Assert.Equal(0, (await GetAsync<TreeMusterTally>(h.Store, DocKeys.TreeMusterTally(1, 6).In(3)))!.Targeted);
        Assert.Equal(1, (await GetAsync<TreeMusterTally>(h.Store, DocKeys.TreeMusterTally(1, 5).In(3)))!.Targeted);
    }

    /// <summary>A store that fails one chosen commit (the N-th after it is armed), as a crash between two commits would.</summary>
    private sealed class CrashingStore(IStateStore inner) : DelegatingStore(inner)
    {
        private int _count;

        public int FailAt { get; set; }

        /// <summary>Every document key and set name read (for the cost of a roll call).</summary>
        public List<string> Reads { get; } = [];

        public override Task<StoredDoc?> GetAsync(DocKey key, CancellationToken cancellationToken)
        {
            Reads.Add(key.Kind);
            return Inner.GetAsync(key, cancellationToken);
        }

        public override Task<IReadOnlyList<StoredDoc?>> GetManyAsync(IReadOnlyList<DocKey> keys, CancellationToken cancellationToken)
        {
            Reads.AddRange(keys.Select(k => k.Kind));
            return Inner.GetManyAsync(keys, cancellationToken);
        }

        public override Task<IReadOnlyList<string>> GetSetMembersAsync(string setName, long shard, CancellationToken cancellationToken)
        {
            Reads.Add("set:" + setName);
            return Inner.GetSetMembersAsync(setName, shard, cancellationToken);
        }

        public override Task<CommitResult> CommitAsync(Commit commit, CancellationToken cancellationToken)
        {
            if (FailAt > 0 && ++_count == FailAt)
            {
                throw new IOException("simulated crash at commit " + _count.ToString(CultureInfo.InvariantCulture));
            }

            return Inner.CommitAsync(commit, cancellationToken);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task A_launch_cut_short_by_a_crash_is_resumed_with_exactly_one_part_per_community_and_no_duplicate_orders(int failAt)
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        var store = new CrashingStore(new InMemoryStateStore(clock));
        var h = NewHarness(store);
        h.Clock.SetUtcNow(clock.GetUtcNow());
        await SeedAsync(h);
        await LaunchAsync(h, StreetAdmin);

        // The chain's commits: a crash at the failAt-th one (the timer stays claimed, as after a process died).
        store.FailAt = failAt;
        await Assert.ThrowsAsync<IOException>(h.FireDueTimersAsync);
        store.FailAt = 0;

        // After the lease the timer comes back, and the chain resumes where it was cut.
        clock.Advance(TimeSpan.FromMinutes(2));
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        await h.FireDueTimersAsync();
        var messages = await h.DrainAsync();
        NoErrors(messages);

        foreach (var community in StreetCommunities)
        {
            Assert.Equal(["1"], await store.GetSetMembersAsync(Sets.AllMusters, community, Ct));
            Assert.Equal(1, (await GetAsync<CommunityCounters>(store, DocKeys.Counters.In(community)))!.Musters);
            Assert.Equal(1, (await GetAsync<TreeMusterPart>(store, DocKeys.TreeMusterPart(3, 1).In(community)))!.LocalNumber);
        }

        Assert.Single(TextsTo(messages, Cora), t => t.Contains("Report to Elm", StringComparison.Ordinal));
        foreach (var member in new[] { Bo, Bi, Wu, Cy })
        {
            Assert.Single(TextsTo(messages, member), t => t.Contains("Report to", StringComparison.Ordinal));
        }

        foreach (var community in StreetCommunities)
        {
            Assert.NotNull(await GetAsync<TreeMusterTally>(store, DocKeys.TreeMusterTally(1, community).In(3)));
        }

        // Every link set again (e.g. by a slow instance whose lease ran out): every community's marker says its part
        // is written, so nothing is written or sent twice.
        for (var i = 0; i < 3; i++)
        {
            var link = new MusterTimer.TreeStep(1, 3, i).Id;
            await store.CommitAsync(new Commit { Shard = StreetCommunities[i], SetTimers = [new TimerEntry(MusterFlow.TimerIdIn(StreetCommunities[i], link), clock.GetUtcNow(), MusterFlow.SystemUser, link)] }, Ct);
        }

        Assert.Equal(3, await h.FireDueTimersAsync());

        Assert.DoesNotContain(await h.DrainAsync(), m => m.Action is SendText);
        foreach (var community in StreetCommunities)
        {
            Assert.Equal(1, (await GetAsync<CommunityCounters>(store, DocKeys.Counters.In(community)))!.Musters);
        }
    }

    [Fact]
    public async Task A_removed_community_is_skipped_at_launch_and_named_to_the_launcher()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var oak = (await GetAsync<OrgNode>(h.Store, DocKeys.OrgNode(5)))!;
        await h.Store.CommitAsync(new Commit { Writes = [new DocWrite(DocKeys.OrgNode(5), RecordJson.Serialize(oak with { RemovedAt = h.Clock.GetUtcNow() }), null)] }, Ct);

        await LaunchAsync(h, StreetAdmin);
        var launch = TextsTo(await h.DrainAsync(), StreetAdmin);
        Assert.Contains(launch, t => t.Contains("Removed, so skipped: Oak", StringComparison.Ordinal));
        await h.FireDueTimersAsync();
        await h.DrainAsync();
        Assert.Null(await GetAsync<Muster>(h.Store, DocKeys.Muster(1).In(5)));
        Assert.NotNull(await GetAsync<Muster>(h.Store, DocKeys.Muster(1).In(4)));
        Assert.NotNull(await GetAsync<Muster>(h.Store, DocKeys.Muster(1).In(6)));
        var tree = (await GetAsync<TreeMuster>(h.Store, DocKeys.TreeMuster(1).In(3)))!;
        Assert.Equal([5L], tree.Skipped);
        Assert.DoesNotContain(tree.Communities, c => c.CommunityId == 5);
    }

    [Fact]
    public async Task A_community_removed_during_the_chain_is_skipped_and_one_removed_later_still_counts_marked_removed()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h, StreetAdmin);
        await h.DrainAsync();

        // Pine (6) is removed before its part is written: the chain skips it and says so.
        var pine = (await GetAsync<OrgNode>(h.Store, DocKeys.OrgNode(6)))!;
        await h.Store.CommitAsync(new Commit { Writes = [new DocWrite(DocKeys.OrgNode(6), RecordJson.Serialize(pine with { RemovedAt = h.Clock.GetUtcNow() }), null)] }, Ct);
        await h.FireDueTimersAsync();
        Assert.Null(await GetAsync<Muster>(h.Store, DocKeys.Muster(1).In(6)));
        Assert.True((await GetAsync<TreeMusterTally>(h.Store, DocKeys.TreeMusterTally(1, 6).In(3)))!.Skipped);

        // Oak (5) answers, then is removed: its answers still count, and its line says it was removed.
        await h.Press(Bo, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        var oak = (await GetAsync<OrgNode>(h.Store, DocKeys.OrgNode(5)))!;
        await h.Store.CommitAsync(new Commit { Writes = [new DocWrite(DocKeys.OrgNode(5), RecordJson.Serialize(oak with { RemovedAt = h.Clock.GetUtcNow() }), null)] }, Ct);
        await h.DrainAsync();
        await h.Press(StreetAdmin, new MusterButton.TreeRefresh(3, 1).Data);
        var shown = TextsTo(await h.DrainAsync(), StreetAdmin).Single(t => t.StartsWith("[edit]", StringComparison.Ordinal));
        Assert.Contains("<b>Oak</b> (removed)", shown, StringComparison.Ordinal);
        Assert.Contains("<b>Pine</b> (removed)", shown, StringComparison.Ordinal);
        Assert.Contains("Called 5", shown, StringComparison.Ordinal); // Elm 2 + Oak 3
        Assert.Contains("arrived 1", shown, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Forged_or_foreign_presses_are_refused_politely_and_change_nothing()
    {
        var h = NewHarness();
        await SeedAsync(h);

        // A community under another street, forged into the street administrator's wizard.
        await h.Command(StreetAdmin, "muster");
        await h.Press(StreetAdmin, new MusterButton.ToggleNode(9).Data);
        Assert.Equal("This button is no longer valid.", (await h.DrainAsync()).Select(m => m.Action).OfType<AnswerCallback>().Last().Text);
        Assert.False((await h.ConversationAsync(StreetAdmin.Id))!.Data.ContainsKey("nodes"));

        // Another street's roll call, and a subtree switch of another street, by the street administrator.
        await h.Press(StreetAdmin, new MusterButton.TreeRefresh(8, 1).Data);
        await h.Press(StreetAdmin, new MusterButton.TreeModeConfirm(8, true).Data);
        var answers = (await h.DrainAsync()).Select(m => m.Action).OfType<AnswerCallback>().Select(a => a.Text).ToList();
        Assert.Equal(2, answers.Count(a => a == "Sorry, you are not an administrator of that unit, so you cannot do this."));
        Assert.Null(await GetAsync<TreeModeSwitch>(h.Store, new DocKey("community", "treemode").In(8)));

        // A member presses a street's switch.
        await h.Press(Bo, new MusterButton.TreeModeConfirm(3, true).Data);
        Assert.Contains("not an administrator", (await h.DrainAsync()).Select(m => m.Action).OfType<AnswerCallback>().Last().Text, StringComparison.Ordinal);
        await h.FireDueTimersAsync();
        Assert.Null(await GetAsync<CommunityMode>(h.Store, DocKeys.Mode.In(5)));
    }

    [Fact]
    public async Task A_second_press_on_launch_makes_one_muster()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h, StreetAdmin);
        await h.Press(StreetAdmin, new MusterButton.Launch().Data);
        await h.FireDueTimersAsync();
        var messages = await h.DrainAsync();
        NoErrors(messages);
        Assert.Equal(1, (await GetAsync<CommunityCounters>(h.Store, DocKeys.Counters.In(3)))!.Musters);
        Assert.Null(await GetAsync<TreeMuster>(h.Store, DocKeys.TreeMuster(2).In(3)));
        Assert.Single(TextsTo(messages, Bo), t => t.Contains("Report to Oak", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_city_roll_call_has_one_line_per_street_and_drills_down_to_its_communities()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h, CityAdmin);
        await h.FireDueTimersAsync();
        await h.DrainAsync();
        foreach (var community in new long[] { 4, 5, 6, 9 })
        {
            Assert.NotNull(await GetAsync<Muster>(h.Store, DocKeys.Muster(1).In(community)));
        }

        await h.Press(Yan, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        var top = TextsTo(await h.DrainAsync(), CityAdmin).Last(t => t.StartsWith("[edit]", StringComparison.Ordinal));
        Assert.Contains("<b>East St</b>", top, StringComparison.Ordinal);
        Assert.Contains("<b>West St</b>", top, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Elm</b>", top, StringComparison.Ordinal);
        Assert.Contains("called 1 · 📍1", top, StringComparison.Ordinal); // West St: Yan arrived

        await h.Press(CityAdmin, new MusterButton.TreeDrill(1, 1, 3).Data);
        var drilled = TextsTo(await h.DrainAsync(), CityAdmin).Single(t => t.StartsWith("[edit]", StringComparison.Ordinal));
        Assert.Contains("Metro › East St", drilled, StringComparison.Ordinal);
        Assert.Contains("<b>Elm</b>", drilled, StringComparison.Ordinal);
        Assert.Contains("<b>Oak</b>", drilled, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Yew</b>", drilled, StringComparison.Ordinal);
        var panel = (await GetAsync<RollCallPanel>(h.Store, DocKeys.RollCallPanel(1, CityAdmin.Id, "tree").In(1)))!;
        Assert.Equal("tree:3", panel.RegionId);
    }

    [Fact]
    public async Task A_street_switches_every_community_below_to_emergency_one_commit_each_and_a_repeat_tells_nobody_twice()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await h.Command(StreetAdmin, "mode");
        Assert.Contains(TextsTo(await h.DrainAsync(), StreetAdmin), t => t.Contains("East St has 3 communities below it; 0 are in", StringComparison.Ordinal));
        await h.Press(StreetAdmin, new MusterButton.TreeMode(3, true).Data);
        await h.Press(StreetAdmin, new MusterButton.TreeModeConfirm(3, true).Data);
        await h.FireDueTimersAsync();
        var told = await h.DrainAsync();
        NoErrors(told);
        foreach (var community in StreetCommunities)
        {
            Assert.True((await GetAsync<CommunityMode>(h.Store, DocKeys.Mode.In(community)))!.Emergency);
        }

        Assert.Null(await GetAsync<CommunityMode>(h.Store, DocKeys.Mode.In(9)));
        Assert.Single(TextsTo(told, Bo));
        Assert.Single(TextsTo(told, Cy));
        Assert.Empty(TextsTo(told, Yan));

        // Pressed again once done: a new round, but communities already in emergency mode are not told again.
        await h.Press(StreetAdmin, new MusterButton.TreeModeConfirm(3, true).Data);
        await h.FireDueTimersAsync();
        var again = await h.DrainAsync();
        Assert.Empty(TextsTo(again, Bo));

        // And back to normal.
        await h.Press(StreetAdmin, new MusterButton.TreeModeConfirm(3, false).Data);
        await h.FireDueTimersAsync();
        foreach (var community in StreetCommunities)
        {
            Assert.False((await GetAsync<CommunityMode>(h.Store, DocKeys.Mode.In(community)))!.Emergency);
        }
    }

    [Fact]
    public async Task The_aggregated_roll_call_reads_one_tally_per_community_never_the_answers()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        var store = new CrashingStore(new InMemoryStateStore(clock));
        var h = NewHarness(store);
        await SeedAsync(h);
        await LaunchAsync(h, StreetAdmin);
        await h.FireDueTimersAsync();
        foreach (var member in new[] { Bo, Bi, Wu, Cy })
        {
            await h.Press(member, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        }

        clock.Advance(TimeSpan.FromSeconds(6));
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        await h.DrainAsync();

        store.Reads.Clear();
        await h.Press(StreetAdmin, new MusterButton.TreeRefresh(3, 1).Data);
        var shown = TextsTo(await h.DrainAsync(), StreetAdmin).Single(t => t.StartsWith("[edit]", StringComparison.Ordinal));
        Assert.Contains("Called 6", shown, StringComparison.Ordinal);
        Assert.Contains("arrived 4", shown, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, store.Reads.Count(k => k == "mttally"));
        Assert.DoesNotContain(store.Reads, k => k == "mans" || k.StartsWith("set:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_part_closed_closes_the_street_muster_and_its_roll_call_says_so()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h, StreetAdmin);
        await h.FireDueTimersAsync();
        Assert.Equal(["1"], await h.Store.GetSetMembersAsync(MusterFlow.OpenTreeMusters, 3, Ct));

        // Each community's part closes by itself 12 h after the report-by time.
        h.Clock.Advance(TimeSpan.FromHours(14));
        await h.FireDueTimersAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        var messages = await h.DrainAsync();
        NoErrors(messages);
        Assert.Equal(MusterStatus.Closed, (await GetAsync<TreeMuster>(h.Store, DocKeys.TreeMuster(1).In(3)))!.Status);
        Assert.Empty(await h.Store.GetSetMembersAsync(MusterFlow.OpenTreeMusters, 3, Ct));
        Assert.Contains(TextsTo(messages, StreetAdmin), t => t.StartsWith("[edit]", StringComparison.Ordinal) && t.Contains("Closed", StringComparison.Ordinal));

        await h.Command(StreetAdmin, "rollcall");
        Assert.Equal(["No muster is open."], TextsTo(await h.DrainAsync(), StreetAdmin));
    }

    [Fact]
    public async Task A_street_with_many_communities_is_offered_page_by_page()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var now = h.Clock.GetUtcNow();
        var extra = Enumerable.Range(10, 8).Select(i => new OrgNode(i, OrgLevel.Community, 3, "C" + i.ToString(CultureInfo.InvariantCulture)) { Path = [1, 2, 3], CreatedAt = now }).ToList();
        var street = (await GetAsync<OrgNode>(h.Store, DocKeys.OrgNode(3)))!;
        await h.Store.CommitAsync(new Commit
        {
            Writes =
            [
                new DocWrite(DocKeys.OrgNode(3), RecordJson.Serialize(street with { Children = [.. street.Children, .. extra.Select(n => n.Id)] }), null),
                .. extra.Select(n => new DocWrite(DocKeys.OrgNode(n.Id), RecordJson.Serialize(n), null)),
            ],
        }, Ct);

        await h.Command(StreetAdmin, "muster");
        var first = (await h.DrainAsync()).Select(m => m.Action).OfType<SendText>().Single();
        var firstButtons = ((InlineMarkup)first.Markup!).Rows.SelectMany(r => r).Select(b => b.CallbackData).ToList();
        Assert.Contains(new MusterButton.ToggleNode(4).Data, firstButtons);
        Assert.DoesNotContain(new MusterButton.ToggleNode(17).Data, firstButtons);
        Assert.Contains(new MusterButton.ToggleWorkplace("w1").Data, firstButtons);

        await h.Press(StreetAdmin, new MusterButton.NodePage(1).Data);
        await h.Press(StreetAdmin, new MusterButton.ToggleNode(17).Data);
        var second = (await h.DrainAsync()).Select(m => m.Action).OfType<EditText>().Last();
        var secondButtons = second.Markup!.Rows.SelectMany(r => r).ToList();
        Assert.Contains(secondButtons, b => b.CallbackData == new MusterButton.ToggleNode(17).Data && b.Text.StartsWith('\u2611'));
        Assert.DoesNotContain(secondButtons, b => b.CallbackData == new MusterButton.ToggleNode(4).Data);
        Assert.Equal("17", (await h.ConversationAsync(StreetAdmin.Id))!.Data["nodes"]);
    }

    [Fact]
    public void Community_timer_ids_name_their_shard()
    {
        Assert.Equal("mu:rf:1", MusterFlow.TimerIdIn(Shards.Root, "mu:rf:1"));
        Assert.Equal("@4:mu:rf:1", MusterFlow.TimerIdIn(4, "mu:rf:1"));
        Assert.Equal(4, MusterFlow.ShardOfTimer("@4:mu:rf:1"));
        Assert.Null(MusterFlow.ShardOfTimer("mu:rf:1"));
        Assert.Null(MusterFlow.ShardOfTimer("@x:mu"));
    }
}
