using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Points;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Wishes;

namespace MusterBot.Flows.Wishes;

public sealed partial class WishFlow
{
    /// <summary>
    /// 接单: the first claim wins — the wish is written with the version read, so of two simultaneous claims one commits
    /// and the other is decided again, finds it taken and is told so. <paramref name="assignee"/> set: an administrator assigns.
    /// </summary>
    /// <summary>True when the wish asks for no skill, or the member has one of those it asks for.</summary>
    private static bool HasASkillFor(Wish wish, UserProfile member) => wish.Skills.Count == 0 || member.Skills.Any(wish.Skills.Contains);

    private async ValueTask ClaimAsync(FlowContext ctx, Wish wish, long? assignee, CancellationToken cancellationToken)
    {
        var memberId = assignee ?? ctx.Profile.Id;
        if (Decide(ctx, wish, assignee is null ? WishAction.Claim : WishAction.Assign, assignee) is not { } status)
        {
            return;
        }

        var member = memberId == ctx.Profile.Id ? ctx.Profile : await ProfileAsync(ctx, memberId, cancellationToken).ConfigureAwait(false);
        if (member is null || (RolesOf(member) & (Roles.Member | Roles.Convenor)) == 0)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (assignee is not null && wish.GridId is not null && member.GridId != wish.GridId)
        {
            // A wish of a grid is assigned only to a member of that grid (the list offers no one else; a forged press is refused).
            ctx.AnswerButton(ctx.T("wi.rv.assign_other_grid", Html.Escape(WishView.Name(member)), wish.Code), alert: true);
            return;
        }

        if (!HasASkillFor(wish, member))
        {
            // "Skilled members only": a member without one of the skills cannot claim it (nor be assigned it).
            var skills = string.Join("、", wish.Skills.Select(s => ctx.T("skill." + s)));
            ctx.AnswerButton(ctx.T("wi.claim.skill_needed", skills), alert: true);
            return;
        }

        var claimed = (wish with { Status = status, ClaimedBy = memberId, ClaimedAt = ctx.Now, AssignedBy = assignee is null ? null : ctx.Profile.Id, StaleReminders = 0 })
            .With(new WishEvent(ctx.Now, ctx.Profile.Id, assignee is null ? "claimed" : "assigned") { Detail = Num(memberId) });
        ctx.Effects.AddToSet(Sets.WishesClaimedBy(memberId), Num(wish.Number));
        ctx.Effects.CancelTimer(new WishTimer.Widen(wish.Number).Id);
        SetTimer(ctx, new WishTimer.Stale(wish.Number), ctx.Now + _options.StaleAfter);

        var scene = (await SceneAsync(ctx, claimed, cancellationToken).ConfigureAwait(false)) with { Claimer = member };
        ObjectCard[] fresh;
        if (assignee is null)
        {
            ctx.AnswerButton(ctx.T("wi.m.claimed", wish.Code));
            // The pressed message (the announcement, or a /wishes page) becomes the claimer's card; their other
            // announcement of it keeps its button (a press there is told the wish is already theirs).
            fresh = [ObjectCards.Show(ctx, CardKey(wish), CardClaimer, ClaimerCard(ctx.Language, scene)),
                .. wish.Cards.Where(c => c.ChatId == ctx.ChatId && c.Kind is CardAnnounce or CardAnnounceAll)];
        }
        else
        {
            ctx.AnswerButton(ctx.T("wi.rv.assigned", wish.Code, Html.Escape(WishView.Name(member))));
            var shown = await ShowStaffCardAsync(ctx, claimed, cancellationToken).ConfigureAwait(false);
            fresh = member.BlockedBot ? [shown] : [shown, ObjectCards.Notify(ctx, member, CardKey(wish), CardClaimer, ClaimerCard(member.Language, scene))];
        }

        if (claimed.PhotoFileId is { } photo)
        {
            Notices.NotifyPhoto(ctx, member.ChatId, photo, Html.Escape(claimed.Code));
        }

        Tell(ctx, scene.Resident, language => texts.Format(language, "wi.r.claimed", wish.Code, Html.Escape(member.FirstName)));
        await SaveAsync(ctx, wish, claimed, cancellationToken, fresh).ConfigureAwait(false);
    }

    private InlineMarkup ClaimerButtons(Language language, Wish wish) => new([[
        new InlineButton(texts.Get(language, "wi.btn.done"), new WishButton.MarkDone(wish.Number).Encode()),
        new InlineButton(texts.Get(language, "wi.btn.release"), new WishButton.Release(wish.Number).Encode())]]);

