using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Households;
using MusterBot.State.Records.Musters;
using MusterBot.State.Timers;
using Stateless;
using Stateless.Graph;

namespace MusterBot.Flows.Households;

/// <summary>
/// The welfare check of vulnerable households in a muster (zhong dian ren qun shang men fu wu): an administrator starts
/// it for the muster's grids, arrived members of each grid are given households (by building, a few each), report each
/// one (safe, needs help, not home, moved), and a request for help becomes an urgent task for the convenor and the
/// administrators. Members see only their own households, and only while the muster is open.
/// </summary>
public sealed partial class WelfareFlow(TextCatalog texts, IOptions<MusterOptions> options) : IFlow
{
    public const string FlowName = "welfare";
    private readonly MusterOptions _options = options.Value;

    private enum Step
    {
        Idle,
        AwaitingHelpDetail,
    }

    private enum Trigger
    {
        Pressed,
        NeedChosen,
        DetailSent,
        DetailDone,
        Typed,
        TimerDue,
    }

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = [];

    public bool OwnsButton(string data) => WelfareButton.Codec.Owns(data);

    private TimeSpan Offset => _options.UtcOffset;

    public string ToMermaid()
    {
        var step = Step.Idle;
        return MermaidGraph.Format(Build(() => step, s => step = s, () => Task.FromResult(Step.Idle)).GetInfo()) + "\n";
    }

    private static StateMachine<Step, Trigger> Build(Func<Step> read, Action<Step> write, Func<Task<Step>> act)
    {
        var machine = new StateMachine<Step, Trigger>(read, write);
        async Task Act() => await act().ConfigureAwait(false);
        machine.Configure(Step.Idle)
            .InternalTransitionAsync(Trigger.Pressed, _ => Act())
            .InternalTransitionAsync(Trigger.TimerDue, _ => Act())
            .PermitDynamicAsync(Trigger.NeedChosen, act, "a request for help", Destinations.To((Step.AwaitingHelpDetail, "recorded"), (Step.Idle, "refused")));
        machine.Configure(Step.AwaitingHelpDetail)
            .SubstateOf(Step.Idle)
            .InternalTransitionAsync(Trigger.DetailSent, _ => Act())
            .PermitDynamicAsync(Trigger.DetailDone, act, "done", Destinations.To((Step.Idle, "done")));
        return machine;
    }

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var step = ctx.Conversation.Flow == FlowName && Enum.TryParse<Step>(ctx.Conversation.Step, out var s) ? s : Step.Idle;
        var data = step == Step.Idle ? new Dictionary<string, string>() : new Dictionary<string, string>(ctx.Conversation.Data);
        WelfareButton? button = ctx.Event is ButtonPressed press ? WelfareButton.Codec.Decode(press.Data) : null;
        var trigger = ctx.Event switch
        {
            TimerFired => Trigger.TimerDue,
            ButtonPressed when button is WelfareButton.Need => Trigger.NeedChosen,
            ButtonPressed when button is WelfareButton.DetailDone => Trigger.DetailDone,
            ButtonPressed => Trigger.Pressed,
            PhotoReceived or LocationShared => Trigger.DetailSent,
            _ => Trigger.Typed,
        };

        var machine = Build(() => step, x => step = x, async () => await DecideAsync(ctx, button, step, data, cancellationToken).ConfigureAwait(false));
        machine.OnUnhandledTrigger((current, t) =>
        {
            if (t == Trigger.DetailDone)
            {
                ctx.AnswerButton();
                ctx.Show(ctx.T("wf.detail.done"), null);
            }
            else
            {
                ctx.Reply(ctx.T(current == Step.AwaitingHelpDetail ? "wf.detail.ask" : "hh.hint.buttons"), current == Step.AwaitingHelpDetail ? DetailButtons(ctx, data) : null);
            }
        });
        await machine.FireAsync(trigger).ConfigureAwait(false);
        if (ctx.IsSystem)
        {
            return;
        }

