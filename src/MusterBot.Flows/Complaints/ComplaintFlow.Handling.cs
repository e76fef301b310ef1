using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;

namespace MusterBot.Flows.Complaints;

public sealed partial class ComplaintFlow
{
    /// <summary>The complaint's handler, still a grid worker at the moment of the action (a stale card of someone who left is refused).</summary>
    private static bool IsHandlerOf(FlowContext ctx, Complaint complaint) => complaint.HandlerId == ctx.Profile.Id && !ctx.IsSystem && ctx.Has(Roles.Handler);

    private void RefuseHandler(FlowContext ctx)
    {
        if (ctx.Event is Events.ButtonPressed)
        {
            ctx.AnswerButton(ctx.T("cp.not_yours_to_handle"), alert: true);
        }
        else
        {
            ctx.Reply(ctx.T("cp.not_yours_to_handle"), Menu(ctx));
        }
    }

    /// <summary>交办: the grid workers an administrator can give the complaint to.</summary>
    private async ValueTask AssignListAsync(FlowContext ctx, Complaint complaint, CancellationToken cancellationToken)
    {
        if (!Allows(ctx, complaint, ComplaintAction.Assign))
        {
            return;
        }

        var ids = (await ctx.Reader.MembersAsync(Sets.PeopleWithRole(Roles.Handler), cancellationToken).ConfigureAwait(false)).Select(id => long.Parse(id, CultureInfo.InvariantCulture)).Order().ToList();
        var handlers = (await ctx.Reader.GetManyAsync<UserProfile>(ids.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false)).OfType<UserProfile>().ToList();
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        ctx.AnswerButton();
        if (handlers.Count == 0)
        {
            ctx.Reply(ctx.T("cp.no_handlers"));
            return;
        }

        var rows = handlers.OrderBy(h => h.GridId == complaint.GridId ? 0 : 1).ThenBy(h => h.Id).Take(30)
            .Select(h => new InlineButton(h.FirstName + " · " + directory.GridName(h.GridId) + (h.Id == complaint.HandlerId ? " \u2714\uFE0F" : string.Empty), new ComplaintButton.Assign(complaint.Number, h.Id).Encode())).Rows(1);
        ctx.Reply(ctx.T("cp.assign_pick", complaint.Code), new InlineMarkup(rows));
    }