    /// <summary>The claimer gives the wish back with a reason: it opens again and is announced again.</summary>
    private async ValueTask ReleaseAsync(FlowContext ctx, Wish wish, string reason, CancellationToken cancellationToken)
    {
        if (Decide(ctx, wish, WishAction.Release) is not { } status)
        {
            return;
        }

        var reopened = (wish with
        {
            Status = status,
            ClaimedBy = null,
            ClaimedAt = null,
            AssignedBy = null,
            Releases = [.. wish.Releases, new WishRelease(ctx.Profile.Id, ctx.Now, reason)],
        }).With(new WishEvent(ctx.Now, ctx.Profile.Id, "released") { Detail = reason });
        ctx.Effects.CancelTimer(new WishTimer.Stale(wish.Number).Id);
        SetTimer(ctx, new WishTimer.Widen(wish.Number), ctx.Now + _options.WidenAfter);
        var (_, announced) = await AnnounceAsync(ctx, reopened, community: reopened.GridId is null || reopened.WidenedAt is not null, cancellationToken, except: ctx.Profile.Id).ConfigureAwait(false);
        await SaveAsync(ctx, wish, reopened, cancellationToken, [.. announced]).ConfigureAwait(false);
        await TellStaffAsync(ctx, language => texts.Format(language, "wi.rv.released", wish.Code, Html.Escape(ctx.Profile.FirstName), Html.Escape(reason)), cancellationToken).ConfigureAwait(false);
        ctx.Reply(ctx.T("wi.m.released", wish.Code), Menu(ctx));
    }

    /// <summary>The claimer marks it done (optional note and photo); the resident is asked to confirm and rate.</summary>
    private async ValueTask DoneAsync(FlowContext ctx, Wish wish, string? note, string? photo, CancellationToken cancellationToken)
    {
        if (Decide(ctx, wish, WishAction.MarkDone) is not { } status)
        {
            return;
        }

        if (ctx.Event is Events.ButtonPressed)
        {
            // "Done, no note" pressed while the note was being asked: leave that step too.
            ctx.Conversation = ctx.Conversation.Flow == FlowName ? Session.MainFlow.Idle(ctx.Now) : ctx.Conversation;
        }

        var done = (wish with { Status = status, DoneAt = ctx.Now, DoneNote = note, DonePhotoFileId = photo })
            .With(new WishEvent(ctx.Now, ctx.Profile.Id, "done") { Detail = note });
        ctx.Effects.CancelTimer(new WishTimer.Stale(wish.Number).Id);
        SetTimer(ctx, new WishTimer.AutoClose(wish.Number), ctx.Now + _options.ConfirmWithin);
        var scene = (await SceneAsync(ctx, done, cancellationToken).ConfigureAwait(false)) with { Claimer = ctx.Profile };
        var resident = scene.Resident;
        ObjectCard[] fresh = resident is { BlockedBot: false } ? [ObjectCards.Notify(ctx, resident, CardKey(wish), CardDone, DoneCard(resident.Language, scene))] : [];
        if (photo is not null && resident is { BlockedBot: false })
        {
            Notices.NotifyPhoto(ctx, resident.ChatId, photo, Html.Escape(wish.Code));
        }

        ctx.AnswerButton();
        ctx.Reply(ctx.T("wi.m.done", wish.Code), Menu(ctx));
        await SaveAsync(ctx, wish, done, cancellationToken, fresh).ConfigureAwait(false);
    }

    /// <summary>1–5 stars, and "not done yet" (back to the member with the resident's words).</summary>
    private InlineMarkup RatingButtons(Language language, Wish wish) => new([
        Enumerable.Range(1, 5).Select(i => new InlineButton(i.ToString(CultureInfo.InvariantCulture) + "\u2B50", new WishButton.Rate(wish.Number, i).Encode())).ToList(),
        [new InlineButton(texts.Get(language, "wi.btn.not_done"), new WishButton.NotDone(wish.Number).Encode())]]);

