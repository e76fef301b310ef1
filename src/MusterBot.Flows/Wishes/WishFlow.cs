using System.Globalization;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Wishes;
using MusterBot.State.Timers;
using Stateless;
using Stateless.Graph;

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
    private const int MaxTextLength = 500;
    private const int MaxReasonLength = 200;
    private const int PageSize = 5;

    private readonly WishOptions _options = options.Value;

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["wish", "wishes"];

    public bool OwnsButton(string data) => WishButton.Codec.Owns(data);

    public bool AllowsInGroup(string data) => WishButton.Codec.Decode(data) is WishButton.GroupClaim;

    /// <summary>Wishes come after open musters in /my.</summary>
    public int Order => 10;

    private static readonly WishStep[] FilingSteps = [WishStep.Text, WishStep.Photo, WishStep.Category, WishStep.Date, WishStep.Confirm];

    /// <summary>
    /// Two diagrams, both from Stateless: the conversation (filing and typed inputs) and the wish's lifecycle.
    /// FlowDiagramTests puts this text in one mermaid block of docs/flows/wish.md, so the lifecycle closes that block
    /// and opens its own under a heading.
    /// </summary>
    public string ToMermaid()
    {
        var step = WishStep.Idle;
        var conversation = new StateMachine<WishStep, WishTrigger>(() => step, s => step = s);
        ConfigureConversation(conversation);
        var status = WishStatus.Pending;
        var lifecycle = new StateMachine<WishStatus, WishAction>(() => status, s => status = s);
        ConfigureLifecycle(lifecycle, WishRights.Diagram);
        return Diagram(conversation.GetInfo()) + "```\n\n## Lifecycle of a wish\n\n"
            + "What can happen to a wish in each status; a guard names who may do it (the flow refuses everyone else politely).\n\n```mermaid\n"
            + Diagram(lifecycle.GetInfo());
    }

    private static string Diagram(Stateless.Reflection.StateMachineInfo info) => MermaidGraph.Format(info).ReplaceLineEndings("\n").TrimEnd('\n') + "\n";

    /// <summary>
    /// The conversation: /wish walks the filing steps; a button that asks for a reason, a note or a comment waits for
    /// it in an input step. Typed text, a photo and the wizard's buttons are triggers; whatever a step does not accept
    /// goes to <see cref="Unhandled"/>, which answers kindly and changes nothing.
    /// </summary>
    private static void ConfigureConversation(StateMachine<WishStep, WishTrigger> machine)
    {
        machine.Configure(WishStep.Idle)
            .Permit(WishTrigger.Begin, WishStep.Text)
            .Permit(WishTrigger.AskReason, WishStep.RejectReason)
            .Permit(WishTrigger.AskDuplicate, WishStep.DuplicateOf)
            .Permit(WishTrigger.AskRelease, WishStep.ReleaseReason)
            .Permit(WishTrigger.AskDoneNote, WishStep.DoneNote)
            .Permit(WishTrigger.AskComment, WishStep.RatingComment)
            .Permit(WishTrigger.AskNotDone, WishStep.NotDoneReason)
            .Ignore(WishTrigger.Cancel);
        machine.Configure(WishStep.Filing)
            .Permit(WishTrigger.CancelFiling, WishStep.Idle)
            .Permit(WishTrigger.Cancel, WishStep.Idle);
        machine.Configure(WishStep.Text).SubstateOf(WishStep.Filing).Permit(WishTrigger.Typed, WishStep.Photo);
        machine.Configure(WishStep.Photo).SubstateOf(WishStep.Filing).Permit(WishTrigger.PhotoSent, WishStep.Category).Permit(WishTrigger.SkipPhoto, WishStep.Category);
        machine.Configure(WishStep.Category).SubstateOf(WishStep.Filing).Permit(WishTrigger.PickCategory, WishStep.Date);
        machine.Configure(WishStep.Date).SubstateOf(WishStep.Filing).Permit(WishTrigger.Typed, WishStep.Confirm).Permit(WishTrigger.PickDate, WishStep.Confirm);
        machine.Configure(WishStep.Confirm).SubstateOf(WishStep.Filing).Permit(WishTrigger.Submit, WishStep.Idle);
        machine.Configure(WishStep.RejectReason).Permit(WishTrigger.Typed, WishStep.Idle).Permit(WishTrigger.Cancel, WishStep.Idle);
        machine.Configure(WishStep.DuplicateOf).Permit(WishTrigger.Typed, WishStep.Idle).Permit(WishTrigger.Cancel, WishStep.Idle);
        machine.Configure(WishStep.ReleaseReason).Permit(WishTrigger.Typed, WishStep.Idle).Permit(WishTrigger.Cancel, WishStep.Idle);
        machine.Configure(WishStep.DoneNote).Permit(WishTrigger.Typed, WishStep.Idle).Permit(WishTrigger.PhotoSent, WishStep.Idle).Permit(WishTrigger.Cancel, WishStep.Idle);
        machine.Configure(WishStep.NotDoneReason).Permit(WishTrigger.Typed, WishStep.Idle).Permit(WishTrigger.Cancel, WishStep.Idle);
        machine.Configure(WishStep.RatingComment).Permit(WishTrigger.Typed, WishStep.Idle).Permit(WishTrigger.NoComment, WishStep.Idle).Permit(WishTrigger.Cancel, WishStep.Idle);
    }

    /// <summary>The conversation machine on the person's current step; its unhandled-trigger hook answers them.</summary>
    private StateMachine<WishStep, WishTrigger> Conversation(FlowContext ctx, WishStep step, Dictionary<string, string>? data = null)
    {
        var current = step;
        var machine = new StateMachine<WishStep, WishTrigger>(() => current, s =>
        {
            current = s;
            ctx.Conversation = s == WishStep.Idle
                ? MainFlow.Idle(ctx.Now)
                : new ConversationState(FlowName, s.ToString()) { Data = data ?? new Dictionary<string, string>(ctx.Conversation.Data), UpdatedAt = ctx.Now };
        });
        ConfigureConversation(machine);
        machine.OnUnhandledTrigger((state, trigger) => Unhandled(ctx, state, trigger));
        return machine;
    }

    /// <summary>Moves the conversation (only along the drawn transitions).</summary>
    private void Move(FlowContext ctx, WishStep from, WishTrigger trigger, Dictionary<string, string>? data = null) =>
        Conversation(ctx, from, data).Fire(trigger);

    /// <summary>True when the step accepts the trigger; otherwise the unhandled-trigger hook has answered.</summary>
    private bool Accepts(FlowContext ctx, WishStep step, WishTrigger trigger)
    {
        var machine = Conversation(ctx, step);
        if (machine.CanFire(trigger))
        {
            return true;
        }

        machine.Fire(trigger);
        return false;
    }

    /// <summary>A trigger the step does not accept: a kind answer, nothing changes.</summary>
    private void Unhandled(FlowContext ctx, WishStep step, WishTrigger trigger)
    {
        var filing = FilingSteps.Contains(step);
        if (ctx.Event is ButtonPressed)
        {
            // A filing button after the wizard ended is from an old message; any other press fits another step.
            var filingButton = trigger is WishTrigger.CancelFiling or WishTrigger.SkipPhoto or WishTrigger.PickCategory or WishTrigger.PickDate or WishTrigger.Submit;
            ctx.AnswerButton(ctx.T(filingButton && !filing ? "button.expired_hint" : "button.stale"));
            return;
        }

        if (filing)
        {
            // A photo or text where buttons are expected (or anything else): ask again, kindly.
            var (key, markup) = step switch
            {
                WishStep.Text when trigger == WishTrigger.PhotoSent => ("wi.f.text_not_photo", CancelFiling(ctx)),
                WishStep.Text => ("wi.f.ask_text_again", CancelFiling(ctx)),
                WishStep.Photo => ("wi.f.photo_hint", PhotoButtons(ctx)),
                WishStep.Category => ("wi.f.category_hint", CategoryButtons(ctx)),
                WishStep.Date => ("wi.f.date_format", DateButtons(ctx)),
                _ => ("wi.f.confirm_hint", ConfirmButtons(ctx)),
            };
            ctx.Reply(ctx.T(key, MaxTextLength), markup);
            return;
        }

        if (step == WishStep.Idle)
        {
            ctx.Conversation = MainFlow.Idle(ctx.Now);
            ctx.Reply(ctx.T("unknown.text"), Menu(ctx));
            return;
        }

        InvalidInput(ctx, step);
    }

    private static void InvalidInput(FlowContext ctx, WishStep step)
    {
        var limit = step is WishStep.DoneNote ? MaxTextLength : MaxReasonLength;
        ctx.Reply(ctx.T(step == WishStep.DuplicateOf ? "wi.rv.dup_invalid" : "wi.input_length", limit), CancelButton(ctx));
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
                await OnButtonAsync(ctx, step, WishButton.Codec.Decode(press.Data), cancellationToken).ConfigureAwait(false);
                return;
            case PhotoReceived { MediaGroupId: { } album } when ctx.Conversation.Data.GetValueOrDefault(MainFlow.AlbumKey) == album:
                // The other photos of an album whose first photo was just answered: one answer per album.
                return;
            case PhotoReceived { MediaGroupId: { } album }:
                await OnInputAsync(ctx, step, cancellationToken).ConfigureAwait(false);
                ctx.Conversation = ctx.Conversation with { Data = new Dictionary<string, string>(ctx.Conversation.Data) { [MainFlow.AlbumKey] = album } };
                return;
            default:
                await OnInputAsync(ctx, step, cancellationToken).ConfigureAwait(false);
                return;
        }
    }



    /// <summary>A press, decoded once: the wizard's buttons go to the conversation machine, the rest name a wish.</summary>
    private async ValueTask OnButtonAsync(FlowContext ctx, WishStep step, WishButton? button, CancellationToken cancellationToken)
    {
        switch (button)
        {
            case WishButton.CancelFiling or WishButton.SkipPhoto or WishButton.PickCategory or WishButton.PickDate or WishButton.Submit:
                await OnFilingButtonAsync(ctx, step, button, cancellationToken).ConfigureAwait(false);
                return;
            case WishButton.FromText:
                BeginWithText(ctx);
                return;
            case WishButton.ListPage list:
                await ListOpenAsync(ctx, list.Page, cancellationToken).ConfigureAwait(false);
                return;
            case WishButton.CancelInput:
                // Cancel of a typed input (a reason, a note, a comment).
                ctx.AnswerButton();
                Move(ctx, step, WishTrigger.Cancel);
                ctx.Show(ctx.T("cancel.done"), null);
                return;
            case WishButton.GroupClaim claim:
                await GroupClaimAsync(ctx, claim, cancellationToken).ConfigureAwait(false);
                return;
            case WishButton.About about when about.Number >= 0
                && await ctx.Reader.GetAsync<Wish>(DocKeys.Wish(about.Number), cancellationToken).ConfigureAwait(false) is { } wish:
                await OnWishButtonAsync(ctx, step, about, wish, cancellationToken).ConfigureAwait(false);
                return;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
        }
    }

    private async ValueTask OnWishButtonAsync(FlowContext ctx, WishStep step, WishButton.About button, Wish wish, CancellationToken cancellationToken)
    {
        switch (button)
        {
            case WishButton.Approve:
                await ApproveAsync(ctx, wish, skilledOnly: false, cancellationToken).ConfigureAwait(false);
                return;
            case WishButton.ApproveSkilled:
                await ApproveAsync(ctx, wish, skilledOnly: true, cancellationToken).ConfigureAwait(false);
                return;
            case WishButton.ShowCategories:
                ShowCategoryPicker(ctx, wish);
                return;
            case WishButton.SetCategory set:
                await SetCategoryAsync(ctx, wish, set.Category, cancellationToken).ConfigureAwait(false);
                return;
            case WishButton.Reject:
                AskInput(ctx, wish, WishAction.Reject, WishTrigger.AskReason, "wi.rv.reason_ask", CancelButton(ctx));
                return;
            case WishButton.MarkDuplicate:
                AskInput(ctx, wish, WishAction.MarkDuplicate, WishTrigger.AskDuplicate, "wi.rv.dup_ask", CancelButton(ctx));
                return;
            case WishButton.AssignList list:
                await AssignListAsync(ctx, wish, list.Page, cancellationToken).ConfigureAwait(false);
                return;
            case WishButton.Assign assign:
                await ClaimAsync(ctx, wish, assign.MemberId, cancellationToken).ConfigureAwait(false);
                return;
            case WishButton.Claim:
                await ClaimAsync(ctx, wish, null, cancellationToken).ConfigureAwait(false);
                return;
            case WishButton.Release:
                AskInput(ctx, wish, WishAction.Release, WishTrigger.AskRelease, "wi.m.release_ask", CancelButton(ctx));
                return;
            case WishButton.MarkDone:
                AskInput(ctx, wish, WishAction.MarkDone, WishTrigger.AskDoneNote, "wi.m.done_ask", new InlineMarkup([[
                    new InlineButton(ctx.T("wi.btn.done_no_note"), new WishButton.DoneWithoutNote(wish.Number).Encode()),
                    new InlineButton(ctx.T("button.cancel"), new WishButton.CancelInput().Encode())]]));
                return;
            case WishButton.DoneWithoutNote:
                await DoneAsync(ctx, wish, null, null, cancellationToken).ConfigureAwait(false);
                return;
            case WishButton.NotDone:
                AskInput(ctx, wish, WishAction.NotDone, WishTrigger.AskNotDone, "wi.r.not_done_ask", CancelButton(ctx));
                return;
            case WishButton.Rate rate:
                await RateAsync(ctx, wish, rate.Stars, cancellationToken).ConfigureAwait(false);
                return;
            case WishButton.NoComment:
                if (Accepts(ctx, step, WishTrigger.NoComment))
                {
                    ctx.AnswerButton();
                    Move(ctx, step, WishTrigger.NoComment);
                    ctx.Show(ctx.T("wi.r.thanks"), null);
                }

                return;
            case WishButton.Withdraw:
                await WithdrawAsync(ctx, wish, cancellationToken).ConfigureAwait(false);
                return;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
        }
    }

    /// <summary>Typed text or a photo: a filing step, or the reason, note or comment a button asked for.</summary>
    private async ValueTask OnInputAsync(FlowContext ctx, WishStep step, CancellationToken cancellationToken)
    {
        var trigger = ctx.Event switch
        {
            TextReceived => WishTrigger.Typed,
            PhotoReceived => WishTrigger.PhotoSent,
            _ => WishTrigger.Other,
        };
        if (FilingSteps.Contains(step))
        {
            if (Accepts(ctx, step, trigger))
            {
                await OnFilingInputAsync(ctx, step, trigger, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var wish = ctx.Conversation.Data.TryGetValue("n", out var n) && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? await ctx.Reader.GetAsync<Wish>(DocKeys.Wish(number), cancellationToken).ConfigureAwait(false)
            : null;
        if (wish is null || step == WishStep.Idle)
        {
            Unhandled(ctx, WishStep.Idle, trigger);
            return;
        }

        if (!Accepts(ctx, step, trigger))
        {
            return;
        }

        var text = (ctx.Event as TextReceived)?.Text.Trim();
        switch (step)
        {
            case WishStep.RejectReason when Valid(text, MaxReasonLength):
                Move(ctx, step, trigger);
                await RejectAsync(ctx, wish, text!, cancellationToken).ConfigureAwait(false);
                return;
            case WishStep.DuplicateOf:
                var digits = new string(text!.Where(char.IsAsciiDigit).ToArray());
                if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var other) || other == wish.Number
                    || await ctx.Reader.GetAsync<Wish>(DocKeys.Wish(other), cancellationToken).ConfigureAwait(false) is null)
                {
                    ctx.Reply(ctx.T("wi.rv.dup_invalid"), CancelButton(ctx));
                    return;
                }

                Move(ctx, step, trigger);
                await MarkDuplicateAsync(ctx, wish, other, cancellationToken).ConfigureAwait(false);
                return;
            case WishStep.ReleaseReason when Valid(text, MaxReasonLength):
                Move(ctx, step, trigger);
                await ReleaseAsync(ctx, wish, text!, cancellationToken).ConfigureAwait(false);
                return;
            case WishStep.DoneNote when Valid(text, MaxTextLength) || ctx.Event is PhotoReceived:
                Move(ctx, step, trigger);
                var photo = ctx.Event as PhotoReceived;
                await DoneAsync(ctx, wish, text ?? photo?.Caption?.Trim(), photo?.FileId, cancellationToken).ConfigureAwait(false);
                return;
            case WishStep.NotDoneReason when Valid(text, MaxReasonLength):
                Move(ctx, step, trigger);
                await NotDoneAsync(ctx, wish, text!, cancellationToken).ConfigureAwait(false);
                return;
            case WishStep.RatingComment when Valid(text, MaxReasonLength):
                Move(ctx, step, trigger);
                await CommentAsync(ctx, wish, text!, cancellationToken).ConfigureAwait(false);
                return;
            default:
                InvalidInput(ctx, step);
                return;
        }
    }

    private static bool Valid(string? text, int max) => text is { Length: > 0 } && text.Length <= max;

    /// <summary>A button that asks for a reason or a note: allowed when the lifecycle would allow the action itself.</summary>
    private void AskInput(FlowContext ctx, Wish wish, WishAction action, WishTrigger ask, string key, InlineMarkup markup)
    {
        if (!Allows(ctx, wish, action))
        {
            return;
        }

        ctx.AnswerButton();
        Move(ctx, WishStep.Idle, ask, new Dictionary<string, string> { ["n"] = Num(wish.Number) });
        ctx.Reply(ctx.T(key, wish.Code, MaxTextLength), markup);
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

    private static InlineMarkup CancelButton(FlowContext ctx) => new([[new InlineButton(ctx.T("button.cancel"), new WishButton.CancelInput().Encode())]]);

    private ReplyKeyboard Menu(FlowContext ctx) => CommandCatalog.Menu(ctx.Roles, ctx.Language, texts, ctx.Emergency);


    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static void SetTimer(FlowContext ctx, WishTimer timer, DateTimeOffset dueAt) =>
        ctx.Effects.SetTimer(new TimerEntry(timer.Id, dueAt, Musters.MusterFlow.SystemUser, timer.Id));

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
