using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Stats;
using MusterBot.Flows.Texts;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.State.Records.Org;

namespace MusterBot.Flows.Complaints;

/// <summary>
/// Escalation up the tree (逐级督办): a complaint under supervision that the community did not resolve by its
/// supervision deadline goes to the community's street, and after each further <see cref="ComplaintOptions.EscalateAfter"/>
/// without a result to the district, then the city. The administrators of that node get a summary (no phone number;
/// an anonymous filer stays anonymous) with "details" and "urge" (催办), which tells the community's handler and
/// administrators. The timer carries the community's shard: every read and write names it, so the decision is made on
/// the community's records wherever the timer runs, and the messages to other people are plain outbox messages.
/// </summary>
public sealed partial class ComplaintFlow
{
    private async ValueTask EscalateAsync(FlowContext ctx, ComplaintTimer.Escalate timer, CancellationToken cancellationToken)
    {
        var key = DocKeys.Complaint(timer.Number).In(timer.Shard);
        if (await ctx.Reader.GetAsync<Complaint>(key, cancellationToken).ConfigureAwait(false) is not { } complaint
            || !CommunityTally.UnderSupervision(complaint)
            || await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(timer.Shard), cancellationToken).ConfigureAwait(false) is not { Level: OrgLevel.Community } community)
        {
            // Resolved, closed, or not a community of the tree (nothing above it to escalate to).
            return;
        }

        var current = CommunityTally.CurrentEscalations(complaint);
        var due = current.Count == 0 ? complaint.ResolveBy : current[^1].At + _options.EscalateAfter;
        if (ctx.Now < due)
        {
            // The deadline moved (extended): check again then.
            SetTimer(ctx, timer, due);
            return;
        }