    /// <summary>评单: the resident confirms and rates 1–5; points go to the member; a low rating alerts the staff.</summary>
    private async ValueTask RateAsync(FlowContext ctx, Wish wish, int stars, CancellationToken cancellationToken)
    {
        if (Decide(ctx, wish, WishAction.Rate, stars: stars) is not { } status)
        {
            return;
        }

        var closed = (wish with { Status = status, Rating = stars, ClosedAt = ctx.Now })
            .With(new WishEvent(ctx.Now, ctx.Profile.Id, "rated") { Detail = stars.ToString(CultureInfo.InvariantCulture) });
        ctx.Effects.CancelTimer(new WishTimer.AutoClose(wish.Number).Id);
        var member = await ProfileAsync(ctx, wish.ClaimedBy, cancellationToken).ConfigureAwait(false);
        var earned = await AwardAsync(ctx, closed, cancellationToken).ConfigureAwait(false);
        Tell(ctx, member, language => texts.Format(language, "wi.m.rated", wish.Code, WishView.Stars(stars), earned));
        if (stars <= 2)
        {
            await TellStaffAsync(ctx, language => texts.Format(language, "wi.rv.low_rating", wish.Code, WishView.Stars(stars), Html.Escape(member?.FirstName ?? "—")), cancellationToken).ConfigureAwait(false);
        }

        ctx.AnswerButton(ctx.T("wi.r.rated", WishView.Stars(stars)));
        var shown = ObjectCards.Show(ctx, CardKey(wish), CardDone, new CardView(ctx.T("wi.r.rated", WishView.Stars(stars)) + "\n" + ctx.T("wi.r.comment_ask", MaxReasonLength),
            new InlineMarkup([[new InlineButton(ctx.T("wi.btn.no_comment"), new WishButton.NoComment(wish.Number).Encode())]])));
        await SaveAsync(ctx, wish, closed, cancellationToken, shown).ConfigureAwait(false);
        Move(ctx, WishStep.Idle, WishTrigger.AskComment, new Dictionary<string, string> { ["n"] = Num(wish.Number) });
    }

    /// <summary>
    /// The resident says it is not done yet: the wish goes back to the member (claimed again, the reminders start
    /// over) with the resident's words and the member's buttons.
    /// </summary>
    private async ValueTask NotDoneAsync(FlowContext ctx, Wish wish, string words, CancellationToken cancellationToken)
    {
        if (Decide(ctx, wish, WishAction.NotDone) is not { } status)
        {
            return;
        }

        var back = (wish with { Status = status, DoneAt = null, DoneNote = null, DonePhotoFileId = null, StaleReminders = 0 })
            .With(new WishEvent(ctx.Now, ctx.Profile.Id, "not done") { Detail = words });
        ctx.Effects.CancelTimer(new WishTimer.AutoClose(wish.Number).Id);
        SetTimer(ctx, new WishTimer.Stale(wish.Number), ctx.Now + _options.StaleAfter);
        var scene = await SceneAsync(ctx, back, cancellationToken).ConfigureAwait(false);
        ObjectCard[] fresh = [];
        if (scene.Claimer is { BlockedBot: false } member)
        {
            var head = texts.Format(member.Language, "wi.m.not_done", wish.Code, Html.Escape(words));
            var view = new CardView(head + "\n\n" + WishView.ForClaimer(texts, member.Language, back, scene.Resident, scene.Directory), ClaimerButtons(member.Language, back));
            fresh = [ObjectCards.Notify(ctx, member, CardKey(wish), CardClaimer, view)];
        }

        ctx.Reply(ctx.T("wi.r.not_done_sent", wish.Code, Html.Escape(scene.Claimer?.FirstName ?? "—")), Menu(ctx));
        await SaveAsync(ctx, wish, back, cancellationToken, fresh).ConfigureAwait(false);
    }

    /// <summary>Fulfilment points, and the five-star bonus, to the member's ledger (each source once). Returns the total.</summary>
    private async ValueTask<int> AwardAsync(FlowContext ctx, Wish wish, CancellationToken cancellationToken)
    {
        if (wish.ClaimedBy is not { } member)
        {
            return 0;
        }

        await PointsLedger.AwardAsync(ctx, member, _options.PointsFulfilled, "wish.fulfilled", wish.Code, cancellationToken).ConfigureAwait(false);
        var total = _options.PointsFulfilled;
        if (wish.Rating == 5)
        {
            await PointsLedger.AwardAsync(ctx, member, _options.PointsFiveStarBonus, "wish.five_stars", wish.Code + ":5star", cancellationToken).ConfigureAwait(false);
            total += _options.PointsFiveStarBonus;
        }

        return total;
    }

