using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Posts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #19 point 4, the rest: shifts and handover, distance, the staff placing a member, "need more people".</summary>
public partial class WelfareFlowTests
{
    private static IEnumerable<OutboxMessage> To(IEnumerable<OutboxMessage> sent, Sender who) => sent.Where(m => m.ChatId == who.Id);

    private static string Answer(IEnumerable<OutboxMessage> sent) => sent.Select(m => m.Action).OfType<AnswerCallback>().Single().Text ?? string.Empty;

    [Fact]
    public async Task Shifts_HandOver_WithAReminderBeforeTheEnd_AndTheStaffHearOfAShortOrMissedHandover()
    {
        var h = await NewAsync();
        await LaunchAsync(h);
        await Arrive(h, Ann);
        await Arrive(h, Amy);
        await Arrive(h, Ben);
        await h.DrainAsync();

        // 16:00 local: P-1 with two shifts of 4 hours, one person each; P-2 the same, where nobody takes shift 2.
        await DefinePostAsync(h, Admin, PostKind.Checkpoint, "East gate", 1, shifts: 2, hours: 4);
        var created = await h.DrainAsync();
        Assert.Contains(created, m => m.ChatId == Admin.Id && TextOf(m) == "✅ P-1 🚧 checkpoint · East gate: 1 needed. Arrived members are told and can take a place.\nShifts: Shift 1 16:00–20:00 · Shift 2 20:00–00:00");
        Assert.Contains(To(created, Ann), m => TextOf(m).EndsWith("1 needed. Take a place if you can.\nShifts: Shift 1 16:00–20:00 · Shift 2 20:00–00:00", StringComparison.Ordinal));
        await DefinePostAsync(h, Admin, PostKind.Patrol, "River bank", 1, shifts: 2, hours: 4);
        await h.DrainAsync();

        // Members pick their shift; a full shift is refused; the post's roll call shows both shifts.
        await h.Press(Ann, P(new PostButton.View(1, 1)));
        Assert.Equal([P(new PostButton.JoinShift(1, 1, 1)), P(new PostButton.JoinShift(1, 1, 2)), P(new PostButton.List(1))], ButtonData((await h.DrainAsync()).Single(m => m.Action is EditText)));
        await h.Press(Ann, P(new PostButton.JoinShift(1, 1, 1)));
        Assert.Contains(await h.DrainAsync(), m => TextOf(m) == "📍 You are at P-1 🚧 checkpoint · East gate. — Shift 1 16:00–20:00");
        await h.Press(Amy, P(new PostButton.JoinShift(1, 1, 2)));
        await h.DrainAsync();
        await h.Press(Ben, P(new PostButton.JoinShift(1, 1, 1)));
        Assert.Equal("P-1 is full.", Answer(await h.DrainAsync()));
        await h.Press(Ben, P(new PostButton.JoinShift(1, 2, 1)));
        await h.Press(Ben, P(new PostButton.JoinShift(1, 1, 9)));
        Assert.Equal("This button is no longer valid.", Answer((await h.DrainAsync()).Where(m => m.Action is AnswerCallback).TakeLast(1)));
        Assert.Equal(2, (await h.CommunityDocAsync<PostSeat>(DocKeys.PostSeat(1, Ben.Id)))!.Post);

        await h.Press(Cora, P(new PostButton.View(1, 1)));
        Assert.Contains("Staffed 1/1 · leader: nobody yet\n\n<b>Shift 1 16:00–20:00</b> 1/1 ▶ on duty\n• Ann <code>+8613800000100</code>\n\n<b>Shift 2 20:00–00:00</b> 1/1\n• Amy <code>+8613800000101</code>",
            TextOf((await h.DrainAsync()).Single(m => m.Action is EditText)), StringComparison.Ordinal);
        await h.Press(Admin, P(new PostButton.List(1)));
        Assert.Contains("P-1 🚧 checkpoint · East gate: 1/1 · 1/1\nP-2 🚶 patrol · River bank: 1/1 · 0/1", TextOf((await h.DrainAsync()).Single(m => m.Action is EditText)), StringComparison.Ordinal);

        // A handover hours before the end is refused.
        await h.Press(Ann, P(new PostButton.Handover(1, 1, 1)));
        Assert.Equal("Shift 1 ends at 20:00. Confirm the handover near the end of the shift.", Answer(await h.DrainAsync()));

        // 19:30: the reminders. Ann is told whom to hand over to; Amy that she starts; P-2's shift 2 is empty: the staff hear of it.
        h.Clock.Advance(TimeSpan.FromMinutes(210));
        await h.FireDueTimersAsync();
        var reminded = await h.DrainAsync();
        // (The muster's own timers fired too: Cora and Carl never acknowledged, so the order went to members directly.)
        var toAnn = To(reminded, Ann).Single(m => TextOf(m).Contains("P-1", StringComparison.Ordinal));
        Assert.Equal("⚠️ <b>演练 / DRILL</b>: this is a drill\n⏰ P-1 · East gate: your shift 1 ends at 20:00. Hand over to: Amy. Press 🤝 when done.", TextOf(toAnn));
        Assert.Equal([P(new PostButton.Handover(1, 1, 1))], ButtonData(toAnn));
        Assert.Contains(To(reminded, Amy), m => TextOf(m).EndsWith("⏰ P-1 · East gate: your shift 2 starts at 20:00. Please be there on time.", StringComparison.Ordinal));
        Assert.Contains(To(reminded, Ben), m => TextOf(m).EndsWith("⏰ P-2 · River bank: your shift 1 ends at 20:00. Hand over to: nobody yet. Press 🤝 when done.", StringComparison.Ordinal));
        foreach (var staff in new[] { Admin, Cora, Carl })
        {
            Assert.Contains(To(reminded, staff), m => TextOf(m).EndsWith("⚠️ P-2 · River bank: shift 2 starts at 20:00 with 0/1 people.", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(reminded, m => TextOf(m).Contains("P-1 · East gate: shift 2 starts", StringComparison.Ordinal));

        // Ben is not on P-1's shift: refused. Ann hands over: Amy is told; a second press says who did it.
        await h.Press(Ben, P(new PostButton.Handover(1, 1, 1)));
        Assert.Equal("Only the shift on duty, the post leader or the staff can confirm the handover.", Answer(await h.DrainAsync()));
        await h.Press(Ann, P(new PostButton.Handover(1, 1, 1)));
        var handed = await h.DrainAsync();
        Assert.Contains(To(handed, Amy), m => TextOf(m).EndsWith("🤝 P-1 · East gate: shift 1 handed over to shift 2 (Ann). You are on duty now.", StringComparison.Ordinal));
        Assert.Contains(To(handed, Ann), m => m.Action is AnswerCallback { Text: "Shift 1 → 2 handed over." });
        Assert.Contains(To(handed, Ann), m => TextOf(m).Contains("🤝 Shift 1 → 2 handed over 19:30 (Ann)", StringComparison.Ordinal));
        await h.Press(Amy, P(new PostButton.Handover(1, 1, 1)));
        Assert.Equal("Shift 1 was handed over at 19:30 by Ann.", Answer(await h.DrainAsync()));
        Assert.Equal([new PostHandover(1, Ann.Id, TestClock.Start.AddMinutes(210))], (await PostAsync(h, 1))!.Handovers);

        // 20:00: P-1 handed over (nothing said); P-2 did not: its leader and staff are told.
        h.Clock.Advance(TimeSpan.FromMinutes(30));
        await h.FireDueTimersAsync();
        var ended = await h.DrainAsync();
        Assert.DoesNotContain(ended, m => TextOf(m).Contains("P-1", StringComparison.Ordinal));
        Assert.Contains(To(ended, Admin), m => TextOf(m).EndsWith("⚠️ P-2 · River bank: shift 1 ended at 20:00 without a handover to shift 2. On duty next: nobody yet.", StringComparison.Ordinal));

        // Shift 1 is over: it can no longer be taken; Ben moves to P-2's shift 2 by the post's buttons.
        await h.Press(Ben, P(new PostButton.JoinShift(1, 2, 1)));
        Assert.Equal("That shift is over. Please take a later one.", Answer(await h.DrainAsync()));
        await h.Press(Ben, P(new PostButton.JoinShift(1, 2, 2)));
        Assert.Equal(2, (await h.CommunityDocAsync<PostSeat>(DocKeys.PostSeat(1, Ben.Id)))!.Shift);

        // Removing a post cancels its rota's timers (nothing fires for it later).
        await h.Press(Admin, P(new PostButton.RemoveYes(1, 2)));
        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromHours(8));
        await h.FireDueTimersAsync();
        Assert.DoesNotContain(await h.DrainAsync(), m => TextOf(m).Contains("P-2", StringComparison.Ordinal));
    }

    [Fact]
    public void ShiftAt_CountsWholeShiftsFromTheStart_AndStaysOnTheLastOne()
    {
        var from = TestClock.Start;
        var post = new MusterPost(1, 1, PostKind.Patrol, "x") { Shifts = 3, ShiftHours = 4, ShiftsFrom = from };
        Assert.Equal(1, post.ShiftAt(from));
        Assert.Equal(1, post.ShiftAt(from.AddHours(4).AddTicks(-1)));
        Assert.Equal(2, post.ShiftAt(from.AddHours(4)));
        Assert.Equal(3, post.ShiftAt(from.AddHours(11)));
        Assert.Equal(3, post.ShiftAt(from.AddDays(3)));
        Assert.Equal(from.AddHours(8), post.ShiftEnd(2));
        Assert.Equal(1, (post with { Shifts = 1, ShiftHours = 0 }).ShiftAt(from.AddDays(3)));
    }

    [Fact]
    public void Choose_PrefersSkill_ThenNoSkillAsked_ThenAPlaceOnDutyNow_ThenTheNearestPost_ThenMostOpenPlaces()
    {
        var now = TestClock.Start;
        var medic = new UserProfile(1, 1, "M") { Skills = [Skill.Medical] };
        var plain = new UserProfile(2, 2, "P");
        var near = new MusterPost(1, 1, PostKind.Checkpoint, "near") { Needed = 1, Latitude = 30.00, Longitude = 121.0, ShiftsFrom = now };
        var far = new MusterPost(1, 2, PostKind.Checkpoint, "far") { Needed = 5, Latitude = 31.00, Longitude = 121.0, ShiftsFrom = now };
        var clinic = new MusterPost(1, 3, PostKind.Medical, "clinic") { Needed = 1, Skills = [Skill.Medical], Latitude = 32.0, Longitude = 121.0, ShiftsFrom = now };
        var nowhere = new MusterPost(1, 4, PostKind.Other, "no pin") { Needed = 9, ShiftsFrom = now };
        int Open(MusterPost p, int s) => p.Needed;
        (double, double) at = (30.01, 121.0);

        Assert.Equal(3, PostFlow.Choose(medic, at, [near, far, clinic], Open, now)!.Value.Post.Number);
        Assert.Equal(1, PostFlow.Choose(plain, at, [far, near, clinic, nowhere], Open, now)!.Value.Post.Number);
        Assert.Equal(2, PostFlow.Choose(plain, (31.01, 121.0), [near, far], Open, now)!.Value.Post.Number);

        // Without a location the post with the most open places; a post asking for a skill only when nothing else is open.
        Assert.Equal(4, PostFlow.Choose(plain, null, [near, far, nowhere], Open, now)!.Value.Post.Number);
        Assert.Equal(3, PostFlow.Choose(plain, at, [clinic], Open, now)!.Value.Post.Number);
        Assert.Null(PostFlow.Choose(plain, at, [near], (_, _) => 0, now));

        // A rota: the first shift from now with room.
        var rota = near with { Shifts = 3, ShiftHours = 4 };
        Assert.Equal((rota, 3), PostFlow.Choose(plain, at, [rota], (p, s) => s == 2 ? 0 : s == 1 ? 0 : 1, now));
        Assert.Equal(3, PostFlow.Choose(plain, at, [rota], (p, s) => 1, now.AddHours(10))!.Value.Shift);

        // A rota that has run out offers nothing.
        Assert.Null(PostFlow.Choose(plain, at, [rota], (p, s) => 1, now.AddHours(12)));

        // A place on duty now beats a nearer post whose next shift is the only one open.
        Assert.Equal(2, PostFlow.Choose(plain, at, [rota, far], (p, s) => p == rota && s == 1 ? 0 : 1, now)!.Value.Post.Number);
        Assert.InRange(PostFlow.Metres(30, 121, 31, 121), 111_000, 111_400);
    }

    [Fact]
    public async Task FillingThePosts_GivesEachMemberTheNearestPost_AndTheStaffCanPlaceOneMember()
    {
        var h = await NewAsync();
        await LaunchAsync(h);
        await Arrive(h, Ann);
        await Arrive(h, Amy);
        await Arrive(h, Ben);
        await h.Event(new LocationShared(Ann, Ann.Id, 50, 30.01, 121.0));
        await h.Event(new LocationShared(Amy, Amy.Id, 51, 31.01, 121.0));
        Assert.Equal(30.01, (await h.CommunityDocAsync<MusterAnswer>(DocKeys.MusterAnswer(1, Ann.Id)))!.Latitude);

        // P-1 is in the north, P-2 in the south; Ann is in the south, Amy in the north. Ben shared no location.
        await DefinePostAsync(h, Admin, PostKind.Checkpoint, "North gate", 1, pin: (31.0, 121.0));
        await DefinePostAsync(h, Admin, PostKind.Checkpoint, "South gate", 1, pin: (30.0, 121.0));
        Assert.Equal(31.0, (await PostAsync(h, 1))!.Latitude);
        await h.DrainAsync();
        await h.Press(Admin, P(new PostButton.Fill(1)));
        var filled = await h.DrainAsync();
        Assert.Equal("2 members given a post; 1 still without one (no places left).", Answer(filled));
        Assert.Equal(2, (await h.CommunityDocAsync<PostSeat>(DocKeys.PostSeat(1, Ann.Id)))!.Post);
        Assert.Equal(1, (await h.CommunityDocAsync<PostSeat>(DocKeys.PostSeat(1, Amy.Id)))!.Post);
        Assert.Contains(To(filled, Ann), m => TextOf(m).EndsWith("📌 M-1: you are given post P-2 🚧 checkpoint · South gate. Please go there.", StringComparison.Ordinal));

        // A third post: the convenor places Ben there by hand; a second press for him is refused; nobody else is free.
        await DefinePostAsync(h, Cora, PostKind.SupplyPoint, "Depot", 2);
        await h.DrainAsync();
        await h.Press(Cora, P(new PostButton.Assign(1, 3)));
        var pick = (await h.DrainAsync()).Single(m => m.Action is EditText);
        Assert.Contains("➕ P-3 · Depot: whom to place here? (1 arrived members at no post", TextOf(pick), StringComparison.Ordinal);
        Assert.Equal([P(new PostButton.AssignTo(1, 3, Ben.Id)), P(new PostButton.View(1, 3))], ButtonData(pick));
        await h.Press(Cora, P(new PostButton.AssignTo(1, 3, Ben.Id)));
        var placed = await h.DrainAsync();
        Assert.Contains(placed, m => m.Action is AnswerCallback { Text: "Ben placed at P-3." });
        Assert.Contains(To(placed, Ben), m => TextOf(m).EndsWith("📌 M-1: you are given post P-3 📦 supply point · Depot. Please go there.", StringComparison.Ordinal));
        await h.Press(Cora, P(new PostButton.AssignTo(1, 3, Ben.Id)));
        Assert.Equal("That member has a post already (or is no longer here).", Answer(await h.DrainAsync()));
        await h.Press(Cora, P(new PostButton.Assign(1, 3)));
        Assert.Equal("Every arrived member already has a post.", Answer(await h.DrainAsync()));
        await h.Press(Ann, P(new PostButton.AssignTo(1, 3, Ann.Id)));
        Assert.Equal("Sorry, only the muster's convenors and administrators can do this.", Answer(await h.DrainAsync()));
    }

    [Fact]
    public async Task NeedMorePeople_LaunchesAFollowUpMuster_WhoseArrivalsAreSeatedAtThePost()
    {
        var h = await NewAsync();
        await LaunchAsync(h);
        await Arrive(h, Ann);
        await DefinePostAsync(h, Admin, PostKind.Shelter, "School gym", 2);
        await h.Press(Ann, P(new PostButton.Join(1, 1)));
        await h.Press(Admin, P(new PostButton.Leader(1, 1, Ann.Id)));
        await h.DrainAsync();

        // The leader sees "need more people"; a member who does not lead the post is refused.
        await h.Press(Ann, P(new PostButton.View(1, 1)));
        Assert.Contains(P(new PostButton.More(1, 1)), ButtonData((await h.DrainAsync()).Single(m => m.Action is EditText)));
        await Arrive(h, Ben);
        await h.DrainAsync();
        await h.Press(Ben, P(new PostButton.More(1, 1)));
        await h.Press(Ben, new MusterButton.FollowUp(1, 1, 2).Data);
        Assert.Equal(["Only the post leader (or the muster's convenors and administrators) can ask for more people.", "Only the post leader (or the muster's convenors and administrators) can ask for more people."],
            (await h.DrainAsync()).Select(m => m.Action).OfType<AnswerCallback>().Select(a => a.Text));

        await h.Press(Ann, P(new PostButton.More(1, 1)));
        var ask = (await h.DrainAsync()).Single(m => m.Action is EditText);
        Assert.Equal("📣 P-1 · School gym: how many more people? A follow-up muster goes to the members in scope who have not arrived.", TextOf(ask));
        Assert.Equal([.. PostFlow.MoreChoices.Select(n => new MusterButton.FollowUp(1, 1, n).Data), P(new PostButton.View(1, 1))], ButtonData(ask));
        await h.Press(Ann, new MusterButton.FollowUp(1, 1, 1).Data);
        var launched = await h.DrainAsync();

        // M-2 calls those not arrived in M-1 (Amy and Bea of Port, through Cora), with the post as its rally point.
        var m2 = (await h.CommunityDocAsync<Muster>(DocKeys.Muster(2)))!;
        Assert.Equal(new PostCall(1, 1, 1), m2.ForPost);
        Assert.Equal("P-1 School gym", m2.Plan.RallyText);
        // Launched in the administrator's name: Ann gets a confirmation, not the roll call (it carries every phone).
        Assert.Equal(Admin.Id, m2.LaunchedBy);
        Assert.Empty(m2.AdminPanelChats);
        Assert.Contains(To(launched, Ann), m => TextOf(m) == "📣 Follow-up muster M-2 sent for P-1: 2 members called. Places per shift now: 2.");
        Assert.DoesNotContain(To(launched, Ann), m => TextOf(m).Contains("Roll call", StringComparison.Ordinal));
        Assert.Equal([2], (await PostAsync(h, 1))!.FollowUps);
        Assert.NotNull(await h.CommunityDocAsync<MusterAnswer>(DocKeys.MusterAnswer(2, Amy.Id)));
        Assert.Null(await h.CommunityDocAsync<MusterAnswer>(DocKeys.MusterAnswer(2, Ann.Id)));
        Assert.Null(await h.CommunityDocAsync<MusterAnswer>(DocKeys.MusterAnswer(2, Ben.Id)));
        Assert.Contains(To(launched, Cora), m => TextOf(m).Contains("📣 Follow-up of M-1: post P-1 needs 1 more.", StringComparison.Ordinal));
        Assert.Contains(To(launched, Admin), m => TextOf(m).EndsWith("📣 M-1: post P-1 (School gym) — Ann needs 1 more. Follow-up muster M-2 calls 2 members.", StringComparison.Ordinal));
        Assert.Contains(launched, m => m.Action is AnswerCallback { Text: "Follow-up muster M-2 sent." });

        // A second call while M-2 is open is refused.
        await h.Press(Ann, new MusterButton.FollowUp(1, 1, 3).Data);
        Assert.Equal("A follow-up muster for this post is already out: M-2.", Answer(await h.DrainAsync()));

        // Amy arrives in M-2: she is seated at P-1 of M-1 and the leader hears of it; she sees the post's roll call.
        await h.Press(Cora, new MusterButton.Relay(2, "r1").Data);
        await h.DrainAsync();
        await h.Press(Amy, new MusterButton.CheckIn(2, CheckInStatus.Arrived).Data);
        var arrived = await h.DrainAsync();
        Assert.Equal(1, (await h.CommunityDocAsync<PostSeat>(DocKeys.PostSeat(1, Amy.Id)))!.Post);
        Assert.Contains(To(arrived, Amy), m => TextOf(m).EndsWith("📌 M-1: you are given post P-1 🏫 shelter · School gym. Please go there.", StringComparison.Ordinal));
        Assert.Contains(To(arrived, Ann), m => TextOf(m).EndsWith("📣 P-1: Amy arrived from M-2. Staffed 2/2.", StringComparison.Ordinal));
        await h.Press(Amy, P(new PostButton.View(1, 1)));
        Assert.Contains("Staffed 2/2 · leader: Ann", TextOf((await h.DrainAsync()).Single(m => m.Action is EditText)), StringComparison.Ordinal);

        // Bea arrives too: the post is full now; she is thanked and sent to the convenor.
        await h.Press(Bea, new MusterButton.CheckIn(2, CheckInStatus.Arrived).Data);
        Assert.Contains(To(await h.DrainAsync(), Bea), m => TextOf(m) == "📍 M-2: thank you for coming. P-1 has enough people now; please report to the convenor.");
        Assert.Null(await h.CommunityDocAsync<PostSeat>(DocKeys.PostSeat(1, Bea.Id)));

        // Amy counts as arrived for the posts of M-1 even off the post (she came by M-2).
        await h.Press(Amy, P(new PostButton.Leave(1, 1)));
        await h.Press(Amy, P(new PostButton.List(1)));
        Assert.Contains(To(await h.DrainAsync(), Amy), m => m.Action is EditText && TextOf(m).Contains("P-1 🏫 shelter · School gym: 1/2", StringComparison.Ordinal));
        await h.Press(Amy, P(new PostButton.Join(1, 1)));
        await h.DrainAsync();

        // The close of M-1 writes Amy's service into her M-2 record, and closes M-2 with it.
        await h.Press(Admin, new MusterButton.ConfirmClose(1).Data);
        var closedBoth = await h.DrainAsync();
        Assert.Equal(MusterStatus.Closed, (await h.CommunityDocAsync<Muster>(DocKeys.Muster(2)))!.Status);
        Assert.Contains(To(closedBoth, Amy), m => TextOf(m).Contains("Muster M-2 is closed", StringComparison.Ordinal));
        Assert.Contains(closedBoth, m => m.Action is AnswerCallback { Text: "🏁 M-1 is closed; the report was sent." });
        Assert.Equal("P-1", (await h.CommunityDocAsync<MusterAnswer>(DocKeys.MusterAnswer(2, Amy.Id)))!.Service?.Post);
        Assert.True((await h.CommunityDocAsync<MusterAnswer>(DocKeys.MusterAnswer(1, Ann.Id)))!.Service?.Leader);
    }

    [Fact]
    public async Task AMemberWhoNoLongerComes_GivesUpTheirPlace_LeadershipAndBranch_AndEarnsNoPostPoints()
    {
        var h = await NewAsync(options: new MusterOptions { WelfareMaxPerMember = 2, PointsForDrills = true });
        await LaunchAsync(h);
        await Arrive(h, Ann);
        await Arrive(h, Amy);
        await DefinePostAsync(h, Admin, PostKind.Checkpoint, "East gate", 2);
        await h.Press(Ann, P(new PostButton.Join(1, 1)));
        await h.Press(Amy, P(new PostButton.Join(1, 1)));
        await h.Press(Admin, P(new PostButton.Leader(1, 1, Ann.Id)));
        await h.Press(Admin, P(new PostButton.Secretary(1, 1, Amy.Id)));
        await h.DrainAsync();
        Assert.Equal([Amy.Id, Ann.Id], (await h.CommunityDocAsync<TempBranch>(DocKeys.Branch(1, 1)))!.Members);

        // Ann answers "can't come" after all: her seat, the leadership and her place in the branch go.
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.CantCome).Data);
        await h.Press(Ann, new MusterButton.Reason(1, CantComeReason.Ill).Data);
        await h.DrainAsync();
        Assert.Equal(CheckInStatus.CantCome, (await h.CommunityDocAsync<MusterAnswer>(DocKeys.MusterAnswer(1, Ann.Id)))!.Status);
        Assert.Null(await h.CommunityDocAsync<PostSeat>(DocKeys.PostSeat(1, Ann.Id)));
        Assert.Equal(["101"], await h.CommunitySetAsync(Sets.PostMembers(1, 1)));
        Assert.Null((await PostAsync(h, 1))!.LeaderId);
        Assert.Equal([Amy.Id], (await h.CommunityDocAsync<TempBranch>(DocKeys.Branch(1, 1)))!.Members);
        Assert.Null(await h.CommunityDocAsync<BranchSeat>(DocKeys.BranchSeat(1, Ann.Id)));

        // A leader no longer at the post cannot call for more people.
        await h.Press(Ann, new MusterButton.FollowUp(1, 1, 2).Data);
        Assert.Equal("Only the post leader (or the muster's convenors and administrators) can ask for more people.", Answer(await h.DrainAsync()));

        // The close: no post points and no service for Ann; Amy has both.
        await h.Press(Admin, new MusterButton.ConfirmClose(1).Data);
        await h.DrainAsync();
        Assert.Null((await h.CommunityDocAsync<MusterAnswer>(DocKeys.MusterAnswer(1, Ann.Id)))!.Service);
        Assert.Null(await h.CommunityDocAsync<PointsEntry>(DocKeys.Points(Ann.Id, "M-1:post")));
        Assert.Equal(5, (await h.CommunityDocAsync<PointsEntry>(DocKeys.Points(Amy.Id, "M-1:post")))!.Points);
        Assert.Equal(5, (await h.CommunityDocAsync<PointsEntry>(DocKeys.Points(Amy.Id, "M-1:branch")))!.Points);
    }

    [Fact]
    public async Task NeedMorePeople_RaisesThePlacesPerShift_ToWhatIsStaffedPlusTheCount()
    {
        var h = await NewAsync();
        await LaunchAsync(h);
        await Arrive(h, Ann);
        await DefinePostAsync(h, Admin, PostKind.Checkpoint, "East gate", 1);
        await h.Press(Ann, P(new PostButton.Join(1, 1)));
        await h.Press(Admin, P(new PostButton.Leader(1, 1, Ann.Id)));
        await h.DrainAsync();

        // One staffed, three more asked: four places per shift; the confirmation says so.
        await h.Press(Ann, new MusterButton.FollowUp(1, 1, 3).Data);
        Assert.Contains(To(await h.DrainAsync(), Ann), m => TextOf(m).StartsWith("📣 Follow-up muster M-2 sent for P-1:", StringComparison.Ordinal) && TextOf(m).EndsWith("Places per shift now: 4.", StringComparison.Ordinal));
        Assert.Equal(4, (await PostAsync(h, 1))!.Needed);
        Assert.Equal(new PostCall(1, 1, 3), (await h.CommunityDocAsync<Muster>(DocKeys.Muster(2)))!.ForPost);
    }
}
