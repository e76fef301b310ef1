using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using Stateless;
using Stateless.Reflection;

namespace MusterBot.Flows.Complaints;

/// <summary>What can be done to a complaint (a trigger of its lifecycle machine).</summary>
public enum ComplaintAction
{
    Assign,
    Accept,
    Return,
    Progress,
    Resolve,
    Extend,
    Feedback,
    Reopen,
    CloseUnrated,

    /// <summary>The filer says what is still wrong with a complaint under supervision.</summary>
    Explain,
}

public sealed partial class ComplaintFlow
{
    /// <summary>
    /// The lifecycle of a complaint: the one place that says which action is allowed in which status and by whom.
    /// filed (unassigned, or assigned to the grid's handler) → accepted (in progress) → resolved → closed by the
    /// filer's feedback or when the feedback window ends; a dissatisfied filer may reopen it; the handler may return it.
    /// A second dissatisfaction puts it under supervision (督办): an administrator reassigns it (the new handler accepts
    /// or returns it) or the handler reports a new result, and the filer rates again; the feedback timer never closes it.
    /// </summary>
    private static void ConfigureLifecycle(StateMachine<ComplaintStatus, ComplaintAction> machine, ComplaintRights may)
    {
        var afterFeedback = new DynamicStateInfos();
        afterFeedback.Add(ComplaintStatus.Closed, "satisfied");
        afterFeedback.Add(ComplaintStatus.Resolved, "dissatisfied");
        afterFeedback.Add(ComplaintStatus.Supervised, "dissatisfied again");
        var afterReopen = new DynamicStateInfos();
        afterReopen.Add(ComplaintStatus.InProgress, "has a handler");
        afterReopen.Add(ComplaintStatus.Unassigned, "no handler");

        machine.Configure(ComplaintStatus.Unassigned)
            .PermitIf(ComplaintAction.Assign, ComplaintStatus.Assigned, () => may.Administer, "administrator")
            .InternalTransitionIf(ComplaintAction.Extend, _ => may.Administer, _ => { }, "administrator");
        machine.Configure(ComplaintStatus.Assigned)
            .PermitReentryIf(ComplaintAction.Assign, () => may.Administer, "administrator")
            .PermitIf(ComplaintAction.Accept, ComplaintStatus.InProgress, () => may.Handle, "handler")
            .PermitIf(ComplaintAction.Return, ComplaintStatus.Unassigned, () => may.Handle, "handler")
            .InternalTransitionIf(ComplaintAction.Extend, _ => may.Administer, _ => { }, "administrator")
            .InternalTransitionIf(ComplaintAction.Explain, _ => may.File && may.UnderSupervision, _ => { }, "filer, under supervision");
        machine.Configure(ComplaintStatus.InProgress)
            .PermitIf(ComplaintAction.Assign, ComplaintStatus.Assigned, () => may.Administer, "administrator")
            .PermitIf(ComplaintAction.Return, ComplaintStatus.Unassigned, () => may.Handle, "handler")
            .InternalTransitionIf(ComplaintAction.Progress, _ => may.Handle, _ => { }, "handler")
            .PermitIf(ComplaintAction.Resolve, ComplaintStatus.Resolved, () => may.Handle, "handler")
            .InternalTransitionIf(ComplaintAction.Extend, _ => may.Administer, _ => { }, "administrator")
            .InternalTransitionIf(ComplaintAction.Explain, _ => may.File && may.UnderSupervision, _ => { }, "filer, under supervision");
        machine.Configure(ComplaintStatus.Resolved)
            .InternalTransitionIf(ComplaintAction.Assign, _ => may.Administer, _ => { }, "administrator")
            .PermitDynamicIf(ComplaintAction.Feedback, () => may.Satisfied ? ComplaintStatus.Closed : may.DissatisfiedBefore ? ComplaintStatus.Supervised : ComplaintStatus.Resolved, "satisfied?", afterFeedback,
                Guard(() => may.File, "filer"), Guard(() => may.FirstFeedback, "no feedback yet"))
            .PermitDynamicIf(ComplaintAction.Reopen, () => may.HasHandler ? ComplaintStatus.InProgress : ComplaintStatus.Unassigned, "handler?", afterReopen,
                Guard(() => may.File, "filer"), Guard(() => may.Dissatisfied, "dissatisfied"), Guard(() => may.InTimeToReopen, "within the reopen window"))
            .Permit(ComplaintAction.CloseUnrated, ComplaintStatus.Closed);
        machine.Configure(ComplaintStatus.Supervised)
            .PermitIf(ComplaintAction.Assign, ComplaintStatus.Assigned, () => may.Administer, "administrator")
            .InternalTransitionIf(ComplaintAction.Progress, _ => may.Handle, _ => { }, "handler")
            .PermitIf(ComplaintAction.Resolve, ComplaintStatus.Resolved, () => may.Handle, "handler")
            .InternalTransitionIf(ComplaintAction.Extend, _ => may.Administer, _ => { }, "administrator")
            .InternalTransitionIf(ComplaintAction.Explain, _ => may.File, _ => { }, "filer");
        machine.Configure(ComplaintStatus.Closed);
    }

