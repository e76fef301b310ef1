using System.Globalization;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Posts;

/// <summary>Shifts and handover (jiao jie ban): the reminder before a shift ends, the handover press, the check when it ends.</summary>
public sealed partial class PostFlow
{
    private static void SetTimer(FlowContext ctx, PostTimer timer, DateTimeOffset dueAt) => MusterFlow.SetTimer(ctx, timer.Id, dueAt);

    /// <summary>For each shift but the last: the reminder <see cref="MusterOptions.ShiftReminderBefore"/> before it ends, and the handover check when it ends.</summary>
    private void ArmRota(FlowContext ctx, MusterPost post)
    {
        if (!post.HasRota)
        {
            return;
        }

        for (var shift = 1; shift < post.Shifts; shift++)
        {
            var end = post.ShiftEnd(shift);
            var remind = end - ReminderBefore(post);
            SetTimer(ctx, new PostTimer.ShiftEnding(post.Muster, post.Number, shift), remind > ctx.Now ? remind : ctx.Now);
            SetTimer(ctx, new PostTimer.HandoverDue(post.Muster, post.Number, shift), end);
        }
    }

    /// <summary>How long before a shift ends its reminder goes (and a handover can be confirmed): the option, at most half a shift.</summary>
    private TimeSpan ReminderBefore(MusterPost post) =>
        TimeSpan.FromTicks(Math.Min(_options.ShiftReminderBefore.Ticks, TimeSpan.FromHours(post.ShiftHours).Ticks / 2));

    private static void CancelRota(FlowContext ctx, MusterPost post)
    {
        for (var shift = 1; shift < post.Shifts; shift++)
        {
            MusterFlow.CancelTimer(ctx, new PostTimer.ShiftEnding(post.Muster, post.Number, shift).Id);
            MusterFlow.CancelTimer(ctx, new PostTimer.HandoverDue(post.Muster, post.Number, shift).Id);
        }
    }

    /// <summary>Cancels the rota timers of every post of a muster (its close).</summary>
    public static async ValueTask CancelAllAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(muster);
        if (!muster.HasPosts)
        {
            return;
        }