    private async ValueTask CommentAsync(FlowContext ctx, Wish wish, string comment, CancellationToken cancellationToken)
    {
        if (Decide(ctx, wish, WishAction.Comment) is null)
        {
            return;
        }

        var commented = (wish with { RatingComment = comment }).With(new WishEvent(ctx.Now, ctx.Profile.Id, "comment") { Detail = comment });
        await SaveAsync(ctx, wish, commented, cancellationToken).ConfigureAwait(false);
        if (wish.Cards.FirstOrDefault(c => c.ChatId == ctx.ChatId && c.Kind == CardDone) is { } asked)
        {
            // The rating message still offers "No comment": it goes back to the done card, rated, without buttons.
            var view = DoneCard(asked.Language, await SceneAsync(ctx, commented, cancellationToken).ConfigureAwait(false));
            Notices.NotifyEdit(ctx, asked.ChatId, asked.Tag, view.Html, view.Markup);
        }

        // The resident's words reach the member who helped.
        var member = await ProfileAsync(ctx, wish.ClaimedBy, cancellationToken).ConfigureAwait(false);
        Tell(ctx, member, language => texts.Format(language, "wi.m.comment", wish.Code, Html.Escape(comment)));
        if (wish.Rating <= 2)
        {
            await TellStaffAsync(ctx, language => texts.Format(language, "wi.rv.low_rating_comment", wish.Code, Html.Escape(comment)), cancellationToken).ConfigureAwait(false);
        }

        ctx.Reply(ctx.T("wi.r.thanks"), Menu(ctx));
    }

    /// <summary>The resident withdraws a wish nobody has claimed yet.</summary>
    private async ValueTask WithdrawAsync(FlowContext ctx, Wish wish, CancellationToken cancellationToken)
    {
        if (Decide(ctx, wish, WishAction.Withdraw) is not { } status)
        {
            return;
        }

        ctx.Effects.CancelTimer(new WishTimer.Widen(wish.Number).Id);
        var shown = ObjectCards.Show(ctx, CardKey(wish), CardFiled, new CardView(ctx.T("wi.r.withdrawn", wish.Code), null));
        await SaveAsync(ctx, wish, (wish with { Status = status, ClosedAt = ctx.Now }).With(new WishEvent(ctx.Now, ctx.Profile.Id, "withdrawn")), cancellationToken, shown).ConfigureAwait(false);
    }

    /// <summary>Administrators and the grid's workers.</summary>
    private async ValueTask TellStaffAsync(FlowContext ctx, Func<Language, string> html, CancellationToken cancellationToken)
    {
        foreach (var staff in await Staff.AdministratorsAsync(ctx.Reader, flowOptions.Value, cancellationToken).ConfigureAwait(false))
        {
            Tell(ctx, staff, html);
        }
    }