    private static Tuple<Func<bool>, string> Guard(Func<bool> guard, string description) => Tuple.Create(guard, description);

    /// <summary>Who the person is to this complaint (the guards of the lifecycle machine).</summary>
    private sealed class ComplaintRights(FlowContext? ctx, Complaint? complaint, TimeSpan reopenWithin, Satisfaction? feedback = null)
    {
        /// <summary>For the diagram: guards are only described, never evaluated.</summary>
        public static readonly ComplaintRights Diagram = new(null, null, TimeSpan.Zero);

        public bool Administer => ctx!.Has(Roles.Admin);

        public bool Handle => IsHandlerOf(ctx!, complaint!);

        public bool File => complaint!.FiledBy == ctx!.Profile.Id;

        public bool FirstFeedback => complaint!.Feedback is null;

        public bool Satisfied => feedback is not Satisfaction.Dissatisfied;

        public bool Dissatisfied => complaint!.Feedback == Satisfaction.Dissatisfied;

        /// <summary>A dissatisfaction now would be the second (or later): supervision.</summary>
        public bool DissatisfiedBefore => complaint!.Dissatisfactions >= 1;

        public bool UnderSupervision => complaint!.SupervisedAt is not null && complaint.ResolvedAt is null;

        public bool InTimeToReopen => complaint!.ResolvedAt is { } at && ctx!.Now <= at + reopenWithin;

        public bool HasHandler => complaint!.HandlerId is not null;
    }

    /// <summary>True when the lifecycle allows the action now (nothing fired); otherwise the person has been answered.</summary>
    private bool Allows(FlowContext ctx, Complaint complaint, ComplaintAction action) =>
        Decide(ctx, complaint, action, fire: false) is not null;

    /// <summary>
    /// Fires the action on the complaint's lifecycle: the status it leads to, or null when it is not allowed in the
    /// complaint's status or for this person — then the unhandled-trigger hook has answered them politely (timers: silently).
    /// </summary>
    private ComplaintStatus? Decide(FlowContext ctx, Complaint complaint, ComplaintAction action, Satisfaction? feedback = null, bool fire = true)
    {
        var status = complaint.Status;
        var refused = false;
        var machine = new StateMachine<ComplaintStatus, ComplaintAction>(() => status, s => status = s);
        ConfigureLifecycle(machine, new ComplaintRights(ctx, complaint, _options.ReopenWithin, feedback));
        machine.OnUnhandledTrigger((_, trigger) =>
        {
            refused = true;
            Refuse(ctx, complaint, trigger);
        });
        if (!fire && machine.CanFire(action))
        {
            return status;
        }

        machine.Fire(action);
        return refused ? null : status;
    }

    /// <summary>The polite answer to an action the lifecycle does not allow: who may do it first, then the complaint's status.</summary>
    private void Refuse(FlowContext ctx, Complaint complaint, ComplaintAction action)
    {
        if (ctx.Event is TimerFired)
        {
            return;
        }

        var typed = ctx.Event is not ButtonPressed;
        var already = ctx.T("cp.already_status", complaint.Code, Status(ctx.Language, complaint.Status));
        switch (action)
        {
            case ComplaintAction.Extend when typed:
                ctx.Reply(ctx.T("cp.closed", complaint.Code), Menu(ctx));
                return;
            case ComplaintAction.Assign or ComplaintAction.Extend when !ctx.Has(Roles.Admin):
                ctx.AnswerButton(ctx.T("not_allowed", ctx.T("role.admin")), alert: true);
                return;
            case ComplaintAction.Assign or ComplaintAction.Extend when !complaint.IsOpen:
                ctx.AnswerButton(ctx.T("cp.closed", complaint.Code), alert: true);
                return;
            case ComplaintAction.Accept or ComplaintAction.Return or ComplaintAction.Progress or ComplaintAction.Resolve
                when typed || !IsHandlerOf(ctx, complaint):
                RefuseHandler(ctx);
                return;
            case ComplaintAction.Explain:
                ctx.Reply(already, Menu(ctx));
                return;
            case ComplaintAction.Reopen when typed:
                ctx.Reply(ctx.T("cp.reopen_too_late", complaint.Code, (int)_options.ReopenWithin.TotalDays), Menu(ctx));
                return;
            case ComplaintAction.Feedback or ComplaintAction.Reopen when complaint.FiledBy != ctx.Profile.Id:
                ctx.AnswerButton(ctx.T("cp.not_yours"), alert: true);
                return;
            case ComplaintAction.Feedback when complaint.Status == ComplaintStatus.Supervised:
                ctx.AnswerButton(already, alert: true);
                return;
            case ComplaintAction.Feedback when complaint.Feedback is { } given:
                ctx.AnswerButton(ctx.T("cp.fb.already", texts.Get(ctx.Language, "cp.fb." + given)), alert: true);
                return;
            case ComplaintAction.Reopen when complaint.Status == ComplaintStatus.Resolved && complaint.Feedback == Satisfaction.Dissatisfied:
                ctx.AnswerButton(ctx.T("cp.reopen_too_late", complaint.Code, (int)_options.ReopenWithin.TotalDays), alert: true);
                return;
            default:
                ctx.AnswerButton(already, alert: true);
                return;
        }
    }
}
