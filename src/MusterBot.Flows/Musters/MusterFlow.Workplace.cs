using System.Globalization;
using System.Text;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.State.Records.Org;

namespace MusterBot.Flows.Musters;

/// <summary>
/// 吹哨—征调—报到 in a street's or city's muster: each chosen workplace region's convenor gets the order with the launch
/// (before any community's part is written), acknowledges and relays it; the relay releases the members' held orders
/// in every community they live in (one commit per community, each idempotent), and a convenor silent at T1 is
/// escalated (the backup told, the members released). The launcher can close the whole muster: every community's part
/// closes in its own commit.
/// </summary>
public sealed partial class MusterFlow
{
    // ---- a workplace convenor's order ----

    private string WorkplaceOrder(Language language, TreeMuster tree, TreeWorkplace share, bool asBackup)
    {
        var sb = new StringBuilder();
        sb.Append(MusterView.DrillLine(texts, language, tree.Plan));
        sb.Append(texts.Format(language, "mu.order.head", MusterView.KindName(texts, language, tree.Plan), texts.Get(language, "mu.tree.wp.report_home"), tree.Code)).Append('\n');
        sb.Append(texts.Format(language, "mu.order.by", MusterView.Time(tree.ReportBy, Offset))).Append('\n');
        if (tree.Plan.Notice is { Length: > 0 } notice)
        {
            sb.Append(Html.Escape(notice)).Append('\n');
        }

        if (asBackup)
        {
            sb.Append(texts.Get(language, "mu.conv.backup_note")).Append('\n');
        }

        sb.Append(texts.Format(language, "mu.tree.wp.region", Html.Escape(share.Name), share.Targeted, share.Communities.Count)).Append('\n');
        sb.Append(texts.Get(language, (share.AcknowledgedAt is null, share.MembersToldAt is null) switch
        {
            (true, true) => "mu.conv.do_ack_relay",
            (true, false) => "mu.conv.do_ack_rollcall",
            (false, true) => "mu.conv.do_relay",
            _ => "mu.conv.do_rollcall",
        }));
        if (share.AcknowledgedAt is { } at)
        {
            sb.Append("\n\n").Append(texts.Format(language, "mu.rc.conv_ack", MusterView.Time(at, Offset)));
        }

        if (share.MembersToldAt is { } told)
        {
            sb.Append(share.AcknowledgedAt is null ? "\n\n" : "\n").Append(texts.Format(language, "mu.conv.members_told", MusterView.Time(told, Offset)));
        }

        return sb.ToString();
    }

