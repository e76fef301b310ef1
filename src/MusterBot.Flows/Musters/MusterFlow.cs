using System.Globalization;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.State.Timers;

namespace MusterBot.Flows.Musters;

/// <summary>
/// Emergency musters (集结): the launch wizard (/muster), the fan-out through convenors with escalation, members'
/// check-ins, live roll calls (/rollcall), reminders, the close with its report and points, and the community mode
/// (/mode, 平时 ↔ 急时). Every button names its muster; every press re-reads the muster and re-checks the presser's rights.
/// Timers of a muster belong to the community (user id <see cref="SystemUser"/>), not to a person.
/// </summary>
public sealed partial class MusterFlow(TextCatalog texts, IOptions<MusterOptions> options, IOptions<FlowOptions> flowOptions, Dashboard.DashboardLink? dashboard = null) : IFlow, IMySection
{
    public const string FlowName = "muster";

    /// <summary>The owner of community timers (escalation, reminders, roll-call refreshes, the automatic close).</summary>
    public const long SystemUser = 0;

    private const int PageSize = 10;
    private const int MaxReasonLength = 200;
    private static readonly int[] EtaChoices = [10, 20, 30, 60];

    private readonly MusterOptions _options = options.Value;

    /// <summary>The dashboard Mini App's address for the buttons under roll calls (null: no such button).</summary>
    private readonly string? _dashboard = dashboard?.Url;

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["muster", "rollcall", "mode"];

    /// <summary>Open musters come first in /my.</summary>
    public int Order => 0;

    public bool OwnsButton(string data) => MusterButton.Codec.Owns(data);

    /// <summary>
    /// A member's own answer (check-in, ETA, reason) reads the muster and the member's answer to it: read with the
    /// member's records, so a check-in costs one round trip before its commit.
    /// </summary>
    public IReadOnlyList<State.Documents.DocKey> ReadsFor(BotEvent incoming) =>
        incoming is ButtonPressed press && MusterButton.Codec.Decode(press.Data) is MusterButton.OfMuster { } answer
            and (MusterButton.CheckIn or MusterButton.Eta or MusterButton.Reason)
            ? [DocKeys.Muster(answer.Number), DocKeys.MusterAnswer(answer.Number, press.UserId)]
            : [];

