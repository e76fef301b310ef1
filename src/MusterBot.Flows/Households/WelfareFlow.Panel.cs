using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Households;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Households;

public sealed partial class WelfareFlow
{
    private const int PanelLines = 15;

    /// <summary>The check's progress for convenors and administrators: counts, requests for help, households not checked yet.</summary>
    private async ValueTask PanelAsync(FlowContext ctx, Muster muster, bool fresh, CancellationToken cancellationToken)
    {
        if (!IsStaff(ctx, muster))
        {
            ctx.AnswerButton(ctx.T("wf.staff_only"), alert: true);
            return;
        }

        if (muster.Welfare is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        var (html, markup) = await PanelViewAsync(ctx, ctx.Language, muster, cancellationToken).ConfigureAwait(false);
        Show(ctx, html, markup, fresh);
    }

    private async ValueTask<(string Html, InlineMarkup Markup)> PanelViewAsync(FlowContext ctx, Language language, Muster muster, CancellationToken cancellationToken)
    {
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var counts = await Welfare.CountAsync(ctx.Reader, muster, cancellationToken).ConfigureAwait(false);
        var visits = await Welfare.LoadAllAsync(ctx.Reader, muster.Number, cancellationToken).ConfigureAwait(false);
        var people = visits.Select(v => v.AssignedTo).Concat(visits.Select(v => v.HelpTakenBy)).OfType<long>().Distinct().ToList();
        var names = (await ctx.Reader.GetManyAsync<UserProfile>(people.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<UserProfile>().ToDictionary(p => p.Id, p => p.FirstName);
        string Name(long? id) => id is { } i ? Html.Escape(names.GetValueOrDefault(i, "#" + MusterView.Num(i))) : texts.Get(language, "wf.nobody");

        var sb = new StringBuilder(MusterView.DrillLine(texts, language, muster.Plan));
        sb.Append(texts.Format(language, "wf.panel.title", muster.Code)).Append('\n').Append(Welfare.Line(texts, language, counts));
        var help = visits.Where(v => v.Help is not null).OrderBy(v => v.Help).ThenBy(v => v.HelpAt).ToList();
        if (help.Count > 0)
        {
            sb.Append("\n\n").Append(texts.Get(language, "wf.panel.help"));
            foreach (var v in help.Take(PanelLines))
            {
                sb.Append("\n\u2022 ").Append(Html.Escape(Welfare.Address(v, directory))).Append(" · ").Append(Welfare.Needs(texts, language, v)).Append(" · ")
                    .Append(texts.Get(language, "wf.help." + v.Help)).Append(v.HelpTakenBy is { } t ? " (" + Name(t) + ")" : string.Empty);
            }
        }

        var waiting = visits.Where(v => v.Outcome == VisitOutcome.Unchecked).ToList();
        if (waiting.Count > 0)
        {
            sb.Append("\n\n").Append(texts.Format(language, "wf.panel.unchecked", waiting.Count));
            foreach (var v in waiting.Take(PanelLines))
            {
                sb.Append("\n\u2022 ").Append(Html.Escape(Welfare.Address(v, directory))).Append(" → ").Append(Name(v.AssignedTo));
            }

            if (waiting.Count > PanelLines)
            {
                sb.Append('\n').Append(texts.Format(language, "roster.report.more", waiting.Count - PanelLines));
            }
        }

        sb.Append('\n').Append(texts.Format(language, "mu.rc.updated", ctx.Now.ToOffset(Offset).ToString("HH:mm:ss", CultureInfo.InvariantCulture)));
        if (!muster.IsOpen)
        {
            return (sb.ToString(), new InlineMarkup([]));
        }

        var rows = waiting.Take(8).Select(v => new InlineButton("\u21AA " + Welfare.Address(v, directory), B(new WelfareButton.Reassign(muster.Number, v.Household)))).Rows(2);
        rows.Add([new InlineButton(texts.Get(language, "mu.btn.refresh"), B(new WelfareButton.Panel(muster.Number)))]);
        return (sb.ToString(), new InlineMarkup(rows));
    }

    /// <summary>
    /// A convenor or administrator gives an unchecked household to another arrived member of its grid (or picks whom,
    /// <paramref name="to"/> null). The target is checked again; the member who had it is told.
    /// </summary>
    private async ValueTask ReassignAsync(FlowContext ctx, Muster muster, int household, long? to, CancellationToken cancellationToken)
    {
        if (!IsStaff(ctx, muster))
        {
            ctx.AnswerButton(ctx.T("wf.staff_only"), alert: true);
            return;
        }

        var visit = await ctx.Reader.GetAsync<HouseholdVisit>(DocKeys.Visit(muster.Number, household), cancellationToken).ConfigureAwait(false);
        if (visit is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (visit.Outcome != VisitOutcome.Unchecked)
        {
            ctx.AnswerButton(ctx.T("wf.reassign.checked"), alert: true);
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var arrived = await Welfare.ArrivedAsync(ctx.Reader, muster, cancellationToken).ConfigureAwait(false);
        var candidates = (await ctx.Reader.GetManyAsync<UserProfile>(arrived.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<UserProfile>().Where(p => p.GridId == visit.GridId && p.Id != visit.AssignedTo && !p.BlockedBot).OrderBy(p => p.FirstName, StringComparer.Ordinal).ToList();
        var address = Welfare.Address(visit, directory);
        if (to is null)
        {
            if (candidates.Count == 0)
            {
                ctx.AnswerButton(ctx.T("wf.reassign.nobody"), alert: true);
                return;
            }

            var rows = candidates.Take(20).Select(p => new InlineButton(p.FirstName, B(new WelfareButton.ReassignTo(muster.Number, household, p.Id)))).Rows(2);
            rows.Add([new InlineButton(ctx.T("hh.button.back"), B(new WelfareButton.Panel(muster.Number)))]);
            ctx.Show(ctx.T("wf.reassign.pick", Code(household), Html.Escape(address)), new InlineMarkup(rows));
            return;
        }

        if (candidates.FirstOrDefault(p => p.Id == to) is not { } target)
        {
            ctx.AnswerButton(ctx.T("wf.reassign.not_arrived"), alert: true);
            return;
        }

        var after = visit with { AssignedTo = target.Id, AssignedAt = ctx.Now, AssignedBy = ctx.Profile.Id };
        ctx.Effects.Put(DocKeys.Visit(muster.Number, household), after);
        ctx.Effects.RemoveFromSet(Sets.VisitsUnassigned(muster.Number, visit.GridId), MusterView.Num(household));
        ctx.Effects.AddToSet(Sets.VisitsOf(muster.Number, target.Id), MusterView.Num(household));
        ctx.Effects.AddToSet(Sets.Visitors(muster.Number), MusterView.Num(target.Id));
        if (visit.AssignedTo is { } before)
        {
            ctx.Effects.RemoveFromSet(Sets.VisitsOf(muster.Number, before), MusterView.Num(household));
            if (await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(before), cancellationToken).ConfigureAwait(false) is { BlockedBot: false } old)
            {
                ctx.Effects.Send(old.ChatId, texts.Format(old.Language, "wf.reassign.taken_from", muster.Code, Code(household), Html.Escape(address), Html.Escape(target.FirstName)), lane: Lane.Emergency);
            }
        }

        RefreshRollCalls(ctx, muster.Number);
        ctx.Effects.Send(target.ChatId, Welfare.GivenText(texts, target.Language, muster, [after], directory), Welfare.VisitButtons(texts, target.Language, muster.Number, [after], directory), Lane.Emergency);
        ctx.AnswerButton(ctx.T("wf.reassign.done", Code(household), target.FirstName));
        var (html, markup) = await PanelViewAsync(ctx, ctx.Language, muster, cancellationToken).ConfigureAwait(false);
        ctx.Show(html, markup);
    }

    /// <summary>The check's timers: reminders to members, unchecked households to the staff, untaken requests for help.</summary>
    private async ValueTask OnTimerAsync(FlowContext ctx, string payload, CancellationToken cancellationToken)
    {
        var timer = WelfareTimer.Codec.Decode(payload);
        var number = timer switch
        {
            WelfareTimer.Remind r => r.Number,
            WelfareTimer.EscalateUnchecked e => e.Number,
            WelfareTimer.HelpUntaken h => h.Number,
            _ => 0,
        };
        var muster = number > 0 ? await MusterStore.LoadAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false) : null;
        if (muster is not { IsOpen: true, Welfare: not null })
        {
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        switch (timer)
        {
            case WelfareTimer.Remind:
                foreach (var id in await ctx.Reader.MembersAsync(Sets.Visitors(number), cancellationToken).ConfigureAwait(false))
                {
                    var memberId = long.Parse(id, CultureInfo.InvariantCulture);
                    var open = (await VisitsOfAsync(ctx, number, memberId, cancellationToken).ConfigureAwait(false)).Where(v => v.Outcome == VisitOutcome.Unchecked).ToList();
                    if (open.Count > 0 && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(memberId), cancellationToken).ConfigureAwait(false) is { BlockedBot: false } member)
                    {
                        ctx.Effects.Send(member.ChatId, MusterView.DrillLine(texts, member.Language, muster.Plan) + texts.Format(member.Language, "wf.remind", muster.Code, open.Count),
                            Welfare.VisitButtons(texts, member.Language, number, open, directory), Lane.Emergency);
                    }
                }

                return;
            case WelfareTimer.EscalateUnchecked:
                var counts = await Welfare.CountAsync(ctx.Reader, muster, cancellationToken).ConfigureAwait(false);
                if (counts.Of(VisitOutcome.Unchecked) == 0)
                {
                    return;
                }

                var staffIds = new List<long> { muster.LaunchedBy };
                staffIds.AddRange((await ctx.Reader.MembersAsync(Sets.PeopleWithRole(Roles.Admin), cancellationToken).ConfigureAwait(false)).Select(id => long.Parse(id, CultureInfo.InvariantCulture)));
                staffIds.AddRange(muster.Regions.Select(r => r.ConvenorId).OfType<long>());
                foreach (var staff in (await ctx.Reader.GetManyAsync<UserProfile>(staffIds.Where(i => i != MusterFlow.SystemUser).Distinct().Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false)).OfType<UserProfile>().Where(p => !p.BlockedBot))
                {
                    var (html, markup) = await PanelViewAsync(ctx, staff.Language, muster, cancellationToken).ConfigureAwait(false);
                    ctx.Effects.Send(staff.ChatId, MusterView.DrillLine(texts, staff.Language, muster.Plan) + texts.Format(staff.Language, "wf.escalated", muster.Code, counts.Of(VisitOutcome.Unchecked), MusterView.Duration(texts, staff.Language, _options.WelfareEscalateAfter)) + "\n\n" + html[MusterView.DrillLine(texts, staff.Language, muster.Plan).Length..], markup, Lane.Emergency);
                }

                return;
            case WelfareTimer.HelpUntaken help:
                var visit = await ctx.Reader.GetAsync<HouseholdVisit>(DocKeys.Visit(number, help.Household), cancellationToken).ConfigureAwait(false);
                if (visit is not { Help: HelpStatus.Open })
                {
                    return;
                }

                var escalated = Record(ctx, muster, visit, visit with { HelpEscalatedAt = ctx.Now });
                await NotifyStaffAsync(ctx, muster, escalated, directory, "wf.help.escalated", escalated: true, cancellationToken).ConfigureAwait(false);
                return;
        }
    }
}
