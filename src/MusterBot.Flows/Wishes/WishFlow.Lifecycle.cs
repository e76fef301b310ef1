using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.State.Records;
using MusterBot.State.Records.Wishes;
using Stateless;

namespace MusterBot.Flows.Wishes;

/// <summary>What can be done to a wish (a trigger of its lifecycle machine).</summary>
public enum WishAction
{
    Approve,
    SetCategory,
    Reject,
    MarkDuplicate,
    Claim,
    Assign,
    Release,
    MarkDone,
    Rate,
    NotDone,
    Comment,
    Withdraw,
    Widen,
    Remind,
    AutoClose,
}

public sealed partial class WishFlow
{
    /// <summary>
    /// The lifecycle of a wish: the one place that says which action is allowed in which status and by whom.
    /// pending → open (approved) → claimed → done → closed (rated, or unconfirmed in time); pending → rejected or a
    /// duplicate; pending or open → withdrawn; claimed → open again when the member gives it back; done → claimed
    /// again when the resident says it is not done yet.
    /// </summary>
    private static void ConfigureLifecycle(StateMachine<WishStatus, WishAction> machine, WishRights may)
    {
        machine.Configure(WishStatus.Pending)
            .PermitIf(WishAction.Approve, WishStatus.Open, () => may.Review, "reviewer")
            .InternalTransitionIf(WishAction.SetCategory, _ => may.Review, _ => { }, "reviewer")
            .PermitIf(WishAction.Reject, WishStatus.Rejected, () => may.Review, "reviewer")
            .PermitIf(WishAction.MarkDuplicate, WishStatus.Duplicate, () => may.Review, "reviewer")
            .PermitIf(WishAction.Withdraw, WishStatus.Withdrawn, () => may.Withdraw, "resident");
        machine.Configure(WishStatus.Open)
            .PermitIf(WishAction.Claim, WishStatus.Claimed, Guard(() => may.Claim, "member"), Guard(() => may.TakeOn, "not the resident"))
            .PermitIf(WishAction.Assign, WishStatus.Claimed, Guard(() => may.Review, "reviewer"), Guard(() => may.TakeOn, "not the resident"))
            .PermitIf(WishAction.Withdraw, WishStatus.Withdrawn, () => may.Withdraw, "resident")
            .InternalTransitionIf(WishAction.Widen, _ => may.Widen, _ => { }, "grid only, not widened yet");
        machine.Configure(WishStatus.Claimed)
            .PermitIf(WishAction.Release, WishStatus.Open, () => may.Fulfil, "claimer")
            .PermitIf(WishAction.MarkDone, WishStatus.Done, () => may.Fulfil, "claimer")
            .InternalTransitionIf(WishAction.Remind, _ => may.Remind, _ => { }, "no progress, fewer than two reminders");
        machine.Configure(WishStatus.Done)
            .PermitIf(WishAction.Rate, WishStatus.Closed, Guard(() => may.Rate, "resident"), Guard(() => may.StarsInRange, "1-5 stars"))
            .PermitIf(WishAction.NotDone, WishStatus.Claimed, () => may.Rate, "resident: not done yet")
            .Permit(WishAction.AutoClose, WishStatus.Closed);
        machine.Configure(WishStatus.Closed)
            .InternalTransitionIf(WishAction.Comment, _ => may.Comment, _ => { }, "resident, once");
        machine.Configure(WishStatus.Rejected);
        machine.Configure(WishStatus.Duplicate);
        machine.Configure(WishStatus.Withdrawn);
    }

    private static Tuple<Func<bool>, string> Guard(Func<bool> guard, string description) => Tuple.Create(guard, description);

    /// <summary>Who the person is to this wish (the guards of the lifecycle machine).</summary>
    private sealed class WishRights(FlowContext? ctx, Wish? wish, long? member = null, int stars = 0)
    {
        /// <summary>For the diagram: guards are only described, never evaluated.</summary>
        public static readonly WishRights Diagram = new(null, null);

        private long Me => ctx!.Profile.Id;

        /// <summary>Administrators, and the workers of the wish's grid.</summary>
        public bool Review => IsStaffFor(ctx!, wish!);

        /// <summary>Members and convenors claim.</summary>
        public bool Claim => IsMember(ctx!);

        /// <summary>Nobody takes on their own wish.</summary>
        public bool TakeOn => wish!.ResidentId != (member ?? Me);

        /// <summary>The claimer, still a member at the moment of the action.</summary>
        public bool Fulfil => wish!.ClaimedBy == Me && IsMember(ctx!);

        public bool Rate => wish!.ResidentId == Me;

        public bool StarsInRange => stars is >= 1 and <= 5;

        public bool Comment => wish!.ResidentId == Me && wish.RatingComment is null;

        public bool Withdraw => wish!.ResidentId == Me;

        public bool Remind => wish!.StaleReminders < 2;

        public bool Widen => wish!.WidenedAt is null && wish.GridId is not null;
    }

    /// <summary>True when the lifecycle allows the action now (nothing fired); otherwise the person has been answered.</summary>
    private bool Allows(FlowContext ctx, Wish wish, WishAction action, long? member = null, int stars = 0) =>
        Decide(ctx, wish, action, member, stars, fire: false) is not null;

