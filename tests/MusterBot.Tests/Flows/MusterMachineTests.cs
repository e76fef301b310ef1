using System.Globalization;
using MusterBot.Flows.Events;
using System.Text;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Runtime.Buttons;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>The muster flow's payloads and machines: the codec at its limits, the check-in decisions, unhandled triggers.</summary>
public partial class MusterFlowTests
{
    private const string Stale = "This button is no longer valid.";

    [Fact]
    public void EveryMusterPayload_WithExtremeValues_FitsTelegramsLimit_AndRoundTrips()
    {
        AssertExtremes(MusterButton.Codec);
        AssertExtremes(MusterTimer.Codec);
    }

    private static void AssertExtremes<T>(ButtonCodec<T> codec)
        where T : class
    {
        var registered = codec.Registered.ToList();
        Assert.NotEmpty(registered);
        foreach (var (tag, type) in registered)
        {
            // Largest numbers, user ids up to 2^52 and the most negative chat ids, the longest region or grid id the
            // directory makes ("r" + a counter), the longest enum name.
            foreach (var variant in new[] { 0, 1 })
            {
                var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
                var values = constructor.GetParameters().Select(p => Extreme(p.ParameterType, variant)).ToArray();
                var payload = (T)constructor.Invoke(values);
                var data = codec.Encode(payload);
                Assert.True(Encoding.UTF8.GetByteCount(data) <= ButtonCodec<T>.MaxBytes, $"{type.Name} ({tag}): {data}");
                Assert.Equal(payload, codec.Decode(data));
            }
        }
    }