        var ancestors = community.Path.Reverse().ToList();
        if (current.Count >= ancestors.Count
            || await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(ancestors[current.Count]), cancellationToken).ConfigureAwait(false) is not { } target)
        {
            return;
        }

        var escalated = (complaint with { Escalations = [.. complaint.Escalations, new ComplaintEscalation(target.Level, target.Id, ctx.Now)] })
            .With(new ComplaintEvent(ctx.Now, 0, "escalated") { Detail = target.Level + " " + target.Id.ToString(CultureInfo.InvariantCulture) });
        ctx.Effects.Put(key, escalated);
        await CommunityTally.ComplaintChangedAsync(ctx, complaint, escalated, _options.UtcOffset, timer.Shard, cancellationToken).ConfigureAwait(false);
        if (current.Count + 1 < ancestors.Count)
        {
            SetTimer(ctx, timer, ctx.Now + _options.EscalateAfter);
        }

        var reader = ctx.Reader.For(timer.Shard);
        var directory = await DirectorySnapshot.LoadAsync(reader, cancellationToken).ConfigureAwait(false);
        var people = await OrgScope.PeopleAsync(ctx.Reader, [.. escalated.Audience, .. escalated.HandlerId is { } h ? [h] : Array.Empty<long>()], cancellationToken).ConfigureAwait(false);
        var filer = people.FirstOrDefault(p => p.Id == escalated.FiledBy);
        var handler = people.FirstOrDefault(p => p.Id == escalated.HandlerId);
        foreach (var admin in await OrgScope.PeopleAsync(ctx.Reader, target.Admins, cancellationToken).ConfigureAwait(false))
        {
            if (admin.BlockedBot)
            {
                continue;
            }

            var language = admin.Language;
            var html = texts.Format(language, "cp.esc.head", escalated.Code, Html.Escape(community.Name), Html.Escape(target.Name)) + "\n"
                + EscalatedSummary(language, escalated, community, directory, filer, handler);
            ctx.Effects.Send(admin.ChatId, html, EscalatedButtons(language, timer.Shard, escalated), Lane.Normal);
        }

        foreach (var admin in await CommunityAdminsAsync(ctx, community, cancellationToken).ConfigureAwait(false))
        {
            ctx.Effects.Send(admin.ChatId, texts.Format(admin.Language, "cp.esc.admin_told", escalated.Code, Html.Escape(target.Name)), null, Lane.Normal);
        }
    }

    /// <summary>A community's administrators wherever they live: those with the role in its shard and the node's own.</summary>
    private static async ValueTask<IReadOnlyList<UserProfile>> CommunityAdminsAsync(FlowContext ctx, OrgNode community, CancellationToken cancellationToken)
    {
        var ids = (await ctx.Reader.MembersAsync(Sets.PeopleWithRole(Roles.Admin), community.Id, cancellationToken).ConfigureAwait(false))
            .Select(id => long.Parse(id, CultureInfo.InvariantCulture)).Concat(community.Admins).Distinct().Order();
        return [.. (await OrgScope.PeopleAsync(ctx.Reader, ids, cancellationToken).ConfigureAwait(false)).Where(p => !p.BlockedBot)];
    }

    private InlineMarkup EscalatedButtons(Language language, long shard, Complaint complaint) => new([[
        new InlineButton(texts.Get(language, "cp.btn.esc_open"), new ComplaintButton.OpenEscalated(shard, complaint.Number).Encode()),
        new InlineButton(texts.Get(language, "cp.btn.urge"), new ComplaintButton.Urge(shard, complaint.Number).Encode())]]);

    /// <summary>What an administrator above the community sees: no phone number, and no name when the filer chose to be anonymous.</summary>
    private string EscalatedSummary(Language language, Complaint complaint, OrgNode community, DirectorySnapshot directory, UserProfile? filer, UserProfile? handler)
    {
        var sb = new StringBuilder();
        sb.Append(texts.Format(language, "cp.esc.card", complaint.Code, Html.Escape(community.Name), Category(language, complaint.Category), Html.Escape(directory.GridName(complaint.GridId)))).Append('\n');
        sb.Append(Html.Escape(complaint.Description)).Append('\n');
        var who = complaint.Anonymous || filer is null ? texts.Get(language, "cp.card.anonymous") : Html.Escape(filer.FirstName);
        sb.Append(texts.Format(language, "cp.card.filer", who)).Append('\n');
        sb.Append(texts.Format(language, "cp.card.status", Status(language, complaint.Status), handler is null ? "—" : Html.Escape(handler.FirstName))).Append('\n');
        sb.Append(texts.Format(language, "cp.esc.deadline", Time(complaint.ResolveBy)));
        var levels = CommunityTally.CurrentEscalations(complaint);
        if (levels.Count > 0)
        {
            sb.Append('\n').Append(texts.Format(language, "cp.esc.levels", string.Join("，", levels.Select(e => texts.Get(language, "cp.tree.level." + e.Level) + " " + Time(e.At)))));
        }

        return sb.ToString();
    }

    /// <summary>The complaint and its community for an administrator above it, or null when refused (answered).</summary>
    private async ValueTask<(Complaint Complaint, OrgNode Community)?> EscalatedForAsync(FlowContext ctx, long shard, int number, CancellationToken cancellationToken)
    {
        var community = shard > 0 ? await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(shard), cancellationToken).ConfigureAwait(false) : null;
        if (community is null || !OrgScope.Covers(ctx.Profile, community))
        {
            RefuseNode(ctx);
            return null;
        }

        if (number <= 0 || await ctx.Reader.GetAsync<Complaint>(DocKeys.Complaint(number).In(shard), cancellationToken).ConfigureAwait(false) is not { } complaint)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return null;
        }

        return (complaint, community);
    }

    /// <summary>"Details": the read-only summary, with "urge" while it is still under supervision.</summary>
    private async ValueTask OpenEscalatedAsync(FlowContext ctx, long shard, int number, CancellationToken cancellationToken)
    {
        if (await EscalatedForAsync(ctx, shard, number, cancellationToken).ConfigureAwait(false) is not ({ } complaint, { } community))
        {
            return;
        }

        var reader = ctx.Reader.For(shard);
        var directory = await DirectorySnapshot.LoadAsync(reader, cancellationToken).ConfigureAwait(false);
        var people = await OrgScope.PeopleAsync(ctx.Reader, complaint.HandlerId is { } h ? [complaint.FiledBy, h] : [complaint.FiledBy], cancellationToken).ConfigureAwait(false);
        var html = EscalatedSummary(ctx.Language, complaint, community, directory, people.FirstOrDefault(p => p.Id == complaint.FiledBy), people.FirstOrDefault(p => p.Id == complaint.HandlerId));
        ctx.AnswerButton();
        ctx.Reply(html, CommunityTally.UnderSupervision(complaint) ? EscalatedButtons(ctx.Language, shard, complaint) : null);
    }

    /// <summary>
    /// 催办: an administrator above the community urges the handler and the community's administrators (once per person
    /// and escalation level; a second press is answered, nothing sent twice). Recorded in the complaint's history.
    /// </summary>
    private async ValueTask UrgeAsync(FlowContext ctx, long shard, int number, CancellationToken cancellationToken)
    {
        if (await EscalatedForAsync(ctx, shard, number, cancellationToken).ConfigureAwait(false) is not ({ } complaint, { } community))
        {
            return;
        }

        var current = CommunityTally.CurrentEscalations(complaint);
        if (!CommunityTally.UnderSupervision(complaint) || current.Count == 0)
        {
            ctx.AnswerButton(ctx.T("cp.esc.not_escalated", complaint.Code, Status(ctx.Language, complaint.Status)), alert: true);
            return;
        }

        var me = ctx.Profile.Id;
        if (complaint.History.Any(e => e.What == "urged" && e.By == me && e.At >= current[^1].At))
        {
            ctx.AnswerButton(ctx.T("cp.esc.already_urged", complaint.Code), alert: true);
            return;
        }

        // The urger speaks for the highest node of theirs that covers the community.
        var byId = community.Path.Append(community.Id).First(ctx.Profile.AdminOf.Contains);
        var by = await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(byId), cancellationToken).ConfigureAwait(false);
        var byName = by?.Name ?? community.Name;
        var urged = complaint.With(new ComplaintEvent(ctx.Now, me, "urged") { Detail = byName });
        ctx.Effects.Put(DocKeys.Complaint(number).In(shard), urged);
        var told = new List<UserProfile>(await CommunityAdminsAsync(ctx, community, cancellationToken).ConfigureAwait(false));
        if (complaint.HandlerId is { } handlerId
            && (await OrgScope.PeopleAsync(ctx.Reader, [handlerId], cancellationToken).ConfigureAwait(false)) is [{ BlockedBot: false } handler, ..]
            && told.All(p => p.Id != handler.Id))
        {
            told.Add(handler);
        }

        foreach (var person in told.Where(p => p.Id != me))
        {
            ctx.Effects.Send(person.ChatId, texts.Format(person.Language, "cp.esc.urged_notice", Html.Escape(byName), Html.Escape(ctx.Profile.FirstName), complaint.Code), null, Lane.Normal);
        }

        ctx.AnswerButton(ctx.T("cp.esc.urged", complaint.Code));
    }
}