    /// <summary>
    /// Fires the action on the wish's lifecycle: the status it leads to, or null when it is not allowed in the wish's
    /// status or for this person — then the unhandled-trigger hook has answered them politely (timers: silently).
    /// </summary>
    private WishStatus? Decide(FlowContext ctx, Wish wish, WishAction action, long? member = null, int stars = 0, bool fire = true)
    {
        var status = wish.Status;
        var refused = false;
        var machine = new StateMachine<WishStatus, WishAction>(() => status, s => status = s);
        ConfigureLifecycle(machine, new WishRights(ctx, wish, member, stars));
        machine.OnUnhandledTrigger((_, trigger) =>
        {
            refused = true;
            Refuse(ctx, wish, trigger, member, stars);
        });
        if (!fire && machine.CanFire(action))
        {
            return status;
        }

        machine.Fire(action);
        return refused ? null : status;
    }

    /// <summary>The polite answer to an action the lifecycle does not allow: who may do it first, then the wish's status.</summary>
    private void Refuse(FlowContext ctx, Wish wish, WishAction action, long? member, int stars)
    {
        if (ctx.Event is TimerFired)
        {
            return;
        }

        var status = WishView.Status(texts, ctx.Language, wish.Status);
        var mine = wish.ClaimedBy == ctx.Profile.Id;
        switch (action)
        {
            case WishAction.Approve or WishAction.SetCategory or WishAction.Reject or WishAction.MarkDuplicate:
            case WishAction.Assign when member is null:
                Say(ctx, IsStaffFor(ctx, wish) ? ctx.T("wi.rv.already", wish.Code, status) : ctx.T("wi.not_allowed"));
                return;
            case WishAction.Assign when !IsStaffFor(ctx, wish):
                Refuse(ctx);
                return;
            case WishAction.Claim when !IsMember(ctx):
                ctx.AnswerButton(ctx.T("wi.m.members_only"), alert: true);
                return;
            case WishAction.Claim or WishAction.Assign when wish.ResidentId == (member ?? ctx.Profile.Id):
                ctx.AnswerButton(ctx.T("wi.m.own_wish"), alert: true);
                return;
            case WishAction.Claim or WishAction.Assign:
                var key = mine && wish.Status == WishStatus.Claimed ? "wi.m.already_yours"
                    : wish.Status is WishStatus.Claimed or WishStatus.Done or WishStatus.Closed ? "wi.m.taken"
                    : "wi.m.not_open";
                ctx.AnswerButton(ctx.T(key, wish.Code, status), alert: true);
                if (action == WishAction.Claim && ctx.PressedMessageId is { } messageId)
                {
                    // The announcement's claim button is spent.
                    ctx.Effects.EditMarkup(ctx.ChatId, messageId, null);
                }

                return;
            case WishAction.Release when ctx.Event is not ButtonPressed:
                Say(ctx, ctx.T("wi.m.not_claimed_now", wish.Code, status));
                return;
            case WishAction.Release or WishAction.MarkDone when mine && !IsMember(ctx):
                Say(ctx, ctx.T("wi.m.no_longer_member", wish.Code));
                return;
            case WishAction.Release or WishAction.MarkDone:
                Say(ctx, mine ? ctx.T("wi.m.not_claimed_now", wish.Code, status) : ctx.T("wi.not_yours"));
                return;
            case WishAction.Rate or WishAction.NotDone when wish.ResidentId != ctx.Profile.Id:
                ctx.AnswerButton(ctx.T("wi.not_yours"), alert: true);
                return;
            case WishAction.Rate when stars is < 1 or > 5:
                ctx.AnswerButton(ctx.T("wi.r.rating_range"), alert: true);
                return;
            case WishAction.Rate when wish.Status == WishStatus.Closed:
                ctx.AnswerButton(wish.Rating is { } given ? ctx.T("wi.r.already_rated", WishView.Stars(given)) : ctx.T("wi.r.closed", wish.Code), alert: true);
                if (ctx.Event is ButtonPressed { MessageId: { } rated })
                {
                    ctx.Effects.EditMarkup(ctx.ChatId, rated, null);
                }

                return;
            case WishAction.NotDone when wish.Status == WishStatus.Closed:
                ctx.AnswerButton(ctx.T("wi.r.closed", wish.Code), alert: true);
                return;
            case WishAction.NotDone:
                Say(ctx, ctx.T("wi.r.not_done_now", wish.Code, status));
                return;
            case WishAction.Comment:
                ctx.Reply(ctx.T("wi.r.thanks"), Menu(ctx));
                return;
            case WishAction.Withdraw when wish.ResidentId != ctx.Profile.Id:
                ctx.AnswerButton(ctx.T("wi.not_yours"), alert: true);
                return;
            case WishAction.Withdraw:
                ctx.AnswerButton(ctx.T("wi.r.cannot_withdraw", wish.Code, status), alert: true);
                return;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
        }
    }

    /// <summary>An alert under a pressed button, or a reply to typed text.</summary>
    private void Say(FlowContext ctx, string text)
    {
        if (ctx.Event is ButtonPressed)
        {
            ctx.AnswerButton(text, alert: true);
        }
        else
        {
            ctx.Reply(text, Menu(ctx));
        }
    }
}
