using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Runtime;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.State.Redis;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Musters: automatic close, templates, /mode, /rollcall, stale and forged buttons, check-ins from inside other flows.</summary>
public partial class MusterFlowTests
{
    // ---- 11. the automatic close ----

    [Fact]
    public async Task AutoClose_AtEndsAt_ClosesBySystem_ReportToLauncher_AndPoints()
    {
        var h = await RelayedAsync(drill: false);
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        await h.Press(Amy, new MusterButton.CheckIn(1, CheckInStatus.OnTheWay).Data);
        await h.DrainAsync();

        var launched = await MusterAsync(h);
        Assert.Equal(launched.ReportBy + TimeSpan.FromHours(12), launched.EndsAt);
        Assert.Equal(launched.EndsAt, (await h.Store.GetTimerAsync("@4:mu:end:1", 4, Ct))!.DueAt);

        // Everything before the end (reminders, T2, refreshes) fires; the muster stays open.
        h.Clock.SetUtcNow(launched.EndsAt!.Value - TimeSpan.FromMinutes(1));
        await h.FireDueTimersAsync();
        NoErrors(await h.DrainAsync());
        Assert.Equal(MusterStatus.Open, (await MusterAsync(h)).Status);

        h.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.True(await h.FireDueTimersAsync() >= 1);
        var closed = await h.DrainAsync();
        NoErrors(closed);

        var muster = await MusterAsync(h);
        Assert.Equal((MusterStatus.Closed, (long?)null), (muster.Status, muster.ClosedBy));
        Assert.Equal(h.Clock.GetUtcNow(), muster.ClosedAt);
        Assert.Empty(await SetAsync(h, Sets.OpenMusters));
        Assert.Null(await h.Store.GetTimerAsync("@4:mu:end:1", 4, Ct));

        Assert.Single(SentTo(closed, Admin), s => s.Html.Contains("Muster report M-1", StringComparison.Ordinal));
        Assert.Contains(closed, m => m.ChatId == Admin.Id && m.Action is SendDocument { FileName: "M-1.csv" });
        Assert.DoesNotContain(closed, m => m.ChatId == MusterFlow.SystemUser);
        Assert.DoesNotContain(closed, m => m.Action is AnswerCallback);
        Assert.Contains(closed, m => m.ChatId == Cora.Id && m.Action is SendDocument { FileName: "M-1-r1.csv" });

        Assert.Equal(10, (await GetAsync<PointsEntry>(h, DocKeys.Points(Ann.Id, "M-1")))!.Points);
        Assert.Equal(5, (await GetAsync<PointsEntry>(h, DocKeys.Points(Amy.Id, "M-1")))!.Points);
        Assert.Null(await GetAsync<PointsEntry>(h, DocKeys.Points(Ben.Id, "M-1")));
        Assert.Contains(TextsTo(closed, Ann), t => t.Contains("Muster M-1 is closed", StringComparison.Ordinal) && t.Contains("Points +10", StringComparison.Ordinal));

        // Nothing of the muster fires afterwards.
        h.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await h.FireDueTimersAsync());
    }

    [Fact]
    public async Task AutoClose_Disabled_ArmsNoEndTimer()
    {
        var h = NewHarness(new MusterOptions { AutoCloseAfterReportBy = null });
        await SeedAsync(h);
        await LaunchAsync(h);
        await h.DrainAsync();

        Assert.Null((await MusterAsync(h)).EndsAt);
        Assert.Null(await h.Store.GetTimerAsync("@4:mu:end:1", 4, Ct));
        h.Clock.Advance(TimeSpan.FromDays(2));
        await h.FireDueTimersAsync();
        Assert.Equal(MusterStatus.Open, (await MusterAsync(h)).Status);
    }

    // ---- 12. templates ----

    [Fact]
    public async Task Template_SavedAtPreview_ShownByNextMuster_PickedJumpsToPreview_AndLaunches()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Command(Admin, "muster");
        Assert.DoesNotContain(Buttons(SentTo(await h.DrainAsync(), Admin).Last().Markup), b => MusterButton.Codec.Decode(b) is MusterButton.PickTemplate);
        await h.Press(Admin, new MusterButton.PickKind(MusterKind.Fire).Data);
        await h.Press(Admin, new MusterButton.PickScope(MusterScopeKind.Regions).Data);
        await h.Press(Admin, new MusterButton.ToggleRegion("r1").Data);
        await h.Press(Admin, new MusterButton.ToggleRegion("r3").Data);
        await h.Press(Admin, new MusterButton.Done().Data);
        await h.Text(Admin, "Gate 3");
        await h.Press(Admin, new MusterButton.Skip().Data);
        await h.Press(Admin, new MusterButton.ReportWithin(30).Data);
        await h.Press(Admin, new MusterButton.DrillOrReal(true).Data);
        var firstPreview = (await h.DrainTextsAsync())[^1];
        Assert.Contains(new MusterButton.SaveTemplate().Data, await PreviewButtonsAsync(h));

        await h.Press(Admin, new MusterButton.SaveTemplate().Data);
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("Send a name for the template (at most 30 characters)", StringComparison.Ordinal));
        Assert.Equal(nameof(MusterStep.TemplateName), (await h.ConversationAsync(Admin.Id))!.Step);

        // Bad names: asked again, nothing saved.
        foreach (var bad in new[] { "   ", new string('n', 31) })
        {
            await h.Text(Admin, bad);
            Assert.Contains("Please write a name of 1–30 characters.", await h.DrainTextsAsync());
            Assert.Equal(nameof(MusterStep.TemplateName), (await h.ConversationAsync(Admin.Id))!.Step);
            Assert.Null(await GetAsync<MusterTemplates>(h, DocKeys.MusterTemplates));
        }

        await h.Text(Admin, "  Fire at the gate  ");
        var saved = await h.DrainTextsAsync();
        Assert.Contains("Template “Fire at the gate” saved.", saved);
        Assert.Contains(saved, t => t.Contains("Calls <b>4</b> people in 2 regions.", StringComparison.Ordinal));
        Assert.Equal(nameof(MusterStep.Preview), (await h.ConversationAsync(Admin.Id))!.Step);
        var template = Assert.Single((await GetAsync<MusterTemplates>(h, DocKeys.MusterTemplates))!.Items);
        Assert.Equal(("Fire at the gate", Admin.Id), (template.Name, template.SavedBy));
        Assert.Equal((MusterKind.Fire, MusterScopeKind.Regions, "Gate 3", 30, true), (template.Plan.Kind, template.Plan.Scope.Kind, template.Plan.RallyText, template.Plan.ReportWithinMinutes, template.Plan.Drill));
        Assert.Equal(["r1", "r3"], template.Plan.Scope.RegionIds);

        // A 30-character name is fine; the same name again replaces the template instead of adding one.
        await h.Press(Admin, new MusterButton.SaveTemplate().Data);
        await h.Text(Admin, new string('n', 30));
        await h.Press(Admin, new MusterButton.SaveTemplate().Data);
        await h.Text(Admin, "Fire at the gate");
        await h.DrainAsync();
        Assert.Equal(["Fire at the gate", new string('n', 30)], (await GetAsync<MusterTemplates>(h, DocKeys.MusterTemplates))!.Items.Select(t => t.Name));
        await h.Press(Admin, new MusterButton.Cancel().Data);
        await h.DrainAsync();
        Assert.Null(await GetAsync<Muster>(h, DocKeys.Muster(1)));

        // The next /muster offers the templates; picking one jumps to the preview with the same plan.
        await h.Command(Admin, "muster");
        var kind = SentTo(await h.DrainAsync(), Admin).Last();
        Assert.Contains(new MusterButton.PickTemplate(0).Data, Buttons(kind.Markup));
        Assert.Contains(((InlineMarkup)kind.Markup!).Rows.SelectMany(r => r), b => b.Text == "💾 Fire at the gate" && b.CallbackData == new MusterButton.PickTemplate(0).Data);
        await h.Press(Admin, new MusterButton.PickTemplate(0).Data);
        var picked = (await h.DrainTextsAsync()).Single(t => t.StartsWith("[edit]", StringComparison.Ordinal));
        Assert.StartsWith("[edit] ", firstPreview, StringComparison.Ordinal);
        Assert.Equal(firstPreview, picked);
        Assert.Equal(nameof(MusterStep.Preview), (await h.ConversationAsync(Admin.Id))!.Step);

        await h.Press(Admin, new MusterButton.Launch().Data);
        var launched = await h.DrainAsync();
        NoErrors(launched);
        var muster = await MusterAsync(h);
        Assert.Equal(RecordJson.Serialize(template.Plan), RecordJson.Serialize(muster.Plan));
        Assert.Equal(["r1", "r3"], muster.Regions.Select(r => r.RegionId));
        Assert.Equal(CheckInStatus.NoAnswer, (await AnswerAsync(h, Lin)).Status);
        Assert.Null(await GetAsync<MusterAnswer>(h, DocKeys.MusterAnswer(1, Ben.Id)));
        Assert.Contains(launched, m => m.ChatId == Cora.Id && m.Action is SendText);
        Assert.Equal(h.Clock.GetUtcNow().AddMinutes(30), muster.ReportBy);

        // A template button of a template that is gone is stale.
        await h.Command(Admin, "muster");
        await h.Press(Admin, new MusterButton.PickTemplate(7).Data, queryId: "gone");
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { CallbackQueryId: "gone", Text: "This button is no longer valid." });
        Assert.Equal(nameof(MusterStep.Kind), (await h.ConversationAsync(Admin.Id))!.Step);
    }

    private static async Task<IEnumerable<string>> PreviewButtonsAsync(FlowHarness h)
    {
        // Re-show the step by an odd input and read its buttons.
        await h.Text(Admin, "?");
        return Buttons(SentTo(await h.DrainAsync(), Admin).Last().Markup);
    }

    // ---- 13. /mode ----

    [Fact]
    public async Task Mode_SwitchToEmergency_WithATypedNotice_EveryoneToldWithTheEmergencyMenu_AndBack()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var people = new[] { Cora, Bea, Carl, Ann, Amy, Zed, Ben, Lin, Nia, Rita };

        await h.Command(Admin, "mode");
        var shown = SentTo(await h.DrainAsync(), Admin).Single();
        Assert.Contains("normal mode", shown.Html, StringComparison.Ordinal);
        Assert.Equal([new MusterButton.AskEmergency().Data], Buttons(shown.Markup));

        await h.Press(Admin, new MusterButton.AskEmergency().Data, messageId: 40);
        Assert.Contains(await h.DrainTextsAsync(), t => t.StartsWith("[edit] Send the emergency notice (at most 500 characters)", StringComparison.Ordinal));
        Assert.Equal(nameof(MusterStep.ModeNotice), (await h.ConversationAsync(Admin.Id))!.Step);

        foreach (var bad in new[] { "  ", new string('a', 501) })
        {
            await h.Text(Admin, bad);
            var refused = await h.DrainAsync();
            Assert.Equal(["Please write the notice in 1–500 characters."], TextsTo(refused, Admin));
            Assert.All(refused, m => Assert.Equal(Admin.Id, m.ChatId));
            Assert.Null(await GetAsync<CommunityMode>(h, DocKeys.Mode));
            Assert.Equal(nameof(MusterStep.ModeNotice), (await h.ConversationAsync(Admin.Id))!.Step);
        }

        var notice = new string('b', 480) + " hotline 110";
        await h.Text(Admin, notice);
        var preview = SentTo(await h.DrainAsync(), Admin).Single();
        Assert.Contains(notice, preview.Html, StringComparison.Ordinal);
        Assert.Contains("Switch to emergency mode and notify 10 people?", preview.Html, StringComparison.Ordinal);
        Assert.Contains(new MusterButton.ConfirmEmergency().Data, Buttons(preview.Markup));
        Assert.Null(await GetAsync<CommunityMode>(h, DocKeys.Mode));

        await h.Press(Admin, new MusterButton.ConfirmEmergency().Data, messageId: 41, queryId: "on");
        var on = await h.DrainAsync();
        NoErrors(on);
        Assert.Contains(on, m => m.Action is AnswerCallback { CallbackQueryId: "on", Text: "🚨 Emergency mode is on; notifying 10 people." });
        var mode = (await GetAsync<CommunityMode>(h, DocKeys.Mode))!;
        Assert.Equal((true, notice, (long?)Admin.Id, (int?)null), (mode.Emergency, mode.Notice, mode.ChangedBy, mode.MusterNumber));
        Assert.Equal("Idle", (await h.ConversationAsync(Admin.Id))!.Step);
        foreach (var who in people)
        {
            var told = Assert.Single(SentTo(on, who));
            Assert.Contains("<b>Emergency notice</b>", told.Html, StringComparison.Ordinal);
            Assert.Contains(notice, told.Html, StringComparison.Ordinal);
            Assert.StartsWith("🚨", Assert.IsType<ReplyKeyboard>(told.Markup).Rows[0][0].Text, StringComparison.Ordinal);
            Assert.Equal(Lane.Emergency, on.Single(m => m.ChatId == who.Id && m.Action is SendText).Lane);
        }

        // /mode again: emergency, with the switch back.
        await h.Command(Admin, "mode");
        var again = SentTo(await h.DrainAsync(), Admin).Single();
        Assert.Contains("<b>Emergency mode</b>", again.Html, StringComparison.Ordinal);
        Assert.Contains("hotline 110", again.Html, StringComparison.Ordinal);
        Assert.Equal([new MusterButton.AskNormal().Data], Buttons(again.Markup));

        // A second confirmation (or switch) is refused and changes nothing.
        var version = (await h.Store.GetAsync(DocKeys.Mode.Bind(FlowHarness.Community), Ct))!.Version;
        await h.Press(Admin, new MusterButton.ConfirmEmergency().Data, queryId: "ey2");
        await h.Press(Admin2, new MusterButton.AskEmergency().Data, queryId: "e2");
        var twice = await h.DrainAsync();
        Assert.Contains(twice, m => m.Action is AnswerCallback { CallbackQueryId: "ey2", Text: "Already in emergency mode.", ShowAlert: true });
        Assert.Contains(twice, m => m.Action is AnswerCallback { CallbackQueryId: "e2", Text: "Already in emergency mode.", ShowAlert: true });
        Assert.DoesNotContain(twice, m => m.Action is SendText);
        Assert.Equal(version, (await h.Store.GetAsync(DocKeys.Mode.Bind(FlowHarness.Community), Ct))!.Version);

        // Somebody who is not an administrator.
        await h.Command(Ann, "mode");
        Assert.Equal(["Sorry, only administrator can use this."], TextsTo(await h.DrainAsync(), Ann));
        foreach (var data in new[] { new MusterButton.AskNormal().Data, new MusterButton.ConfirmNormal().Data, new MusterButton.AskEmergency().Data, new MusterButton.ConfirmEmergency().Data })
        {
            await h.Press(Ann, data, queryId: "ann-" + data);
            Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "Sorry, only administrator can use this.", ShowAlert: true } a && a.CallbackQueryId == "ann-" + data);
        }

        Assert.Equal(version, (await h.Store.GetAsync(DocKeys.Mode.Bind(FlowHarness.Community), Ct))!.Version);

        // Back to normal: everyone told, with the normal menu.
        await h.Press(Admin, new MusterButton.AskNormal().Data);
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("Switch back to normal mode? 10 people are told, and 0 held notices are sent.", StringComparison.Ordinal));
        await h.Press(Admin, new MusterButton.ConfirmNormal().Data);
        var off = await h.DrainAsync();
        NoErrors(off);
        Assert.False((await GetAsync<CommunityMode>(h, DocKeys.Mode))!.Emergency);
        foreach (var who in people)
        {
            var told = Assert.Single(SentTo(off, who));
            Assert.Contains("back to normal mode", told.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("🚨", Assert.IsType<ReplyKeyboard>(told.Markup).Rows[0][0].Text, StringComparison.Ordinal);
        }

        await h.Command(Admin, "mode");
        Assert.Equal([new MusterButton.AskEmergency().Data], Buttons(SentTo(await h.DrainAsync(), Admin).Single().Markup));
    }

    [Fact]
    public async Task Mode_CancelledNotice_ThenAStaleConfirm_ChangesNothing_AndDoesNotClaimEmergency()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Command(Admin, "mode");
        await h.Press(Admin, new MusterButton.AskEmergency().Data);
        await h.Text(Admin, "Flood");
        await h.DrainAsync();
        await h.Press(Admin, new MusterButton.Cancel().Data);
        Assert.Equal("Idle", (await h.ConversationAsync(Admin.Id))!.Step);
        await h.DrainAsync();

        // The preview's confirm after the cancel (or another administrator's press of it): normal mode stays.
        await h.Press(Admin, new MusterButton.ConfirmEmergency().Data, queryId: "late");
        await h.Press(Admin2, new MusterButton.ConfirmEmergency().Data, queryId: "other");
        var late = await h.DrainAsync();
        Assert.Null(await GetAsync<CommunityMode>(h, DocKeys.Mode));
        Assert.DoesNotContain(late, m => m.Action is SendText);
        foreach (var id in new[] { "late", "other" })
        {
            var answer = late.Select(m => m.Action).OfType<AnswerCallback>().Single(a => a.CallbackQueryId == id);
            Assert.Equal("This button has expired. Please send the command again.", answer.Text);
        }
    }

    // ---- 14. /rollcall ----

    [Fact]
    public async Task RollCall_AdminGetsTheCommunity_ConvenorTheirRegion_MemberIsRefused_NoneOpenSaysSo()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Command(Admin, "rollcall");
        await h.Command(Cora, "rollcall");
        var none = await h.DrainAsync();
        Assert.Equal(["No muster is open."], TextsTo(none, Admin));
        Assert.Equal(["No muster is open."], TextsTo(none, Cora));

        await LaunchAsync(h);
        await h.DrainAsync();

        await h.Command(Ann, "rollcall");
        var refused = await h.DrainAsync();
        Assert.Equal(["Sorry, only convenors or administrators can use this."], TextsTo(refused, Ann));
        Assert.Null(await GetAsync<RollCallPanel>(h, DocKeys.RollCallPanel(1, Ann.Id, null)));

        await h.Command(Admin2, "rollcall");
        var community = await h.DrainAsync();
        var panel = Assert.Single(community, m => m.ChatId == Admin2.Id);
        Assert.Equal(RollCall.Tag(1, Admin2.Id, null), panel.Tag);
        Assert.Contains("Roll call M-1 · Port, Hill, Lake", ((SendText)panel.Action).Html, StringComparison.Ordinal);
        Assert.Equal([Admin.Id, Admin2.Id], (await MusterAsync(h)).AdminPanelChats);
        Assert.NotNull(await GetAsync<RollCallPanel>(h, DocKeys.RollCallPanel(1, Admin2.Id, null)));

        // Asking again does not add the chat twice.
        await h.Command(Admin2, "rollcall");
        await h.DrainAsync();
        Assert.Equal([Admin.Id, Admin2.Id], (await MusterAsync(h)).AdminPanelChats);

        await h.Command(Cora, "rollcall");
        await h.Command(Bea, "rollcall");
        await h.Command(Carl, "rollcall");
        var regions = await h.DrainAsync();
        foreach (var (convenor, region, name) in new[] { (Cora, "r1", "Port"), (Bea, "r1", "Port"), (Carl, "r2", "Hill") })
        {
            var own = Assert.Single(regions, m => m.ChatId == convenor.Id);
            Assert.Equal(RollCall.Tag(1, convenor.Id, region), own.Tag);
            Assert.Contains($"Roll call M-1 · {name}", ((SendText)own.Action).Html, StringComparison.Ordinal);
            Assert.DoesNotContain("Port, Hill, Lake", ((SendText)own.Action).Html, StringComparison.Ordinal);
        }

        var muster = await MusterAsync(h);
        Assert.Equal([Cora.Id, Bea.Id], muster.Region("r1")!.PanelChats);
        Assert.Equal([Carl.Id], muster.Region("r2")!.PanelChats);
        Assert.Equal([Admin.Id, Admin2.Id], muster.AdminPanelChats);

        // The added administrator's roll call is live: an answer shows on it at the next refresh.
        await h.Press(Lin, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(6));
        await h.FireDueTimersAsync();
        var refreshed = await h.DrainAsync();
        Assert.Contains(refreshed, m => m.ChatId == Admin2.Id && m.Action is EditText e && e.TargetTag == RollCall.Tag(1, Admin2.Id, null) && e.Html.Contains("📍1", StringComparison.Ordinal));

        await h.Press(Admin, new MusterButton.ConfirmClose(1).Data);
        await h.DrainAsync();
        await h.Command(Admin, "rollcall");
        await h.Command(Carl, "rollcall");
        var closed = await h.DrainAsync();
        Assert.Equal(["No muster is open."], TextsTo(closed, Admin));
        Assert.Equal(["No muster is open."], TextsTo(closed, Carl));
    }

    // ---- 15. stale and forged buttons ----

    [Fact]
    public async Task StaleAndForgedButtons_AreAnswered_AndChangeNothing()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h);
        await h.Press(Cora, new MusterButton.Relay(1, "r1").Data);
        await h.DrainAsync();
        var before = await SnapshotAsync(h);

        var presses = new (Sender Who, string Data)[]
        {
            // Well-formed payloads that name nothing, or that the machines do not allow here.
            (Lin, new MusterButton.CheckIn(99, CheckInStatus.Arrived).Data),
            (Lin, new MusterButton.CheckIn(1, CheckInStatus.NoAnswer).Data),
            (Cora, new MusterButton.Acknowledge(1, "r9").Data),
            (Admin, new MusterButton.Acknowledge(1, "r9").Data),
            (Cora, new MusterButton.Relay(1, "r9").Data),
            (Admin, new MusterButton.Launch().Data),
            (Admin, new MusterButton.SaveTemplate().Data),
            (Admin, new MusterButton.PickTemplate(0).Data),
            (Admin, new MusterButton.Done().Data),
            (Cora, new MusterButton.OnBehalf(1, 100, CheckInStatus.Acknowledged).Data),
            (Cora, new MusterButton.OnBehalf(1, 999, CheckInStatus.Arrived).Data),
            (Cora, new MusterButton.AskNonResponders(1, "r9").Data),
            (Admin, new MusterButton.ConfirmClose(99).Data),
            (Ann, new MusterButton.Eta(1, 20).Data),
            (Ann, new MusterButton.Eta(1, 0).Data),
            (Ann, new MusterButton.Reason(1, CantComeReason.Ill).Data),
            // Forged or malformed callback data.
            (Lin, "mu:ci:x:Arrived"),
            (Lin, "mu:ci:-1:Arrived"),
            (Lin, "mu:ci:99999999999:Arrived"),
            (Lin, "mu:ci:01:Arrived"),
            (Lin, "mu:ci:1:q"),
            (Lin, "mu:ci:1:arrived"),
            (Lin, "mu:ci:1:2"),
            (Lin, "mu:ci:1:h"),
            (Lin, "mu:ci:1"),
            (Lin, "mu:ci:1:Arrived:extra"),
            (Lin, "mu:"),
            (Lin, "mu:zz:1"),
            (Lin, "mu:wok:1"),
            (Admin, "mu:w:go"),
            (Cora, "mu:pb:1:100:q"),
            (Cora, "mu:pb:1:abc:Arrived"),
            (Admin, "mu:wrb:45"),
        };
        foreach (var (who, data) in presses)
        {
            Assert.Equal(ProcessOutcome.Handled, await h.Press(who, data, queryId: "f-" + data + "-" + who.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var messages = await h.DrainAsync();
        NoErrors(messages);
        foreach (var (who, data) in presses)
        {
            var id = "f-" + data + "-" + who.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Single(messages, m => m.Action is AnswerCallback a && a.CallbackQueryId == id);
        }

        Assert.DoesNotContain(messages, m => m.Action is SendText or SendDocument);
        Assert.Equal(before, await SnapshotAsync(h));
        Assert.Equal("Idle", (await h.ConversationAsync(Admin.Id))!.Step);
        Assert.Null(await GetAsync<Muster>(h, DocKeys.Muster(2)));

        var answers = messages.Select(m => m.Action).OfType<AnswerCallback>().ToDictionary(a => a.CallbackQueryId, a => a.Text);
        string Said(Sender who, MusterButton button) => answers["f-" + button.Data + "-" + who.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]!;
        Assert.Equal("This button is no longer valid.", Said(Lin, new MusterButton.CheckIn(99, CheckInStatus.Arrived)));
        Assert.Equal("This button is no longer valid.", Said(Lin, new MusterButton.CheckIn(1, CheckInStatus.NoAnswer)));
        Assert.Equal("This button is no longer valid.", answers["f-mu:ci:x:Arrived-300"]);
        Assert.Equal("This button is no longer valid.", answers["f-mu:ci:1:h-300"]);
        Assert.Equal("Sorry, only convenor can use this.", Said(Cora, new MusterButton.Acknowledge(1, "r9")));
        Assert.Equal("This button has expired. Please send the command again.", Said(Admin, new MusterButton.Launch()));
        Assert.Equal("This button is no longer valid.", answers["f-mu:w:go-1"]);
        Assert.Equal("This button is no longer valid.", Said(Cora, new MusterButton.OnBehalf(1, 100, CheckInStatus.Acknowledged)));
        Assert.Equal("This button is no longer valid.", Said(Ann, new MusterButton.Eta(1, 20)));
    }

    private static readonly string[] SnapshotRegions = ["r1", "r2", "r3", "r9"];

    /// <summary>Everything stored about muster 1 (and the community's musters, mode and templates), as text.</summary>
    private static async Task<string> SnapshotAsync(FlowHarness h)
    {
        var keys = new List<DocKey> { DocKeys.Muster(1), DocKeys.Muster(2), DocKeys.Counters, DocKeys.Mode, DocKeys.MusterTemplates };
        keys.AddRange(SnapshotRegions.Select(r => DocKeys.MusterRegion(1, r)));
        keys.AddRange(new[] { Ann, Amy, Ben, Lin, Zed, Nia }.Select(p => DocKeys.MusterAnswer(1, p.Id)));
        var parts = new List<string>();
        foreach (var key in keys)
        {
            var doc = await h.Store.GetAsync(key.Bind(FlowHarness.Community), Ct);
            parts.Add(key + "=" + (doc is null ? "-" : doc.Version + ":" + doc.Json));
        }

        foreach (var region in SnapshotRegions.SkipLast(1))
        {
            foreach (var status in Enum.GetValues<CheckInStatus>())
            {
                parts.Add(region + status + "=" + string.Join(",", (await SetAsync(h, Sets.MusterAnswers(1, region, status))).Order()));
            }

            parts.Add(region + "phoned=" + string.Join(",", (await SetAsync(h, Sets.MusterPhoned(1, region))).Order()));
        }

        parts.Add("open=" + string.Join(",", await SetAsync(h, Sets.OpenMusters)));
        return string.Join("\n", parts);
    }

    // ---- 16. check-ins from inside another flow ----

    [Fact]
    public async Task CheckIn_WhileEditingTheProfile_Works_AndTheConversationIsKept()
    {
        var h = await RelayedAsync();

        await h.Command(Ann, "me");
        await h.Press(Ann, "p:edit");
        await h.DrainAsync();
        var editing = (await h.ConversationAsync(Ann.Id))!;
        Assert.Equal(RegistrationFlow.FlowName, editing.Flow);

        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, messageId: 7, queryId: "ci");
        var checkedIn = await h.DrainAsync();
        NoErrors(checkedIn);
        Assert.Contains(checkedIn, m => m.Action is AnswerCallback { CallbackQueryId: "ci", Text: "Saved: 📍 arrived" });
        Assert.Equal(CheckInStatus.Arrived, (await AnswerAsync(h, Ann)).Status);
        Assert.Equal(["100"], await SetAsync(h, Sets.MusterAnswers(1, "r1", CheckInStatus.Arrived)));

        var kept = (await h.ConversationAsync(Ann.Id))!;
        Assert.Equal((editing.Flow, editing.Step), (kept.Flow, kept.Step));
        Assert.Equal(editing.Data.OrderBy(kv => kv.Key), kept.Data.OrderBy(kv => kv.Key));

        // The edit goes on as before: /cancel ends it as usual.
        await h.Command(Ann, "cancel");
        await h.DrainAsync();
        Assert.Equal("Idle", (await h.ConversationAsync(Ann.Id))!.Step);
    }

    [Fact]
    public async Task CheckIn_InTheMiddleOfRegistration_Works_AndTheStepIsKept()
    {
        var h = await RelayedAsync();

        // Amy is (somehow) back in the middle of registration, e.g. an earlier conversation that never ended.
        var midway = new ConversationState(RegistrationFlow.FlowName, nameof(RegStep.ChoosingSkills))
        {
            Data = new Dictionary<string, string> { ["kind"] = "Member", ["edit"] = "1", ["skills"] = string.Empty },
            UpdatedAt = h.Clock.GetUtcNow(),
        };
        var stored = await h.Store.SeedCommunityAsync(new Commit { Writes = [new DocWrite(DocKeys.Conversation(Amy.Id), RecordJson.Serialize(midway), null)] }, Ct);
        Assert.Equal(CommitStatus.Committed, stored.Status);

        await h.Press(Amy, new MusterButton.CheckIn(1, CheckInStatus.OnTheWay).Data, messageId: 8, queryId: "amy");
        var pressed = await h.DrainAsync();
        NoErrors(pressed);
        Assert.Contains(pressed, m => m.Action is AnswerCallback { CallbackQueryId: "amy", Text: "Saved: 🏃 on my way" });
        await h.Press(Amy, new MusterButton.Eta(1, 10).Data, messageId: 8);
        await h.DrainAsync();
        var answer = await AnswerAsync(h, Amy);
        Assert.Equal((CheckInStatus.OnTheWay, (int?)10), (answer.Status, answer.EtaMinutes));

        var kept = (await h.ConversationAsync(Amy.Id))!;
        Assert.Equal((RegistrationFlow.FlowName, nameof(RegStep.ChoosingSkills)), (kept.Flow, kept.Step));
        Assert.Equal(midway.Data.OrderBy(kv => kv.Key), kept.Data.OrderBy(kv => kv.Key));
    }

    [Fact]
    public async Task CheckIn_WhileAskedForAReason_ADifferentAnswerEndsTheQuestion()
    {
        var h = await RelayedAsync();
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.CantCome).Data, messageId: 7);
        await h.Press(Ann, new MusterButton.Reason(1, CantComeReason.Other).Data, messageId: 7);
        await h.DrainAsync();
        Assert.Equal(nameof(MusterStep.ReasonText), (await h.ConversationAsync(Ann.Id))!.Step);

        // Ann changes her mind before typing a reason: she is coming after all.
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, messageId: 7);
        await h.DrainAsync();
        Assert.Equal(CheckInStatus.Arrived, (await AnswerAsync(h, Ann)).Status);

        // Whatever she types next is not taken for a "can't come" reason.
        await h.Text(Ann, "ok see you there");
        await h.DrainAsync();
        var answer = await AnswerAsync(h, Ann);
        Assert.Equal(CheckInStatus.Arrived, answer.Status);
        Assert.Null(answer.ReasonText);
        Assert.Equal(["100"], await SetAsync(h, Sets.MusterAnswers(1, "r1", CheckInStatus.Arrived)));
        Assert.Empty(await SetAsync(h, Sets.MusterAnswers(1, "r1", CheckInStatus.CantCome)));

        // The same with a listed reason picked instead of typing one: the typed text does not replace it.
        await h.Press(Amy, new MusterButton.CheckIn(1, CheckInStatus.CantCome).Data, messageId: 8);
        await h.Press(Amy, new MusterButton.Reason(1, CantComeReason.Other).Data, messageId: 8);
        await h.Press(Amy, new MusterButton.Reason(1, CantComeReason.Ill).Data, messageId: 8);
        await h.Text(Amy, "thanks");
        await h.DrainAsync();
        var amy = await AnswerAsync(h, Amy);
        Assert.Equal((CheckInStatus.CantCome, CantComeReason.Ill, (string?)null), (amy.Status, amy.Reason, amy.ReasonText));
        Assert.Equal("Idle", (await h.ConversationAsync(Amy.Id))!.Step);
    }

    // ---- 17. a restart (real Redis) ----

    /// <summary>Timers of a muster survive a restart: a new process over the same store escalates and reminds exactly once.</summary>
    [Collection("redis")]
    public sealed class OnRedis(RedisServerFixture redis)
    {
        [Fact]
        public async Task Restart_T1AndReminder_FireOnceFromANewHarness()
        {
            var storeClock = new FakeTimeProvider(TestClock.Start);
            await using var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"mrestart{Guid.NewGuid():N}:" }, storeClock, Ct);
            var a = new FlowHarness(store, new MusterOptions(), Admin.Id, Admin2.Id);
            await SeedAsync(a);
            await LaunchAsync(a);
            NoErrors(await a.DrainAsync());
            Assert.NotNull(await store.GetTimerAsync("@4:mu:t1:1:r1", 4, Ct));

            // A restart: a new processor and flows, nothing in memory carried over; only the store remains.
            var b = new FlowHarness(store, new MusterOptions(), Admin.Id, Admin2.Id);
            void Advance(TimeSpan by)
            {
                storeClock.Advance(by);
                b.Clock.Advance(by);
            }

            Advance(TimeSpan.FromMinutes(2));
            await b.FireDueTimersAsync();
            Assert.DoesNotContain(await b.DrainAsync(), m => m.ChatId is 100 or 101 or 200 or 11);

            Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
            // Both regions' T1 (and possibly a roll-call refresh).
            Assert.True(await b.FireDueTimersAsync() >= 2);
            var escalated = await b.DrainAsync();
            NoErrors(escalated);
            // Bea is the backup convenor and a member of Port: the backup's order and the member's order.
            Assert.Single(SentTo(escalated, Bea), s => s.Html.Contains("You are the backup convenor", StringComparison.Ordinal));
            Assert.Single(SentTo(escalated, Bea), s => Buttons(s.Markup).Contains(new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data));
            foreach (var member in new[] { Ann, Amy, Ben })
            {
                var order = Assert.Single(escalated, m => m.ChatId == member.Id);
                Assert.Contains("M-1", ((SendText)order.Action).Html, StringComparison.Ordinal);
                Assert.Contains(new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, Buttons(((SendText)order.Action).Markup));
            }

            Assert.Contains(TextsTo(escalated, Admin), t => t.Contains("convenor Cora has not acknowledged in 3 min", StringComparison.Ordinal));
            var muster = await MusterAsync(b);
            Assert.NotNull(muster.Region("r1")!.EscalatedAt);
            Assert.NotNull(muster.Region("r2")!.EscalatedAt);
            Assert.Null(await store.GetTimerAsync("@4:mu:t1:1:r1", 4, Ct));

            // Firing again does nothing: the timers were consumed with the decision.
            Assert.Equal(0, await b.FireDueTimersAsync());
            var versions = (await store.GetAsync(DocKeys.MusterRegion(1, "r1").Bind(FlowHarness.Community), Ct))!.Version;
            // A replay of the same timer (a second instance that had claimed it) changes nothing and sends nothing.
            await b.Processor.ProcessAsync(null, new TimerFired(MusterFlow.SystemUser, "@4:mu:t1:1:r1", "mu:t1:1:r1", FlowHarness.Community), Ct);
            Assert.Empty(await b.DrainAsync());
            Assert.Equal(versions, (await store.GetAsync(DocKeys.MusterRegion(1, "r1").Bind(FlowHarness.Community), Ct))!.Version);

            // The first reminder (launch + 5 min) after the restart: everyone silent, once.
            await b.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Acknowledged).Data);
            await b.DrainAsync();
            Advance(TimeSpan.FromMinutes(2));
            await b.FireDueTimersAsync();
            var reminded = await b.DrainAsync();
            NoErrors(reminded);
            Assert.Empty(SentTo(reminded, Ann));
            foreach (var silent in new[] { Amy, Ben, Lin })
            {
                Assert.Contains("<b>Reminder 1</b>", Assert.Single(SentTo(reminded, silent)).Html, StringComparison.Ordinal);
            }

            Assert.Equal(1, (await MusterAsync(b)).RemindersSent);
            Assert.Null(await store.GetTimerAsync("@4:mu:rem:1:1", 4, Ct));
            await b.Processor.ProcessAsync(null, new TimerFired(MusterFlow.SystemUser, "@4:mu:rem:1:1", "mu:rem:1:1", FlowHarness.Community), Ct);
            Assert.DoesNotContain(await b.DrainAsync(), m => m.Action is SendText s && s.Html.Contains("Reminder", StringComparison.Ordinal));
        }
    }
}