        ctx.Conversation = step == Step.Idle
            ? (ctx.Conversation.Flow == FlowName ? MainFlow.Idle(ctx.Now) : ctx.Conversation)
            : new ConversationState(FlowName, step.ToString()) { Data = data, UpdatedAt = ctx.Now };
    }

    private static InlineMarkup? DetailButtons(FlowContext ctx, Dictionary<string, string> data) =>
        int.TryParse(data.GetValueOrDefault("m"), CultureInfo.InvariantCulture, out var m) && int.TryParse(data.GetValueOrDefault("h"), CultureInfo.InvariantCulture, out var h)
            ? new InlineMarkup([[new InlineButton(ctx.T("wf.btn.detail_done"), WelfareButton.Codec.Encode(new WelfareButton.DetailDone(m, h)))]])
            : null;

    private async Task<Step> DecideAsync(FlowContext ctx, WelfareButton? button, Step step, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        if (ctx.Event is TimerFired timer)
        {
            await OnTimerAsync(ctx, timer.Payload, cancellationToken).ConfigureAwait(false);
            return step;
        }

        if (ctx.Event is PhotoReceived or LocationShared)
        {
            await DetailAsync(ctx, data, cancellationToken).ConfigureAwait(false);
            return step;
        }

        if (button is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return step;
        }

        var muster = await MusterStore.LoadAsync(ctx.Reader, NumberOf(button), cancellationToken).ConfigureAwait(false);
        if (muster is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return step;
        }

        // Staff may still see the progress and finish a request for help after the close; nobody else sees anything.
        if (!muster.IsOpen && button is not (WelfareButton.Panel or WelfareButton.OpenPanel or WelfareButton.Take or WelfareButton.Done))
        {
            // After the close nobody is shown a household's details through the check any more.
            MusterStaff.AnswerClosed(ctx, ctx.T("wf.closed", muster.Code));

            return Step.Idle;
        }

        switch (button)
        {
            case WelfareButton.Setup setup:
                await SetupAsync(ctx, muster, setup.Mask, fresh: false, cancellationToken).ConfigureAwait(false);
                return step;
            case WelfareButton.OpenSetup:
                await SetupAsync(ctx, muster, 0, fresh: true, cancellationToken).ConfigureAwait(false);
                return step;
            case WelfareButton.OpenPanel:
                await PanelAsync(ctx, muster, fresh: true, cancellationToken).ConfigureAwait(false);
                return step;
            case WelfareButton.Start start:
                await StartAsync(ctx, muster, start.Mask, cancellationToken).ConfigureAwait(false);
                return step;
            case WelfareButton.Mine:
                await MineAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
                return step;
            case WelfareButton.Panel:
                await PanelAsync(ctx, muster, fresh: false, cancellationToken).ConfigureAwait(false);
                return step;
            case WelfareButton.Take take:
                await TakeAsync(ctx, muster, take.Household, cancellationToken).ConfigureAwait(false);
                return step;
            case WelfareButton.Done done:
                await DoneAsync(ctx, muster, done.Household, cancellationToken).ConfigureAwait(false);
                return step;
            case WelfareButton.Reassign reassign:
                await ReassignAsync(ctx, muster, reassign.Household, null, cancellationToken).ConfigureAwait(false);
                return step;
            case WelfareButton.ReassignTo to:
                await ReassignAsync(ctx, muster, to.Household, to.UserId, cancellationToken).ConfigureAwait(false);
                return step;
            case WelfareButton.DetailDone:
                ctx.AnswerButton();
                ctx.Show(ctx.T("wf.detail.done"), null);
                return Step.Idle;
        }

        // The rest are the visiting member's own: the visit must be theirs.
        var household = button switch
        {
            WelfareButton.Visit v => v.Household,
            WelfareButton.Report r => r.Household,
            WelfareButton.Help h => h.Household,
            WelfareButton.Need n => n.Household,
            _ => 0,
        };
        var visit = await ctx.Reader.GetAsync<HouseholdVisit>(DocKeys.Visit(muster.Number, household), cancellationToken).ConfigureAwait(false);
        if (visit is null || visit.AssignedTo != ctx.Profile.Id)
        {
            ctx.AnswerButton(ctx.T("wf.not_yours"), alert: true);
            return step;
        }

        switch (button)
        {
            case WelfareButton.Visit:
                await ShowVisitAsync(ctx, muster, visit, cancellationToken).ConfigureAwait(false);
                return step;
            case WelfareButton.Report report when report.Outcome is VisitOutcome.Safe or VisitOutcome.NotHome or VisitOutcome.Moved:
                await ReportAsync(ctx, muster, visit, report.Outcome, cancellationToken).ConfigureAwait(false);
                return step;
            case WelfareButton.Help:
                var rows = Enum.GetValues<HelpNeed>().Select(n => new InlineButton(ctx.T("wf.need." + n), WelfareButton.Codec.Encode(new WelfareButton.Need(muster.Number, visit.Household, n)))).Rows(2);
                rows.Add([new InlineButton(ctx.T("hh.button.back"), WelfareButton.Codec.Encode(new WelfareButton.Visit(muster.Number, visit.Household)))]);
                ctx.Show(ctx.T("wf.help.ask", Html.Escape(await AddressAsync(ctx, visit, cancellationToken).ConfigureAwait(false))), new InlineMarkup(rows));
                return step;
            case WelfareButton.Need need:
                await NeedAsync(ctx, muster, visit, need.What, cancellationToken).ConfigureAwait(false);
                data["m"] = muster.Number.ToString(CultureInfo.InvariantCulture);
                data["h"] = visit.Household.ToString(CultureInfo.InvariantCulture);
                return Step.AwaitingHelpDetail;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return step;
        }
    }

    private static int NumberOf(WelfareButton button) => button switch
    {
        WelfareButton.Setup b => b.Number,
        WelfareButton.OpenSetup b => b.Number,
        WelfareButton.OpenPanel b => b.Number,
        WelfareButton.Start b => b.Number,
        WelfareButton.Mine b => b.Number,
        WelfareButton.Visit b => b.Number,
        WelfareButton.Report b => b.Number,
        WelfareButton.Help b => b.Number,
        WelfareButton.Need b => b.Number,
        WelfareButton.DetailDone b => b.Number,
        WelfareButton.Take b => b.Number,
        WelfareButton.Done b => b.Number,
        WelfareButton.Panel b => b.Number,
        WelfareButton.Reassign b => b.Number,
        WelfareButton.ReassignTo b => b.Number,
        _ => 0,
    };

    /// <summary>An administrator, or a convenor (or backup) of one of the muster's regions.</summary>
    private static bool IsStaff(FlowContext ctx, Muster muster) => MusterStaff.Is(ctx, muster);

    private static async ValueTask<string> AddressAsync(FlowContext ctx, HouseholdVisit visit, CancellationToken cancellationToken) =>
        Welfare.Address(visit, await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false));

    private static void SetTimer(FlowContext ctx, WelfareTimer timer, DateTimeOffset dueAt) => MusterFlow.SetTimer(ctx, timer.Id, dueAt);

    /// <summary>The muster's live roll calls show the check: a change asks for their refresh (at most once an interval).</summary>
    private void RefreshRollCalls(FlowContext ctx, int number)
    {
        var id = new MusterTimer.RefreshPanels(number).Id;
        ctx.Effects.SetTimer(new TimerEntry(MusterFlow.TimerIdIn(ctx.Shard, id), ctx.Now + _options.RollCallInterval, MusterFlow.SystemUser, id) { KeepExisting = true });
    }

    private static string Code(int household) => HouseholdView.Number(household);

    private static string B(WelfareButton button) => WelfareButton.Codec.Encode(button);

    /// <summary>A view: a new message (<paramref name="fresh"/>, the pressed message stays as it is), else the pressed message edited.</summary>
    private static void Show(FlowContext ctx, string html, InlineMarkup markup, bool fresh)
    {
        if (fresh)
        {
            ctx.AnswerButton();
            ctx.Reply(html, markup);
        }
        else
        {
            ctx.Show(html, markup);
        }
    }
}
