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

        if (complaint.HandlerId == handlerId && complaint.Status is not (ComplaintStatus.Unassigned or ComplaintStatus.Supervised))
        {
            ctx.AnswerButton(ctx.T("cp.already_assigned", complaint.Code, Html.Escape(handler.FirstName)));
            return;
        }

        var assigned = (complaint with { HandlerId = handlerId, AssignedAt = ctx.Now, Status = status })
            .With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "assigned") { Detail = Num(handlerId) });
        ctx.AnswerButton(ctx.T("cp.assigned", complaint.Code, Html.Escape(handler.FirstName)));
        ctx.Show(ctx.T("cp.assigned", complaint.Code, Html.Escape(handler.FirstName)), null);
        // The new handler gets the card with accept and return (also when an administrator reassigns under supervision).
        await SaveAsync(ctx, complaint, assigned, cancellationToken, [new NewCard(handler, View.Handler, language => texts.Get(language, "cp.new_for_handler"))]).ConfigureAwait(false);
    }

    private async ValueTask AcceptAsync(FlowContext ctx, Complaint complaint, CancellationToken cancellationToken)
    {
        if (Decide(ctx, complaint, ComplaintAction.Accept) is not { } status)
        {
            return;
        }

        var accepted = (complaint with { Status = status, FirstResponseAt = complaint.FirstResponseAt ?? ctx.Now })
            .With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "accepted"));
        CancelDeadlines(ctx, complaint.Number, response: true, resolution: false);
        ctx.AnswerButton(ctx.T("cp.accepted", complaint.Code));
        // Every card follows, the pressed one too (it is one of the handler's cards).
        await SaveAsync(ctx, complaint, accepted, cancellationToken).ConfigureAwait(false);
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
        ctx.Reply(ctx.T("cp.returned", complaint.Code), Menu(ctx));
        var name = ctx.Profile.FirstName;
        var cards = await AdminCardsAsync(ctx, language => texts.Format(language, "cp.admin.returned", complaint.Code, Html.Escape(name), Html.Escape(reason)), cancellationToken).ConfigureAwait(false);
        await SaveAsync(ctx, complaint, returned, cancellationToken, cards).ConfigureAwait(false);
    }

    private async ValueTask ProgressAsync(FlowContext ctx, Complaint complaint, string note, CancellationToken cancellationToken)
    {
        if (Decide(ctx, complaint, ComplaintAction.Progress) is null)
        {
            return;
        }

        var noted = (complaint with { FirstResponseAt = complaint.FirstResponseAt ?? ctx.Now }).With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "progress") { Detail = note });
        await SaveAsync(ctx, complaint, noted, cancellationToken).ConfigureAwait(false);
        ctx.Reply(ctx.T("cp.progress_sent", complaint.Code), Menu(ctx));
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
        CancelDeadlines(ctx, complaint.Number, response: true, resolution: true);
        CancelSupervision(ctx, complaint.Number);
        SetTimer(ctx, new ComplaintTimer.FeedbackDue(complaint.Number), ctx.Now + _options.FeedbackWithin);
        ctx.Reply(ctx.T("cp.resolved", complaint.Code), Menu(ctx));
        // Each resident gets the result as a card: the filer's asks for feedback, and every one follows the status.
        var cards = await ResidentCardsAsync(ctx, resolved, View.Result, _ => string.Empty, cancellationToken).ConfigureAwait(false);
        await SaveAsync(ctx, complaint, resolved, cancellationToken, cards).ConfigureAwait(false);
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

    private static void CancelSupervision(FlowContext ctx, int number)
    {
        ctx.Effects.CancelTimer(new ComplaintTimer.WarnSupervision(number).Id);
        ctx.Effects.CancelTimer(new ComplaintTimer.SupervisionDue(number).Id);
        ctx.Effects.CancelTimer(new ComplaintTimer.Escalate(number, ctx.Shard).Id);
    }

    /// <summary>Warning and overdue check of the supervision deadline (<see cref="Complaint.ResolveBy"/> while supervised).</summary>
    private static void ArmSupervision(FlowContext ctx, Complaint complaint)
    {
        var window = complaint.ResolveBy - (complaint.SupervisedAt ?? ctx.Now);
        SetTimer(ctx, new ComplaintTimer.WarnSupervision(complaint.Number), complaint.ResolveBy - ComplaintOptions.WarnBefore(window));
        SetTimer(ctx, new ComplaintTimer.SupervisionDue(complaint.Number), complaint.ResolveBy);
        // Not resolved by the community's deadline: up the tree (the timer checks again when it fires).
        SetTimer(ctx, new ComplaintTimer.Escalate(complaint.Number, ctx.Shard), complaint.ResolveBy);
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

        var extended = (complaint with { ResolveBy = complaint.ResolveBy.AddDays(days), Supervised = complaint.Supervised.Where(s => s is not ("resolution" or "supervision")).ToList() })
            .With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "extended") { Detail = "+" + days.ToString(CultureInfo.InvariantCulture) + "d: " + reason });
        await SaveAsync(ctx, complaint, extended, cancellationToken).ConfigureAwait(false);
        if (extended.SupervisedAt is not null && extended.ResolvedAt is null)
        {
            // Under supervision: the supervision deadline moves.
            ArmSupervision(ctx, extended);
        }
        else
        {
            var window = extended.ResolveBy - extended.FiledAt;
            SetTimer(ctx, new ComplaintTimer.WarnResolution(complaint.Number), extended.ResolveBy - ComplaintOptions.WarnBefore(window));
            SetTimer(ctx, new ComplaintTimer.ResolutionDue(complaint.Number), extended.ResolveBy);
        }

        ctx.Reply(ctx.T("cp.extended", complaint.Code, Time(extended.ResolveBy)), Menu(ctx));
        if (await ProfileAsync(ctx, extended.HandlerId, cancellationToken).ConfigureAwait(false) is { } handler)
        {
            Tell(ctx, extended, handler, texts.Format(handler.Language, "cp.h.extended", complaint.Code, Time(extended.ResolveBy), Html.Escape(reason)), null);
        }

        await TellResidentsAsync(ctx, extended, language => texts.Format(language, "cp.r.extended", complaint.Code, Time(extended.ResolveBy)), null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The filer's feedback on a result: satisfied or basically satisfied closes it; dissatisfied offers to reopen (within
    /// ReopenWithin); a second dissatisfaction puts it under supervision (督办): the administrators get a card with the
    /// last result, the handler is told, the feedback timer stops, the supervision deadline starts, and the resident is
    /// asked what is still wrong. The handler hears every rating.
    /// </summary>
    private async ValueTask FeedbackAsync(FlowContext ctx, Complaint complaint, Satisfaction feedback, CancellationToken cancellationToken)
    {
        if (Decide(ctx, complaint, ComplaintAction.Feedback, feedback) is not { } status)
        {
            return;
        }

        var rated = (complaint with { Feedback = feedback }).With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "feedback") { Detail = feedback.ToString() });
        ctx.AnswerButton(ctx.T("cp.fb.thanks"));
        var handler = await ProfileAsync(ctx, complaint.HandlerId, cancellationToken).ConfigureAwait(false);
        string Rating(Language language) => texts.Format(language, "cp.h.feedback", complaint.Code, texts.Get(language, "cp.fb." + feedback));
        if (status == ComplaintStatus.Closed)
        {
            var closed = rated with { Status = status, ClosedAt = ctx.Now };
            ctx.Effects.CancelTimer(new ComplaintTimer.FeedbackDue(complaint.Number).Id);
            await SaveAsync(ctx, complaint, closed, cancellationToken).ConfigureAwait(false);
            ctx.Reply(ctx.T("cp.fb.closed", complaint.Code, texts.Get(ctx.Language, "cp.fb." + feedback)), Menu(ctx));
            if (handler is { BlockedBot: false })
            {
                Tell(ctx, closed, handler, Rating(handler.Language) + "\n" + texts.Format(handler.Language, "cp.h.feedback_closed", complaint.Code), null);
            }

            return;
        }

        rated = rated with { Dissatisfactions = complaint.Dissatisfactions + 1 };
        if (status == ComplaintStatus.Supervised)
        {
            var supervised = (rated with
            {
                Status = status,
                SupervisedAt = ctx.Now,
                SupervisionReason = null,
                ResolvedAt = null,
                ResolveBy = ctx.Now + _options.SuperviseWithin,
                Supervised = [.. rated.Supervised.Where(s => s != "supervision"), "dissatisfied"],
            }).With(new ComplaintEvent(ctx.Now, 0, "supervision") { Detail = "dissatisfied twice" });
            ctx.Effects.CancelTimer(new ComplaintTimer.FeedbackDue(complaint.Number).Id);
            ArmSupervision(ctx, supervised);
            var cards = await AdminCardsAsync(ctx, language => texts.Format(language, "cp.admin.dissatisfied", complaint.Code), cancellationToken).ConfigureAwait(false);
            if (handler is not null)
            {
                cards.Add(new NewCard(handler, View.Handler, language => Rating(language) + "\n" + texts.Format(language, "cp.h.supervised", complaint.Code)));
            }

            await SaveAsync(ctx, complaint, supervised, cancellationToken, cards).ConfigureAwait(false);
            Move(ctx, ComplaintStep.Idle, ComplaintTrigger.AskSupervisionReason, new Dictionary<string, string> { ["n"] = Num(complaint.Number) });
            ctx.Reply(ctx.T("cp.fb.escalated", complaint.Code, MaxNote), CancelButton(ctx));
            return;
        }

        var canReopen = complaint.ResolvedAt is { } at && ctx.Now <= at + _options.ReopenWithin;
        // The reopen button is on the filer's result card (it follows the status); without one, the offer is a new card.
        var hasCard = complaint.Cards.Any(c => c.UserId == ctx.Profile.Id && c.View == View.Result);
        await SaveAsync(ctx, complaint, rated, cancellationToken, canReopen && !hasCard ? [new NewCard(ctx.Profile, View.Result, _ => string.Empty)] : null).ConfigureAwait(false);
        ctx.Reply(ctx.T(canReopen ? "cp.fb.reopen_offer" : "cp.fb.noted", complaint.Code), Menu(ctx));
        if (handler is { BlockedBot: false })
        {
            Tell(ctx, rated, handler, Rating(handler.Language), null);
        }
    }

    /// <summary>What the filer says is still wrong with a complaint under supervision: on its cards, and told to the administrators and the handler.</summary>
    private async ValueTask ExplainAsync(FlowContext ctx, Complaint complaint, string reason, CancellationToken cancellationToken)
    {
        if (Decide(ctx, complaint, ComplaintAction.Explain) is null)
        {
            return;
        }

        var explained = (complaint with { SupervisionReason = reason }).With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "supervision reason") { Detail = reason });
        await SaveAsync(ctx, complaint, explained, cancellationToken).ConfigureAwait(false);
        ctx.Reply(ctx.T("cp.fb.reason_sent", complaint.Code), Menu(ctx));
        string Notice(Language language) => texts.Format(language, "cp.admin.reason", complaint.Code, Html.Escape(reason), Html.Escape(complaint.Result is { Length: > 0 } r ? r : "—"));
        await TellAdminsAsync(ctx, explained, Notice, null, cancellationToken).ConfigureAwait(false);
        if (await ProfileAsync(ctx, explained.HandlerId, cancellationToken).ConfigureAwait(false) is { BlockedBot: false } handler)
        {
            Tell(ctx, explained, handler, Notice(handler.Language), null);
        }
    }

    private void AskReopen(FlowContext ctx, Complaint complaint)
    {
        if (!Allows(ctx, complaint, ComplaintAction.Reopen))
        {
            return;
        }

        ctx.AnswerButton();
        Move(ctx, ComplaintStep.Idle, ComplaintTrigger.AskReopenComment, new Dictionary<string, string> { ["n"] = Num(complaint.Number) });
        ctx.Reply(ctx.T("cp.ask.ReopenComment", complaint.Code, MaxNote), CancelButton(ctx));
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
        ctx.Effects.CancelTimer(new ComplaintTimer.FeedbackDue(complaint.Number).Id);
        ArmDeadlines(ctx, reopened);
        ctx.Reply(ctx.T("cp.reopened", complaint.Code, Time(reopened.ResolveBy)), Menu(ctx));
        Func<Language, string> head = language => texts.Format(language, "cp.h.reopened", complaint.Code, Html.Escape(comment));
        var cards = await ProfileAsync(ctx, reopened.HandlerId, cancellationToken).ConfigureAwait(false) is { } handler
            ? [new NewCard(handler, View.Handler, head)]
            : await AdminCardsAsync(ctx, head, cancellationToken).ConfigureAwait(false);
        await SaveAsync(ctx, complaint, reopened, cancellationToken, cards).ConfigureAwait(false);
    }

    /// <summary>
    /// Deadline warnings, overdue escalation (督办, recorded once per deadline), the supervision deadline, and the close
    /// without feedback (never of a complaint under supervision: the lifecycle does not allow it).
    /// </summary>
    private async ValueTask OnTimerAsync(FlowContext ctx, string payload, CancellationToken cancellationToken)
    {
        if (ComplaintTimer.Codec.Decode(payload) is ComplaintTimer.Escalate escalate)
        {
            await EscalateAsync(ctx, escalate, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (ComplaintTimer.Codec.Decode(payload) is not { } timer
            || await ctx.Reader.GetAsync<Complaint>(DocKeys.Complaint(timer.Number), cancellationToken).ConfigureAwait(false) is not { IsOpen: true } complaint)
        {
            return;
        }

        var handler = await ProfileAsync(ctx, complaint.HandlerId, cancellationToken).ConfigureAwait(false);
        var handlerName = handler is null ? "—" : Html.Escape(handler.FirstName);
        var supervised = complaint.SupervisedAt is not null && complaint.ResolvedAt is null;
        switch (timer)
        {
            case ComplaintTimer.WarnResponse when complaint.FirstResponseAt is null:
            case ComplaintTimer.WarnResolution when complaint.ResolvedAt is null && !supervised:
                var which = timer is ComplaintTimer.WarnResponse ? "response" : "resolution";
                var due = which == "response" ? complaint.RespondBy : complaint.ResolveBy;
                if (handler is not null)
                {
                    await SaveAsync(ctx, complaint, complaint.With(new ComplaintEvent(ctx.Now, 0, "warned") { Detail = which }), cancellationToken).ConfigureAwait(false);
                    Tell(ctx, complaint, handler, texts.Format(handler.Language, "cp.h.warn_" + which, complaint.Code, Time(due)), null);
                }
                else
                {
                    // Nobody to warn but the administrators, who must assign it: a card with the assign button.
                    var cards = await AdminCardsAsync(ctx, language => texts.Format(language, "cp.admin.unassigned_warn", complaint.Code, Time(due)), cancellationToken).ConfigureAwait(false);
                    await SaveAsync(ctx, complaint, complaint.With(new ComplaintEvent(ctx.Now, 0, "warned") { Detail = which }), cancellationToken, cards).ConfigureAwait(false);
                }

                return;
            case ComplaintTimer.ResponseDue when complaint.FirstResponseAt is null && !complaint.Supervised.Contains("response"):
            case ComplaintTimer.ResolutionDue when complaint.ResolvedAt is null && !supervised && !complaint.Supervised.Contains("resolution"):
            {
                var kind = timer is ComplaintTimer.ResponseDue ? "response" : "resolution";
                var overdue = (complaint with { Supervised = [.. complaint.Supervised, kind] }).With(new ComplaintEvent(ctx.Now, 0, "supervision") { Detail = kind + " overdue" });
                var cards = await AdminCardsAsync(ctx, language => texts.Format(language, "cp.admin.overdue_" + kind, complaint.Code, handlerName), cancellationToken).ConfigureAwait(false);
                await SaveAsync(ctx, complaint, overdue, cancellationToken, cards).ConfigureAwait(false);
                if (handler is not null)
                {
                    Tell(ctx, overdue, handler, texts.Format(handler.Language, "cp.h.overdue", complaint.Code), null);
                }

                return;
            }

            case ComplaintTimer.WarnSupervision when supervised:
                await SaveAsync(ctx, complaint, complaint.With(new ComplaintEvent(ctx.Now, 0, "warned") { Detail = "supervision" }), cancellationToken).ConfigureAwait(false);
                await TellAdminsAsync(ctx, complaint, language => texts.Format(language, "cp.admin.warn_supervision", complaint.Code, Time(complaint.ResolveBy), handlerName), null, cancellationToken).ConfigureAwait(false);
                if (handler is not null)
                {
                    Tell(ctx, complaint, handler, texts.Format(handler.Language, "cp.h.warn_resolution", complaint.Code, Time(complaint.ResolveBy)), null);
                }

                return;
            case ComplaintTimer.SupervisionDue when supervised && !complaint.Supervised.Contains("supervision"):
            {
                var overdue = (complaint with { Supervised = [.. complaint.Supervised, "supervision"] }).With(new ComplaintEvent(ctx.Now, 0, "supervision") { Detail = "supervision overdue" });
                var cards = await AdminCardsAsync(ctx, language => texts.Format(language, "cp.admin.overdue_supervision", complaint.Code, handlerName), cancellationToken).ConfigureAwait(false);
                await SaveAsync(ctx, complaint, overdue, cancellationToken, cards).ConfigureAwait(false);
                if (handler is not null)
                {
                    Tell(ctx, overdue, handler, texts.Format(handler.Language, "cp.h.overdue", complaint.Code), null);
                }

                return;
            }

            case ComplaintTimer.FeedbackDue when complaint.Feedback is { } given && Decide(ctx, complaint, ComplaintAction.CloseUnrated) is { } status:
                // Rated dissatisfied and not reopened in time: closed with that feedback (not "without feedback").
                await SaveAsync(ctx, complaint, (complaint with { Status = status, ClosedAt = ctx.Now }).With(new ComplaintEvent(ctx.Now, 0, "closed") { Detail = "feedback: " + given + ", not reopened" }), cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintTimer.FeedbackDue when Decide(ctx, complaint, ComplaintAction.CloseUnrated) is { } status:
                var closed = (complaint with { Status = status, ClosedAt = ctx.Now }).With(new ComplaintEvent(ctx.Now, 0, "closed without feedback"));
                await SaveAsync(ctx, complaint, closed, cancellationToken).ConfigureAwait(false);
                await TellResidentsAsync(ctx, closed, language => texts.Format(language, "cp.r.closed_no_feedback", complaint.Code), null, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>
    /// /my: a resident's complaints (filed or joined; a feedback request for each resolved one of hers) and a handler's
    /// open ones with their buttons — each of those a card that follows the complaint from then on.
    /// </summary>
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
                var code = c.Code;
                await SaveAsync(ctx, c, c, cancellationToken, [new NewCard(ctx.Profile, View.Resident, language => texts.Format(language, "cp.my.feedback", code))]).ConfigureAwait(false);
            }

            shown = true;
        }

        var handling = (await ctx.Reader.MembersAsync(Sets.ComplaintsHandledBy(ctx.Profile.Id), cancellationToken).ConfigureAwait(false))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
        if (handling.Count > 0)
        {
            foreach (var c in (await ctx.Reader.GetManyAsync<Complaint>(handling.Select(DocKeys.Complaint).ToList(), cancellationToken).ConfigureAwait(false))
                         .OfType<Complaint>().Where(c => c.HandlerId == ctx.Profile.Id && c.Status is ComplaintStatus.Assigned or ComplaintStatus.InProgress or ComplaintStatus.Supervised))
            {
                await SaveAsync(ctx, c, c, cancellationToken, [new NewCard(ctx.Profile, View.Handler, _ => string.Empty)]).ConfigureAwait(false);
                shown = true;
            }
        }

        return shown;
    }
}