    /// <summary>Community timers of a wish: widen the announcement, remind about no progress, close unconfirmed.</summary>
    private async ValueTask OnTimerAsync(FlowContext ctx, string payload, CancellationToken cancellationToken)
    {
        if (WishTimer.Codec.Decode(payload) is not { } timer
            || await ctx.Reader.GetAsync<Wish>(DocKeys.Wish(timer.Number), cancellationToken).ConfigureAwait(false) is not { } wish)
        {
            return;
        }

        var number = wish.Number;
        switch (timer)
        {
            case WishTimer.Widen when Decide(ctx, wish, WishAction.Widen) is not null:
                var widened = (wish with { WidenedAt = ctx.Now }).With(new WishEvent(ctx.Now, 0, "widened"));
                var (_, widenedCards) = await AnnounceAsync(ctx, widened, community: true, cancellationToken).ConfigureAwait(false);
                await SaveAsync(ctx, wish, widened, cancellationToken, [.. widenedCards]).ConfigureAwait(false);
                return;
            case WishTimer.Stale when wish.StaleReminders == 0 && Decide(ctx, wish, WishAction.Remind) is not null:
                // The first time: remind the member.
                var reminded = (wish with { StaleReminders = 1 }).With(new WishEvent(ctx.Now, 0, "reminded member"));
                Save(ctx, wish, reminded);
                var member = await ProfileAsync(ctx, wish.ClaimedBy, cancellationToken).ConfigureAwait(false);
                Tell(ctx, member, language => texts.Format(language, "wi.m.stale", wish.Code, (int)_options.StaleAfter.TotalDays), language => ClaimerButtons(language, wish));
                SetTimer(ctx, new WishTimer.Stale(number), ctx.Now + _options.StaleAfter);
                return;
            case WishTimer.Stale when Decide(ctx, wish, WishAction.Remind) is not null:
                // The second time: tell the staff.
                Save(ctx, wish, (wish with { StaleReminders = 2 }).With(new WishEvent(ctx.Now, 0, "told staff: no progress")));
                var claimer = await ProfileAsync(ctx, wish.ClaimedBy, cancellationToken).ConfigureAwait(false);
                await TellStaffAsync(ctx, language => texts.Format(language, "wi.rv.stale", wish.Code, Html.Escape(claimer?.FirstName ?? "—"), (int)(_options.StaleAfter.TotalDays * 2)), cancellationToken).ConfigureAwait(false);
                return;
            case WishTimer.AutoClose when Decide(ctx, wish, WishAction.AutoClose) is { } status:
                var closed = (wish with { Status = status, ClosedAt = ctx.Now }).With(new WishEvent(ctx.Now, 0, "closed unconfirmed"));
                await SaveAsync(ctx, wish, closed, cancellationToken).ConfigureAwait(false);
                var earned = await AwardAsync(ctx, closed, cancellationToken).ConfigureAwait(false);
                Tell(ctx, await ProfileAsync(ctx, wish.ClaimedBy, cancellationToken).ConfigureAwait(false), language => texts.Format(language, "wi.m.auto_closed", wish.Code, earned));
                Tell(ctx, await ProfileAsync(ctx, wish.ResidentId, cancellationToken).ConfigureAwait(false), language => texts.Format(language, "wi.r.auto_closed", wish.Code));
                return;
        }
    }

    /// <summary>/my: a resident's wishes (newest ten) and a member's claimed wishes with their buttons.</summary>
    public async ValueTask<bool> ShowAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var shown = false;
        var mine = (await ctx.Reader.MembersAsync(Sets.WishesOf(ctx.Profile.Id), cancellationToken).ConfigureAwait(false))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).OrderDescending().Take(10).ToList();
        if (mine.Count > 0)
        {
            var wishes = (await ctx.Reader.GetManyAsync<Wish>(mine.Select(DocKeys.Wish).ToList(), cancellationToken).ConfigureAwait(false)).OfType<Wish>().ToList();
            var sb = new StringBuilder(ctx.T("wi.my.head")).Append('\n');
            foreach (var wish in wishes)
            {
                var preview = wish.Text.Length > 30 ? wish.Text[..30] + "…" : wish.Text;
                sb.Append("<b>").Append(wish.Code).Append("</b> ").Append(WishView.Status(texts, ctx.Language, wish.Status))
                  .Append(wish.Rating is { } r ? " " + WishView.Stars(r) : string.Empty).Append(" · ").Append(Html.Escape(preview)).Append('\n');
            }

            ctx.Reply(sb.ToString().TrimEnd());
            foreach (var done in wishes.Where(w => w.Status == WishStatus.Done))
            {
                // A done wish waiting for the resident: the rating buttons again.
                ctx.Reply(ctx.T("wi.my.rate", done.Code), RatingButtons(ctx.Language, done));
            }
            shown = true;
        }

        var claimed = (await ctx.Reader.MembersAsync(Sets.WishesClaimedBy(ctx.Profile.Id), cancellationToken).ConfigureAwait(false))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).OrderDescending().ToList();
        if (claimed.Count > 0)
        {
            var wishes = (await ctx.Reader.GetManyAsync<Wish>(claimed.Select(DocKeys.Wish).ToList(), cancellationToken).ConfigureAwait(false))
                .OfType<Wish>().Where(w => w.ClaimedBy == ctx.Profile.Id && w.Status is WishStatus.Claimed or WishStatus.Done).ToList();
            if (wishes.Count > 0)
            {
                var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
                foreach (var wish in wishes)
                {
                    var resident = await ProfileAsync(ctx, wish.ResidentId, cancellationToken).ConfigureAwait(false);
                    var head = ctx.T("wi.my.claimed", wish.Code, WishView.Status(texts, ctx.Language, wish.Status));
                    ctx.Reply(head + "\n" + WishView.ForClaimer(texts, ctx.Language, wish, resident, directory), wish.Status == WishStatus.Claimed ? ClaimerButtons(ctx.Language, wish) : null);
                }

                shown = true;
            }
        }

        return shown;
    }
}