    private static object? Extreme(Type type, int variant)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(int))
        {
            return variant == 0 ? int.MaxValue : int.MinValue;
        }

        if (underlying == typeof(long))
        {
            return variant == 0 ? (1L << 52) : -1_009_999_999_999_999L;
        }

        if (underlying == typeof(bool))
        {
            return variant == 0;
        }

        if (underlying.IsEnum)
        {
            return Enum.GetValues(underlying).Cast<object>().MaxBy(v => v.ToString()!.Length);
        }

        return variant == 0 ? "r" + int.MaxValue.ToString(CultureInfo.InvariantCulture) : "g" + int.MaxValue.ToString(CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData(CheckInStatus.NoAnswer, AnswerTrigger.Arrive, true, false, AnswerOutcome.Changed, CheckInStatus.Arrived)]
    [InlineData(CheckInStatus.Arrived, AnswerTrigger.Acknowledge, true, false, AnswerOutcome.Changed, CheckInStatus.Acknowledged)]
    [InlineData(CheckInStatus.Arrived, AnswerTrigger.Arrive, true, false, AnswerOutcome.Same, CheckInStatus.Arrived)]
    [InlineData(CheckInStatus.NoAnswer, AnswerTrigger.Arrive, false, false, AnswerOutcome.Closed, CheckInStatus.NoAnswer)]
    [InlineData(CheckInStatus.Arrived, AnswerTrigger.Arrive, false, true, AnswerOutcome.Closed, CheckInStatus.Arrived)]
    [InlineData(CheckInStatus.Arrived, AnswerTrigger.Eta, true, false, AnswerOutcome.NotPermitted, CheckInStatus.Arrived)]
    [InlineData(CheckInStatus.OnTheWay, AnswerTrigger.Eta, true, false, AnswerOutcome.Updated, CheckInStatus.OnTheWay)]
    [InlineData(CheckInStatus.Acknowledged, AnswerTrigger.Reason, true, false, AnswerOutcome.NotPermitted, CheckInStatus.Acknowledged)]
    [InlineData(CheckInStatus.CantCome, AnswerTrigger.Reason, true, false, AnswerOutcome.Updated, CheckInStatus.CantCome)]
    [InlineData(CheckInStatus.CantCome, AnswerTrigger.OtherReason, true, false, AnswerOutcome.Updated, CheckInStatus.CantCome)]
    [InlineData(CheckInStatus.Arrived, AnswerTrigger.WriteReason, true, false, AnswerOutcome.Changed, CheckInStatus.CantCome)]
    [InlineData(CheckInStatus.Acknowledged, AnswerTrigger.ShareLocation, true, false, AnswerOutcome.NotPermitted, CheckInStatus.Acknowledged)]
    [InlineData(CheckInStatus.Arrived, AnswerTrigger.ShareLocation, true, false, AnswerOutcome.Updated, CheckInStatus.Arrived)]
    [InlineData(CheckInStatus.NoAnswer, AnswerTrigger.OnBehalfArrive, true, false, AnswerOutcome.NotAllowed, CheckInStatus.NoAnswer)]
    [InlineData(CheckInStatus.NoAnswer, AnswerTrigger.OnBehalfArrive, true, true, AnswerOutcome.Changed, CheckInStatus.Arrived)]
    [InlineData(CheckInStatus.OnTheWay, AnswerTrigger.OnBehalfSetOut, true, true, AnswerOutcome.Same, CheckInStatus.OnTheWay)]
    [InlineData(CheckInStatus.NoAnswer, AnswerTrigger.Phoned, true, false, AnswerOutcome.NotAllowed, CheckInStatus.NoAnswer)]
    [InlineData(CheckInStatus.CantCome, AnswerTrigger.Phoned, true, true, AnswerOutcome.Updated, CheckInStatus.CantCome)]
    public void CheckInMachine_DecidesByStatusRightsAndMusterState(CheckInStatus from, AnswerTrigger trigger, bool open, bool mayActFor, AnswerOutcome outcome, CheckInStatus to)
    {
        // Twice: the second comes from the remembered decision.
        Assert.Equal(new AnswerDecision(outcome, to), CheckInMachine.Decide(from, trigger, open, mayActFor));
        Assert.Equal(new AnswerDecision(outcome, to), CheckInMachine.Decide(from, trigger, open, mayActFor));
    }

    [Theory]
    [InlineData(false, ModeTrigger.AskEmergency, false, ModeOutcome.Allowed)]
    [InlineData(false, ModeTrigger.ConfirmEmergency, true, ModeOutcome.Allowed)]
    [InlineData(false, ModeTrigger.ConfirmEmergency, false, ModeOutcome.NothingToConfirm)]
    [InlineData(false, ModeTrigger.AskNormal, false, ModeOutcome.AlreadyThere)]
    [InlineData(false, ModeTrigger.ConfirmNormal, false, ModeOutcome.AlreadyThere)]
    [InlineData(true, ModeTrigger.AskEmergency, false, ModeOutcome.AlreadyThere)]
    [InlineData(true, ModeTrigger.ConfirmEmergency, true, ModeOutcome.AlreadyThere)]
    [InlineData(true, ModeTrigger.AskNormal, false, ModeOutcome.Allowed)]
    [InlineData(true, ModeTrigger.ConfirmNormal, false, ModeOutcome.Allowed)]
    public void ModeMachine_DecidesByTheCommunitysMode(bool emergency, ModeTrigger trigger, bool previewed, ModeOutcome outcome) =>
        Assert.Equal(outcome, ModeMachine.Decide(emergency, trigger, previewed));

    [Fact]
    public void CheckInMachine_OffersNoAnswerToNobody()
    {
        Assert.Null(CheckInMachine.AnswerTo(CheckInStatus.NoAnswer));
        Assert.Null(CheckInMachine.OnBehalfTo(CheckInStatus.NoAnswer));
        Assert.Null(CheckInMachine.OnBehalfTo(CheckInStatus.Acknowledged));
    }

    [Fact]
    public async Task CheckIn_TriggersTheStatusDoesNotTake_AreAnsweredPolitely_AndChangeNothing()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h);
        await h.Press(Cora, new MusterButton.Relay(1, "r1").Data);
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        await h.DrainAsync();
        var before = await SnapshotAsync(h);

        // Arrived takes no ETA and no reason; the same answer again is only acknowledged; Carl (region r2) and Ann
        // herself may not answer for Ann; "no answer" is not an answer anyone can give.
        var presses = new (Sender Who, MusterButton Button, string Said)[]
        {
            (Ann, new MusterButton.Eta(1, 20), Stale),
            (Ann, new MusterButton.Reason(1, CantComeReason.Ill), Stale),
            (Ann, new MusterButton.Reason(1, CantComeReason.Other), Stale),
            (Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived), "Already recorded: 📍 arrived"),
            (Ann, new MusterButton.CheckIn(1, CheckInStatus.NoAnswer), Stale),
            (Carl, new MusterButton.OnBehalf(1, Ann.Id, CheckInStatus.OnTheWay), "Sorry, only convenor can use this."),
            (Ann, new MusterButton.OnBehalf(1, Ann.Id, CheckInStatus.CantCome), "Sorry, only convenor can use this."),
            (Carl, new MusterButton.Phoned(1, Ann.Id), "Sorry, only convenor can use this."),
            (Cora, new MusterButton.OnBehalf(1, Ann.Id, CheckInStatus.Arrived), "Already recorded: 📍 arrived"),
        };
        for (var i = 0; i < presses.Length; i++)
        {
            Assert.Equal(ProcessOutcome.Handled, await h.Press(presses[i].Who, presses[i].Button.Data, queryId: "u" + i.ToString(CultureInfo.InvariantCulture)));
        }

        var messages = await h.DrainAsync();
        NoErrors(messages);
        var answers = messages.Select(m => m.Action).OfType<AnswerCallback>().ToDictionary(a => a.CallbackQueryId, a => a.Text);
        for (var i = 0; i < presses.Length; i++)
        {
            Assert.Equal(presses[i].Said, answers["u" + i.ToString(CultureInfo.InvariantCulture)]);
        }

        Assert.DoesNotContain(messages, m => m.Action is SendText or EditText or SendDocument);
        Assert.Equal(before, await SnapshotAsync(h));
        Assert.Equal("Idle", (await h.ConversationAsync(Ann.Id))?.Step ?? "Idle");
    }

    [Fact]
    public async Task CheckIn_OnAClosedMuster_SaysSo_AndTakesTheButtonsOff()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h);
        await h.Press(Admin, new MusterButton.ConfirmClose(1).Data);
        await h.DrainAsync();
        await h.Press(Lin, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, messageId: 9, queryId: "closed");
        var messages = await h.DrainAsync();
        Assert.Contains(messages, m => m.Action is AnswerCallback { CallbackQueryId: "closed", Text: "Muster M-1 is closed.", ShowAlert: true });
        Assert.Contains(messages, m => m.ChatId == Lin.Id && m.Action is EditMarkup);
        Assert.Equal(CheckInStatus.NoAnswer, (await GetAsync<MusterAnswer>(h, DocKeys.MusterAnswer(1, Lin.Id)))!.Status);
    }

    [Fact]
    public async Task WizardButtons_InTheWrongStep_AreRefused_AndTheStepStays()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await h.Command(Admin, "muster");
        await h.DrainAsync();

        async Task<string?> PressAsync(MusterButton button, string queryId)
        {
            await h.Press(Admin, button.Data, queryId: queryId);
            var messages = await h.DrainAsync();
            NoErrors(messages);
            return messages.Select(m => m.Action).OfType<AnswerCallback>().Single(a => a.CallbackQueryId == queryId).Text;
        }

        // Step 1 (kind) takes a kind or a template, nothing else.
        Assert.Equal(Stale, await PressAsync(new MusterButton.PickScope(MusterScopeKind.Everyone), "scope-in-kind"));
        Assert.Equal(Stale, await PressAsync(new MusterButton.Launch(), "go-in-kind"));
        Assert.Equal(Stale, await PressAsync(new MusterButton.PickTemplate(0), "no-template"));
        Assert.Equal(nameof(MusterStep.Kind), (await h.ConversationAsync(Admin.Id))!.Step);

        Assert.Null(await PressAsync(new MusterButton.PickKind(MusterKind.Fire), "kind"));
        Assert.Equal(Stale, await PressAsync(new MusterButton.ToggleRegion("r1"), "region-in-scope"));
        Assert.Equal(Stale, await PressAsync(new MusterButton.ReportWithin(60), "within-in-scope"));
        Assert.Equal(nameof(MusterStep.Scope), (await h.ConversationAsync(Admin.Id))!.Step);

        // Picking regions: an unknown region is refused, "done" needs one.
        Assert.Null(await PressAsync(new MusterButton.PickScope(MusterScopeKind.Regions), "regions"));
        Assert.Equal(Stale, await PressAsync(new MusterButton.ToggleRegion("r9"), "unknown-region"));
        Assert.Equal("Please choose at least one.", await PressAsync(new MusterButton.Done(), "none-chosen"));
        var conversation = (await h.ConversationAsync(Admin.Id))!;
        Assert.Equal(nameof(MusterStep.PickRegions), conversation.Step);
        Assert.False(conversation.Data.ContainsKey("regions") && conversation.Data["regions"].Length > 0);

        // A typed text where a button is expected: a hint, the step again.
        await h.Text(Admin, "r1 please");
        Assert.Contains("Please tap a button above, or send /cancel to leave.", await h.DrainTextsAsync());
        Assert.Equal(nameof(MusterStep.PickRegions), (await h.ConversationAsync(Admin.Id))!.Step);

        // Report-by offers 30, 60, 120 and 240 minutes only.
        Assert.Null(await PressAsync(new MusterButton.ToggleRegion("r1"), "r1"));
        Assert.Null(await PressAsync(new MusterButton.Done(), "done"));
        await h.Text(Admin, "Square");
        Assert.Null(await PressAsync(new MusterButton.Skip(), "no-pin"));
        Assert.Equal(Stale, await PressAsync(new MusterButton.ReportWithin(45), "odd-time"));
        Assert.Equal(nameof(MusterStep.ReportBy), (await h.ConversationAsync(Admin.Id))!.Step);

        // After a cancel, a wizard button has expired.
        Assert.Null(await PressAsync(new MusterButton.Cancel(), "cancel"));
        Assert.Equal("This button has expired. Please send the command again.", await PressAsync(new MusterButton.ReportWithin(60), "after-cancel"));
        Assert.Null(await GetAsync<Muster>(h, DocKeys.Muster(1)));
    }
}
