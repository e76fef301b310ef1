using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Households;
using MusterBot.Flows.Musters;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Households;
using MusterBot.State.Records.Musters;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// Issue #19 point 2: the welfare check of vulnerable households in a muster. Grid g1 "North" (b1 "Block 3", b2
/// "Block 5") and grid g2 "South" (b3 "Block 9"). Region r1 "Port" (convenor Cora, backup Bea) with Ann (Block 3) and
/// Amy (Block 5) of North; region r2 "Hill" (convenor Carl) with Ben of South. Administrator 1 (Boss); Rita, a resident.
/// North has five tagged households (H-0001…H-0005: three in Block 3, two in Block 5) and one untagged (H-0006);
/// South has two tagged (H-0007, H-0008). Each member takes at most 2.
/// </summary>
public partial class WelfareFlowTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly Sender Admin = FlowHarness.Person(1, "en", "Boss");
    private static readonly Sender Cora = FlowHarness.Person(10, "en", "Cora");
    private static readonly Sender Bea = FlowHarness.Person(11, "en", "Bea");
    private static readonly Sender Carl = FlowHarness.Person(12, "en", "Carl");
    private static readonly Sender Ann = FlowHarness.Person(100, "en", "Ann");
    private static readonly Sender Amy = FlowHarness.Person(101, "en", "Amy");
    private static readonly Sender Ben = FlowHarness.Person(200, "en", "Ben");
    private static readonly Sender Rita = FlowHarness.Person(500, "en", "Rita");

    private static MusterOptions Options() => new() { WelfareMaxPerMember = 2 };

    private static string W(WelfareButton button) => WelfareButton.Codec.Encode(button);

    private static async Task<FlowHarness> NewAsync(Language language = Language.En, MusterOptions? options = null)
    {
        var h = new FlowHarness(null, options ?? Options(), Admin.Id);
        var now = h.Clock.GetUtcNow();
        var writes = new List<DocWrite>();
        var sets = new List<SetChange>();
        void Put<T>(DocKey key, T record) => writes.Add(new DocWrite(key, RecordJson.Serialize(record), null));
        Put(DocKeys.Grid("g1"), new Grid("g1", "North") { Buildings = [new Building("b1", "Block 3"), new Building("b2", "Block 5")] });
        Put(DocKeys.Grid("g2"), new Grid("g2", "South") { Buildings = [new Building("b3", "Block 9")] });
        sets.Add(new SetChange(Sets.Grids, "g1", Add: true));
        sets.Add(new SetChange(Sets.Grids, "g2", Add: true));
        foreach (var region in new[] { new Region("r1", "Port") { ConvenorId = Cora.Id, BackupConvenorId = Bea.Id }, new Region("r2", "Hill") { ConvenorId = Carl.Id } })
        {
            Put(DocKeys.Region(region.Id), region);
            sets.Add(new SetChange(Sets.Regions, region.Id, Add: true));
        }

        void Person(Sender who, Roles roles, string grid, string? building, string? region)
        {
            var profile = new UserProfile(who.Id, who.Id, who.FirstName)
            {
                Language = language, LanguageChosen = true, Roles = roles, RegisteredAt = now, FirstSeenAt = now,
                Phone = "+86138" + who.Id.ToString("D8", CultureInfo.InvariantCulture), GridId = grid, BuildingId = building, RegionId = region,
            };
            Put(DocKeys.User(who.Id), profile);
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        Person(Admin, Roles.Admin, "g1", null, null);
        Person(Cora, Roles.Member | Roles.Convenor, "g1", "b1", "r1");
        Person(Bea, Roles.Member | Roles.Convenor, "g1", "b2", "r1");
        Person(Carl, Roles.Member | Roles.Convenor, "g2", "b3", "r2");
        Person(Ann, Roles.Member, "g1", "b1", "r1");
        Person(Amy, Roles.Member, "g1", "b2", "r1");
        Person(Ben, Roles.Member, "g2", "b3", "r2");
        Person(Rita, Roles.Resident, "g1", "b1", null);

        void Household(int n, string grid, string building, string room, params HouseholdTag[] tags)
        {
            Put(DocKeys.Household(n), new Household(n, grid, building, room) { Tags = tags, Phones = ["+86139" + n.ToString("D8", CultureInfo.InvariantCulture)], People = ["Resident " + n] });
            sets.Add(new SetChange(Sets.HouseholdsInGrid(grid), n.ToString(CultureInfo.InvariantCulture), Add: true));
        }

        Household(1, "g1", "b1", "101", HouseholdTag.LivingAlone);
        Household(2, "g1", "b1", "102", HouseholdTag.Bedridden);
        Household(3, "g1", "b1", "103", HouseholdTag.Aged, HouseholdTag.ChronicIllness);
        Household(4, "g1", "b2", "201", HouseholdTag.Pregnant);
        Household(5, "g1", "b2", "202", HouseholdTag.LivingAlone);
        Household(6, "g1", "b2", "203");
        Household(7, "g2", "b3", "301", HouseholdTag.Disabled);
        Household(8, "g2", "b3", "302", HouseholdTag.LivingAlone);
        Put(DocKeys.Counters, new CommunityCounters { Grids = 2, Buildings = 3, Regions = 2, Households = 8 });
        Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets }, Ct)).Status);
        return h;
    }

    /// <summary>A drill calling everyone, launched by the administrator (M-1).</summary>
    private static async Task<IReadOnlyList<OutboxMessage>> LaunchAsync(FlowHarness h)
    {
        await h.Command(Admin, "muster");
        await h.Press(Admin, new MusterButton.PickKind(MusterKind.Flood).Data);
        await h.Press(Admin, new MusterButton.PickScope(MusterScopeKind.Everyone).Data);
        await h.Text(Admin, "Community square");
        await h.Press(Admin, new MusterButton.Skip().Data);
        await h.Press(Admin, new MusterButton.ReportWithin(60).Data);
        await h.Press(Admin, new MusterButton.DrillOrReal(true).Data);
        await h.Press(Admin, new MusterButton.Launch().Data);
        return await h.DrainAsync();
    }

    private static Task<MusterBot.Flows.Runtime.ProcessOutcome> Arrive(FlowHarness h, Sender who) => h.Press(who, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);

    private static async Task<HouseholdVisit> VisitAsync(FlowHarness h, int household) => (await h.CommunityDocAsync<HouseholdVisit>(DocKeys.Visit(1, household)))!;

    private static async Task<int[]> GivenToAsync(FlowHarness h, Sender who) =>
        [.. (await h.CommunitySetAsync(Sets.VisitsOf(1, who.Id))).Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order()];

    private static string TextOf(OutboxMessage m) => m.Action switch
    {
        SendText s => s.Html,
        EditText e => e.Html,
        AnswerCallback a => a.Text ?? string.Empty,
        SendDocument d => d.CaptionHtml ?? string.Empty,
        _ => string.Empty,
    };

    private static IEnumerable<string> ButtonData(OutboxMessage m) => m.Action switch
    {
        SendText { Markup: InlineMarkup k } => k.Rows.SelectMany(r => r).Select(b => b.CallbackData ?? string.Empty),
        EditText { Markup: { } k } => k.Rows.SelectMany(r => r).Select(b => b.CallbackData ?? string.Empty),
        _ => [],
    };

    /// <summary>Ann and Ben have arrived; the administrator starts the check of every tagged household.</summary>
    private static async Task<FlowHarness> StartedAsync()
    {
        var h = await NewAsync();
        await LaunchAsync(h);
        await Arrive(h, Ann);
        await Arrive(h, Ben);
        await h.DrainAsync();
        await h.Press(Admin, W(new WelfareButton.Setup(1, 0)));
        await h.Press(Admin, W(new WelfareButton.Start(1, 0)));
        return h;
    }

    [Fact]
    public async Task Start_PreviewsTheHouseholds_ThenGivesThemToArrivedMembers_ByBuilding_AtMostTwoEach()
    {
        var h = await NewAsync();

        // The administrators' roll call offers the check.
        var launched = await LaunchAsync(h);
        Assert.Contains(launched.Where(m => m.ChatId == Admin.Id).SelectMany(ButtonData), d => d == W(new WelfareButton.OpenSetup(1)));

        // Pressed on the live roll call, the start comes as a new message (the roll call stays).
        await h.Press(Admin, W(new WelfareButton.OpenSetup(1)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is SendText { Html: var t } && t.Contains("check vulnerable households", StringComparison.Ordinal));
        await Arrive(h, Ann);
        await Arrive(h, Ben);
        await h.DrainAsync();

        await h.Press(Admin, W(new WelfareButton.Setup(1, 0)));
        var preview = TextOf((await h.DrainAsync()).Single(m => m.Action is EditText));
        Assert.Contains("Which: every household with a tag\n7 households (North 5, South 2)\nArrived members so far: 2. Each member gets at most 2", preview, StringComparison.Ordinal);

        // Only the bedridden and the pregnant: two households.
        await h.Press(Admin, W(new WelfareButton.Setup(1, (1 << (int)HouseholdTag.Bedridden) | (1 << (int)HouseholdTag.Pregnant))));
        Assert.Contains("2 households (North 2, South 0)", TextOf((await h.DrainAsync()).Single(m => m.Action is EditText)), StringComparison.Ordinal);

        await h.Press(Admin, W(new WelfareButton.Start(1, 0)));
        var sent = await h.DrainAsync();
        Assert.Contains(sent, m => TextOf(m) == "✅ M-1: checking 7 households. 4 given to arrived members; 3 wait for members who arrive.");

        // Ann lives in Block 3: she gets Block 3's first two; Ben gets South's two. Each is told on the emergency lane.
        Assert.Equal("1,2", string.Join(",", await GivenToAsync(h, Ann)));
        Assert.Equal("7,8", string.Join(",", await GivenToAsync(h, Ben)));
        var toAnn = sent.Single(m => m.ChatId == Ann.Id);
        Assert.Equal(Lane.Emergency, toAnn.Lane);
        Assert.StartsWith("⚠️ <b>演练 / DRILL</b>: this is a drill\n", TextOf(toAnn), StringComparison.Ordinal);
        Assert.Contains("🏠 <b>M-1 · Welfare check</b>: please visit these 2 households:\n• Block 3 · 101 · lives alone\n• Block 3 · 102 · bedridden", TextOf(toAnn), StringComparison.Ordinal);
        Assert.Equal([W(new WelfareButton.Visit(1, 1)), W(new WelfareButton.Visit(1, 2)), W(new WelfareButton.Mine(1))], ButtonData(toAnn));
        Assert.Equal(["3", "4", "5"], (await h.CommunitySetAsync(Sets.VisitsUnassigned(1, "g1"))).Order());
        Assert.Null((await h.CommunityDocAsync<HouseholdVisit>(DocKeys.Visit(1, 6))));

        // Amy (Block 5) arrives: Block 5's two come to her, not Block 3's waiting one; that one waits for the next member.
        await Arrive(h, Amy);
        Assert.Equal("4,5", string.Join(",", await GivenToAsync(h, Amy)));
        Assert.Contains((await h.DrainAsync()).Where(m => m.ChatId == Amy.Id), m => TextOf(m).Contains("please visit these 2 households", StringComparison.Ordinal));
        Assert.Equal(["3"], await h.CommunitySetAsync(Sets.VisitsUnassigned(1, "g1")));

        // A second start changes nothing.
        await h.Press(Admin, W(new WelfareButton.Start(1, 0)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "The check has already started." });
        Assert.Equal(7, (await h.CommunitySetAsync(Sets.Visits(1))).Count);
    }

    [Fact]
    public async Task AMemberReports_AndNeedsHelp_BecomesAnUrgentTask_TakenOnce_ThenDone()
    {
        var h = await StartedAsync();
        await h.DrainAsync();
        await h.Press(Ann, W(new WelfareButton.Visit(1, 1)));
        var card = TextOf((await h.DrainAsync()).Single(m => m.Action is EditText));
        Assert.Contains("🏠 <b>H-0001</b> Block 3 · 101\nM-1 · Welfare check\n🏷 Tags: lives alone\n👥 People: Resident 1\n📞 Phones: <code>+8613900000001</code>\nReport: ⏳ not checked yet", card, StringComparison.Ordinal);

        await h.Press(Ann, W(new WelfareButton.Report(1, 1, VisitOutcome.Safe)));
        await h.Press(Ann, W(new WelfareButton.Report(1, 1, VisitOutcome.Safe)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "Already reported: safe." });
        var safe = await VisitAsync(h, 1);
        Assert.Equal((VisitOutcome.Safe, Ann.Id), (safe.Outcome, safe.ReportedBy));

        await h.Press(Ann, W(new WelfareButton.Help(1, 2)));
        await h.Press(Ann, W(new WelfareButton.Need(1, 2, HelpNeed.Medicine)));
        var sent = await h.DrainAsync();
        Assert.Contains(sent, m => m.ChatId == Ann.Id && TextOf(m).StartsWith("🆘 Request for help sent for H-0002 Block 3 · 102: 💊 medicine.", StringComparison.Ordinal));
        var toStaff = sent.Where(m => m.ChatId != Ann.Id && m.Action is SendText).ToList();
        Assert.Equal([Admin.Id, Cora.Id], toStaff.Select(m => m.ChatId).Order());
        Assert.All(toStaff, m => Assert.Equal(Lane.Emergency, m.Lane));
        Assert.Contains("🆘 <b>M-1 · help needed</b>\nH-0002 Block 3 · 102\nNeeded: 💊 medicine\n🏷 Tags: bedridden\n📞 Phones: <code>+8613900000002</code>\nReported by Ann <code>+8613800000100</code>", TextOf(toStaff[0]), StringComparison.Ordinal);
        Assert.Equal("AwaitingHelpDetail", (await h.ConversationAsync(Ann.Id))!.Step);

        // A photo goes to the staff; a second "needs help" merges into the same request.
        await h.Event(new PhotoReceived(Ann, Ann.Id, 77, "photo-1", null));
        Assert.Equal(2, (await h.DrainAsync()).Count(m => m.Action is SendPhoto { FileId: "photo-1" }));
        await h.Press(Ann, W(new WelfareButton.Help(1, 2)));
        await h.Press(Ann, W(new WelfareButton.Need(1, 2, HelpNeed.Food)));
        Assert.Contains(await h.DrainAsync(), m => TextOf(m).StartsWith("🆘 H-0002 Block 3 · 102 already has an open request: added to it. Needed now: 💊 medicine, 🍚 food and water.", StringComparison.Ordinal));
        var merged = await VisitAsync(h, 2);
        Assert.Equal([HelpNeed.Medicine, HelpNeed.Food], merged.Needs);
        Assert.Equal(("photo-1", HelpStatus.Open), (merged.PhotoFileId, merged.Help));
        await h.Press(Ann, W(new WelfareButton.DetailDone(1, 2)));

        // Cora takes it first; the administrator's later press is told who has it; Ann is told.
        await h.Press(Cora, W(new WelfareButton.Take(1, 2)));
        var taken = await h.DrainAsync();
        Assert.Contains(taken, m => m.ChatId == Ann.Id && TextOf(m) == "🙋 Cora is handling the request for H-0002 Block 3 · 102.");
        await h.Press(Admin, W(new WelfareButton.Take(1, 2)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "Cora is already handling this.", ShowAlert: true });
        await h.Press(Ann, W(new WelfareButton.Done(1, 2)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "Only the person handling it (or an administrator) can mark it done." });
        await h.Press(Cora, W(new WelfareButton.Done(1, 2)));
        Assert.Contains(await h.DrainAsync(), m => m.ChatId == Ann.Id && TextOf(m) == "✅ The request for H-0002 Block 3 · 102 is done. Thank you.");
        var done = await VisitAsync(h, 2);
        Assert.Equal((HelpStatus.Done, Cora.Id), (done.Help, done.HelpTakenBy));
        Assert.Empty(await h.CommunitySetAsync(Sets.HelpOpen(1)));

        // The escalation timer of the taken request does nothing.
        h.Clock.Advance(TimeSpan.FromMinutes(11));
        await h.FireDueTimersAsync();
        Assert.DoesNotContain(await h.DrainAsync(), m => TextOf(m).Contains("nobody has taken this", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARequestNobodyTakes_IsEscalated_ToTheBackupConvenorToo()
    {
        var h = await StartedAsync();
        await h.Press(Ann, W(new WelfareButton.Need(1, 1, HelpNeed.Evacuation)));
        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        await h.FireDueTimersAsync();
        var escalated = (await h.DrainAsync()).Where(m => TextOf(m).Contains("⚠️🆘 <b>M-1 · nobody has taken this for 10 min</b>\nH-0001 Block 3 · 101\nNeeded: 🚶 evacuation", StringComparison.Ordinal)).ToList();
        Assert.All(escalated, m => Assert.StartsWith("⚠️ <b>演练 / DRILL</b>", TextOf(m), StringComparison.Ordinal));
        Assert.Equal([Admin.Id, Cora.Id, Bea.Id], escalated.Select(m => m.ChatId).Order());
        Assert.NotNull((await VisitAsync(h, 1)).HelpEscalatedAt);
    }

    [Fact]
    public async Task ForgedOrForeignPresses_AreRefused_AndChangeNothing()
    {
        var h = await StartedAsync();
        await h.DrainAsync();
        var before = await h.Store.GetAsync(DocKeys.Visit(1, 1).Bind(FlowHarness.Community), Ct);
        foreach (var (who, data, expected) in new[]
        {
            (Amy, W(new WelfareButton.Report(1, 1, VisitOutcome.Safe)), "This household is not given to you."),
            (Ben, W(new WelfareButton.Visit(1, 1)), "This household is not given to you."),
            (Rita, W(new WelfareButton.Need(1, 1, HelpNeed.Food)), "This household is not given to you."),
            (Admin, W(new WelfareButton.Report(1, 1, VisitOutcome.Moved)), "This household is not given to you."),
            (Ann, W(new WelfareButton.Visit(1, 6)), "This household is not given to you."),
            (Ann, W(new WelfareButton.Report(1, 99, VisitOutcome.Safe)), "This household is not given to you."),
            (Ann, W(new WelfareButton.Panel(1)), "Sorry, only the muster's convenors and administrators can do this."),
            (Ann, W(new WelfareButton.Take(1, 1)), "Sorry, only the muster's convenors and administrators can do this."),
            (Ann, W(new WelfareButton.Reassign(1, 1)), "Sorry, only the muster's convenors and administrators can do this."),
            (Cora, W(new WelfareButton.Setup(1, 0)), "Sorry, only administrator can use this."),
            (Cora, W(new WelfareButton.Start(1, 0)), "Sorry, only administrator can use this."),
        })
        {
            await h.Press(who, data);
            var answer = (await h.DrainAsync()).Select(m => m.Action).OfType<AnswerCallback>().Single();
            Assert.Equal(expected, answer.Text);
        }

        await h.Press(Ann, "wf:r:1:1:Exploded");
        Assert.Equal("This button is no longer valid.", ((AnswerCallback)(await h.DrainAsync()).Single().Action).Text);
        Assert.Equal(before!.Json, (await h.Store.GetAsync(DocKeys.Visit(1, 1).Bind(FlowHarness.Community), Ct))!.Json);
    }

    [Fact]
    public async Task TheConvenorReassigns_AnUncheckedHousehold_AndTheFirstMemberLosesIt()
    {
        var h = await StartedAsync();
        await Arrive(h, Amy);
        await h.DrainAsync();
        await h.Press(Cora, W(new WelfareButton.Panel(1)));
        var panel = await h.DrainAsync();
        Assert.Contains(panel.SelectMany(ButtonData), d => d == W(new WelfareButton.Reassign(1, 1)));
        await h.Press(Cora, W(new WelfareButton.Reassign(1, 1)));
        Assert.Contains((await h.DrainAsync()).SelectMany(ButtonData), d => d == W(new WelfareButton.ReassignTo(1, 1, Amy.Id)));

        // Ben lives in South: he is not offered, and a forged press naming him is refused.
        await h.Press(Cora, W(new WelfareButton.ReassignTo(1, 1, Ben.Id)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "That member has not arrived in this grid (any more)." });

        await h.Press(Cora, W(new WelfareButton.ReassignTo(1, 1, Amy.Id)));
        var sent = await h.DrainAsync();
        Assert.Contains(sent, m => m.ChatId == Ann.Id && TextOf(m) == "↪ M-1: H-0001 Block 3 · 101 was given to Amy. You need not visit it.");
        Assert.Contains(sent, m => m.ChatId == Amy.Id && TextOf(m).Contains("• Block 3 · 101 · lives alone", StringComparison.Ordinal));
        Assert.Equal((Amy.Id, Cora.Id), ((await VisitAsync(h, 1)).AssignedTo, (await VisitAsync(h, 1)).AssignedBy));
        Assert.DoesNotContain(1, await GivenToAsync(h, Ann));
        await h.Press(Ann, W(new WelfareButton.Report(1, 1, VisitOutcome.Safe)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "This household is not given to you." });

        // A checked household is not reassigned.
        await h.Press(Amy, W(new WelfareButton.Report(1, 1, VisitOutcome.NotHome)));
        await h.Press(Cora, W(new WelfareButton.Reassign(1, 1)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "This household has already been checked." });
    }

    [Fact]
    public async Task UncheckedHouseholds_AreRemindedToTheMember_ThenListedToTheStaff()
    {
        var h = await StartedAsync();
        await h.Press(Ann, W(new WelfareButton.Report(1, 1, VisitOutcome.Safe)));
        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromMinutes(30));
        await h.FireDueTimersAsync();
        var reminders = (await h.DrainAsync()).Where(m => TextOf(m).Contains("of your households are not checked yet", StringComparison.Ordinal)).ToList();
        Assert.Equal([Ann.Id, Ben.Id], reminders.Select(m => m.ChatId).Order());
        Assert.Contains("M-1: 1 of your households", TextOf(reminders.Single(m => m.ChatId == Ann.Id)), StringComparison.Ordinal);
        Assert.Equal([W(new WelfareButton.Visit(1, 2)), W(new WelfareButton.Mine(1))], ButtonData(reminders.Single(m => m.ChatId == Ann.Id)));

        h.Clock.Advance(TimeSpan.FromMinutes(30));
        await h.FireDueTimersAsync();
        var escalated = (await h.DrainAsync()).Where(m => TextOf(m).Contains("⚠️ M-1: 6 households are still not checked after 1 h.", StringComparison.Ordinal)).ToList();
        Assert.Equal([Admin.Id, Cora.Id, Carl.Id], escalated.Select(m => m.ChatId).Order());
        Assert.Contains("• Block 3 · 102 → Ann", TextOf(escalated[0]), StringComparison.Ordinal);
        Assert.Contains("• Block 3 · 103 → nobody yet", TextOf(escalated[0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRollCallCountsTheChecks_TheCloseReportsEveryHousehold_AndMembersLoseAccess()
    {
        var h = await StartedAsync();
        await h.Press(Ann, W(new WelfareButton.Report(1, 1, VisitOutcome.Safe)));
        await h.Press(Ann, W(new WelfareButton.Need(1, 2, HelpNeed.Medicine)));
        await h.Press(Ben, W(new WelfareButton.Report(1, 7, VisitOutcome.Moved)));
        // The household is deleted from the registry during the check: its visit and report keep it.
        await h.Press(Admin, HouseholdButton.Codec.Encode(new HouseholdButton.ConfirmDelete(8)));
        await h.Press(Ben, W(new WelfareButton.Visit(1, 8)));
        Assert.Contains((await h.DrainAsync()).Where(m => m.ChatId == Ben.Id), m => TextOf(m).Contains("🏠 <b>H-0008</b> Block 9 · 302", StringComparison.Ordinal));
        await h.Press(Ben, W(new WelfareButton.Report(1, 8, VisitOutcome.NotHome)));

        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(5));
        await h.FireDueTimersAsync();
        var rollCall = TextOf((await h.DrainAsync()).Last(m => m.ChatId == Admin.Id && m.Action is EditText));
        Assert.Contains("🏠 Households checked 4/7 (given out 4): ✅ 1 · 🆘 1 (open 1) · 🚪 1 · 🏠 1 · ⏳ 3", rollCall, StringComparison.Ordinal);

        await h.Press(Admin, new MusterButton.ConfirmClose(1).Data);
        var closing = await h.DrainAsync();
        var report = closing.Where(m => m.ChatId == Admin.Id).Select(TextOf).Single(t => t.StartsWith("🏠 <b>M-1 · Welfare check</b>", StringComparison.Ordinal));
        Assert.Contains("🆘 Block 3 · 102: 💊 medicine · open · —", report, StringComparison.Ordinal);
        Assert.Contains("⏳ Not checked: Block 3 · 103, Block 5 · 201, Block 5 · 202", report, StringComparison.Ordinal);
        var csv = (SendDocument)closing.Single(m => m.Action is SendDocument { FileName: "M-1-households.csv" }).Action;
        var lines = Encoding.UTF8.GetString(csv.Content).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("household,grid,address,tags,phones,assigned_to,outcome,needs,help,help_taken_by,reported_by,reported_at", lines[0]);
        Assert.Equal(8, lines.Length);
        Assert.Contains("H-0001,North,Block 3 · 101,lives alone,+8613900000001,Ann,safe,,,,Ann,2025-03-01 16:00:00", lines);
        Assert.Contains("H-0008,South,Block 9 · 302,lives alone,+8613900000008,Ben,not home / no answer,,,,Ben,2025-03-01 16:00:00", lines);
        Assert.Contains("H-0003,North,Block 3 · 103,\"aged 80+, chronic illness\",+8613900000003,,not checked yet,,,,,", lines);

        // After the close, the household's details are no longer shown to the member.
        await h.Press(Ann, W(new WelfareButton.Visit(1, 3 - 1)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "M-1 is closed. Household details are no longer shown.", ShowAlert: true });
    }

    [Fact]
    public async Task TheDashboardsBoard_ShowsTheCheck_ToTheAdministratorAndTheConvenor()
    {
        var h = await StartedAsync();
        await h.Press(Ann, W(new WelfareButton.Report(1, 1, VisitOutcome.Safe)));
        await h.Press(Ann, W(new WelfareButton.Need(1, 2, HelpNeed.Food)));
        await h.Press(Ben, W(new WelfareButton.Report(1, 7, VisitOutcome.NotHome)));
        var queries = new MusterBot.Flows.Dashboard.DashboardQueries(h.Store, MusterBot.Flows.Texts.TextCatalog.Default, Microsoft.Extensions.Options.Options.Create(new MusterBot.Flows.Runtime.FlowOptions { Admins = { Admin.Id } }), h.Clock);
        foreach (var who in new[] { Admin, Cora })
        {
            var viewer = (await queries.ViewerAsync(who.Id, Ct))!;
            var welfare = (await queries.BoardAsync(viewer, Language.En, Ct)).Musters.Single().Welfare!;
            Assert.Equal((7, 4, 3, 1, 1, 1, 1, 0, 4), (welfare.Total, welfare.Assigned, welfare.Checked, welfare.Safe, welfare.NeedsHelp, welfare.HelpOpen, welfare.NotHome, welfare.Moved, welfare.Unchecked));
            Assert.Equal(new MusterBot.Flows.Dashboard.BoardHelp("H-0002", "Block 3 · 102", "🍚 food and water", "open", true, null), Assert.Single(welfare.Help));
            Assert.Equal(["H-0003 Block 3 · 103 -", "H-0004 Block 5 · 201 -", "H-0005 Block 5 · 202 -", "H-0008 Block 9 · 302 Ben"], welfare.Waiting.Select(v => $"{v.Household} {v.Address} {v.AssignedTo ?? "-"}"));
        }

        // A member sees no board at all.
        Assert.False(MusterBot.Flows.Dashboard.DashboardQueries.MaySeeBoard((await queries.ViewerAsync(Ann.Id, Ct))!));
    }

    [Fact]
    public async Task AMemberMarkedArrivedByTheConvenor_GetsTheirShare_AndTheRegionsRollCallLinksTheCheck()
    {
        var h = await StartedAsync();
        await h.DrainAsync();

        // Cora checks Amy in on her behalf: Amy is given Block 5's households.
        await h.Press(Cora, new MusterButton.OnBehalf(1, Amy.Id, CheckInStatus.Arrived).Data);
        Assert.Equal("4,5", string.Join(",", await GivenToAsync(h, Amy)));
        Assert.Contains((await h.DrainAsync()).Where(m => m.ChatId == Amy.Id), m => TextOf(m).Contains("please visit these 2 households", StringComparison.Ordinal));

        // Cora's region roll call carries the check's progress button (opening as a new message).
        await h.Press(Cora, new MusterButton.OpenRollCall(1, "r1").Data);
        var rollCall = await h.DrainAsync();
        Assert.Contains(rollCall.SelectMany(ButtonData), d => d == W(new WelfareButton.OpenPanel(1)));
        await h.Press(Cora, W(new WelfareButton.OpenPanel(1)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is SendText { Html: var t } && t.Contains("<b>M-1 · Welfare check</b>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AHouseholdEditedDuringTheCheck_IsShownAsItIsNow_AndItsReportIsKept()
    {
        var h = await StartedAsync();
        await h.Press(Admin, HouseholdButton.Codec.Encode(new HouseholdButton.Edit(1, HouseholdField.Phones)));
        await h.Text(Admin, "0571-88881234");
        await h.DrainAsync();
        await h.Press(Ann, W(new WelfareButton.Visit(1, 1)));
        Assert.Contains((await h.DrainAsync()).Where(m => m.ChatId == Ann.Id), m => TextOf(m).Contains("📞 Phones: <code>0571-88881234</code>", StringComparison.Ordinal));
        await h.Press(Ann, W(new WelfareButton.Report(1, 1, VisitOutcome.Safe)));

        // The household's own record keeps its edit; the visit keeps the report (and its copy from the start).
        Assert.Equal(["0571-88881234"], (await h.CommunityDocAsync<Household>(DocKeys.Household(1)))!.Phones);
        var visit = await VisitAsync(h, 1);
        Assert.Equal((VisitOutcome.Safe, "+8613900000001"), (visit.Outcome, visit.Phones.Single()));
    }

    [Fact]
    public async Task AnOpenRequest_KeepsItsReport_UntilDone_AndCanBeFinishedAfterTheClose()
    {
        var h = await StartedAsync();
        await h.Press(Ann, W(new WelfareButton.Need(1, 2, HelpNeed.Medicine)));
        await h.DrainAsync();
        await h.Press(Ann, W(new WelfareButton.Report(1, 2, VisitOutcome.Safe)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "This household has an open request for help. Its report changes when the request is done.", ShowAlert: true });
        Assert.Equal(VisitOutcome.NeedsHelp, (await VisitAsync(h, 2)).Outcome);

        // The member's card shows no notes (they are for the staff).
        await h.Store.SeedCommunityAsync(new Commit { Writes = [new DocWrite(DocKeys.Household(1), RecordJson.Serialize((await h.CommunityDocAsync<Household>(DocKeys.Household(1)))! with { Notes = "key under the mat" }), null)] }, Ct);
        await h.Press(Ann, W(new WelfareButton.Visit(1, 1)));
        Assert.DoesNotContain(await h.DrainAsync(), m => TextOf(m).Contains("key under the mat", StringComparison.Ordinal));

        // Cora takes it; the muster closes; she can still mark it done, and the member is told.
        await h.Press(Cora, W(new WelfareButton.Take(1, 2)));
        await h.Press(Admin, new MusterButton.ConfirmClose(1).Data);
        await h.DrainAsync();
        await h.Press(Cora, W(new WelfareButton.Done(1, 2)));
        Assert.Contains(await h.DrainAsync(), m => m.ChatId == Ann.Id && TextOf(m).Contains("is done. Thank you.", StringComparison.Ordinal));
        Assert.Equal(HelpStatus.Done, (await VisitAsync(h, 2)).Help);
        Assert.Empty(await h.CommunitySetAsync(Sets.HelpOpen(1)));

        // The member cannot report any more.
        await h.Press(Ann, W(new WelfareButton.Report(1, 1, VisitOutcome.Safe)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "M-1 is closed. Household details are no longer shown." });
    }

    [Fact]
    public async Task AReport_RefreshesTheAdministratorsLiveRollCall()
    {
        var h = await StartedAsync();
        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        await h.DrainAsync();
        await h.Press(Ann, W(new WelfareButton.Report(1, 1, VisitOutcome.Safe)));
        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        var edit = (await h.DrainAsync()).Last(m => m.ChatId == Admin.Id && m.Action is EditText);
        Assert.Contains("🏠 Households checked 1/7", TextOf(edit), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OddInputWhileAddingToARequest_GetsAHint_AndARestartMidStepKeepsTheStep()
    {
        var h = await StartedAsync();
        await h.Press(Ann, W(new WelfareButton.Need(1, 2, HelpNeed.Food)));
        await h.DrainAsync();
        await h.Text(Ann, "hello?");
        var hint = Assert.Single(await h.DrainAsync());
        Assert.Equal("You can send a photo or your location now, or tap Done.", TextOf(hint));
        Assert.Equal([W(new WelfareButton.DetailDone(1, 2))], ButtonData(hint));

        // A new process over the same store (a restart): the step is still there, and a location is attached.
        var restarted = new FlowHarness(h.Store, Options(), Admin.Id);
        await restarted.Event(new MusterBot.Flows.Events.LocationShared(Ann, Ann.Id, 80, 31.23, 121.47));
        Assert.Contains(await restarted.DrainTextsAsync(), t => t == "📍 Location added to the request.");
        Assert.Equal((31.23, 121.47), ((await VisitAsync(restarted, 2)).Latitude, (await VisitAsync(restarted, 2)).Longitude));
        await restarted.Press(Ann, W(new WelfareButton.DetailDone(1, 2)));
        await restarted.Press(Ann, W(new WelfareButton.DetailDone(1, 2)));
        Assert.Equal("Idle", (await restarted.ConversationAsync(Ann.Id))!.Step);
    }
}

