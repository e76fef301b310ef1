using System.Text;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Commits;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Emergency musters (issue #5), decided on the in-memory store with a fake clock.</summary>
public partial class MusterFlowTests
{
    // ---- 1. the launch wizard ----

    [Fact]
    public async Task Wizard_HappyPath_LaunchesM1_WithAnswers_ConvenorOrders_DirectOrders_AndTimers()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Command(Admin, "muster");
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("Launch a muster", StringComparison.Ordinal));
        await h.Press(Admin, new MusterButton.PickKind(MusterKind.Flood).Data);
        await h.Press(Admin, new MusterButton.PickScope(MusterScopeKind.Regions).Data);
        await h.Press(Admin, new MusterButton.Done().Data, queryId: "none-picked");
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { CallbackQueryId: "none-picked", Text: "Please choose at least one.", ShowAlert: true });
        await h.Press(Admin, new MusterButton.ToggleRegion("r1").Data);
        await h.Press(Admin, new MusterButton.ToggleRegion("r2").Data);
        await h.Press(Admin, new MusterButton.ToggleRegion("r3").Data);
        await h.Press(Admin, new MusterButton.Done().Data);
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("Step 4", StringComparison.Ordinal));
        await h.Text(Admin, "Community square, bring a torch");
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("Step 5", StringComparison.Ordinal));
        await h.Press(Admin, new MusterButton.Skip().Data);
        await h.Press(Admin, new MusterButton.ReportWithin(60).Data);
        await h.Press(Admin, new MusterButton.DrillOrReal(true).Data);
        var preview = (await h.DrainTextsAsync())[^1];
        Assert.Contains("Calls <b>5</b> people in 3 regions.", preview, StringComparison.Ordinal);
        Assert.Contains("1 marked away, not called.", preview, StringComparison.Ordinal);
        Assert.Contains("Lake: 1 (no convenor: told directly)", preview, StringComparison.Ordinal);
        Assert.Contains("M-?", preview, StringComparison.Ordinal);
        Assert.Contains("drill", preview, StringComparison.Ordinal);

        await h.Press(Admin, new MusterButton.Launch().Data);
        var launched = await h.DrainAsync();
        NoErrors(launched);

        var muster = await MusterAsync(h);
        Assert.Equal(("M-1", MusterStatus.Open, true), (muster.Code, muster.Status, muster.Plan.Drill));
        Assert.Equal("Community square, bring a torch", muster.Plan.RallyText);
        Assert.Equal(h.Clock.GetUtcNow().AddMinutes(60), muster.ReportBy);
        Assert.Equal(["r1", "r2", "r3"], muster.Regions.Select(r => r.RegionId));
        Assert.Equal([3, 1, 1], muster.Regions.Select(r => r.Targeted));
        Assert.Null(muster.Region("r1")!.MembersToldAt);
        Assert.NotNull(muster.Region("r3")!.MembersToldAt);
        Assert.Equal(["1"], await SetAsync(h, Sets.OpenMusters));
        // Bea, the backup convenor of Port, is a member of it: called like the others.
        foreach (var called in new[] { Ann, Amy, Bea, Ben, Lin })
        {
            Assert.Equal(CheckInStatus.NoAnswer, (await AnswerAsync(h, called)).Status);
        }

        foreach (var notCalled in new[] { Zed, Nia, Cora, Carl, Rita })
        {
            Assert.Null(await GetAsync<MusterAnswer>(h, DocKeys.MusterAnswer(1, notCalled.Id)));
        }

        Assert.Equal(["100", "101", "11"], (await SetAsync(h, Sets.MusterTargets(1, "r1"))).Order(StringComparer.Ordinal));

        // Convenors get the order on the emergency lane with acknowledge and relay buttons.
        foreach (var (convenor, region) in new[] { (Cora, "r1"), (Carl, "r2") })
        {
            var order = Assert.Single(launched, m => m.ChatId == convenor.Id && m.Action is SendText);
            Assert.Equal(Lane.Emergency, order.Lane);
            Assert.True(order.SendFirst, "a convenor's order is marked to be sent first");
            var text = (SendText)order.Action;
            Assert.Contains("M-1", text.Html, StringComparison.Ordinal);
            Assert.Contains("DRILL", text.Html, StringComparison.Ordinal);
            Assert.Contains(new MusterButton.Acknowledge(1, region).Data, Buttons(text.Markup));
            Assert.Contains(new MusterButton.Relay(1, region).Data, Buttons(text.Markup));
        }

        // The region without a convenor is told directly; members of regions with one wait for the relay.
        var direct = Assert.Single(launched, m => m.ChatId == Lin.Id);
        Assert.Equal((Lane.Emergency, "mo:1:r3", false), (direct.Lane, direct.Tag, direct.SendFirst));
        Assert.Contains(new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, Buttons(((SendText)direct.Action).Markup));
        Assert.DoesNotContain(launched, m => m.ChatId is 100 or 101 or 200 or 102 or 400 or 11);

        // The administrator: launched message and a live roll call.
        Assert.Contains(TextsTo(launched, Admin), t => t.Contains("order <b>M-1</b> sent: 5 people called, 2 convenors told", StringComparison.Ordinal));
        Assert.Contains(launched, m => m.ChatId == Admin.Id && m.Tag == RollCall.Tag(1, Admin.Id, null));

        var now = h.Clock.GetUtcNow();
        Assert.Equal(now.AddMinutes(3), (await h.Store.GetTimerAsync("@4:mu:t1:1:r1", 4, Ct))!.DueAt);
        Assert.NotNull(await h.Store.GetTimerAsync("@4:mu:t1:1:r2", 4, Ct));
        Assert.Null(await h.Store.GetTimerAsync("@4:mu:t1:1:r3", 4, Ct));
        Assert.Equal(now.AddMinutes(5), (await h.Store.GetTimerAsync("@4:mu:rem:1:1", 4, Ct))!.DueAt);
        Assert.Equal(now.AddMinutes(15), (await h.Store.GetTimerAsync("@4:mu:rem:1:2", 4, Ct))!.DueAt);
        Assert.Equal(now.AddMinutes(10), (await h.Store.GetTimerAsync("@4:mu:t2:1", 4, Ct))!.DueAt);
        Assert.Equal(now.AddMinutes(60).AddHours(12), (await h.Store.GetTimerAsync("@4:mu:end:1", 4, Ct))!.DueAt);
        // A community timer (not a person's): it lives in community 4's shard and its id names the shard.
        Assert.Equal(FlowHarness.Community, (await h.Store.GetTimerAsync("@4:mu:t2:1", 4, Ct))!.Shard);
        Assert.Equal(MusterFlow.SystemUser, (await h.Store.GetTimerAsync("@4:mu:t2:1", 4, Ct))!.UserId);
        Assert.Null(await h.Store.GetTimerAsync("@4:mu:t2:1", 5, Ct));

        Assert.Equal("Idle", (await h.ConversationAsync(Admin.Id))!.Step);
        Assert.Null(await GetAsync<CommunityMode>(h, DocKeys.Mode));
    }

    [Fact]
    public async Task Wizard_EveryoneScope_MembersWithoutRegion_GetTheOrderDirectly()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await LaunchAsync(h, scope: "Everyone");
        var launched = await h.DrainAsync();

        var muster = await MusterAsync(h);
        Assert.Equal(["r1", "r2", "r3", Muster.NoRegion], muster.Regions.Select(r => r.RegionId));
        Assert.Equal(Muster.NoRegion, (await AnswerAsync(h, Nia)).RegionId);
        var direct = Assert.Single(launched, m => m.ChatId == Nia.Id);
        Assert.Equal(RollCall.OrderTag(1, Muster.NoRegion), direct.Tag);
        Assert.Single(launched, m => m.ChatId == Lin.Id);
        Assert.DoesNotContain(launched, m => m.ChatId == Ann.Id);
    }

    [Fact]
    public async Task Wizard_BackAndCancel_Work_AndOddInputIsAnsweredWithAHint()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Command(Admin, "muster");
        await h.DrainAsync();
        await h.Text(Admin, "what now?");
        var hint = await h.DrainTextsAsync();
        Assert.Contains("Please tap a button above", hint[0], StringComparison.Ordinal);
        Assert.Contains("Launch a muster", hint[1], StringComparison.Ordinal);

        await h.Press(Admin, new MusterButton.PickKind(MusterKind.Fire).Data);
        await h.Press(Admin, new MusterButton.PickScope(MusterScopeKind.Everyone).Data);
        await h.Text(Admin, "Gate 3");
        await h.Press(Admin, new MusterButton.Skip().Data);
        Assert.Equal(nameof(MusterStep.ReportBy), (await h.ConversationAsync(Admin.Id))!.Step);
        await h.DrainAsync();

        await h.Press(Admin, new MusterButton.Back().Data);
        Assert.Contains(await h.DrainTextsAsync(), t => t.StartsWith("[edit] Step 4", StringComparison.Ordinal));
        Assert.Equal(nameof(MusterStep.Pin), (await h.ConversationAsync(Admin.Id))!.Step);
        await h.Text(Admin, "not a pin");
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("Please tap a button above", StringComparison.Ordinal));
        await h.Press(Admin, new MusterButton.Back().Data);
        await h.Press(Admin, new MusterButton.Back().Data);
        Assert.Equal(nameof(MusterStep.Scope), (await h.ConversationAsync(Admin.Id))!.Step);
        await h.Press(Admin, new MusterButton.Back().Data);
        Assert.Equal(nameof(MusterStep.Kind), (await h.ConversationAsync(Admin.Id))!.Step);
        await h.DrainAsync();

        await h.Press(Admin, new MusterButton.Cancel().Data);
        Assert.Contains("[edit] Cancelled; nothing was sent.", await h.DrainTextsAsync());
        Assert.Equal("Idle", (await h.ConversationAsync(Admin.Id))!.Step);
        Assert.Null(await GetAsync<Muster>(h, DocKeys.Muster(1)));
        Assert.Empty(await SetAsync(h, Sets.OpenMusters));

        // A wizard button after the cancel is expired.
        await h.Press(Admin, new MusterButton.Launch().Data, queryId: "late");
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { CallbackQueryId: "late", Text: "This button has expired. Please send the command again." });
        Assert.Null(await GetAsync<Muster>(h, DocKeys.Muster(1)));
    }

    [Fact]
    public async Task Wizard_NonAdmin_IsRefused()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Command(Ann, "muster");
        Assert.Contains("Sorry, only administrator can use this.", await h.DrainTextsAsync());
        await h.Press(Ann, new MusterButton.Launch().Data, queryId: "q1");
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { CallbackQueryId: "q1", Text: "Sorry, only administrator can use this.", ShowAlert: true });
        await h.Press(Ann, new MusterButton.AskEmergency().Data, queryId: "q2");
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { CallbackQueryId: "q2", ShowAlert: true });
        Assert.Null(await GetAsync<Muster>(h, DocKeys.Muster(1)));
        Assert.Null(await GetAsync<CommunityMode>(h, DocKeys.Mode));
    }

    // ---- 2. convenors ----

    [Fact]
    public async Task Convenor_AcknowledgesThenRelays_MembersGetOrders_SecondRelayIsRefused_OthersAreRefused()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h);
        await h.DrainAsync();

        await h.Press(Cora, new MusterButton.Acknowledge(1, "r1").Data, messageId: 5);
        var acked = await h.DrainAsync();
        Assert.Equal("Acknowledged. Please relay to your region.", AnswerText(acked, Cora));
        Assert.Contains(acked, m => m.ChatId == Cora.Id && m.Tag == RollCall.Tag(1, Cora.Id, "r1"));
        Assert.DoesNotContain(acked, m => m.ChatId is 100 or 101);
        var region = (await MusterAsync(h)).Region("r1")!;
        Assert.Equal((Cora.Id, (DateTimeOffset?)null), (region.AcknowledgedBy, region.MembersToldAt));
        Assert.NotNull(region.AcknowledgedAt);

        await h.Press(Cora, new MusterButton.Relay(1, "r1").Data, messageId: 5);
        var relayed = await h.DrainAsync();
        NoErrors(relayed);
        Assert.Equal("Relayed to 3 people in your region.", AnswerText(relayed, Cora));
        foreach (var member in new[] { Ann, Amy })
        {
            var order = Assert.Single(relayed, m => m.ChatId == member.Id);
            Assert.Equal((Lane.Emergency, "mo:1:r1"), (order.Lane, order.Tag));
            Assert.Contains("M-1", ((SendText)order.Action).Html, StringComparison.Ordinal);
            Assert.Contains(new MusterButton.CheckIn(1, CheckInStatus.Acknowledged).Data, Buttons(((SendText)order.Action).Markup));
        }

        region = (await MusterAsync(h)).Region("r1")!;
        Assert.Equal(Cora.Id, region.RelayedBy);
        Assert.NotNull(region.MembersToldAt);

        await h.Press(Cora, new MusterButton.Relay(1, "r1").Data, messageId: 5, queryId: "again");
        var again = await h.DrainAsync();
        Assert.Contains(again, m => m.Action is AnswerCallback { CallbackQueryId: "again", ShowAlert: true, Text: var t } && t!.StartsWith("Already sent to your region's members at", StringComparison.Ordinal));
        Assert.DoesNotContain(again, m => m.ChatId is 100 or 101);

        // Somebody who is not a convenor of r1 (a member of another region, or another region's convenor).
        await h.Press(Ben, new MusterButton.Relay(1, "r1").Data, queryId: "ben");
        await h.Press(Carl, new MusterButton.Acknowledge(1, "r1").Data, queryId: "carl");
        var refused = await h.DrainAsync();
        Assert.Contains(refused, m => m.Action is AnswerCallback { CallbackQueryId: "ben", Text: "Sorry, only convenor can use this.", ShowAlert: true });
        Assert.Contains(refused, m => m.Action is AnswerCallback { CallbackQueryId: "carl", Text: "Sorry, only convenor can use this.", ShowAlert: true });
        Assert.DoesNotContain(refused, m => m.ChatId is 100 or 101);
        Assert.Equal(Cora.Id, (await MusterAsync(h)).Region("r1")!.AcknowledgedBy);
    }

    // ---- 3. escalation ----

    [Fact]
    public async Task T1_ConvenorSilent_BackupMembersAndAdminAreTold_RegionShowsEscalated()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h);
        await h.DrainAsync();

        // Carl (r2) acknowledges but does not relay; Cora (r1) stays silent.
        await h.Press(Carl, new MusterButton.Acknowledge(1, "r2").Data);
        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        await h.FireDueTimersAsync();
        Assert.DoesNotContain(await h.DrainAsync(), m => m.ChatId is 100 or 101 or 200 or 11);

        h.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await h.FireDueTimersAsync();
        var escalated = await h.DrainAsync();
        NoErrors(escalated);

        // Bea is also a member of Port: she gets the member's order too.
        var backup = Assert.Single(SentTo(escalated, Bea), s => s.Html.Contains("backup convenor", StringComparison.Ordinal));
        Assert.Contains("You are the backup convenor", backup.Html, StringComparison.Ordinal);
        Assert.Contains("Convenor Cora has not acknowledged in 3 min. The order went directly to 3 people", backup.Html, StringComparison.Ordinal);
        Assert.Contains(new MusterButton.Acknowledge(1, "r1").Data, Buttons(backup.Markup));
        foreach (var member in new[] { Ann, Amy, Ben })
        {
            Assert.Contains("M-1", Assert.Single(SentTo(escalated, member)).Html, StringComparison.Ordinal);
        }

        Assert.Contains(TextsTo(escalated, Admin), t => t.Contains("M-1 · Port</b>: convenor Cora has not acknowledged in 3 min", StringComparison.Ordinal));
        Assert.DoesNotContain(TextsTo(escalated, Admin), t => t.Contains("Hill", StringComparison.Ordinal) && t.Contains("has not acknowledged", StringComparison.Ordinal));
        Assert.Contains(TextsTo(escalated, Carl), t => t.Contains("you acknowledged but did not relay; the order went directly to 1 people", StringComparison.Ordinal));

        var muster = await MusterAsync(h);
        Assert.NotNull(muster.Region("r1")!.EscalatedAt);
        Assert.NotNull(muster.Region("r1")!.MembersToldAt);
        Assert.Null(muster.Region("r2")!.EscalatedAt);
        Assert.NotNull(muster.Region("r2")!.MembersToldAt);

        // The administrator's live roll call (from the launch) shows it by itself.
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        var live = (await h.DrainAsync()).Where(m => m.ChatId == Admin.Id).Select(m => m.Action).OfType<EditText>().Last(e => e.TargetTag == RollCall.Tag(1, Admin.Id, null));
        Assert.Contains("<b>Port</b> ⚠️ convenor silent, escalated at", live.Html, StringComparison.Ordinal);

        await h.Command(Admin, "rollcall");
        var panel = TextsTo(await h.DrainAsync(), Admin).Single(t => t.Contains("Roll call M-1 · Port, Hill, Lake", StringComparison.Ordinal));
        Assert.Contains("<b>Port</b> ⚠️ convenor silent, escalated at", panel, StringComparison.Ordinal);

        // The backup can now take over: acknowledging works, relaying again is refused (members were told).
        await h.Press(Bea, new MusterButton.Acknowledge(1, "r1").Data);
        await h.Press(Bea, new MusterButton.Relay(1, "r1").Data, queryId: "bea-rel");
        var bea = await h.DrainAsync();
        Assert.Contains(bea, m => m.Action is AnswerCallback { CallbackQueryId: "bea-rel", ShowAlert: true });
        Assert.DoesNotContain(bea, m => m.ChatId is 100 or 101);
        Assert.Equal(Bea.Id, (await MusterAsync(h)).Region("r1")!.AcknowledgedBy);
    }

    // ---- 4. check-ins ----

    private static async Task<FlowHarness> RelayedAsync(bool drill = true, MusterOptions? options = null, string[]? regions = null)
    {
        var h = NewHarness(options);
        await SeedAsync(h);
        await LaunchAsync(h, drill, regions: regions);
        await h.Press(Cora, new MusterButton.Relay(1, "r1").Data, messageId: 5);
        if ((regions ?? ["r2"]).Contains("r2"))
        {
            await h.Press(Carl, new MusterButton.Relay(1, "r2").Data, messageId: 6);
        }

        await h.DrainAsync();
        return h;
    }

    [Fact]
    public async Task CheckIn_ChangingTheAnswer_MovesTheMemberBetweenStatusSets_AndHistoryGrows()
    {
        var h = await RelayedAsync();

        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, messageId: 7);
        var arrived = await h.DrainAsync();
        Assert.Equal("Saved: 📍 arrived", AnswerText(arrived, Ann));
        Assert.Contains(arrived, m => m.ChatId == Ann.Id && m.Action is EditText { MessageId: 7 });
        // A drill (normal mode): the order is edited, and the location hint comes with a "send my location" button.
        Assert.Contains(arrived, m => m.ChatId == Ann.Id && m.Action is EditText);
        Assert.Contains(SentTo(arrived, Ann), s => s.Html.Contains("“📍 Send my location” below", StringComparison.Ordinal));
        Assert.Equal(["100"], await SetAsync(h, Sets.MusterAnswers(1, "r1", CheckInStatus.Arrived)));

        await h.Event(new LocationShared(Ann, Ann.Id, 8, 22.5, 114.1));
        Assert.Contains("Location saved (M-1).", TextsTo(await h.DrainAsync(), Ann));
        var answer = await AnswerAsync(h, Ann);
        Assert.Equal((22.5, 114.1), (answer.Latitude!.Value, answer.Longitude!.Value));
        Assert.Equal(CheckInStatus.Arrived, answer.Status);

        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.OnTheWay).Data, messageId: 7);
        var onTheWay = await h.DrainAsync();
        Assert.Contains(onTheWay, m => m.ChatId == Ann.Id && m.Action is EditText e && Buttons(e.Markup).Contains(new MusterButton.Eta(1, 20).Data));
        await h.Press(Ann, new MusterButton.Eta(1, 20).Data, messageId: 7);
        await h.DrainAsync();
        Assert.Empty(await SetAsync(h, Sets.MusterAnswers(1, "r1", CheckInStatus.Arrived)));
        Assert.Equal(["100"], await SetAsync(h, Sets.MusterAnswers(1, "r1", CheckInStatus.OnTheWay)));
        Assert.Equal(20, (await AnswerAsync(h, Ann)).EtaMinutes);

        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.CantCome).Data, messageId: 7);
        var cant = await h.DrainAsync();
        Assert.Contains(cant, m => m.ChatId == Ann.Id && m.Action is EditText e && Buttons(e.Markup).Contains(new MusterButton.Reason(1, CantComeReason.Other).Data));
        await h.Press(Ann, new MusterButton.Reason(1, CantComeReason.Other).Data, messageId: 7);
        Assert.Contains("Please write the reason in one sentence:", TextsTo(await h.DrainAsync(), Ann));
        await h.Text(Ann, "My flat is flooded");
        Assert.Contains("Saved: ❌ can't come · My flat is flooded", TextsTo(await h.DrainAsync(), Ann));

        answer = await AnswerAsync(h, Ann);
        Assert.Equal((CheckInStatus.CantCome, CantComeReason.Other, "My flat is flooded"), (answer.Status, answer.Reason, answer.ReasonText));
        Assert.Equal(
            [CheckInStatus.Arrived, CheckInStatus.Arrived, CheckInStatus.OnTheWay, CheckInStatus.OnTheWay, CheckInStatus.CantCome, CheckInStatus.CantCome],
            answer.History.Select(c => c.Status));
        Assert.All(answer.History, c => Assert.Equal(Ann.Id, c.By));
        Assert.Empty(await SetAsync(h, Sets.MusterAnswers(1, "r1", CheckInStatus.OnTheWay)));
        Assert.Equal(["100"], await SetAsync(h, Sets.MusterAnswers(1, "r1", CheckInStatus.CantCome)));

        // A listed reason replaces the typed one.
        await h.Press(Ann, new MusterButton.Reason(1, CantComeReason.Ill).Data, messageId: 7);
        await h.DrainAsync();
        answer = await AnswerAsync(h, Ann);
        Assert.Equal((CantComeReason.Ill, (string?)null), (answer.Reason, answer.ReasonText));
    }

    [Fact]
    public async Task CheckIn_SecondIdenticalPress_ChangesNothing()
    {
        var h = await RelayedAsync();

        await h.Press(Amy, new MusterButton.CheckIn(1, CheckInStatus.Acknowledged).Data, messageId: 7);
        await h.DrainAsync();
        await h.Press(Amy, new MusterButton.CheckIn(1, CheckInStatus.Acknowledged).Data, messageId: 7, queryId: "twice");
        var twice = await h.DrainAsync();

        Assert.Contains(twice, m => m.Action is AnswerCallback { CallbackQueryId: "twice", Text: "Already recorded: ✅ acknowledged" });
        Assert.DoesNotContain(twice, m => m.Action is EditText);
        Assert.Single((await AnswerAsync(h, Amy)).History);
        Assert.Equal(["101"], await SetAsync(h, Sets.MusterAnswers(1, "r1", CheckInStatus.Acknowledged)));
    }

    [Fact]
    public async Task CheckIn_NotCalled_AfterClose_AndLocationWithoutMuster_AreAnsweredPolitely()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Event(new LocationShared(Ben, Ben.Id, 3, 22.5, 114.1));
        Assert.Contains(TextsTo(await h.DrainAsync(), Ben), t => t.StartsWith("There is no muster to check in to, so no location is needed now.", StringComparison.Ordinal));

        await LaunchAsync(h, regions: ["r1"]);
        await h.Press(Cora, new MusterButton.Relay(1, "r1").Data);
        await h.DrainAsync();

        await h.Press(Ben, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, queryId: "ben");
        var notCalled = await h.DrainAsync();
        Assert.Contains(notCalled, m => m.Action is AnswerCallback { CallbackQueryId: "ben", Text: "You were not called to muster M-1; no answer is needed.", ShowAlert: true });
        Assert.Null(await GetAsync<MusterAnswer>(h, DocKeys.MusterAnswer(1, Ben.Id)));
        Assert.Empty(await SetAsync(h, Sets.MusterAnswers(1, "r2", CheckInStatus.Arrived)));

        await h.Press(Admin, new MusterButton.ConfirmClose(1).Data);
        await h.DrainAsync();
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, messageId: 9, queryId: "late");
        var late = await h.DrainAsync();
        Assert.Contains(late, m => m.Action is AnswerCallback { CallbackQueryId: "late", Text: "Muster M-1 is closed.", ShowAlert: true });
        Assert.Contains(late, m => m.ChatId == Ann.Id && m.Action is EditMarkup { MessageId: 9, Markup: null });
        Assert.Equal(CheckInStatus.NoAnswer, (await AnswerAsync(h, Ann)).Status);

        await h.Event(new LocationShared(Ann, Ann.Id, 10, 22.5, 114.1));
        Assert.Contains(TextsTo(await h.DrainAsync(), Ann), t => t.StartsWith("There is no muster to check in to, so no location is needed now.", StringComparison.Ordinal));
    }

    // ---- 5. convenor's non-responder list and proxy answers ----

    [Fact]
    public async Task Convenors_OfDifferentRegions_RelayingAtTheSameMoment_NeverContend()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h);
        await h.DrainAsync();

        // Each region's part is its own document: simultaneous relays write different documents, never the header.
        var headerVersion = (await h.Store.GetAsync(DocKeys.Muster(1).Bind(FlowHarness.Community), Ct))!.Version;
        var results = await Task.WhenAll(
            h.Press(Cora, new MusterButton.Relay(1, "r1").Data, messageId: 5),
            h.Press(Carl, new MusterButton.Relay(1, "r2").Data, messageId: 6));

        Assert.All(results, r => Assert.Equal(ProcessOutcome.Handled, r));
        var muster = await MusterAsync(h);
        Assert.NotNull(muster.Region("r1")!.RelayedAt);
        Assert.NotNull(muster.Region("r2")!.RelayedAt);
        Assert.Equal((Cora.Id, Carl.Id), (muster.Region("r1")!.RelayedBy!.Value, muster.Region("r2")!.RelayedBy!.Value));
        Assert.Equal(headerVersion, (await h.Store.GetAsync(DocKeys.Muster(1).Bind(FlowHarness.Community), Ct))!.Version);
    }

    [Fact]
    public async Task Convenor_NonResponders_WithPhones_MarkPhoned_AndCheckInOnBehalf()
    {
        var h = await RelayedAsync();

        await h.Press(Cora, new MusterButton.AskNonResponders(1, "r1").Data, messageId: 20);
        var list = SentTo(await h.DrainAsync(), Cora).Single();
        Assert.Contains("M-1 · Port: 3 with no answer", list.Html, StringComparison.Ordinal);
        Assert.Contains("<code>+8613800000100</code>", list.Html, StringComparison.Ordinal);
        Assert.Contains("<code>+8613800000101</code>", list.Html, StringComparison.Ordinal);
        Assert.Contains(new MusterButton.MemberCard(1, 100).Data, Buttons(list.Markup));

        await h.Press(Cora, new MusterButton.MemberCard(1, 100).Data, messageId: 21);
        Assert.Contains(TextsTo(await h.DrainAsync(), Cora), t => t.StartsWith("[edit] 👤 <b>Ann</b> · M-1", StringComparison.Ordinal));

        await h.Press(Cora, new MusterButton.Phoned(1, 100).Data, messageId: 21);
        var phoned = await h.DrainAsync();
        Assert.Equal("Marked: reached by phone ☎️", AnswerText(phoned, Cora));
        var answer = await AnswerAsync(h, Ann);
        Assert.Equal(Cora.Id, answer.PhonedBy);
        Assert.Equal(CheckInStatus.NoAnswer, answer.Status);
        Assert.Equal(["100"], await SetAsync(h, Sets.MusterPhoned(1, "r1")));
        await h.Press(Cora, new MusterButton.Phoned(1, 100).Data, messageId: 21, queryId: "again");
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { CallbackQueryId: "again", Text: "Already marked as reached by phone." });

        await h.Press(Cora, new MusterButton.OnBehalf(1, 100, CheckInStatus.OnTheWay).Data, messageId: 21);
        var proxied = await h.DrainAsync();
        NoErrors(proxied);
        Assert.Equal("Recorded for them: 🏃 on my way", AnswerText(proxied, Cora));
        Assert.Contains(TextsTo(proxied, Ann), t => t.Contains("Convenor Cora recorded your answer to M-1: 🏃 on my way", StringComparison.Ordinal));
        answer = await AnswerAsync(h, Ann);
        Assert.Equal(CheckInStatus.OnTheWay, answer.Status);
        var last = answer.History[^1];
        Assert.Equal((CheckInStatus.OnTheWay, Cora.Id, "by convenor"), (last.Status, last.By, last.Detail));
        Assert.Equal(["100"], await SetAsync(h, Sets.MusterAnswers(1, "r1", CheckInStatus.OnTheWay)));

        await h.Press(Cora, new MusterButton.NonResponders(1, "r1", 0).Data, messageId: 20);
        var after = TextsTo(await h.DrainAsync(), Cora).Single(t => t.StartsWith("[edit]", StringComparison.Ordinal));
        Assert.Contains("2 with no answer", after, StringComparison.Ordinal);
        Assert.DoesNotContain("+8613800000100", after, StringComparison.Ordinal);

        // Another region's convenor, or a member, may not answer for Ann.
        await h.Press(Carl, new MusterButton.OnBehalf(1, 100, CheckInStatus.Arrived).Data, queryId: "carl");
        await h.Press(Ben, new MusterButton.AskNonResponders(1, "r1").Data, queryId: "ben");
        var refused = await h.DrainAsync();
        Assert.Contains(refused, m => m.Action is AnswerCallback { CallbackQueryId: "carl", ShowAlert: true });
        Assert.Contains(refused, m => m.Action is AnswerCallback { CallbackQueryId: "ben", ShowAlert: true });
        Assert.Equal(CheckInStatus.OnTheWay, (await AnswerAsync(h, Ann)).Status);
    }

    // ---- 6. reminders and the T2 nudge ----

    [Fact]
    public async Task Reminders_GoOnlyToNonResponders_AtMostMaxReminders_AndT2NudgesWeakRegions()
    {
        var options = new MusterOptions { MaxReminders = 2 };
        options.Reminders.Add(TimeSpan.FromMinutes(5));
        options.Reminders.Add(TimeSpan.FromMinutes(15));
        options.Reminders.Add(TimeSpan.FromMinutes(20));
        var h = await RelayedAsync(options: options);
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Acknowledged).Data);
        await h.DrainAsync();

        h.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        await h.FireDueTimersAsync();
        var first = await h.DrainAsync();
        NoErrors(first);
        Assert.DoesNotContain(TextsTo(first, Ann), t => t.Contains("Reminder", StringComparison.Ordinal));
        foreach (var silent in new[] { Amy, Ben, Lin })
        {
            var reminder = Assert.Single(SentTo(first, silent));
            Assert.Contains("<b>Reminder 1</b>", reminder.Html, StringComparison.Ordinal);
            Assert.Contains("M-1", reminder.Html, StringComparison.Ordinal);
            Assert.Contains(new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, Buttons(reminder.Markup));
        }

        Assert.DoesNotContain(first, m => m.ChatId is 102 or 400);
        await h.Press(Amy, new MusterButton.CheckIn(1, CheckInStatus.OnTheWay).Data);
        await h.DrainAsync();

        // T2 at +10 min: r1 (2 of 2 answered) is fine; r2 (0 of 1) nudges Carl. r3 has no convenor.
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.FireDueTimersAsync();
        var nudge = await h.DrainAsync();
        var carl = Assert.Single(SentTo(nudge, Carl));
        Assert.Contains("<b>M-1 · Hill</b>: only 0% have answered; 1 still silent", carl.Html, StringComparison.Ordinal);
        Assert.Contains(new MusterButton.AskNonResponders(1, "r2").Data, Buttons(carl.Markup));
        Assert.Empty(SentTo(nudge, Cora));

        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.FireDueTimersAsync();
        var second = await h.DrainAsync();
        Assert.Contains("<b>Reminder 2</b>", Assert.Single(SentTo(second, Ben)).Html, StringComparison.Ordinal);
        Assert.Contains("<b>Reminder 2</b>", Assert.Single(SentTo(second, Lin)).Html, StringComparison.Ordinal);
        Assert.Empty(SentTo(second, Ann));
        Assert.Empty(SentTo(second, Amy));

        h.Clock.Advance(TimeSpan.FromMinutes(10));
        await h.FireDueTimersAsync();
        Assert.DoesNotContain(await h.DrainAsync(), m => m.Action is SendText s && s.Html.Contains("Reminder", StringComparison.Ordinal));
        Assert.Equal(2, (await MusterAsync(h)).RemindersSent);
    }

    // ---- 7. the close ----

    [Fact]
    public async Task Close_SendsReportWithCountsAndSilentNames_CsvWithOneRowPerMember_AndPoints()
    {
        var h = await RelayedAsync(drill: false);
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        await h.Press(Amy, new MusterButton.CheckIn(1, CheckInStatus.OnTheWay).Data);
        await h.Press(Ben, new MusterButton.CheckIn(1, CheckInStatus.CantCome).Data);
        await h.Press(Ben, new MusterButton.Reason(1, CantComeReason.Ill).Data);
        await h.DrainAsync();

        await h.Press(Admin, new MusterButton.Close(1).Data);
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("Close muster M-1? 5 people were called.", StringComparison.Ordinal));
        await h.Press(Admin, new MusterButton.ConfirmClose(1).Data, messageId: 30);
        var closed = await h.DrainAsync();
        NoErrors(closed);

        var muster = await MusterAsync(h);
        Assert.Equal((MusterStatus.Closed, (long?)Admin.Id), (muster.Status, muster.ClosedBy));
        Assert.Empty(await SetAsync(h, Sets.OpenMusters));
        foreach (var timer in new[] { "mu:t1:1:r1", "mu:t2:1", "mu:rem:1:1", "mu:rem:1:2", "mu:end:1", "mu:rf:1" })
        {
            Assert.Null(await h.Store.GetTimerAsync("@4:" + timer, 4, Ct));
        }

        var report = SentTo(closed, Admin).Select(s => s.Html).Single(t => t.Contains("Muster report M-1", StringComparison.Ordinal));
        Assert.Contains("<b>Port</b> ✅ convenor acknowledged after less than 1 min\ncalled 3 · 📍1 🏃1 ✅0 ❌0 ⏳1 📵0", report, StringComparison.Ordinal);
        Assert.Contains("<b>Hill</b> ✅ convenor acknowledged after less than 1 min\ncalled 1 · 📍0 🏃0 ✅0 ❌1 ⏳0 📵0", report, StringComparison.Ordinal);
        Assert.Contains("<b>Lake</b> (told directly)\ncalled 1 · 📍0 🏃0 ✅0 ❌0 ⏳1 📵0", report, StringComparison.Ordinal);
        Assert.Contains("<b>Never answered (2)</b>\nBea, Lin", report, StringComparison.Ordinal);
        Assert.Contains("Points: 16 in total, to 3 people", report, StringComparison.Ordinal);

        var csv = closed.Where(m => m.ChatId == Admin.Id).Select(m => m.Action).OfType<SendDocument>().Single();
        Assert.Equal("M-1.csv", csv.FileName);
        var rows = Encoding.UTF8.GetString(csv.Content).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("muster,drill,region,user_id,", rows[0], StringComparison.Ordinal);
        Assert.Equal(5, rows.Length - 1);
        Assert.Equal(["100", "101", "11", "200", "300"], rows.Skip(1).Select(r => r.Split(',')[3]).Order(StringComparer.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("M-1,no,Hill,200,Ben,+8613800000200,can't come,ill,", StringComparison.Ordinal));

        // Convenors get their region's report and CSV.
        Assert.Contains(closed, m => m.ChatId == Cora.Id && m.Action is SendDocument { FileName: "M-1-r1.csv" });

        foreach (var (who, points) in new[] { (Ann, 10), (Amy, 5), (Ben, 1) })
        {
            var entry = (await GetAsync<PointsEntry>(h, DocKeys.Points(who.Id, "M-1")))!;
            Assert.Equal((points, "M-1"), (entry.Points, entry.Source));
            Assert.Equal(["M-1"], await SetAsync(h, Sets.PointsOf(who.Id)));
            Assert.Contains(TextsTo(closed, who), t => t.Contains("Muster M-1 is closed", StringComparison.Ordinal) && t.Contains($"Points +{points}", StringComparison.Ordinal));
        }

        Assert.Null(await GetAsync<PointsEntry>(h, DocKeys.Points(Lin.Id, "M-1")));
        Assert.Contains(TextsTo(closed, Admin), t => t.Contains("Emergency mode is still on", StringComparison.Ordinal));

        // Any button of the closed muster now says so.
        await h.Press(Cora, new MusterButton.Acknowledge(1, "r1").Data, messageId: 5, queryId: "cora");
        await h.Press(Amy, new MusterButton.Eta(1, 10).Data, queryId: "amy");
        await h.Press(Admin, new MusterButton.ConfirmClose(1).Data, queryId: "again");
        var late = await h.DrainAsync();
        foreach (var id in new[] { "cora", "amy", "again" })
        {
            Assert.Contains(late, m => m.Action is AnswerCallback { Text: "Muster M-1 is closed.", ShowAlert: true } a && a.CallbackQueryId == id);
        }

        Assert.DoesNotContain(late, m => m.Action is SendDocument);
    }

    [Fact]
    public async Task Close_OfADrill_AwardsNoPoints()
    {
        var h = await RelayedAsync(drill: true);
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        await h.DrainAsync();

        await h.Press(Admin, new MusterButton.ConfirmClose(1).Data);
        var closed = await h.DrainAsync();

        Assert.Null(await GetAsync<PointsEntry>(h, DocKeys.Points(Ann.Id, "M-1")));
        Assert.Empty(await SetAsync(h, Sets.PointsOf(Ann.Id)));
        var thanks = Assert.Single(SentTo(closed, Ann));
        Assert.StartsWith("⚠️ <b>演练 / DRILL</b>", thanks.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Points", thanks.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Close_ByTwoAdminsAtOnce_ClosesOnce()
    {
        var h = await RelayedAsync(drill: false);
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        await h.DrainAsync();

        await Task.WhenAll(
            Task.Run(() => h.Press(Admin, new MusterButton.ConfirmClose(1).Data, queryId: "one")),
            Task.Run(() => h.Press(Admin2, new MusterButton.ConfirmClose(1).Data, queryId: "two")));
        var messages = await h.DrainAsync();
        NoErrors(messages);

        var answers = messages.Select(m => m.Action).OfType<AnswerCallback>().Where(a => a.CallbackQueryId is "one" or "two").ToList();
        Assert.Equal(2, answers.Count);
        Assert.Single(answers, a => a.Text == "🏁 M-1 is closed; the report was sent.");
        Assert.Single(answers, a => a.Text == "Muster M-1 is closed.");
        Assert.Single(SentTo(messages, Ann), s => s.Html.Contains("Muster M-1 is closed. Thank you!", StringComparison.Ordinal));
        Assert.Single(messages, m => m.ChatId == Cora.Id && m.Action is SendDocument);
        Assert.Equal(10, (await GetAsync<PointsEntry>(h, DocKeys.Points(Ann.Id, "M-1")))!.Points);
    }

    // ---- 8. community mode ----

    [Fact]
    public async Task RealLaunch_SwitchesToEmergency_AndMenusChange_DrillDoesNot()
    {
        var d = NewHarness();
        await SeedAsync(d);
        await LaunchAsync(d, drill: true);
        Assert.Null(await GetAsync<CommunityMode>(d, DocKeys.Mode));
        Assert.DoesNotContain(await d.DrainAsync(), m => m.Action is SendText s && s.Html.Contains("Emergency notice", StringComparison.Ordinal));

        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h, drill: false, rally: "Gate 3");
        var launched = await h.DrainAsync();
        NoErrors(launched);

        var mode = (await GetAsync<CommunityMode>(h, DocKeys.Mode))!;
        Assert.Equal((true, (int?)1, (long?)Admin.Id), (mode.Emergency, mode.MusterNumber, mode.ChangedBy));
        foreach (var (who, first) in new[] { (Ann, "🚨 My muster"), (Cora, "🚨 My muster"), (Rita, "🚨 Emergency notice") })
        {
            var notice = SentTo(launched, who).Single(s => s.Html.Contains("<b>Emergency notice</b>", StringComparison.Ordinal));
            Assert.Contains("the community is in emergency mode", notice.Html, StringComparison.Ordinal);
            var menu = Assert.IsType<ReplyKeyboard>(notice.Markup);
            Assert.Equal(first, menu.Rows[0][0].Text);

            // Members also get a one-tap "send my location" button for their check-in; residents do not.
            Assert.Equal(first == "🚨 My muster", menu.Rows.SelectMany(r => r).Any(b => b.RequestLocation && b.Text == "📍 Send my location"));
        }

        // Any later menu follows the mode.
        await h.Command(Rita, "help");
        var help = SentTo(await h.DrainAsync(), Rita).Last();
        Assert.Equal("🚨 Emergency notice", Assert.IsType<ReplyKeyboard>(help.Markup).Rows[0][0].Text);

        // "🚨 My muster" is /my: the order with the check-in buttons.
        await h.Text(Lin, "🚨 My muster");
        var my = SentTo(await h.DrainAsync(), Lin);
        Assert.Contains(my, s => Buttons(s.Markup).Contains(new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data));
    }

    [Fact]
    public async Task Mode_SwitchBack_ReleasesHeldNotices()
    {
        var h = NewHarness();
        await SeedAsync(h);

        // Normal mode: a notice goes out at once.
        await NotifyAsync(h, Ann, "Your wish W-1 was updated");
        Assert.Contains("Your wish W-1 was updated", TextsTo(await h.DrainAsync(), Ann));

        await h.Command(Admin, "mode");
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("normal mode", StringComparison.Ordinal));
        await h.Press(Admin, new MusterButton.AskEmergency().Data);
        await h.Text(Admin, "Flood on the east bank; hotline 110");
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("Switch to emergency mode and notify 10 people?", StringComparison.Ordinal));
        await h.Press(Admin, new MusterButton.ConfirmEmergency().Data);
        var on = await h.DrainAsync();
        Assert.True((await GetAsync<CommunityMode>(h, DocKeys.Mode))!.Emergency);
        Assert.Contains(SentTo(on, Ben), s => s.Html.Contains("Flood on the east bank", StringComparison.Ordinal));

        // Emergency mode: notices are held.
        await NotifyAsync(h, Ann, "Your complaint C-2 was answered");
        await NotifyAsync(h, Ben, "Your wish W-3 was closed");
        Assert.Empty(await h.DrainAsync());
        Assert.Equal(2, (await SetAsync(h, Sets.HeldNotices)).Count);

        await h.Command(Admin, "mode");
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("<b>Emergency mode</b>", StringComparison.Ordinal) && t.Contains("hotline 110", StringComparison.Ordinal));
        await h.Press(Admin, new MusterButton.AskNormal().Data);
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("2 held notices are sent", StringComparison.Ordinal));
        await h.Press(Admin, new MusterButton.ConfirmNormal().Data);
        var off = await h.DrainAsync();
        NoErrors(off);

        Assert.False((await GetAsync<CommunityMode>(h, DocKeys.Mode))!.Emergency);
        Assert.Contains("Your complaint C-2 was answered", TextsTo(off, Ann));
        Assert.Contains("Your wish W-3 was closed", TextsTo(off, Ben));
        Assert.Empty(await SetAsync(h, Sets.HeldNotices));
        var normal = SentTo(off, Ann).Single(s => s.Html.Contains("back to normal mode", StringComparison.Ordinal));
        Assert.DoesNotContain("🚨", Assert.IsType<ReplyKeyboard>(normal.Markup).Rows[0][0].Text, StringComparison.Ordinal);

        await h.Press(Admin, new MusterButton.ConfirmNormal().Data, queryId: "again");
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { CallbackQueryId: "again", Text: "Already in normal mode." });
    }

    /// <summary>A normal-time notice as another flow would send it (decided in the current mode and committed).</summary>
    private static async Task NotifyAsync(FlowHarness h, Sender to, string html)
    {
        var reader = new DocReader(h.Store, FlowHarness.Community);
        var mode = await reader.GetAsync<CommunityMode>(DocKeys.Mode, Ct);
        var profile = (await reader.GetAsync<UserProfile>(DocKeys.User(Admin.Id), Ct)) ?? new UserProfile(Admin.Id, Admin.Id, "Boss");
        var ctx = new FlowContext(new TextReceived(Admin, Admin.Id, 1, "x"), h.Clock.GetUtcNow(), profile, MainFlow.Idle(h.Clock.GetUtcNow()), Roles.Admin, reader, TextCatalog.Default)
        {
            Emergency = mode is { Emergency: true },
        };
        Notices.Notify(ctx, to.Id, html);
        var result = await h.Store.SeedCommunityAsync(new Commit
        {
            Writes = ctx.Effects.Writes.Select(w => new DocWrite(w.Key, w.Value.Json, null, w.Value.Ttl)).ToList(),
            SetChanges = ctx.Effects.SetChanges,
            Outbox = ctx.Effects.Outbox,
        }, Ct);
        Assert.Equal(CommitStatus.Committed, result.Status);
    }

    // ---- 9. live roll calls ----

    [Fact]
    public async Task RollCallRefresh_AfterCheckIns_EditsTheTaggedMessage_WithCountsOfTheStoredAnswers()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h);
        await h.Press(Cora, new MusterButton.Acknowledge(1, "r1").Data);
        await h.Press(Cora, new MusterButton.Relay(1, "r1").Data);
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        await h.DrainAsync();

        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        await h.Press(Amy, new MusterButton.CheckIn(1, CheckInStatus.OnTheWay).Data);
        await h.Press(Lin, new MusterButton.CheckIn(1, CheckInStatus.CantCome).Data);
        // One refresh timer per muster serves every live roll call of it.
        Assert.NotNull(await h.Store.GetTimerAsync("@4:mu:rf:1", 4, Ct));
        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        var refreshed = await h.DrainAsync();
        NoErrors(refreshed);

        var region = refreshed.Where(m => m.ChatId == Cora.Id).Select(m => m.Action).OfType<EditText>().Single(e => e.TargetTag == RollCall.Tag(1, Cora.Id, "r1"));
        var answers = new[] { await AnswerAsync(h, Ann), await AnswerAsync(h, Amy), await AnswerAsync(h, Bea) };
        string Count(CheckInStatus s) => answers.Count(a => a.Status == s).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(
            $"✅ acknowledged {Count(CheckInStatus.Acknowledged)} · 🏃 on my way {Count(CheckInStatus.OnTheWay)} · 📍 arrived {Count(CheckInStatus.Arrived)} · ❌ can't come {Count(CheckInStatus.CantCome)} · ⏳ no answer {Count(CheckInStatus.NoAnswer)}",
            region.Html, StringComparison.Ordinal);
        Assert.Contains("Called 3 · delivered 3 · 📵 unreachable 0", region.Html, StringComparison.Ordinal);
        Assert.Contains("Ann", region.Html, StringComparison.Ordinal);

        var all = refreshed.Where(m => m.ChatId == Admin.Id).Select(m => m.Action).OfType<EditText>().Single(e => e.TargetTag == RollCall.Tag(1, Admin.Id, null));
        Assert.Contains("<b>Port</b> ✅ convenor acknowledged", all.Html, StringComparison.Ordinal);
        Assert.Contains("called 3 · 📍1 🏃1 ✅0 ❌0 ⏳1 📵0", all.Html, StringComparison.Ordinal);
        Assert.Contains("called 1 · 📍0 🏃0 ✅0 ❌1 ⏳0 📵0", all.Html, StringComparison.Ordinal);

        // Nothing new: the next refresh edits nothing.
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        Assert.DoesNotContain(await h.DrainAsync(), m => m.Action is EditText);
    }

    // ---- 10. several musters ----

    [Fact]
    public async Task SeveralMusters_EveryMessageNamesItsMuster()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h, regions: ["r1", "r3"], rally: "Square");
        var first = await h.DrainAsync();
        await h.Command(Admin, "muster");
        Assert.Contains("Note: M-1 is still open.", await h.DrainTextsAsync());
        await LaunchAsync(h, scope: "Everyone", rally: "Harbour");
        var second = await h.DrainAsync();
        await h.Press(Cora, new MusterButton.Relay(1, "r1").Data);
        await h.Press(Cora, new MusterButton.Relay(2, "r1").Data);
        var relayed = await h.DrainAsync();

        Assert.Equal(["1", "2"], (await SetAsync(h, Sets.OpenMusters)).Order());
        foreach (var (messages, number) in new[] { (first, 1), (second, 2) })
        {
            foreach (var text in messages.Where(m => m.Lane == Lane.Emergency).Select(m => m.Action).OfType<SendText>())
            {
                Assert.Contains($"M-{number}", text.Html, StringComparison.Ordinal);
                Assert.All(Buttons(text.Markup), data => Assert.StartsWith($"mu:", data, StringComparison.Ordinal));
                Assert.All(Buttons(text.Markup), data => Assert.Equal(number.ToString(System.Globalization.CultureInfo.InvariantCulture), data.Split(':')[2]));
            }
        }

        foreach (var text in SentTo(relayed, Ann))
        {
            var number = Buttons(text.Markup).First().Split(':')[2];
            Assert.Contains("M-" + number, text.Html, StringComparison.Ordinal);
        }

        Assert.Equal(2, SentTo(relayed, Ann).Count);

        await h.Press(Lin, new MusterButton.CheckIn(2, CheckInStatus.Arrived).Data);
        await h.DrainAsync();
        Assert.Equal(CheckInStatus.Arrived, (await AnswerAsync(h, Lin, 2)).Status);
        Assert.Equal(CheckInStatus.NoAnswer, (await AnswerAsync(h, Lin, 1)).Status);

        await h.Command(Lin, "my");
        var my = SentTo(await h.DrainAsync(), Lin);
        Assert.Equal(2, my.Count);
        Assert.Contains(my, s => s.Html.Contains("M-1", StringComparison.Ordinal) && Buttons(s.Markup).Contains(new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data));
        Assert.Contains(my, s => s.Html.Contains("M-2", StringComparison.Ordinal) && s.Html.Contains("Your answer: 📍 arrived", StringComparison.Ordinal));

        await h.Command(Admin, "muster", "close");
        var list = SentTo(await h.DrainAsync(), Admin).Single();
        Assert.Contains(new MusterButton.Close(1).Data, Buttons(list.Markup));
        Assert.Contains(new MusterButton.Close(2).Data, Buttons(list.Markup));
    }
}