    private TimeSpan Offset => _options.UtcOffset;

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var step = StepOf(ctx);
        switch (ctx.Event)
        {
            case TimerFired timer:
                await OnTimerAsync(ctx, timer.Payload, cancellationToken).ConfigureAwait(false);
                return;
            case CommandReceived { Command: "muster" } command:
                await OnMusterCommandAsync(ctx, command.Argument, cancellationToken).ConfigureAwait(false);
                return;
            case CommandReceived { Command: "rollcall" }:
                await OnRollCallCommandAsync(ctx, cancellationToken).ConfigureAwait(false);
                return;
            case CommandReceived { Command: "mode" }:
                await OnModeCommandAsync(ctx, cancellationToken).ConfigureAwait(false);
                return;
            case ButtonPressed press:
                await OnButtonAsync(ctx, step, press, cancellationToken).ConfigureAwait(false);
                return;
            default:
                await OnInputAsync(ctx, step, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>A press: decoded once (anything that does not decode is a stale or forged button), then dispatched by its payload.</summary>
    private async ValueTask OnButtonAsync(FlowContext ctx, MusterStep step, ButtonPressed press, CancellationToken cancellationToken)
    {
        var button = MusterButton.Codec.Decode(press.Data);
        switch (button)
        {
            case MusterButton.WizardChoice choice:
                await OnWizardButtonAsync(ctx, step, choice, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.TreeMode or MusterButton.TreeModeConfirm:
                await OnTreeModeButtonAsync(ctx, (MusterButton.ModeChoice)button, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.TreeRefresh or MusterButton.TreeDrill:
                await OnTreeButtonAsync(ctx, button, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.TreeClose or MusterButton.TreeCloseConfirm:
                await OnTreeCloseButtonAsync(ctx, button, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.WorkplaceAck or MusterButton.WorkplaceRelay or MusterButton.WorkplaceRollCall or MusterButton.WorkplaceRefresh:
                await OnWorkplaceButtonAsync(ctx, button, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.ModeChoice choice:
                await OnModeButtonAsync(ctx, step, choice, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.GroupCheckIn groupCheckIn:
                await OnGroupCheckInAsync(ctx, step, groupCheckIn, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.CheckIn or MusterButton.Eta or MusterButton.Reason:
                await OnAnswerButtonAsync(ctx, step, (MusterButton.OfMuster)button, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.OfMuster ofMuster:
                await OnMusterButtonAsync(ctx, press, ofMuster, cancellationToken).ConfigureAwait(false);
                return;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
        }
    }

    /// <summary>Convenors' and administrators' buttons: they need the muster with its regions, and an open muster (a roll call may be refreshed after the close).</summary>
    private async ValueTask OnMusterButtonAsync(FlowContext ctx, ButtonPressed press, MusterButton.OfMuster button, CancellationToken cancellationToken)
    {
        var muster = await MusterStore.LoadAsync(ctx.Reader, button.Number, cancellationToken).ConfigureAwait(false);
        if (muster is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (!muster.IsOpen && button is not (MusterButton.Refresh or MusterButton.OpenRollCall))
        {
            AnswerClosed(ctx, press, muster);
            return;
        }

        switch (button)
        {
            case MusterButton.Acknowledge ack:
                await AcknowledgeAsync(ctx, muster, ack.RegionId, relay: false, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.Relay relay:
                await AcknowledgeAsync(ctx, muster, relay.RegionId, relay: true, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.Refresh refresh:
                await RefreshPressedAsync(ctx, muster, refresh.RegionId, newMessage: false, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.OpenRollCall open:
                await RefreshPressedAsync(ctx, muster, open.RegionId, newMessage: true, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.NonResponders page:
                await NonRespondersAsync(ctx, muster, page.RegionId, page.Page, newMessage: false, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.AskNonResponders ask:
                await NonRespondersAsync(ctx, muster, ask.RegionId, 0, newMessage: true, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.MemberCard card:
                await MemberCardAsync(ctx, muster, card.UserId, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.Phoned phoned:
                await ProxyAsync(ctx, muster, phoned.UserId, null, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.OnBehalf onBehalf:
                await ProxyAsync(ctx, muster, onBehalf.UserId, onBehalf.Status, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.Close:
                AskClose(ctx, muster);
                return;
            case MusterButton.KeepOpen:
                ctx.AnswerButton();
                ctx.Show(ctx.T("mu.close.kept", muster.Code), null);
                return;
            case MusterButton.ConfirmClose:
                await CloseAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
                return;
            case MusterButton.FollowUp followUp:
                await FollowUpAsync(ctx, muster, followUp.Post, followUp.Count, cancellationToken).ConfigureAwait(false);
                return;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
        }
    }

    /// <summary>A press on a closed muster: said so, and its buttons are taken off the message.</summary>
    private static void AnswerClosed(FlowContext ctx, ButtonPressed press, Muster muster) => MusterStaff.AnswerClosed(ctx, ctx.T("mu.closed", muster.Code));

    // ---- members ----

    /// <summary>/my: in emergency mode the notice, then every open muster the person was called to, with their answer.</summary>
    public async ValueTask<bool> ShowAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var mode = await ctx.Reader.GetAsync<CommunityMode>(DocKeys.Mode, cancellationToken).ConfigureAwait(false);
        var shown = false;
        if (mode is { Emergency: true })
        {
            ctx.Reply(ModeNoticeText(ctx.Language, mode), Menu(ctx));
            shown = true;
        }

        foreach (var number in await OpenMusterNumbersAsync(ctx, cancellationToken).ConfigureAwait(false))
        {
            var muster = await MusterStore.LoadHeaderAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false);
            var answer = await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
            if (muster is null || answer is null)
            {
                continue;
            }

            ctx.Reply(MemberOrderText(ctx.Language, muster, answer), MusterView.CheckInButtons(texts, ctx.Language, number));
            shown = true;
            if (muster.HasPosts)
            {
                // Where the member stands: their post and shift, their temporary branch.
                await PostSide.ShowMineAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
            }
        }

        return shown;
    }

    private string MemberOrderText(Language language, Muster muster, MusterAnswer answer)
    {
        var text = MusterView.Order(texts, language, muster, Offset, answer.MatchedSkills);
        var line = MusterView.AnswerLine(texts, language, answer, Offset);
        return line.Length == 0 ? text : text + "\n\n" + line;
    }

    /// <summary>
    /// A member's own answer (check-in, ETA, reason): the muster header and the member's answer in one round trip, then
    /// the check-in machine decides on the answer's status and the flow records it.
    /// </summary>
    private async ValueTask OnAnswerButtonAsync(FlowContext ctx, MusterStep step, MusterButton.OfMuster button, CancellationToken cancellationToken)
    {
        await ctx.Reader.PrefetchAsync([DocKeys.Muster(button.Number), DocKeys.MusterAnswer(button.Number, ctx.Profile.Id)], cancellationToken).ConfigureAwait(false);
        // The header is the same for every member's press and is written only at launch, a convenor change, a reminder
        // round or the close: parsed once per stored version, not once per check-in.
        var muster = await ctx.Reader.GetSharedAsync<Muster>(DocKeys.Muster(button.Number), _parsed, cancellationToken).ConfigureAwait(false);
        if (muster is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        var answer = await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        var press = (ButtonPressed)ctx.Event;
        if (answer is null)
        {
            if (!muster.IsOpen)
            {
                AnswerClosed(ctx, press, muster);
            }
            else
            {
                ctx.AnswerButton(ctx.T("mu.not_called", muster.Code), alert: true);
            }

            return;
        }

        var (trigger, what) = button switch
        {
            MusterButton.CheckIn checkIn => (CheckInMachine.AnswerTo(checkIn.Status), MusterView.StatusName(texts, ctx.Language, checkIn.Status)),
            MusterButton.Eta eta when eta.Minutes is >= 1 and <= 600 => (AnswerTrigger.Eta, ctx.T("mu.eta", eta.Minutes)),
            MusterButton.Reason { Why: CantComeReason.Other } => (AnswerTrigger.OtherReason, string.Empty),
            MusterButton.Reason reason => (AnswerTrigger.Reason, ctx.T("mu.reason." + reason.Why)),
            _ => ((AnswerTrigger?)null, string.Empty),
        };
        if (trigger is not { } t)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        var decision = CheckInMachine.Decide(answer.Status, t, muster.IsOpen);
        if (!Decided(ctx, press, muster, decision, what))
        {
            return;
        }

        if (answer.Status == CheckInStatus.Arrived && decision.Status != CheckInStatus.Arrived)
        {
            // No longer there: their place at a post (and its branch) is given up.
            await OnPostLeftAsync(ctx, muster, ctx.Profile.Id, cancellationToken).ConfigureAwait(false);
        }

        switch (button)
        {
            case MusterButton.CheckIn:
                CheckIn(ctx, step, muster, answer, decision.Status);
                if (decision.Status == CheckInStatus.Arrived && muster.Welfare is not null)
                {
                    // Their share of the welfare check's households of their grid, if any wait for someone.
                    await Households.Welfare.AssignOnArrivalAsync(ctx, texts, muster, ctx.Profile, cancellationToken).ConfigureAwait(false);
                }

                if (decision.Status == CheckInStatus.Arrived)
                {
                    // The front-line posts, to pick one with open places; a follow-up muster's arrival goes to its post.
                    await OnPostArrivalAsync(ctx, muster, ctx.Profile, cancellationToken).ConfigureAwait(false);
                }

                return;
            case MusterButton.Eta eta:
                SetEta(ctx, muster, answer, eta.Minutes);
                return;
            case MusterButton.Reason { Why: CantComeReason.Other }:
                AskReason(ctx, step, muster);
                return;
            case MusterButton.Reason reason:
                SetReason(ctx, step, muster, answer, reason.Why);
                return;
        }
    }

    /// <summary>
    /// Answers a press the check-in machine did not let through (closed muster, not the presser's to make, not an input
    /// of the answer's status, the same answer again); false then, and nothing is recorded.
    /// </summary>
    private bool Decided(FlowContext ctx, ButtonPressed press, Muster muster, AnswerDecision decision, string what)
    {
        switch (decision.Outcome)
        {
            case AnswerOutcome.Closed:
                AnswerClosed(ctx, press, muster);
                return false;
            case AnswerOutcome.NotAllowed:
                Refuse(ctx, "role.convenor");
                return false;
            case AnswerOutcome.NotPermitted:
                ctx.AnswerButton(ctx.T("button.stale"));
                return false;
            case AnswerOutcome.Same:
                ctx.AnswerButton(ctx.T("mu.ci.same", what));
                return false;
            default:
                return true;
        }
    }

    private void CheckIn(FlowContext ctx, MusterStep step, Muster muster, MusterAnswer answer, CheckInStatus status)
    {
        var updated = Answer(ctx, muster, answer, status, ctx.Profile.Id, null);
        EndReasonQuestion(ctx, step, muster);
        ctx.AnswerButton(ctx.T("mu.ci.saved", MusterView.StatusName(texts, ctx.Language, status)));
        var followUp = status switch
        {
            CheckInStatus.OnTheWay => EtaButtons(ctx.Language, muster.Number),
            CheckInStatus.CantCome => ReasonButtons(ctx.Language, muster.Number),
            _ => MusterView.CheckInButtons(texts, ctx.Language, muster.Number),
        };
        // Arrived: the location is optional. The emergency menu has a "send my location" button: the hint rides on the
        // edited order. The normal menu (a drill) has none: the hint comes as a message with that button (the menu
        // stays below it), and the usual menu returns with the location's receipt. A location sent outside any step is
        // attached to this check-in.
        var text = MemberOrderText(ctx.Language, muster, updated);
        var button = ctx.T("menu.em.location");
        if (status != CheckInStatus.Arrived)
        {
            ctx.Show(text, followUp);
        }
        else if (ctx.Emergency)
        {
            ctx.Show(text + "\n" + ctx.T("mu.ci.location_hint", button), followUp);
        }
        else
        {
            ctx.Show(text, followUp);
            ctx.Reply(ctx.T("mu.ci.location_hint_below", button), MenuWithLocation(ctx, button));
        }
    }

    /// <summary>The person's menu with a "send my location" button on top (a location request works in any mode).</summary>
    private ReplyKeyboard MenuWithLocation(FlowContext ctx, string button)
    {
        var menu = Menu(ctx);
        if (menu.Rows.SelectMany(r => r).Any(b => b.RequestLocation))
        {
            return menu;
        }

        return menu with { Rows = [[new ReplyButton(button, RequestLocation: true)], .. menu.Rows] };
    }

    private InlineMarkup EtaButtons(Language language, int number)
    {
        var buttons = EtaChoices.Select(m => new InlineButton(texts.Format(language, "mu.eta", m), new MusterButton.Eta(number, m).Data)).ToList();
        var rows = buttons.Rows(4);
        rows.AddRange(MusterView.CheckInButtons(texts, language, number).Rows);
        return new InlineMarkup(rows);
    }

    private InlineMarkup ReasonButtons(Language language, int number)
    {
        var rows = Enum.GetValues<CantComeReason>()
            .Select(r => new InlineButton(texts.Get(language, "mu.reason." + r), new MusterButton.Reason(number, r).Data)).Rows(2);
        rows.AddRange(MusterView.CheckInButtons(texts, language, number).Rows);
        return new InlineMarkup(rows);
    }

    private void SetEta(FlowContext ctx, Muster muster, MusterAnswer answer, int minutes)
    {
        if (answer.EtaMinutes == minutes)
        {
            ctx.AnswerButton(ctx.T("mu.ci.same", ctx.T("mu.eta", minutes)));
            return;
        }

        var detail = "eta " + minutes.ToString(CultureInfo.InvariantCulture);
        var updated = answer with { EtaMinutes = minutes, History = [.. answer.History, new AnswerChange(CheckInStatus.OnTheWay, ctx.Now, ctx.Profile.Id) { Detail = detail }] };
        Store(ctx, muster, answer, updated);
        ctx.AnswerButton(ctx.T("mu.ci.saved", ctx.T("mu.eta_at", MusterView.Time(ctx.Now.AddMinutes(minutes), Offset))));
        ctx.Show(MemberOrderText(ctx.Language, muster, updated), MusterView.CheckInButtons(texts, ctx.Language, muster.Number));
    }

    /// <summary>"Other": the member types the reason (the conversation names the muster).</summary>
    private static void AskReason(FlowContext ctx, MusterStep step, Muster muster)
    {
        var conversation = new Conversation(step, new Dictionary<string, string>());
        conversation.Fire(MusterTrigger.AskReason);
        conversation.Data["n"] = MusterView.Num(muster.Number);
        ctx.AnswerButton();
        ctx.Conversation = Persist(ctx, conversation);
        ctx.Reply(ctx.T("mu.ci.reason_ask"), CancelKeyboard(ctx));
    }

    private void SetReason(FlowContext ctx, MusterStep step, Muster muster, MusterAnswer answer, CantComeReason reason)
    {
        if (answer.Reason == reason)
        {
            ctx.AnswerButton(ctx.T("mu.ci.same", ctx.T("mu.reason." + reason)));
            return;
        }

        var updated = answer with { Reason = reason, ReasonText = null, History = [.. answer.History, new AnswerChange(CheckInStatus.CantCome, ctx.Now, ctx.Profile.Id) { Detail = reason.ToString() }] };
        Store(ctx, muster, answer, updated);
        EndReasonQuestion(ctx, step, muster);
        ctx.AnswerButton(ctx.T("mu.ci.saved", ctx.T("mu.reason." + reason)));
        ctx.Show(MemberOrderText(ctx.Language, muster, updated), MusterView.CheckInButtons(texts, ctx.Language, muster.Number));
    }

    /// <summary>
    /// A new answer by button ends a pending "write the reason" question of the same muster: otherwise the next thing
    /// the member types would turn the answer back into "can't come".
    /// </summary>
    private static void EndReasonQuestion(FlowContext ctx, MusterStep step, Muster muster)
    {
        if (step == MusterStep.ReasonText && ctx.Conversation.Data.TryGetValue("n", out var n) && n == MusterView.Num(muster.Number))
        {
            var conversation = new Conversation(step, ctx.Conversation.Data);
            conversation.Fire(MusterTrigger.Answered);
            ctx.Conversation = Persist(ctx, conversation);
        }
    }

    /// <summary>The reason typed after "other" (the conversation is already idle; it names the muster).</summary>
    private async ValueTask ReasonTextAsync(FlowContext ctx, string reasonText, CancellationToken cancellationToken)
    {
        var muster = await MusterOfConversationAsync(ctx, cancellationToken).ConfigureAwait(false);
        ctx.Conversation = MainFlow.Idle(ctx.Now);
        var answer = muster is null ? null : await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        if (muster is null || answer is null || CheckInMachine.Decide(answer.Status, AnswerTrigger.WriteReason, muster.IsOpen).Outcome is not (AnswerOutcome.Changed or AnswerOutcome.Updated))
        {
            ctx.Reply(muster is null ? ctx.T("mu.none_open") : ctx.T("mu.closed", muster.Code), Menu(ctx));
            return;
        }

        Answer(ctx, muster, answer, CheckInStatus.CantCome, ctx.Profile.Id, reasonText, a => a with { Reason = CantComeReason.Other, ReasonText = reasonText });
        ctx.Reply(ctx.T("mu.ci.saved", MusterView.StatusName(texts, ctx.Language, CheckInStatus.CantCome) + " · " + Html.Escape(reasonText)), Menu(ctx));
    }

    /// <summary>A location outside any step: attached to the newest open muster whose answer takes one (on the way, arrived).</summary>
    private async ValueTask LocationAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        var location = (LocationShared)ctx.Event;
        ctx.Conversation = MainFlow.Idle(ctx.Now);
        Muster? muster = null;
        MusterAnswer? answer = null;
        foreach (var number in (await OpenMusterNumbersAsync(ctx, cancellationToken).ConfigureAwait(false)).OrderDescending())
        {
            var candidate = await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
            if (candidate is not null && CheckInMachine.Decide(candidate.Status, AnswerTrigger.ShareLocation, open: true).Outcome == AnswerOutcome.Updated)
            {
                muster = await MusterStore.LoadHeaderAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false);
                answer = candidate;
                break;
            }
        }

        if (muster is null || !muster.IsOpen || answer is null)
        {
            ctx.Reply(ctx.T("mu.location_no_muster"), Menu(ctx));
            return;
        }

        var updated = answer with
        {
            Latitude = location.Latitude,
            Longitude = location.Longitude,
            History = [.. answer.History, new AnswerChange(answer.Status, ctx.Now, ctx.Profile.Id) { Detail = "location" }],
        };
        Store(ctx, muster, answer, updated);
        ctx.Reply(ctx.T("mu.ci.location_saved", muster.Code), Menu(ctx));
    }

    private static async ValueTask<Muster?> MusterOfConversationAsync(FlowContext ctx, CancellationToken cancellationToken) =>
        ctx.Conversation.Data.TryGetValue("n", out var n) && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? await MusterStore.LoadHeaderAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>
    /// Records a new answer: the answer document (version-checked), the status index sets, the region's change marker
    /// and a throttled refresh of every live roll call that shows the region.
    /// </summary>
    private MusterAnswer Answer(FlowContext ctx, Muster muster, MusterAnswer answer, CheckInStatus status, long by, string? detail, Func<MusterAnswer, MusterAnswer>? refine = null)
    {
        var updated = answer with
        {
            Status = status,
            AnsweredAt = ctx.Now,
            FirstAnsweredAt = answer.FirstAnsweredAt ?? ctx.Now,
            EtaMinutes = null,
            Reason = null,
            ReasonText = null,
            History = [.. answer.History, new AnswerChange(status, ctx.Now, by) { Detail = detail }],
        };
        if (refine is not null)
        {
            updated = refine(updated);
        }

        Store(ctx, muster, answer, updated);
        return updated;
    }

    private void Store(FlowContext ctx, Muster muster, MusterAnswer before, MusterAnswer after)
    {
        ctx.Effects.Put(DocKeys.MusterAnswer(muster.Number, after.UserId), after);
        var member = Sets.Member(after.UserId);
        if (before.Status != after.Status)
        {
            if (before.Status != CheckInStatus.NoAnswer)
            {
                ctx.Effects.RemoveFromSet(Sets.MusterAnswers(muster.Number, after.RegionId, before.Status), member);
            }

            if (after.Status != CheckInStatus.NoAnswer)
            {
                ctx.Effects.AddToSet(Sets.MusterAnswers(muster.Number, after.RegionId, after.Status), member);
            }

            // The skills' quorum (arrived against needed) is counted from these, not from the answers.
            foreach (var skill in after.MatchedSkills)
            {
                if (after.Status == CheckInStatus.Arrived)
                {
                    ctx.Effects.AddToSet(Sets.MusterArrivedWithSkill(muster.Number, after.RegionId, skill), member);
                }
                else if (before.Status == CheckInStatus.Arrived)
                {
                    ctx.Effects.RemoveFromSet(Sets.MusterArrivedWithSkill(muster.Number, after.RegionId, skill), member);
                }
            }
        }

        if (after.PhonedBy is not null && before.PhonedBy is null)
        {
            ctx.Effects.AddToSet(Sets.MusterPhoned(muster.Number, after.RegionId), member);
        }

        Touch(ctx, muster, after.RegionId);
    }

    /// <summary>Marks a region changed and asks for a refresh of the muster's live roll calls (at most once an interval).</summary>
    private void Touch(FlowContext ctx, Muster muster, string regionId)
    {
        ctx.Effects.Put(DocKeys.ChangeMarker(muster.Number, regionId), new ChangeMarker(ctx.Now));
        ArmRefresh(ctx, muster.Number, keepExisting: true);
    }

    private void ArmRefresh(FlowContext ctx, int number, bool keepExisting)
    {
        var id = new MusterTimer.RefreshPanels(number).Id;
        ctx.Effects.SetTimer(new TimerEntry(TimerIdIn(ctx.Shard, id), ctx.Now + _options.RollCallInterval, SystemUser, id) { KeepExisting = keepExisting });
    }


    private static async ValueTask<IReadOnlyList<int>> OpenMusterNumbersAsync(FlowContext ctx, CancellationToken cancellationToken) =>
        (await ctx.Reader.MembersAsync(Sets.OpenMusters, cancellationToken).ConfigureAwait(false))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();

    private ReplyKeyboard Menu(FlowContext ctx) => CommandCatalog.Menu(ctx.Roles, ctx.Language, texts, ctx.Emergency);

    private static InlineMarkup CancelKeyboard(FlowContext ctx) => new([[new InlineButton(ctx.T("button.cancel"), new MusterButton.Cancel().Data)]]);

    private Roles RolesOf(UserProfile profile) =>
        profile.Roles | (flowOptions.Value.Admins.Contains(profile.Id) ? Roles.Admin : Roles.None);

    /// <summary>A seat in the muster's region and, at the moment of the action, still a convenor (a stale order of someone who left or was relieved is refused).</summary>
    private static bool IsConvenorOf(FlowContext ctx, MusterRegion? region) =>
        region is not null && ctx.Has(Roles.Convenor) && (region.ConvenorId == ctx.Profile.Id || region.BackupConvenorId == ctx.Profile.Id);

    private void Refuse(FlowContext ctx, string roleKey)
    {
        var refusal = ctx.T("not_allowed", ctx.T(roleKey));
        if (ctx.Event is ButtonPressed)
        {
            ctx.AnswerButton(refusal, alert: true);
        }
        else
        {
            ctx.Reply(refusal, Menu(ctx));
        }
    }
}