        foreach (var post in await PostsAsync(ctx.Reader, muster.Number, cancellationToken).ConfigureAwait(false))
        {
            CancelRota(ctx, post);
        }
    }

    /// <summary>
    /// A member of the shift on duty (or the post leader, or the staff) confirms the handover to the next shift: recorded
    /// once (a second press is told who did it and when); the next shift's members and the leader are told.
    /// </summary>
    private async ValueTask HandoverAsync(FlowContext ctx, Muster muster, int number, int shift, bool staff, CancellationToken cancellationToken)
    {
        if (await LoadPostAsync(ctx, muster, number, cancellationToken).ConfigureAwait(false) is not { } post)
        {
            ctx.AnswerButton(ctx.T("po.gone"), alert: true);
            return;
        }

        if (!post.HasRota || shift < 1 || shift >= post.Shifts)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (post.Handovers.FirstOrDefault(h => h.Shift == shift) is { } done)
        {
            var by = (await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(done.By), cancellationToken).ConfigureAwait(false))?.FirstName ?? "?";
            ctx.AnswerButton(ctx.T("po.handover.already", shift, MusterView.Time(done.At, Offset), by), alert: true);
            return;
        }

        var staffing = await StaffingAsync(ctx.Reader, post, cancellationToken).ConfigureAwait(false);
        var mine = staffing.People.FirstOrDefault(p => p.Person.Id == ctx.Profile.Id).Seat;
        if (!staff && post.LeaderId != ctx.Profile.Id && mine?.Shift != shift)
        {
            ctx.AnswerButton(ctx.T("po.handover.not_yours"), alert: true);
            return;
        }

        // Too early: a handover is confirmed from the reminder on (the shift's last ShiftReminderBefore), not hours ahead.
        if (ctx.Now < post.ShiftEnd(shift) - ReminderBefore(post))
        {
            ctx.AnswerButton(ctx.T("po.handover.too_early", shift, MusterView.Time(post.ShiftEnd(shift), Offset)), alert: true);
            return;
        }

        var after = post with { Handovers = [.. post.Handovers, new PostHandover(shift, ctx.Profile.Id, ctx.Now)] };
        ctx.Effects.Put(DocKeys.Post(muster.Number, post.Number), after);
        var told = staffing.Of(shift + 1).ToList();
        if (post.LeaderId is { } leaderId && told.All(p => p.Id != leaderId) && leaderId != ctx.Profile.Id
            && staffing.People.Select(p => p.Person).FirstOrDefault(p => p.Id == leaderId) is { } leader)
        {
            told.Add(leader);
        }

        foreach (var person in told.Where(p => !p.BlockedBot && p.Id != ctx.Profile.Id))
        {
            var key = staffing.Of(shift + 1).Any(p => p.Id == person.Id) ? "po.handover.told" : "po.handover.told_leader";
            ctx.Effects.Send(person.ChatId, MusterView.DrillLine(texts, person.Language, muster.Plan) + texts.Format(person.Language, key, post.Code, Html.Escape(post.Place), shift, shift + 1, Html.Escape(ctx.Profile.FirstName)),
                new InlineMarkup([[new InlineButton(texts.Get(person.Language, "po.btn.view"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]]), Lane.Emergency);
        }

        ctx.AnswerButton(ctx.T("po.handover.done", shift, shift + 1));
        await ViewAsync(ctx, muster, post.Number, staff, cancellationToken, after).ConfigureAwait(false);
    }

    /// <summary>
    /// A rota's timers. Before a shift ends: its members are reminded to hand over (with the next shift's names), the
    /// next shift that it starts, and — if the next shift has nobody — the leader and staff. When it ends without a
    /// handover: the leader and the staff are told.
    /// </summary>
    private async ValueTask OnTimerAsync(FlowContext ctx, string payload, CancellationToken cancellationToken)
    {
        if (PostTimer.Codec.Decode(payload) is not { } timer)
        {
            return;
        }

        var muster = await MusterStore.LoadAsync(ctx.Reader, timer.Number, cancellationToken).ConfigureAwait(false);
        var (number, shift) = timer switch
        {
            PostTimer.ShiftEnding e => (e.Post, e.Shift),
            PostTimer.HandoverDue d => (d.Post, d.Shift),
            _ => (0, 0),
        };
        if (muster is not { IsOpen: true } || await LoadPostAsync(ctx, muster, number, cancellationToken).ConfigureAwait(false) is not { HasRota: true } post || shift < 1 || shift >= post.Shifts)
        {
            return;
        }

        var staffing = await StaffingAsync(ctx.Reader, post, cancellationToken).ConfigureAwait(false);
        var outgoing = staffing.Of(shift).ToList();
        var incoming = staffing.Of(shift + 1).ToList();
        var end = MusterView.Time(post.ShiftEnd(shift), Offset);
        switch (timer)
        {
            case PostTimer.ShiftEnding:
                foreach (var member in outgoing.Where(p => !p.BlockedBot))
                {
                    var names = incoming.Count == 0 ? texts.Get(member.Language, "wf.nobody") : string.Join(", ", incoming.Select(p => Html.Escape(p.FirstName)));
                    ctx.Effects.Send(member.ChatId, MusterView.DrillLine(texts, member.Language, muster.Plan) + texts.Format(member.Language, "po.shift.ending", post.Code, Html.Escape(post.Place), shift, end, names),
                        new InlineMarkup([[new InlineButton(texts.Get(member.Language, "po.btn.handover"), PostButton.Codec.Encode(new PostButton.Handover(muster.Number, post.Number, shift)))]]), Lane.Emergency);
                }

                foreach (var member in incoming.Where(p => !p.BlockedBot))
                {
                    ctx.Effects.Send(member.ChatId, MusterView.DrillLine(texts, member.Language, muster.Plan) + texts.Format(member.Language, "po.shift.starting", post.Code, Html.Escape(post.Place), shift + 1, end),
                        new InlineMarkup([[new InlineButton(texts.Get(member.Language, "po.btn.view"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]]), Lane.Emergency);
                }

                if (incoming.Count < post.Needed)
                {
                    await TellLeadAsync(ctx, muster, post, language => texts.Format(language, "po.shift.short", post.Code, Html.Escape(post.Place), shift + 1, end, incoming.Count, post.Needed), cancellationToken).ConfigureAwait(false);
                }

                return;
            case PostTimer.HandoverDue:
                // Handed over, or nobody was on the shift to hand over (the "short of people" warning covered that).
                if (post.Handovers.Any(h => h.Shift == shift) || outgoing.Count == 0)
                {
                    return;
                }

                await TellLeadAsync(ctx, muster, post, language => texts.Format(language, "po.handover.missing", post.Code, Html.Escape(post.Place), shift, shift + 1, end,
                    incoming.Count == 0 ? texts.Get(language, "wf.nobody") : string.Join(", ", incoming.Select(p => Html.Escape(p.FirstName)))), cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>The post leader, the launcher and the convenors of the muster (the people who can act on a post's staffing), each told once.</summary>
    private async ValueTask TellLeadAsync(FlowContext ctx, Muster muster, MusterPost post, Func<Language, string> text, CancellationToken cancellationToken)
    {
        var ids = new List<long> { muster.LaunchedBy };
        if (post.LeaderId is { } leader)
        {
            ids.Insert(0, leader);
        }

        ids.AddRange(muster.Regions.Select(r => r.ConvenorId).OfType<long>());
        foreach (var person in (await ctx.Reader.GetManyAsync<UserProfile>(ids.Where(i => i != MusterFlow.SystemUser).Distinct().Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false)).OfType<UserProfile>().Where(p => !p.BlockedBot))
        {
            var rows = new List<IReadOnlyList<InlineButton>> { new[] { new InlineButton(texts.Get(person.Language, "po.btn.open_post"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number))) } };
            ctx.Effects.Send(person.ChatId, MusterView.DrillLine(texts, person.Language, muster.Plan) + text(person.Language), new InlineMarkup(rows), Lane.Emergency);
        }
    }
}
