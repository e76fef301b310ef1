using System.Globalization;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Engine;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Wishes;
using MusterBot.State.Timers;

namespace MusterBot.Flows.Wishes;

/// <summary>
/// Micro-wishes (微心愿): a resident files one (/wish), administrators and the grid's workers review it, it is announced
/// to the grid's members (the whole community if nobody claims it in time), the first claim wins, the member marks it
/// done and the resident confirms and rates it; points go to the member's ledger. Every press re-reads the wish and
/// re-checks who may do what; the resident's name and phone reach only the claimer and the staff.
/// </summary>
public sealed partial class WishFlow(TextCatalog texts, IOptions<WishOptions> options, IOptions<FlowOptions> flowOptions) : IFlow, IMySection
{
    public const string FlowName = "wish";
    private const string P = "wi:";
    private const int MaxTextLength = 500;
    private const int MaxReasonLength = 200;
    private const int PageSize = 5;

    private readonly WishOptions _options = options.Value;

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["wish", "wishes"];

    public bool OwnsButton(string data) => data.StartsWith(P, StringComparison.Ordinal);

    /// <summary>Wishes come after open musters in /my.</summary>
    public int Order => 10;

    private static readonly WishStep[] FilingSteps = [WishStep.Text, WishStep.Photo, WishStep.Category, WishStep.Date, WishStep.Confirm];
    private static readonly WishStep[] InputSteps = [WishStep.RejectReason, WishStep.DuplicateOf, WishStep.ReleaseReason, WishStep.DoneNote, WishStep.RatingComment];

    public string ToMermaid()
    {
        var step = WishStep.Idle;
        var machine = new StateMachine<WishStep, WishTrigger>(() => step, s => step = s);
        Configure(machine);
        return machine.ToMermaidGraph(WishStep.Idle);
    }

    private static void Configure(StateMachine<WishStep, WishTrigger> machine)
    {
        machine.Configure(WishStep.Idle)
            .Permit(WishTrigger.Begin, WishStep.Text)
            .Permit(WishTrigger.AskReason, WishStep.RejectReason)
            .Permit(WishTrigger.AskDuplicate, WishStep.DuplicateOf)
            .Permit(WishTrigger.AskRelease, WishStep.ReleaseReason)
            .Permit(WishTrigger.AskDoneNote, WishStep.DoneNote)
            .Permit(WishTrigger.AskComment, WishStep.RatingComment)
            .InternalTransition(WishTrigger.Stay, _ => { });
        machine.Configure(WishStep.Filing)
            .Permit(WishTrigger.Cancel, WishStep.Idle)
            .PermitReentry(WishTrigger.Begin)
            .InternalTransition(WishTrigger.Stay, _ => { });
        foreach (var step in FilingSteps)
        {
            machine.Configure(step).SubstateOf(WishStep.Filing);
        }

        machine.Configure(WishStep.Text).Permit(WishTrigger.Next, WishStep.Photo);
        machine.Configure(WishStep.Photo).Permit(WishTrigger.Next, WishStep.Category);
        machine.Configure(WishStep.Category).Permit(WishTrigger.Next, WishStep.Date);
        machine.Configure(WishStep.Date).Permit(WishTrigger.Next, WishStep.Confirm);
        machine.Configure(WishStep.Confirm).Permit(WishTrigger.Submit, WishStep.Idle);
        foreach (var step in InputSteps)
        {
            machine.Configure(step).Permit(WishTrigger.Done, WishStep.Idle).Permit(WishTrigger.Cancel, WishStep.Idle).InternalTransition(WishTrigger.Stay, _ => { });
        }
    }