    /// <summary>A share's place in the muster's list (its buttons carry that, not the key: callback data is 64 bytes).</summary>
    private static int IndexOf(TreeMuster tree, TreeWorkplace share)
    {
        for (var i = 0; i < tree.WorkplaceKeys.Count; i++)
        {
            if (string.Equals(tree.WorkplaceKeys[i], share.Key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private InlineMarkup WorkplaceButtons(Language language, TreeMuster tree, TreeWorkplace share)
    {
        var rows = new List<IReadOnlyList<InlineButton>>();
        if (!tree.IsOpen)
        {
            return new InlineMarkup(rows);
        }

        var first = new List<InlineButton>();
        if (share.AcknowledgedAt is null)
        {
            first.Add(new InlineButton(texts.Get(language, "mu.btn.ack"), new MusterButton.WorkplaceAck(tree.NodeId, tree.Number, IndexOf(tree, share)).Data));
        }

        if (share.MembersToldAt is null)
        {
            first.Add(new InlineButton(texts.Get(language, "mu.btn.relay"), new MusterButton.WorkplaceRelay(tree.NodeId, tree.Number, IndexOf(tree, share)).Data));
        }

        if (first.Count > 0)
        {
            rows.Add(first);
        }

        rows.Add([new InlineButton(texts.Get(language, "mu.btn.rollcall"), new MusterButton.WorkplaceRollCall(tree.NodeId, tree.Number, IndexOf(tree, share)).Data)]);
        return new InlineMarkup(rows);
    }

    /// <summary>"Acknowledge", "Relay" or "Roll call" on a workplace convenor's order: the share is read again and must name the presser.</summary>
    private async ValueTask OnWorkplaceButtonAsync(FlowContext ctx, MusterButton button, CancellationToken cancellationToken)
    {
        var (node, number, index) = button switch
        {
            MusterButton.WorkplaceAck b => (b.NodeId, b.Number, b.Index),
            MusterButton.WorkplaceRelay b => (b.NodeId, b.Number, b.Index),
            MusterButton.WorkplaceRollCall b => (b.NodeId, b.Number, b.Index),
            MusterButton.WorkplaceRefresh b => (b.NodeId, b.Number, b.Index),
            _ => (0L, 0, -1),
        };
        var tree = node > 0 ? await ctx.Reader.GetSharedAsync<TreeMuster>(DocKeys.TreeMuster(number).In(node), _parsed, cancellationToken).ConfigureAwait(false) : null;
        var share = tree is null || index < 0 || index >= tree.WorkplaceKeys.Count
            ? null
            : await ctx.Reader.GetAsync<TreeWorkplace>(DocKeys.TreeWorkplace(number, tree.WorkplaceKeys[index]).In(node), cancellationToken).ConfigureAwait(false);
        if (tree is null || share is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (ctx.IsSystem || (share.ConvenorId != ctx.Profile.Id && share.BackupConvenorId != ctx.Profile.Id))
        {
            Refuse(ctx, "role.convenor");
            return;
        }

        var asBackup = share.ConvenorId != ctx.Profile.Id;
        if (button is MusterButton.WorkplaceRollCall or MusterButton.WorkplaceRefresh)
        {
            var html = await RenderWorkplaceAsync(ctx, tree, share, cancellationToken).ConfigureAwait(false);
            var markup = new InlineMarkup([[new InlineButton(ctx.T("mu.btn.refresh"), new MusterButton.WorkplaceRefresh(node, number, index).Data)]]);
            ctx.AnswerButton(button is MusterButton.WorkplaceRefresh ? ctx.T("mu.rc.refreshed") : null);
            if (button is MusterButton.WorkplaceRefresh)
            {
                ctx.Show(html, markup);
            }
            else
            {
                ctx.Reply(html, markup);
            }

            return;
        }

        if (!tree.IsOpen)
        {
            ctx.AnswerButton(ctx.T("mu.tree.closed", tree.Code), alert: true);
            ctx.Show(WorkplaceOrder(ctx.Language, tree, share, asBackup), WorkplaceButtons(ctx.Language, tree, share));
            return;
        }

        var relay = button is MusterButton.WorkplaceRelay;
        if (relay && share.MembersToldAt is { } told)
        {
            ctx.AnswerButton(ctx.T("mu.conv.already_relayed", MusterView.Time(told, Offset)), alert: true);
            ctx.Show(WorkplaceOrder(ctx.Language, tree, share, asBackup), WorkplaceButtons(ctx.Language, tree, share));
            return;
        }

        if (!relay && share.AcknowledgedAt is { } acknowledged)
        {
            ctx.AnswerButton(ctx.T("mu.conv.already_acked", MusterView.Time(acknowledged, Offset)));
            return;
        }

        var updated = share with { AcknowledgedAt = share.AcknowledgedAt ?? ctx.Now, AcknowledgedBy = share.AcknowledgedBy ?? ctx.Profile.Id };
        if (relay)
        {
            updated = updated with { RelayedAt = ctx.Now, RelayedBy = ctx.Profile.Id, MembersToldAt = ctx.Now };
            ReleaseWorkplace(ctx, tree, updated);
        }

        ctx.Effects.Put(DocKeys.TreeWorkplace(number, share.Key).In(node), updated);
        ctx.AnswerButton(relay
            ? ctx.T("mu.tree.wp.relayed", updated.Targeted, updated.Communities.Count)
            : ctx.T(updated.MembersToldAt is null ? "mu.conv.acked" : "mu.conv.acked_told"));
        ctx.Show(WorkplaceOrder(ctx.Language, tree, updated, asBackup), WorkplaceButtons(ctx.Language, tree, updated));
    }

    /// <summary>How long relays are gathered before a pass over the communities releases their members.</summary>
    private static readonly TimeSpan SweepAfter = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A relay (or an escalation): T1 is no longer needed, and a pass over the communities is armed in the node's shard.
    /// Relays within <see cref="SweepAfter"/> share one pass (the timer is kept if already armed), so 600 convenors
    /// relaying at once cost one pass of one commit per community, not one per region and community.
    /// </summary>
    private static void ReleaseWorkplace(FlowContext ctx, TreeMuster tree, TreeWorkplace share)
    {
        CancelTimerIn(ctx, tree.NodeId, new MusterTimer.TreeEscalate(tree.Number, IndexOf(tree, share)).Id);
        SetTimerIn(ctx, tree.NodeId, new MusterTimer.TreeSweep(tree.Number).Id, ctx.Now + SweepAfter, keepExisting: true);
    }

    /// <summary>A pass over the communities, in the node's shard: its lanes started (each link sets the next of its lane).</summary>
    private async ValueTask TreeSweepAsync(FlowContext ctx, MusterTimer.TreeSweep sweep, CancellationToken cancellationToken)
    {
        var tree = await ctx.Reader.GetSharedAsync<TreeMuster>(DocKeys.TreeMuster(sweep.Number), _parsed, cancellationToken).ConfigureAwait(false);
        if (tree is not { IsOpen: true })
        {
            return;
        }

        StartLanes(ctx, tree, lane => new MusterTimer.TreeRelease(tree.Number, ctx.Shard, lane));
    }

    /// <summary>
    /// One community of a pass, decided in its shard: every relayed workplace region's members here who were not told get
    /// their orders. If the part is not written yet, the marker keeps the relayed keys (the part, when written, tells
    /// them at once); both write the marker with the version read, so the store puts one after the other and no
    /// released member is left holding.
    /// </summary>
    private async ValueTask TreeReleaseAsync(FlowContext ctx, MusterTimer.TreeRelease release, CancellationToken cancellationToken)
    {
        var tree = await ctx.Reader.GetSharedAsync<TreeMuster>(DocKeys.TreeMuster(release.Number).In(release.Node), _parsed, cancellationToken).ConfigureAwait(false);
        if (tree is not { IsOpen: true } || release.Index < 0 || release.Index >= tree.Communities.Count || tree.Communities[release.Index].CommunityId != ctx.Shard)
        {
            return;
        }

        var next = release.Index + Math.Max(1, tree.Lanes);
        if (next < tree.Communities.Count)
        {
            SetTimerIn(ctx, tree.Communities[next].CommunityId, new MusterTimer.TreeRelease(release.Number, release.Node, next).Id, ctx.Now);
        }

        if (tree.Communities[release.Index].WorkplaceCount == 0
            || await ctx.Reader.GetAsync<TreeMusterTarget>(DocKeys.TreeMusterTarget(release.Number, ctx.Shard).In(release.Node), cancellationToken).ConfigureAwait(false) is not { } target)
        {
            return;
        }

        var shares = await ctx.Reader.GetManyAsync<TreeWorkplace>(target.Workplace.Keys.Select(k => DocKeys.TreeWorkplace(release.Number, k).In(release.Node)).ToList(), cancellationToken).ConfigureAwait(false);
        var relayed = shares.OfType<TreeWorkplace>().Where(w => w.MembersToldAt is not null).Select(w => w.Key).Order(StringComparer.Ordinal).ToList();
        var markerKey = DocKeys.TreeMusterPart(release.Node, release.Number);
        var marker = await ctx.Reader.GetAsync<TreeMusterPart>(markerKey, cancellationToken).ConfigureAwait(false);
        if (marker is not { LocalNumber: > 0 })
        {
            var waiting = marker ?? new TreeMusterPart(release.Node, release.Number, 0);
            if (relayed.Except(waiting.Released, StringComparer.Ordinal).Any())
            {
                ctx.Effects.Put(markerKey, waiting with { Released = [.. waiting.Released.Union(relayed, StringComparer.Ordinal).Order(StringComparer.Ordinal)], At = ctx.Now });
            }

            return;
        }

        var part = await MusterStore.LoadAsync(ctx.Reader, marker.LocalNumber, cancellationToken).ConfigureAwait(false);
        if (part is not { IsOpen: true })
        {
            return;
        }

        foreach (var key in relayed)
        {
            if (part.Region(key) is { MembersToldAt: null } region)
            {
                await SendMemberOrdersAsync(ctx, part, key, cancellationToken).ConfigureAwait(false);
                var updated = region with { MembersToldAt = ctx.Now, RelayedAt = ctx.Now };
                MusterStore.PutRegion(ctx.Effects, part.Number, updated);
                part = part.WithRegion(updated);
                Touch(ctx, part, key);
            }
        }
    }

    /// <summary>T1 of a workplace convenor, in the node's shard: still not relayed, the backup is told and the members released.</summary>
    private async ValueTask TreeEscalateAsync(FlowContext ctx, MusterTimer.TreeEscalate escalate, CancellationToken cancellationToken)
    {
        var tree = await ctx.Reader.GetSharedAsync<TreeMuster>(DocKeys.TreeMuster(escalate.Number), _parsed, cancellationToken).ConfigureAwait(false);
        if (tree is null || escalate.Index < 0 || escalate.Index >= tree.WorkplaceKeys.Count)
        {
            return;
        }

        var shareKey = DocKeys.TreeWorkplace(escalate.Number, tree.WorkplaceKeys[escalate.Index]);
        var share = await ctx.Reader.GetAsync<TreeWorkplace>(shareKey, cancellationToken).ConfigureAwait(false);
        if (tree is not { IsOpen: true } || share is null || share.MembersToldAt is not null)
        {
            return;
        }

        var updated = share with { EscalatedAt = ctx.Now, MembersToldAt = ctx.Now };
        ctx.Effects.Put(shareKey, updated);
        ReleaseWorkplace(ctx, tree, updated);
        var told = new List<long>();
        if (share.ConvenorId is not null && share.BackupConvenorId is { } backupId)
        {
            told.Add(backupId);
        }

        told.Add(tree.LaunchedBy);
        var people = await ProfilesAsync(ctx, told, cancellationToken).ConfigureAwait(false);
        if (share.ConvenorId is not null && share.BackupConvenorId is { } backup && people.GetValueOrDefault(backup) is { } b)
        {
            ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, b.ChatId, new SendText(
                WorkplaceOrder(b.Language, tree, updated, asBackup: true) + "\n\n" + texts.Format(b.Language, "mu.tree.wp.escalated_backup", updated.Targeted),
                WorkplaceButtons(b.Language, tree, updated))) { Tag = WorkplaceTag(tree) });
        }

        if (people.GetValueOrDefault(tree.LaunchedBy) is { } launcher)
        {
            ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, launcher.ChatId, new SendText(
                MusterView.DrillLine(texts, launcher.Language, tree.Plan) + texts.Format(launcher.Language, "mu.tree.wp.escalated_admin", tree.Code, Html.Escape(share.Name), updated.Targeted), null)));
        }
    }

    /// <summary>A workplace region's roll call: totals, then one line per community its members report to (from the communities' tallies).</summary>
    private async ValueTask<string> RenderWorkplaceAsync(FlowContext ctx, TreeMuster tree, TreeWorkplace share, CancellationToken cancellationToken)
    {
        var tallies = await ctx.Reader.GetManyAsync<TreeMusterTally>(share.Communities.Select(c => DocKeys.TreeMusterTally(tree.Number, c).In(tree.NodeId)).ToList(), cancellationToken).ConfigureAwait(false);
        var nodes = (await ctx.Reader.GetManyAsync<OrgNode>(share.Communities.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false)).OfType<OrgNode>().ToDictionary(n => n.Id);
        var rows = share.Communities.Select((c, i) => (Name: nodes.GetValueOrDefault(c)?.Name ?? "—", Counts: tallies[i]?.Workplace.GetValueOrDefault(share.Key) ?? [0, 0, 0, 0, 0, 0])).ToList();
        int Sum(int i) => rows.Sum(r => r.Counts.Count > i ? r.Counts[i] : 0);
        var sb = new StringBuilder();
        sb.Append(MusterView.DrillLine(texts, ctx.Language, tree.Plan));
        sb.Append(ctx.T("mu.rc.head", tree.Code, Html.Escape(share.Name))).Append('\n');
        if (!tree.IsOpen)
        {
            sb.Append(ctx.T("mu.rc.closed")).Append('\n');
        }

        sb.Append(ctx.T("mu.rc.region_line", Sum(0), Sum(1), Sum(2), Sum(3), Sum(4), Sum(5), 0)).Append("\n\n");
        sb.Append(ctx.T("mu.rc.legend")).Append('\n');
        foreach (var (name, counts) in rows)
        {
            sb.Append("<b>").Append(Html.Escape(name)).Append("</b> ");
            sb.Append(ctx.T("mu.rc.region_line", counts.ElementAtOrDefault(0), counts.ElementAtOrDefault(1), counts.ElementAtOrDefault(2), counts.ElementAtOrDefault(3), counts.ElementAtOrDefault(4), counts.ElementAtOrDefault(5), 0)).Append('\n');
            if (sb.Length > 3600)
            {
                sb.Append("…\n");
                break;
            }
        }

        sb.Append(ctx.T("mu.rc.updated", ctx.Now.ToOffset(Offset).ToString("HH:mm:ss", CultureInfo.InvariantCulture)));
        return sb.ToString();
    }

    // ---- closing a street's or city's muster ----

    /// <summary>"Close" on the aggregated roll call: asked first; "yes" closes the muster and every community's part (one commit each).</summary>
    private async ValueTask OnTreeCloseButtonAsync(FlowContext ctx, MusterButton button, CancellationToken cancellationToken)
    {
        var (nodeId, number, confirm) = button switch
        {
            MusterButton.TreeClose c => (c.NodeId, c.Number, false),
            MusterButton.TreeCloseConfirm c => (c.NodeId, c.Number, true),
            _ => (0L, 0, false),
        };
        if (await PressedTreeAsync(ctx, nodeId, number, cancellationToken).ConfigureAwait(false) is not { } pressed)
        {
            return;
        }

        var (root, tree) = pressed;

        if (!tree.IsOpen)
        {
            ctx.AnswerButton(ctx.T("mu.tree.closed", tree.Code), alert: true);
            return;
        }

        if (!confirm)
        {
            ctx.AnswerButton();
            ctx.Reply(MusterView.DrillLine(texts, ctx.Language, tree.Plan) + ctx.T("mu.tree.close_ask", tree.Code, tree.Communities.Count), new InlineMarkup([[
                new InlineButton(ctx.T("mu.btn.close_yes"), new MusterButton.TreeCloseConfirm(root.Id, number).Data),
                new InlineButton(ctx.T("mu.btn.close_no"), new MusterButton.Cancel().Data)]]));
            return;
        }

        var closed = tree with { Status = MusterStatus.Closed };
        ctx.Effects.Put(DocKeys.TreeMuster(number).In(root.Id), closed);
        ctx.Effects.RemoveFromSet(OpenTreeMusters, MusterView.Num(number), root.Id);
        for (var i = 0; i < tree.WorkplaceKeys.Count; i++)
        {
            CancelTimerIn(ctx, root.Id, new MusterTimer.TreeEscalate(number, i).Id);
        }

        SetTimerIn(ctx, root.Id, new MusterTimer.TreeCloseStart(number).Id, ctx.Now);

        SetTimerIn(ctx, root.Id, new MusterTimer.TreePanels(number).Id, ctx.Now + _options.RollCallInterval, keepExisting: true);
        ctx.AnswerButton();
        ctx.Show(ctx.T("mu.tree.closing", tree.Code, tree.Communities.Count), null);
    }

    /// <summary>One community's part of a closed street's or city's muster, closed in its shard (reports and points as any close).</summary>
    /// <summary>In the node's shard, once the closed muster is there: a closing step in every community.</summary>
    private async ValueTask TreeCloseStartAsync(FlowContext ctx, MusterTimer.TreeCloseStart start, CancellationToken cancellationToken)
    {
        var tree = await ctx.Reader.GetSharedAsync<TreeMuster>(DocKeys.TreeMuster(start.Number), _parsed, cancellationToken).ConfigureAwait(false);
        if (tree is null || tree.IsOpen)
        {
            return;
        }

        foreach (var community in tree.Communities.Select(c => c.CommunityId).Distinct())
        {
            SetTimerIn(ctx, community, new MusterTimer.TreeCloseStep(tree.Number, ctx.Shard).Id, ctx.Now);
        }
    }

    private async ValueTask TreeCloseStepAsync(FlowContext ctx, MusterTimer.TreeCloseStep step, CancellationToken cancellationToken)
    {
        var markerKey = DocKeys.TreeMusterPart(step.Node, step.Number);
        var marker = await ctx.Reader.GetAsync<TreeMusterPart>(markerKey, cancellationToken).ConfigureAwait(false);
        if (marker is not { LocalNumber: > 0 })
        {
            // No part here (not written yet, never, or the community was removed): nothing to close, and a link that
            // read the muster open just before it closed writes none. Both write the marker with the version they read,
            // so one of them goes first and the other decides again on what it left.
            if (marker is not { Closed: true })
            {
                ctx.Effects.Put(markerKey, (marker ?? new TreeMusterPart(step.Node, step.Number, 0)) with { Closed = true, At = ctx.Now });
            }

            return;
        }

        var part = await MusterStore.LoadAsync(ctx.Reader, marker.LocalNumber, cancellationToken).ConfigureAwait(false);
        if (part is { IsOpen: true })
        {
            await CloseAsync(ctx, part, cancellationToken).ConfigureAwait(false);
        }
    }
}