    private async ValueTask AssignAsync(FlowContext ctx, Complaint complaint, long handlerId, CancellationToken cancellationToken)
    {
        if (Decide(ctx, complaint, ComplaintAction.Assign) is not { } status)
        {
            return;
        }

        var handler = await ProfileAsync(ctx, handlerId, cancellationToken).ConfigureAwait(false);
        if (handler is null || !handler.Roles.HasFlag(Roles.Handler))
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (complaint.HandlerId == handlerId && complaint.Status != ComplaintStatus.Unassigned)
        {
            ctx.AnswerButton(ctx.T("cp.already_assigned", complaint.Code, Html.Escape(handler.FirstName)));
            return;
        }

        var assigned = (complaint with { HandlerId = handlerId, AssignedAt = ctx.Now, Status = status })
            .With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "assigned") { Detail = Num(handlerId) });
        Save(ctx, complaint, assigned);
        ctx.AnswerButton(ctx.T("cp.assigned", complaint.Code, Html.Escape(handler.FirstName)));
        ctx.Show(ctx.T("cp.assigned", complaint.Code, Html.Escape(handler.FirstName)), null);
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var filer = await ProfileAsync(ctx, complaint.FiledBy, cancellationToken).ConfigureAwait(false);
        Tell(ctx, assigned, handler, texts.Get(handler.Language, "cp.new_for_handler") + "\n" + Card(handler.Language, assigned, filer, handler, directory, forAdmin: false), HandlerButtons(handler.Language, assigned));
    }

    private async ValueTask AcceptAsync(FlowContext ctx, Complaint complaint, CancellationToken cancellationToken)
    {
        if (Decide(ctx, complaint, ComplaintAction.Accept) is not { } status)
        {
            return;
        }

        var accepted = (complaint with { Status = status, FirstResponseAt = complaint.FirstResponseAt ?? ctx.Now })
            .With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "accepted"));
        Save(ctx, complaint, accepted);
        CancelDeadlines(ctx, complaint.Number, response: true, resolution: false);
        ctx.AnswerButton(ctx.T("cp.accepted", complaint.Code));
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var filer = await ProfileAsync(ctx, complaint.FiledBy, cancellationToken).ConfigureAwait(false);
        ctx.Show(Card(ctx.Language, accepted, filer, ctx.Profile, directory, forAdmin: false), HandlerButtons(ctx.Language, accepted));
        await TellResidentsAsync(ctx, accepted, language => texts.Format(language, "cp.r.accepted", complaint.Code, Time(accepted.ResolveBy)), null, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask ReturnAsync(FlowContext ctx, Complaint complaint, string reason, CancellationToken cancellationToken)
    {
        if (Decide(ctx, complaint, ComplaintAction.Return) is not { } status)
        {
            return;
        }

        var returned = (complaint with { Status = status, HandlerId = null })
            .With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "returned") { Detail = reason });
        Save(ctx, complaint, returned);
        ctx.Reply(ctx.T("cp.returned", complaint.Code), Menu(ctx));
        await TellAdminsAsync(ctx, returned, language => texts.Format(language, "cp.admin.returned", complaint.Code, Html.Escape(ctx.Profile.FirstName), Html.Escape(reason)), language => AdminButtons(language, returned), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask ProgressAsync(FlowContext ctx, Complaint complaint, string note, CancellationToken cancellationToken)
    {
        if (Decide(ctx, complaint, ComplaintAction.Progress) is null)
        {
            return;
        }

        var noted = (complaint with { FirstResponseAt = complaint.FirstResponseAt ?? ctx.Now }).With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "progress") { Detail = note });
        Save(ctx, complaint, noted);
        ctx.Reply(ctx.T("cp.progress_sent", complaint.Code), HandlerButtons(ctx.Language, noted));
        await TellResidentsAsync(ctx, noted, language => texts.Format(language, "cp.r.progress", complaint.Code, Html.Escape(note)), null, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask ResolveAsync(FlowContext ctx, Complaint complaint, string result, string? photo, CancellationToken cancellationToken)
    {
        if (Decide(ctx, complaint, ComplaintAction.Resolve) is not { } status)
        {
            return;
        }

        var resolved = (complaint with { Status = status, ResolvedAt = ctx.Now, Result = result, ResultPhotoFileId = photo, Feedback = null })
            .With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "resolved") { Detail = result });
        Save(ctx, complaint, resolved);
        CancelDeadlines(ctx, complaint.Number, response: true, resolution: true);
        SetTimer(ctx, new ComplaintTimer.FeedbackDue(complaint.Number), ctx.Now + _options.FeedbackWithin);
        ctx.Reply(ctx.T("cp.resolved", complaint.Code), Menu(ctx));
        await TellResidentsAsync(ctx, resolved, language => texts.Format(language, "cp.r.resolved", complaint.Code, Html.Escape(result.Length > 0 ? result : "—")) + "\n" + texts.Get(language, "cp.r.feedback_ask"),
            language => FeedbackButtons(language, resolved), cancellationToken).ConfigureAwait(false);
        if (photo is not null)
        {
            foreach (var id in resolved.Audience)
            {
                if (await ProfileAsync(ctx, id, cancellationToken).ConfigureAwait(false) is { BlockedBot: false } person)
                {
                    Notices.NotifyPhoto(ctx, person.ChatId, photo, Html.Escape(resolved.Code));
                }
            }
        }
    }

    private InlineMarkup FeedbackButtons(Language language, Complaint complaint) => new([[
        .. Enum.GetValues<Satisfaction>().Select(s => new InlineButton(texts.Get(language, "cp.fb." + s), new ComplaintButton.Feedback(complaint.Number, s).Encode()))]]);

    private void ShowExtendChoices(FlowContext ctx, Complaint complaint)
    {
        if (!Allows(ctx, complaint, ComplaintAction.Extend))
        {
            return;
        }

        ctx.AnswerButton();
        var n = complaint.Number;
        ctx.Reply(ctx.T("cp.extend_pick", complaint.Code, Time(complaint.ResolveBy)), new InlineMarkup([[
            .. ExtendDays.Select(days => new InlineButton(ctx.T("cp.btn.days", days), new ComplaintButton.Extend(n, days).Encode()))]]));
    }

    private static readonly int[] ExtendDays = [1, 3, 7];

    private void AskExtendReason(FlowContext ctx, Complaint complaint, int days)
    {
        if (!Allows(ctx, complaint, ComplaintAction.Extend))
        {
            return;
        }

        ctx.AnswerButton();
        Move(ctx, ComplaintStep.Idle, ComplaintTrigger.AskExtendReason, new Dictionary<string, string> { ["n"] = Num(complaint.Number), ["d"] = days.ToString(CultureInfo.InvariantCulture) });
        ctx.Show(ctx.T("cp.ask.ExtendReason", complaint.Code, days), CancelButton(ctx));
    }

    private async ValueTask ExtendAsync(FlowContext ctx, Complaint complaint, int days, string reason, CancellationToken cancellationToken)
    {
        if (Decide(ctx, complaint, ComplaintAction.Extend) is null)
        {
            return;
        }

        if (days is not (1 or 3 or 7))
        {
            ctx.Reply(ctx.T("cp.closed", complaint.Code), Menu(ctx));
            return;
        }

        var extended = (complaint with { ResolveBy = complaint.ResolveBy.AddDays(days), Supervised = complaint.Supervised.Where(s => s != "resolution").ToList() })
            .With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "extended") { Detail = "+" + days.ToString(CultureInfo.InvariantCulture) + "d: " + reason });
        Save(ctx, complaint, extended);
        var window = extended.ResolveBy - extended.FiledAt;
        SetTimer(ctx, new ComplaintTimer.WarnResolution(complaint.Number), extended.ResolveBy - ComplaintOptions.WarnBefore(window));
        SetTimer(ctx, new ComplaintTimer.ResolutionDue(complaint.Number), extended.ResolveBy);
        ctx.Reply(ctx.T("cp.extended", complaint.Code, Time(extended.ResolveBy)), Menu(ctx));
        if (await ProfileAsync(ctx, extended.HandlerId, cancellationToken).ConfigureAwait(false) is { } handler)
        {
            Tell(ctx, extended, handler, texts.Format(handler.Language, "cp.h.extended", complaint.Code, Time(extended.ResolveBy), Html.Escape(reason)), null);
        }

        await TellResidentsAsync(ctx, extended, language => texts.Format(language, "cp.r.extended", complaint.Code, Time(extended.ResolveBy)), null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The filer's feedback on a result: satisfied or basically satisfied closes it; dissatisfied offers to reopen (within
    /// ReopenWithin); a second dissatisfaction is escalated to the administrators (督办).
    /// </summary>
    private async ValueTask FeedbackAsync(FlowContext ctx, Complaint complaint, Satisfaction feedback, CancellationToken cancellationToken)
    {
        if (Decide(ctx, complaint, ComplaintAction.Feedback, feedback) is not { } status)
        {
            return;
        }

        var rated = (complaint with { Feedback = feedback }).With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "feedback") { Detail = feedback.ToString() });
        ctx.AnswerButton(ctx.T("cp.fb.thanks"));
        if (status == ComplaintStatus.Closed)
        {
            var closed = rated with { Status = status, ClosedAt = ctx.Now };
            Save(ctx, complaint, closed);
            ctx.Effects.CancelTimer(new ComplaintTimer.FeedbackDue(complaint.Number).Id);
            ctx.Show(ctx.T("cp.fb.closed", complaint.Code, texts.Get(ctx.Language, "cp.fb." + feedback)), null);
            return;
        }

        rated = rated with { Dissatisfactions = complaint.Dissatisfactions + 1 };
        if (rated.Dissatisfactions >= 2)
        {
            rated = (rated with { Supervised = [.. rated.Supervised, "dissatisfied"] }).With(new ComplaintEvent(ctx.Now, 0, "supervision") { Detail = "dissatisfied twice" });
            Save(ctx, complaint, rated);
            ctx.Show(ctx.T("cp.fb.escalated", complaint.Code), null);
            await TellAdminsAsync(ctx, rated, language => texts.Format(language, "cp.admin.dissatisfied", complaint.Code), language => AdminButtons(language, rated), cancellationToken).ConfigureAwait(false);
            return;
        }

        Save(ctx, complaint, rated);
        var canReopen = complaint.ResolvedAt is { } at && ctx.Now <= at + _options.ReopenWithin;
        ctx.Show(ctx.T(canReopen ? "cp.fb.reopen_offer" : "cp.fb.noted", complaint.Code),
            canReopen ? new InlineMarkup([[new InlineButton(ctx.T("cp.btn.reopen"), new ComplaintButton.Reopen(complaint.Number).Encode())]]) : null);
    }

    private void AskReopen(FlowContext ctx, Complaint complaint)
    {
        if (!Allows(ctx, complaint, ComplaintAction.Reopen))
        {
            return;
        }

        ctx.AnswerButton();
        Move(ctx, ComplaintStep.Idle, ComplaintTrigger.AskReopenComment, new Dictionary<string, string> { ["n"] = Num(complaint.Number) });
        ctx.Show(ctx.T("cp.ask.ReopenComment", complaint.Code, MaxNote), CancelButton(ctx));
    }

    private async ValueTask ReopenAsync(FlowContext ctx, Complaint complaint, string comment, CancellationToken cancellationToken)
    {
        if (Decide(ctx, complaint, ComplaintAction.Reopen) is not { } status)
        {
            return;
        }

        var reopened = (complaint with
        {
            Status = status,
            Reopens = complaint.Reopens + 1,
            ResolvedAt = null,
            Feedback = null,
            ResolveBy = ctx.Now + _options.Resolve(complaint.Category),
        }).With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "reopened") { Detail = comment });
        Save(ctx, complaint, reopened);
        ctx.Effects.CancelTimer(new ComplaintTimer.FeedbackDue(complaint.Number).Id);
        ArmDeadlines(ctx, reopened);
        ctx.Reply(ctx.T("cp.reopened", complaint.Code, Time(reopened.ResolveBy)), Menu(ctx));
        if (await ProfileAsync(ctx, reopened.HandlerId, cancellationToken).ConfigureAwait(false) is { } handler)
        {
            Tell(ctx, reopened, handler, texts.Format(handler.Language, "cp.h.reopened", complaint.Code, Html.Escape(comment)), HandlerButtons(handler.Language, reopened));
        }
        else
        {
            await TellAdminsAsync(ctx, reopened, language => texts.Format(language, "cp.h.reopened", complaint.Code, Html.Escape(comment)), language => AdminButtons(language, reopened), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deadline warnings, overdue escalation (督办, recorded once per deadline), and the close without feedback.</summary>
    private async ValueTask OnTimerAsync(FlowContext ctx, string payload, CancellationToken cancellationToken)
    {
        if (ComplaintTimer.Codec.Decode(payload) is not { } timer
            || await ctx.Reader.GetAsync<Complaint>(DocKeys.Complaint(timer.Number), cancellationToken).ConfigureAwait(false) is not { IsOpen: true } complaint)
        {
            return;
        }

        var handler = await ProfileAsync(ctx, complaint.HandlerId, cancellationToken).ConfigureAwait(false);
        switch (timer)
        {
            case ComplaintTimer.WarnResponse when complaint.FirstResponseAt is null:
            case ComplaintTimer.WarnResolution when complaint.ResolvedAt is null:
                var which = timer is ComplaintTimer.WarnResponse ? "response" : "resolution";
                var due = which == "response" ? complaint.RespondBy : complaint.ResolveBy;
                Save(ctx, complaint, complaint.With(new ComplaintEvent(ctx.Now, 0, "warned") { Detail = which }));
                if (handler is not null)
                {
                    Tell(ctx, complaint, handler, texts.Format(handler.Language, "cp.h.warn_" + which, complaint.Code, Time(due)), HandlerButtons(handler.Language, complaint));
                }
                else
                {
                    await TellAdminsAsync(ctx, complaint, language => texts.Format(language, "cp.admin.unassigned_warn", complaint.Code, Time(due)), language => AdminButtons(language, complaint), cancellationToken).ConfigureAwait(false);
                }

                return;
            case ComplaintTimer.ResponseDue when complaint.FirstResponseAt is null && !complaint.Supervised.Contains("response"):
            case ComplaintTimer.ResolutionDue when complaint.ResolvedAt is null && !complaint.Supervised.Contains("resolution"):
                var kind = timer is ComplaintTimer.ResponseDue ? "response" : "resolution";
                var overdue = (complaint with { Supervised = [.. complaint.Supervised, kind] }).With(new ComplaintEvent(ctx.Now, 0, "supervision") { Detail = kind + " overdue" });
                Save(ctx, complaint, overdue);
                var handlerName = handler is null ? "—" : Html.Escape(handler.FirstName);
                await TellAdminsAsync(ctx, overdue, language => texts.Format(language, "cp.admin.overdue_" + kind, complaint.Code, handlerName), language => AdminButtons(language, overdue), cancellationToken).ConfigureAwait(false);
                if (handler is not null)
                {
                    Tell(ctx, overdue, handler, texts.Format(handler.Language, "cp.h.overdue", complaint.Code), HandlerButtons(handler.Language, overdue));
                }

                return;
            case ComplaintTimer.FeedbackDue when complaint.Feedback is { } given && Decide(ctx, complaint, ComplaintAction.CloseUnrated) is { } status:
                // Rated dissatisfied and not reopened in time: closed with that feedback (not "without feedback").
                Save(ctx, complaint, (complaint with { Status = status, ClosedAt = ctx.Now }).With(new ComplaintEvent(ctx.Now, 0, "closed") { Detail = "feedback: " + given + ", not reopened" }));
                return;
            case ComplaintTimer.FeedbackDue when Decide(ctx, complaint, ComplaintAction.CloseUnrated) is { } status:
                var closed = (complaint with { Status = status, ClosedAt = ctx.Now }).With(new ComplaintEvent(ctx.Now, 0, "closed without feedback"));
                Save(ctx, complaint, closed);
                await TellResidentsAsync(ctx, closed, language => texts.Format(language, "cp.r.closed_no_feedback", complaint.Code), null, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>/my: a resident's complaints (filed or joined) and a handler's open ones with their buttons.</summary>
    public async ValueTask<bool> ShowAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var shown = false;
        var mine = (await ctx.Reader.MembersAsync(Sets.ComplaintsOf(ctx.Profile.Id), cancellationToken).ConfigureAwait(false))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).OrderDescending().Take(10).ToList();
        if (mine.Count > 0)
        {
            var list = (await ctx.Reader.GetManyAsync<Complaint>(mine.Select(DocKeys.Complaint).ToList(), cancellationToken).ConfigureAwait(false)).OfType<Complaint>().ToList();
            var sb = new StringBuilder(ctx.T("cp.my.head")).Append('\n');
            foreach (var c in list)
            {
                var preview = c.Description.Length > 30 ? c.Description[..30] + "…" : c.Description;
                sb.Append("<b>").Append(c.Code).Append("</b> ").Append(Status(ctx.Language, c.Status)).Append(" · ").Append(Html.Escape(preview)).Append('\n');
            }

            ctx.Reply(sb.ToString().TrimEnd());
            foreach (var c in list.Where(c => c.Status == ComplaintStatus.Resolved && c.Feedback is null && c.FiledBy == ctx.Profile.Id))
            {
                ctx.Reply(ctx.T("cp.my.feedback", c.Code), FeedbackButtons(ctx.Language, c));
            }

            shown = true;
        }

        var handling = (await ctx.Reader.MembersAsync(Sets.ComplaintsHandledBy(ctx.Profile.Id), cancellationToken).ConfigureAwait(false))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
        if (handling.Count > 0)
        {
            var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
            foreach (var c in (await ctx.Reader.GetManyAsync<Complaint>(handling.Select(DocKeys.Complaint).ToList(), cancellationToken).ConfigureAwait(false))
                         .OfType<Complaint>().Where(c => c.HandlerId == ctx.Profile.Id && c.Status is ComplaintStatus.Assigned or ComplaintStatus.InProgress))
            {
                var filer = await ProfileAsync(ctx, c.FiledBy, cancellationToken).ConfigureAwait(false);
                ctx.Reply(Card(ctx.Language, c, filer, ctx.Profile, directory, forAdmin: false), HandlerButtons(ctx.Language, c));
                shown = true;
            }
        }

        return shown;
    }
}