    /// <summary>Moves the conversation with the state machine (so only drawn transitions can happen).</summary>
    private static void Move(FlowContext ctx, WishStep from, WishTrigger trigger, Dictionary<string, string>? data = null)
    {
        var step = from;
        var machine = new StateMachine<WishStep, WishTrigger>(() => step, s => step = s);
        Configure(machine);
        machine.Fire(trigger);
        ctx.Conversation = step == WishStep.Idle
            ? MainFlow.Idle(ctx.Now)
            : new ConversationState(FlowName, step.ToString()) { Data = data ?? new Dictionary<string, string>(ctx.Conversation.Data), UpdatedAt = ctx.Now };
    }

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var step = ctx.Conversation.Flow == FlowName && Enum.TryParse<WishStep>(ctx.Conversation.Step, out var s) ? s : WishStep.Idle;
        switch (ctx.Event)
        {
            case TimerFired timer:
                await OnTimerAsync(ctx, timer.Payload, cancellationToken).ConfigureAwait(false);
                return;
            case CommandReceived { Command: "wish" }:
                BeginFiling(ctx);
                return;
            case CommandReceived { Command: "wishes" }:
                await ListOpenAsync(ctx, 0, cancellationToken).ConfigureAwait(false);
                return;
            case ButtonPressed press:
                await OnButtonAsync(ctx, step, press.Data.Split(':'), cancellationToken).ConfigureAwait(false);
                return;
            default:
                await OnInputAsync(ctx, step, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private async ValueTask OnButtonAsync(FlowContext ctx, WishStep step, string[] parts, CancellationToken cancellationToken)
    {
        var action = parts.Length > 1 ? parts[1] : string.Empty;
        if (action == "f")
        {
            await OnFilingButtonAsync(ctx, step, parts, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (action == "ls" && parts.Length == 3 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var page))
        {
            await ListOpenAsync(ctx, page, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (action == "x")
        {
            // Cancel of a typed input (a reason, a note, a comment).
            ctx.AnswerButton();
            if (step != WishStep.Idle)
            {
                Move(ctx, step, WishTrigger.Cancel);
            }

            ctx.Show(ctx.T("cancel.done"), null);
            return;
        }

        if (parts.Length < 3 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || await ctx.Reader.GetAsync<Wish>(DocKeys.Wish(number), cancellationToken).ConfigureAwait(false) is not { } wish)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        var arg = parts.Length > 3 ? parts[3] : string.Empty;
        switch (action)
        {
            case "ap" or "aps":
                await ApproveAsync(ctx, wish, skilledOnly: action == "aps", cancellationToken).ConfigureAwait(false);
                return;
            case "cat":
                ShowCategoryPicker(ctx, wish);
                return;
            case "setcat":
                await SetCategoryAsync(ctx, wish, arg, cancellationToken).ConfigureAwait(false);
                return;
            case "rj":
                AskStaffInput(ctx, step, wish, WishTrigger.AskReason, "wi.rv.reason_ask");
                return;
            case "dup":
                AskStaffInput(ctx, step, wish, WishTrigger.AskDuplicate, "wi.rv.dup_ask");
                return;
            case "as":
                await AssignListAsync(ctx, wish, int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0, cancellationToken).ConfigureAwait(false);
                return;
            case "asg" when long.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var memberId):
                await ClaimAsync(ctx, wish, memberId, cancellationToken).ConfigureAwait(false);
                return;
            case "cl":
                await ClaimAsync(ctx, wish, null, cancellationToken).ConfigureAwait(false);
                return;
            case "rl":
                AskClaimerInput(ctx, step, wish, WishTrigger.AskRelease, "wi.m.release_ask");
                return;
            case "dn":
                AskClaimerInput(ctx, step, wish, WishTrigger.AskDoneNote, "wi.m.done_ask");
                return;
            case "dn0":
                await DoneAsync(ctx, wish, null, null, cancellationToken).ConfigureAwait(false);
                return;
            case "rt":
                await RateAsync(ctx, wish, arg, cancellationToken).ConfigureAwait(false);
                return;
            case "rc0" when step == WishStep.RatingComment:
                ctx.AnswerButton();
                Move(ctx, step, WishTrigger.Done);
                ctx.Show(ctx.T("wi.r.thanks"), null);
                return;
            case "wd":
                await WithdrawAsync(ctx, wish, cancellationToken).ConfigureAwait(false);
                return;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
        }
    }

    private async ValueTask OnInputAsync(FlowContext ctx, WishStep step, CancellationToken cancellationToken)
    {
        if (FilingSteps.Contains(step))
        {
            await OnFilingInputAsync(ctx, step, cancellationToken).ConfigureAwait(false);
            return;
        }

        var wish = ctx.Conversation.Data.TryGetValue("n", out var n) && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? await ctx.Reader.GetAsync<Wish>(DocKeys.Wish(number), cancellationToken).ConfigureAwait(false)
            : null;
        if (wish is null || step == WishStep.Idle)
        {
            ctx.Conversation = MainFlow.Idle(ctx.Now);
            ctx.Reply(ctx.T("unknown.text"), Menu(ctx));
            return;
        }

        var text = (ctx.Event as TextReceived)?.Text.Trim();
        switch (step)
        {
            case WishStep.RejectReason when Valid(text, MaxReasonLength):
                Move(ctx, step, WishTrigger.Done);
                await RejectAsync(ctx, wish, text!, cancellationToken).ConfigureAwait(false);
                return;
            case WishStep.DuplicateOf when text is not null:
                var digits = new string(text.Where(char.IsAsciiDigit).ToArray());
                if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var other) || other == wish.Number
                    || await ctx.Reader.GetAsync<Wish>(DocKeys.Wish(other), cancellationToken).ConfigureAwait(false) is null)
                {
                    ctx.Reply(ctx.T("wi.rv.dup_invalid"), CancelButton(ctx));
                    return;
                }

                Move(ctx, step, WishTrigger.Done);
                await MarkDuplicateAsync(ctx, wish, other, cancellationToken).ConfigureAwait(false);
                return;
            case WishStep.ReleaseReason when Valid(text, MaxReasonLength):
                Move(ctx, step, WishTrigger.Done);
                await ReleaseAsync(ctx, wish, text!, cancellationToken).ConfigureAwait(false);
                return;
            case WishStep.DoneNote when Valid(text, MaxTextLength) || ctx.Event is PhotoReceived:
                Move(ctx, step, WishTrigger.Done);
                var photo = ctx.Event as PhotoReceived;
                await DoneAsync(ctx, wish, text ?? photo?.Caption?.Trim(), photo?.FileId, cancellationToken).ConfigureAwait(false);
                return;
            case WishStep.RatingComment when Valid(text, MaxReasonLength):
                Move(ctx, step, WishTrigger.Done);
                await CommentAsync(ctx, wish, text!, cancellationToken).ConfigureAwait(false);
                return;
            default:
                var limit = step is WishStep.DoneNote ? MaxTextLength : MaxReasonLength;
                ctx.Reply(ctx.T(step == WishStep.DuplicateOf ? "wi.rv.dup_invalid" : "wi.input_length", limit), CancelButton(ctx));
                return;
        }
    }

    private static bool Valid(string? text, int max) => text is { Length: > 0 } && text.Length <= max;

    private void AskStaffInput(FlowContext ctx, WishStep step, Wish wish, WishTrigger trigger, string key)
    {
        if (!IsStaffFor(ctx, wish))
        {
            Refuse(ctx);
            return;
        }

        if (wish.Status != WishStatus.Pending)
        {
            ctx.AnswerButton(ctx.T("wi.rv.already", wish.Code, WishView.Status(texts, ctx.Language, wish.Status)), alert: true);
            return;
        }

        ctx.AnswerButton();
        _ = step;
        Move(ctx, WishStep.Idle, trigger, new Dictionary<string, string> { ["n"] = Num(wish.Number) });
        ctx.Reply(ctx.T(key, wish.Code), CancelButton(ctx));
    }

    private void AskClaimerInput(FlowContext ctx, WishStep step, Wish wish, WishTrigger trigger, string key)
    {
        if (wish.Status != WishStatus.Claimed || wish.ClaimedBy != ctx.Profile.Id)
        {
            ctx.AnswerButton(wish.ClaimedBy == ctx.Profile.Id ? ctx.T("wi.m.not_claimed_now", wish.Code, WishView.Status(texts, ctx.Language, wish.Status)) : ctx.T("wi.not_yours"), alert: true);
            return;
        }

        ctx.AnswerButton();
        Move(ctx, WishStep.Idle, trigger, new Dictionary<string, string> { ["n"] = Num(wish.Number) });
        var markup = trigger == WishTrigger.AskDoneNote
            ? new InlineMarkup([[new InlineButton(ctx.T("wi.btn.done_no_note"), $"{P}dn0:{Num(wish.Number)}"), new InlineButton(ctx.T("button.cancel"), P + "x")]])
            : CancelButton(ctx);
        ctx.Reply(ctx.T(key, wish.Code, MaxTextLength), markup);
        _ = step;
    }

    private static bool IsStaffFor(FlowContext ctx, Wish wish) =>
        ctx.Has(Roles.Admin) || (ctx.Has(Roles.Handler) && ctx.Profile.GridId is not null && ctx.Profile.GridId == wish.GridId);

    private static bool IsMember(FlowContext ctx) => ctx.Has(Roles.Member | Roles.Convenor);

    private void Refuse(FlowContext ctx)
    {
        if (ctx.Event is ButtonPressed)
        {
            ctx.AnswerButton(ctx.T("wi.not_allowed"), alert: true);
        }
        else
        {
            ctx.Reply(ctx.T("wi.not_allowed"), Menu(ctx));
        }
    }

    private static InlineMarkup CancelButton(FlowContext ctx) => new([[new InlineButton(ctx.T("button.cancel"), P + "x")]]);

    private ReplyKeyboard Menu(FlowContext ctx) => CommandCatalog.Menu(ctx.Roles, ctx.Language, texts, ctx.Emergency);


    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string TimerId(string kind, int number) => $"{P}{kind}:{Num(number)}";

    private static void SetTimer(FlowContext ctx, string id, DateTimeOffset dueAt) =>
        ctx.Effects.SetTimer(new TimerEntry(id, dueAt, Musters.MusterFlow.SystemUser, id));

    private Roles RolesOf(UserProfile profile) =>
        profile.Roles | (flowOptions.Value.Admins.Contains(profile.Id) ? Roles.Admin : Roles.None);

    private DateOnly Today(FlowContext ctx) => DateOnly.FromDateTime(ctx.Now.ToOffset(_options.UtcOffset).DateTime);

    /// <summary>Writes the wish and moves it between the status sets.</summary>
    private static void Save(FlowContext ctx, Wish before, Wish after)
    {
        ctx.Effects.Put(DocKeys.Wish(after.Number), after);
        if (before.Status != after.Status)
        {
            ctx.Effects.RemoveFromSet(Sets.WishesWithStatus(before.Status), Num(after.Number));
            ctx.Effects.AddToSet(Sets.WishesWithStatus(after.Status), Num(after.Number));
        }
    }

    private static async ValueTask<UserProfile?> ProfileAsync(FlowContext ctx, long? id, CancellationToken cancellationToken) =>
        id is { } userId ? await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(userId), cancellationToken).ConfigureAwait(false) : null;

    /// <summary>Tells a person something about a wish (held while the community is in emergency mode).</summary>
    private static void Tell(FlowContext ctx, UserProfile? person, Func<Language, string> html, Func<Language, Markup?>? markup = null)
    {
        if (person is null || person.BlockedBot)
        {
            return;
        }

        Notices.Notify(ctx, person.ChatId, html(person.Language), markup?.Invoke(person.Language));
    }
}
