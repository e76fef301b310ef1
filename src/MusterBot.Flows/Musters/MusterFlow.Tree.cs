using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Musters;
using MusterBot.State.Records.Org;
using MusterBot.State.Timers;

namespace MusterBot.Flows.Musters;

/// <summary>
/// Musters at any level (吹哨—报到): a street or city administrator launches over communities of their subtree and/or
/// workplace regions of their node. The launch writes a <see cref="TreeMuster"/> in the node's shard; a chain of timers
/// then writes one community's part per commit, each decided in that community's shard (an ordinary muster there, so
/// its staff and convenors work as today, with its marker written only if absent: a chain cut short by a crash resumes
/// and never writes a part twice). Community refreshes write small tallies into the node's shard; the launcher's roll
/// call reads those (one line per child node, drilled down on request), never the answers.
/// </summary>
public sealed partial class MusterFlow
{
    private const int NodePageSize = 8;

    /// <summary>A street's or city's muster parsed once per version (every part's and release's link reads it).</summary>
    private readonly ParsedDocCache _parsed = new();

    /// <summary>Open street/city musters of a node (in the node's shard).</summary>
    public const string OpenTreeMusters = "musters:tree:open";

    /// <summary>The street's or city's mode switch in progress (in the node's shard).</summary>
    private static DocKey TreeModeKey(long node) => new DocKey("community", "treemode").In(node);

    private static bool IsTree(IReadOnlyDictionary<string, string> data) => data.ContainsKey("tree");

    private static long TreeNodeId(IReadOnlyDictionary<string, string> data) =>
        long.TryParse(data.GetValueOrDefault("tree"), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;

    /// <summary>The nodes above community level this person administers (the profile and the node both say so), highest first.</summary>
    private static async ValueTask<IReadOnlyList<OrgNode>> TreeNodesOfAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        if (ctx.IsSystem || ctx.Profile.AdminOf.Count == 0)
        {
            return [];
        }

        var nodes = await ctx.Reader.GetManyAsync<OrgNode>(ctx.Profile.AdminOf.Distinct().Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false);
        return nodes.OfType<OrgNode>()
            .Where(n => n.Level != OrgLevel.Community && n.RemovedAt is null && n.Admins.Contains(ctx.Profile.Id))
            .OrderBy(n => n.Path.Count).ThenBy(n => n.Id).ToList();
    }

    /// <summary>The node (read again, never taken from callback data alone) if this person administers it or a node above it.</summary>
    private static async ValueTask<OrgNode?> CoveredNodeAsync(FlowContext ctx, long nodeId, CancellationToken cancellationToken)
    {
        var mine = await TreeNodesOfAsync(ctx, cancellationToken).ConfigureAwait(false);
        var node = nodeId > 0 ? await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(nodeId), cancellationToken).ConfigureAwait(false) : null;
        return node is not null && mine.Any(m => m.Covers(node)) ? node : null;
    }

    // ---- the wizard ----

    /// <summary>/muster of a street or city administrator: the wizard starts with the communities. False: not theirs to start.</summary>
    private static async ValueTask<bool> BeginTreeAsync(FlowContext ctx, string argument, CancellationToken cancellationToken)
    {
        if (argument.Trim().Length > 0)
        {
            return false;
        }

        var nodes = await TreeNodesOfAsync(ctx, cancellationToken).ConfigureAwait(false);
        if (nodes.Count == 0)
        {
            return false;
        }

        var conversation = new Conversation(StepOf(ctx), new Dictionary<string, string> { ["tree"] = MusterView.Num(nodes[0].Id) });
        conversation.Fire(MusterTrigger.BeginTree);
        ctx.Conversation = Persist(ctx, conversation);
        var (html, markup) = await PickNodesViewAsync(ctx, conversation.Data, cancellationToken).ConfigureAwait(false);
        ctx.Reply(html, markup);
        return true;
    }

    /// <summary>Is a node or workplace-region choice one the launcher may make (a live child of their node, a region of it)?</summary>
    private static async ValueTask<bool> TreeChoiceValidAsync(FlowContext ctx, IReadOnlyDictionary<string, string> data, MusterButton button, CancellationToken cancellationToken)
    {
        if (button is not (MusterButton.ToggleNode or MusterButton.ToggleWorkplace or MusterButton.ToggleAllWorkplace or MusterButton.ToggleAllNodes or MusterButton.NodePage))
        {
            return true;
        }

        var root = IsTree(data) ? await CoveredNodeAsync(ctx, TreeNodeId(data), cancellationToken).ConfigureAwait(false) : null;
        switch (button)
        {
            case MusterButton.ToggleNode toggle when root is not null:
                var child = await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(toggle.NodeId), cancellationToken).ConfigureAwait(false);
                // Choosing it again (to take it off) is allowed even if it was removed meanwhile.
                return child is not null && child.ParentId == root.Id && (child.RemovedAt is null || List(data, "nodes").Contains(MusterView.Num(child.Id)));
            case MusterButton.ToggleWorkplace workplace when root is not null:
                return await ctx.Reader.GetAsync<Region>(DocKeys.Region(workplace.RegionId).In(root.Id), cancellationToken).ConfigureAwait(false) is not null;
            default:
                return root is not null;
        }
    }

    private static MusterTrigger ApplyTree(Conversation c, MusterButton button)
    {
        var data = c.Data;
        switch (button)
        {
            case MusterButton.ToggleNode toggle:
                Toggle(data, "nodes", MusterView.Num(toggle.NodeId));
                return MusterTrigger.ToggleNode;
            case MusterButton.ToggleWorkplace workplace:
                Toggle(data, "wr", workplace.RegionId);
                return MusterTrigger.ToggleNode;
            case MusterButton.ToggleAllNodes:
                data["all"] = data.GetValueOrDefault("all") == "1" ? "0" : "1";
                return MusterTrigger.ToggleNode;
            case MusterButton.ToggleAllWorkplace:
                data["wrall"] = data.GetValueOrDefault("wrall") == "1" ? "0" : "1";
                return MusterTrigger.ToggleNode;
            case MusterButton.NodePage page:
                data["pg"] = Math.Max(0, page.Page).ToString(CultureInfo.InvariantCulture);
                return MusterTrigger.PageNodes;
            default:
                return MusterTrigger.OtherInput;
        }
    }

    /// <summary>Step 1 over communities: the node's children (paged, removed ones marked and not offered), "all below", the node's workplace regions.</summary>
    private static async ValueTask<(string Html, InlineMarkup Markup)> PickNodesViewAsync(FlowContext ctx, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken)
    {
        var root = await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(TreeNodeId(data)), cancellationToken).ConfigureAwait(false);
        var rows = new List<IReadOnlyList<InlineButton>>();
        if (root is null)
        {
            rows.AddRange(WizardNav(ctx, back: false).Rows);
            return (ctx.T("button.stale"), new InlineMarkup(rows));
        }

        var all = data.GetValueOrDefault("all") == "1";
        var chosen = List(data, "nodes");
        var children = (await ctx.Reader.GetManyAsync<OrgNode>(root.Children.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<OrgNode>().Where(n => n.RemovedAt is null || chosen.Contains(MusterView.Num(n.Id))).ToList();
        var pages = Math.Max(1, (children.Count + NodePageSize - 1) / NodePageSize);
        var page = Math.Min(pages - 1, int.TryParse(data.GetValueOrDefault("pg"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0);
        rows.Add([new InlineButton((all ? "\u2611\uFE0F " : "\u2B1C ") + ctx.T("mu.tree.all_below", Html.Escape(root.Name)), new MusterButton.ToggleAllNodes().Data)]);
        rows.AddRange(children.Skip(page * NodePageSize).Take(NodePageSize)
            .Select(n => new InlineButton((all || chosen.Contains(MusterView.Num(n.Id)) ? "\u2611\uFE0F " : "\u2B1C ") + n.Name, new MusterButton.ToggleNode(n.Id).Data)).Rows(2));
        if (pages > 1)
        {
            var nav = new List<InlineButton>();
            if (page > 0)
            {
                nav.Add(new InlineButton("\u25C0\uFE0F", new MusterButton.NodePage(page - 1).Data));
            }

            nav.Add(new InlineButton(ctx.T("mu.tree.page", page + 1, pages), new MusterButton.NodePage(page).Data));
            if (page < pages - 1)
            {
                nav.Add(new InlineButton("\u25B6\uFE0F", new MusterButton.NodePage(page + 1).Data));
            }

            rows.Add(nav);
        }

        var regionIds = await ctx.Reader.MembersAsync(Sets.Regions, root.Id, cancellationToken).ConfigureAwait(false);
        var regions = (await ctx.Reader.GetManyAsync<Region>(regionIds.Order(StringComparer.Ordinal).Select(id => DocKeys.Region(id).In(root.Id)).ToList(), cancellationToken).ConfigureAwait(false)).OfType<Region>().ToList();
        var wr = List(data, "wr");
        var wrAll = data.GetValueOrDefault("wrall") == "1";
        var below = await WorkplaceRegionsBelowAsync(ctx, root, cancellationToken).ConfigureAwait(false);
        if (below.Count > regions.Count)
        {
            // Every workplace region of the node and of the streets (districts) below it: one switch, not hundreds.
            rows.Add([new InlineButton((wrAll ? "\u2611\uFE0F " : "\u2B1C ") + "\U0001F3E2 " + ctx.T("mu.tree.wp_all_below", below.Count), new MusterButton.ToggleAllWorkplace().Data)]);
        }

        rows.AddRange(regions.Select(r => new InlineButton((wrAll || wr.Contains(r.Id) ? "\u2611\uFE0F " : "\u2B1C ") + "\U0001F3E2 " + r.Name, new MusterButton.ToggleWorkplace(r.Id).Data)).Rows(2));
        rows.Add([new InlineButton(ctx.T("mu.btn.done"), new MusterButton.Done().Data)]);
        rows.AddRange(WizardNav(ctx, back: false).Rows);
        var html = ctx.T("mu.tree.w.nodes", 1, Html.Escape(root.Name), ctx.T("mu.tree.level." + root.Level))
            + (below.Count > 0 ? "\n" + ctx.T("mu.tree.w.workplace") : string.Empty);
        return (html, new InlineMarkup(rows));
    }

    /// <summary>The preview over communities: the order as a member of a sample community reads it, the communities, the regions.</summary>
    private async ValueTask<string> TreePreviewTextAsync(FlowContext ctx, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken)
    {
        var plan = PlanOf(new Dictionary<string, string>(data));
        var resolved = await ResolveTreeAsync(ctx, data, cancellationToken).ConfigureAwait(false);
        var sb = new StringBuilder();
        sb.Append(ctx.T("mu.w.preview_head")).Append("\n\n");
        var sampleName = resolved?.Communities.FirstOrDefault()?.Name ?? "—";
        var sample = new Muster(0, plan with { RallyText = ReportTo(ctx, data, sampleName) }, ctx.Profile.Id, ctx.Now) { ReportBy = ctx.Now.AddMinutes(plan.ReportWithinMinutes) };
        sb.Append(MusterView.Order(texts, ctx.Language, sample, Offset, []).Replace("M-0", "M-?", StringComparison.Ordinal)).Append("\n\n");
        sb.Append(ctx.T("mu.w.preview_scope", ScopeText(ctx, plan, new DirectorySnapshot([], [])))).Append('\n');
        if (resolved is not null)
        {
            sb.Append(ctx.T("mu.tree.preview_communities", resolved.Communities.Count(c => c.OwnMembers), resolved.Communities.Count(c => !c.OwnMembers))).Append('\n');
            if (resolved.Workplaces.Count > 0)
            {
                var names = string.Join(", ", resolved.Workplaces.Take(5).Select(w => w.Name)) + (resolved.Workplaces.Count > 5 ? " …" : string.Empty);
                sb.Append(ctx.T("mu.tree.preview_workplace", Html.Escape(names), resolved.Workplaces.Sum(w => w.Targeted), resolved.Workplaces.Count, resolved.Workplaces.Count(w => w.HasConvenor))).Append('\n');
            }

            if (resolved.Skipped.Count > 0)
            {
                sb.Append(ctx.T("mu.tree.skipped_removed", Html.Escape(string.Join(", ", resolved.Skipped.Select(n => n.Name))))).Append('\n');
            }
        }

        sb.Append(plan.Drill ? ctx.T("mu.w.preview_drill") : ctx.T("mu.tree.preview_real"));
        return sb.ToString();
    }

    private static string ReportTo(FlowContext ctx, IReadOnlyDictionary<string, string> data, string communityName) =>
        data.GetValueOrDefault("rally") is { Length: > 0 } typed ? typed : ctx.T("mu.tree.report_to_default", communityName);

    private sealed record ResolvedTree(OrgNode Root, List<TreeMusterCommunity> Communities, List<OrgNode> Skipped, List<TreeWorkplace> Workplaces, Dictionary<long, TreeMusterTarget> Targets);

    /// <summary>
    /// The communities a launch covers: every live community below the chosen nodes (or below the launcher's node), plus
    /// the home communities of the chosen workplace regions' members. Removed nodes are skipped (and named). Null when
    /// the launcher no longer administers the node, or a choice is not below it (a forged or stale wizard).
    /// </summary>
    private static async ValueTask<ResolvedTree?> ResolveTreeAsync(FlowContext ctx, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken)
    {
        var root = await CoveredNodeAsync(ctx, TreeNodeId(data), cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return null;
        }

        var nodeChoice = List(data, "nodes");
        var chosenIds = data.GetValueOrDefault("all") == "1"
            ? [root.Id]
            : nodeChoice.Select(n => long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0).ToList();
        var chosen = (await ctx.Reader.GetManyAsync<OrgNode>(chosenIds.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false)).ToList();
        if (chosen.Any(n => n is null || !root.Covers(n)))
        {
            return null;
        }

        var (communities, skipped) = await CommunitiesBelowAsync(ctx, chosen.OfType<OrgNode>().ToList(), cancellationToken).ConfigureAwait(false);
        var entries = communities.DistinctBy(n => n.Id)
            .Select(n => new TreeMusterCommunity(n.Id, ChildOf(root, n), n.Name, ReportTo(ctx, data, n.Name)))
            .ToList();

        // Workplace regions: each member reports to the community where they live (if it is below the node); the
        // region's convenor is ordered at this level and is not called as a member.
        if (await ChosenWorkplaceRegionsAsync(ctx, root, data, cancellationToken).ConfigureAwait(false) is not { } regions)
        {
            return null;
        }

        var listed = new List<(TreeWorkplace Workplace, List<(long Member, long Community)> Members)>();
        foreach (var (node, region) in regions)
        {
            var convenor = region.ConvenorId ?? region.BackupConvenorId;
            var members = (await ctx.Reader.MembersAsync(Sets.PeopleInRegion(region.Id), node, cancellationToken).ConfigureAwait(false))
                .Select(m => long.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0).Where(id => id > 0 && id != convenor).Order().ToList();
            var homes = await ctx.Reader.GetManyAsync<PersonHome>(members.Select(DocKeys.Home).ToList(), cancellationToken).ConfigureAwait(false);
            var living = members.Select((m, i) => (Member: m, Community: homes[i]?.Shard ?? 0)).Where(x => x.Community > 0).ToList();
            listed.Add((new TreeWorkplace(0, node, region.Id, region.Name) { ConvenorId = region.ConvenorId, BackupConvenorId = region.BackupConvenorId }, living));
        }

        var extraIds = listed.SelectMany(l => l.Members.Select(m => m.Community)).Distinct().Where(id => entries.All(e => e.CommunityId != id)).ToList();
        var extra = (await ctx.Reader.GetManyAsync<OrgNode>(extraIds.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false)).OfType<OrgNode>()
            .Where(n => n.Level == OrgLevel.Community && root.Covers(n)).ToList();
        skipped.AddRange(extra.Where(n => n.RemovedAt is not null));
        entries.AddRange(extra.Where(n => n.RemovedAt is null).Select(n => new TreeMusterCommunity(n.Id, ChildOf(root, n), n.Name, ReportTo(ctx, data, n.Name)) { OwnMembers = false }));

        // Members living outside the covered live communities are not called (the launcher's node does not reach them).
        var covered = entries.Select(e => e.CommunityId).ToHashSet();
        var targets = new Dictionary<long, Dictionary<string, List<long>>>();
        var workplaces = new List<TreeWorkplace>();
        foreach (var (workplace, members) in listed)
        {
            var here = members.Where(m => covered.Contains(m.Community)).ToList();
            foreach (var (member, community) in here)
            {
                var byKey = targets.TryGetValue(community, out var found) ? found : targets[community] = [];
                (byKey.TryGetValue(workplace.Key, out var list) ? list : byKey[workplace.Key] = []).Add(member);
            }

            workplaces.Add(workplace with { Targeted = here.Count, Communities = here.Select(m => m.Community).Distinct().Order().ToList() });
        }

        entries = entries.Select(e => targets.TryGetValue(e.CommunityId, out var byKey) ? e with { WorkplaceCount = byKey.Values.Sum(l => l.Count) } : e).ToList();

        // The convenors ordered at this level are not called again as members where they live.
        var convenorIds = workplaces.Where(w => w.HasConvenor).Select(w => w.ConvenorId ?? w.BackupConvenorId!.Value).Distinct().ToList();
        var convenorHomes = await ctx.Reader.GetManyAsync<PersonHome>(convenorIds.Select(DocKeys.Home).ToList(), cancellationToken).ConfigureAwait(false);
        var convenorsIn = convenorIds.Select((id, i) => (Id: id, Community: convenorHomes[i]?.Shard ?? 0)).Where(c => covered.Contains(c.Community))
            .GroupBy(c => c.Community).ToDictionary(g => g.Key, g => g.Select(c => c.Id).Order().ToList());
        var groupIds = entries.Where(e => e.ChildId != e.CommunityId).Select(e => e.ChildId).Distinct().ToList();
        var groups = (await ctx.Reader.GetManyAsync<OrgNode>(groupIds.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false)).OfType<OrgNode>().ToDictionary(n => n.Id);
        entries = entries.Select(e => e with { ChildName = e.ChildId == e.CommunityId ? e.Name : groups.GetValueOrDefault(e.ChildId)?.Name ?? e.Name }).ToList();
        var targetDocs = targets.Keys.Union(convenorsIn.Keys).ToDictionary(c => c, c => new TreeMusterTarget(0, c)
        {
            Workplace = targets.GetValueOrDefault(c)?.ToDictionary(w => w.Key, w => (IReadOnlyList<long>)w.Value.Distinct().Order().ToList(), StringComparer.Ordinal)
                ?? new Dictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal),
            Convenors = convenorsIn.GetValueOrDefault(c) ?? [],
        });
        return new ResolvedTree(root, entries, skipped.DistinctBy(n => n.Id).ToList(), workplaces, targetDocs);
    }

    /// <summary>The chosen workplace regions (the node's own, and with "all" every one of the nodes below); null: a choice that is not the node's.</summary>
    private static async ValueTask<List<(long Node, Region Region)>?> ChosenWorkplaceRegionsAsync(FlowContext ctx, OrgNode root, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken)
    {
        var chosen = new List<(long Node, Region Region)>();
        foreach (var regionId in List(data, "wr"))
        {
            if (await ctx.Reader.GetAsync<Region>(DocKeys.Region(regionId).In(root.Id), cancellationToken).ConfigureAwait(false) is not { } region)
            {
                return null;
            }

            chosen.Add((root.Id, region));
        }

        if (data.GetValueOrDefault("wrall") == "1")
        {
            chosen.AddRange(await WorkplaceRegionsBelowAsync(ctx, root, cancellationToken).ConfigureAwait(false));
        }

        return chosen.DistinctBy(c => TreeWorkplace.KeyOf(c.Node, c.Region.Id)).ToList();
    }

    /// <summary>Every workplace region of a node and of the live nodes above community level below it (streets' children are not read).</summary>
    private static async ValueTask<List<(long Node, Region Region)>> WorkplaceRegionsBelowAsync(FlowContext ctx, OrgNode root, CancellationToken cancellationToken)
    {
        var result = new List<(long Node, Region Region)>();
        var level = new List<OrgNode> { root };
        while (level.Count > 0)
        {
            foreach (var node in level.Where(n => n.RemovedAt is null && n.Level != OrgLevel.Community))
            {
                var ids = await ctx.Reader.MembersAsync(Sets.Regions, node.Id, cancellationToken).ConfigureAwait(false);
                var regions = await ctx.Reader.GetManyAsync<Region>(ids.Order(StringComparer.Ordinal).Select(id => DocKeys.Region(id).In(node.Id)).ToList(), cancellationToken).ConfigureAwait(false);
                result.AddRange(regions.OfType<Region>().Select(r => (node.Id, r)));
            }

            var below = level.Where(n => n.RemovedAt is null && n.Level is OrgLevel.City or OrgLevel.District).SelectMany(n => n.Children).ToList();
            level = below.Count == 0 ? [] : (await ctx.Reader.GetManyAsync<OrgNode>(below.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false))
                .OfType<OrgNode>().Where(n => n.Level != OrgLevel.Community).ToList();
        }

        return result;
    }

    /// <summary>The node a community is counted under in the launcher's roll call: a street's muster, the community; a district's or city's, its street.</summary>
    private static long ChildOf(OrgNode root, OrgNode community) =>
        root.Level == OrgLevel.Street || community.ParentId is null ? community.Id : community.ParentId.Value;

    // ---- the launch ----

    /// <summary>How many chains write the communities' parts side by side (each link is one community's commit).</summary>
    private const int TreeLanes = 8;

    /// <summary>
    /// Launches over communities: numbers the muster in the node's shard, writes it with the list of communities, the
    /// workplace-region members of each community and each workplace region's share, sends every workplace convenor
    /// their order (in this decision: before any community's part is written), arms their T1, and starts the chains
    /// that write the communities' parts.
    /// </summary>
    private async ValueTask TreeLaunchAsync(FlowContext ctx, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken)
    {
        var resolved = await ResolveTreeAsync(ctx, data, cancellationToken).ConfigureAwait(false);
        if (resolved is null)
        {
            ctx.Show(ctx.T("mu.tree.not_yours"), null);
            return;
        }

        if (resolved.Communities.Count == 0)
        {
            ctx.Show(ctx.T("mu.tree.nothing", resolved.Skipped.Count > 0 ? ctx.T("mu.tree.skipped_removed", Html.Escape(string.Join(", ", resolved.Skipped.Select(n => n.Name)))) : string.Empty), null);
            return;
        }

        var node = resolved.Root.Id;
        var counters = await ctx.Reader.GetAsync<CommunityCounters>(DocKeys.Counters.In(node), cancellationToken).ConfigureAwait(false) ?? new CommunityCounters();
        var number = counters.Musters + 1;
        ctx.Effects.Put(DocKeys.Counters.In(node), counters with { Musters = number });
        var plan = PlanOf(new Dictionary<string, string>(data));
        var tree = new TreeMuster(number, node, plan, ctx.Profile.Id, ctx.Now)
        {
            ReportBy = ctx.Now.AddMinutes(plan.ReportWithinMinutes),
            Communities = resolved.Communities,
            Skipped = resolved.Skipped.Select(n => n.Id).ToList(),
            WorkplaceKeys = resolved.Workplaces.Select(w => w.Key).ToList(),
            Lanes = Math.Min(TreeLanes, resolved.Communities.Count),
            PanelChats = [ctx.ChatId],
        };
        ctx.Effects.Put(DocKeys.TreeMuster(number).In(node), tree);
        ctx.Effects.AddToSet(OpenTreeMusters, MusterView.Num(number), node);
        foreach (var (communityId, target) in resolved.Targets)
        {
            ctx.Effects.Put(DocKeys.TreeMusterTarget(number, communityId).In(node), target with { Number = number });
        }

        await OrderWorkplaceConvenorsAsync(ctx, tree, resolved.Workplaces, cancellationToken).ConfigureAwait(false);
        SetTimerIn(ctx, node, new MusterTimer.TreeStart(number).Id, ctx.Now);

        var launched = ctx.T(plan.Drill ? "mu.tree.launched_drill" : "mu.tree.launched", tree.Code, resolved.Communities.Count);
        if (resolved.Workplaces.Any(w => w.HasConvenor))
        {
            launched += "\n" + ctx.T("mu.tree.launched_workplace", resolved.Workplaces.Count(w => w.HasConvenor), resolved.Workplaces.Where(w => w.HasConvenor).Sum(w => w.Targeted));
        }

        if (resolved.Skipped.Count > 0)
        {
            launched += "\n" + ctx.T("mu.tree.skipped_removed", Html.Escape(string.Join(", ", resolved.Skipped.Select(n => n.Name))));
        }

        ctx.Show(launched, null);
        await SendTreePanelAsync(ctx, tree, resolved.Root, 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Each workplace region's share written; its convenor (or the backup, when there is no convenor) sent the order and
    /// T1 armed. A region with neither has its members released at once (their orders go out with the parts).
    /// </summary>
    private async ValueTask OrderWorkplaceConvenorsAsync(FlowContext ctx, TreeMuster tree, IReadOnlyList<TreeWorkplace> workplaces, CancellationToken cancellationToken)
    {
        var convenorIds = workplaces.Where(w => w.HasConvenor).Select(w => w.ConvenorId ?? w.BackupConvenorId!.Value).Distinct().ToList();
        var convenors = await ProfilesAsync(ctx, convenorIds, cancellationToken).ConfigureAwait(false);
        foreach (var workplace in workplaces)
        {
            var share = workplace with { Number = tree.Number };
            if (!share.HasConvenor)
            {
                share = share with { MembersToldAt = ctx.Now };
            }
            else
            {
                var convenorId = share.ConvenorId ?? share.BackupConvenorId!.Value;
                var convenor = convenors.GetValueOrDefault(convenorId);
                var language = convenor?.Language ?? Language.Zh;
                ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, convenor?.ChatId ?? convenorId, new SendText(
                    WorkplaceOrder(language, tree, share, asBackup: share.ConvenorId is null), WorkplaceButtons(language, tree, share)))
                {
                    Tag = WorkplaceTag(tree),
                    SendFirst = true,
                });
                SetTimerIn(ctx, tree.NodeId, new MusterTimer.TreeEscalate(tree.Number, IndexOf(tree, share)).Id, ctx.Now + _options.AcknowledgeWithin);
            }

            ctx.Effects.Put(DocKeys.TreeWorkplace(tree.Number, share.Key).In(tree.NodeId), share);
        }
    }

    /// <summary>Profiles of people who may live in any community (read where the directory says each lives).</summary>
    private static async ValueTask<Dictionary<long, UserProfile>> ProfilesAsync(FlowContext ctx, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        var homes = await ctx.Reader.GetManyAsync<PersonHome>(ids.Select(DocKeys.Home).ToList(), cancellationToken).ConfigureAwait(false);
        var profiles = await ctx.Reader.GetManyAsync<UserProfile>(ids.Select((id, i) => DocKeys.User(id).In(homes[i]?.Shard ?? Shards.Root)).ToList(), cancellationToken).ConfigureAwait(false);
        return profiles.OfType<UserProfile>().DistinctBy(p => p.Id).ToDictionary(p => p.Id);
    }

    private static string WorkplaceTag(TreeMuster tree) => "mw:" + MusterView.Num(tree.NodeId) + "." + MusterView.Num(tree.Number);

    private static void SetTimerIn(FlowContext ctx, long shard, string id, DateTimeOffset dueAt, bool keepExisting = false) =>
        ctx.Effects.SetTimer(new TimerEntry(TimerIdAt(shard, id), dueAt, SystemUser, id) { KeepExisting = keepExisting });

    private static void CancelTimerIn(FlowContext ctx, long shard, string id) => ctx.Effects.CancelTimer(TimerIdAt(shard, id));

    /// <summary>
    /// One link of a chain, decided in the community's shard: unless its marker says the part is written (a chain
    /// resumed after a crash) or the community was removed meanwhile, the community's part is launched like a muster of
    /// its own (its workplace-region members held unless their convenor has relayed), with the marker (written with the
    /// version read) and its first tally in the same decision; then the next link of the lane.
    /// </summary>
    private async ValueTask TreeStepAsync(FlowContext ctx, MusterTimer.TreeStep step, CancellationToken cancellationToken)
    {
        var tree = await ctx.Reader.GetSharedAsync<TreeMuster>(DocKeys.TreeMuster(step.Number).In(step.Node), _parsed, cancellationToken).ConfigureAwait(false);
        if (tree is null || step.Index < 0 || step.Index >= tree.Communities.Count || tree.Communities[step.Index].CommunityId != ctx.Shard)
        {
            return;
        }

        var entry = tree.Communities[step.Index];
        var markerKey = DocKeys.TreeMusterPart(step.Node, step.Number);
        var marker = await ctx.Reader.GetAsync<TreeMusterPart>(markerKey, cancellationToken).ConfigureAwait(false);
        var community = await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(entry.CommunityId), cancellationToken).ConfigureAwait(false);
        var tallyKey = DocKeys.TreeMusterTally(step.Number, entry.CommunityId).In(step.Node);
        if (marker is not { LocalNumber: > 0 } && marker?.Closed != true && tree.IsOpen)
        {
            if (community is { RemovedAt: null })
            {
                var target = tree.WorkplaceKeys.Count > 0
                    ? await ctx.Reader.GetAsync<TreeMusterTarget>(DocKeys.TreeMusterTarget(step.Number, entry.CommunityId).In(step.Node), cancellationToken).ConfigureAwait(false)
                    : null;
                var released = new HashSet<string>(marker?.Released ?? [], StringComparer.Ordinal);
                var names = new Dictionary<string, string>(StringComparer.Ordinal);
                if (target is not null)
                {
                    var shares = (await ctx.Reader.GetManyAsync<TreeWorkplace>(target.Workplace.Keys.Select(k => DocKeys.TreeWorkplace(step.Number, k).In(step.Node)).ToList(), cancellationToken).ConfigureAwait(false))
                        .OfType<TreeWorkplace>().ToList();
                    released.UnionWith(shares.Where(w => w.MembersToldAt is not null).Select(w => w.Key));
                    names = shares.ToDictionary(w => w.Key, w => w.Name, StringComparer.Ordinal);
                }

                var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
                var part = await LaunchAsync(ctx, tree.Plan with { RallyText = entry.ReportTo }, directory, includeLauncher: false, cancellationToken,
                    new TreeLaunch(tree, entry, target, released, names)).ConfigureAwait(false);
                ctx.Effects.Put(markerKey, new TreeMusterPart(step.Node, step.Number, part.Number) { At = ctx.Now, Released = [.. released.Order(StringComparer.Ordinal)] });
                var targeted = part.Regions.Sum(r => r.Targeted);
                ctx.Effects.Put(tallyKey, new TreeMusterTally(entry.CommunityId, part.Number)
                {
                    Targeted = targeted,
                    ByStatus = new Dictionary<CheckInStatus, int> { [CheckInStatus.NoAnswer] = targeted },
                    Workplace = part.Regions.Where(r => r.Workplace is not null).ToDictionary(r => r.Workplace!, r => (IReadOnlyList<int>)[r.Targeted, 0, 0, 0, 0, r.Targeted], StringComparer.Ordinal),
                    At = ctx.Now,
                });
            }
            else
            {
                // Removed after the launch, before its part was written: skipped, and the roll call says so.
                ctx.Effects.Put(tallyKey, new TreeMusterTally(entry.CommunityId, 0) { Skipped = true, At = ctx.Now });
            }
        }

        var next = step.Index + Math.Max(1, tree.Lanes);
        if (next < tree.Communities.Count)
        {
            SetTimerIn(ctx, tree.Communities[next].CommunityId, new MusterTimer.TreeStep(step.Number, step.Node, next).Id, ctx.Now);
        }

        SetTimerIn(ctx, step.Node, new MusterTimer.TreePanels(step.Number).Id, ctx.Now + _options.RollCallInterval, keepExisting: true);
    }

    /// <summary>
    /// In the node's shard, once the launch's commit is there: each lane's first link. Set again (a start that came back
    /// after a crash), a lane runs once more from its first community; the links find their markers and skip ahead.
    /// </summary>
    private async ValueTask TreeStartAsync(FlowContext ctx, MusterTimer.TreeStart start, CancellationToken cancellationToken)
    {
        var tree = await ctx.Reader.GetSharedAsync<TreeMuster>(DocKeys.TreeMuster(start.Number), _parsed, cancellationToken).ConfigureAwait(false);
        if (tree is not { IsOpen: true })
        {
            return;
        }

        StartLanes(ctx, tree, lane => new MusterTimer.TreeStep(tree.Number, ctx.Shard, lane));
    }

    /// <summary>A pass over the communities, from the node's shard: each lane's first community gets its step now (each step sets the next of its lane).</summary>
    private static void StartLanes(FlowContext ctx, TreeMuster tree, Func<int, MusterTimer> step)
    {
        for (var lane = 0; lane < Math.Min(Math.Max(1, tree.Lanes), tree.Communities.Count); lane++)
        {
            SetTimerIn(ctx, tree.Communities[lane].CommunityId, step(lane).Id, ctx.Now);
        }
    }

    /// <summary>What a community's part of a street's or city's muster is launched with.</summary>
    private sealed record TreeLaunch(TreeMuster Tree, TreeMusterCommunity Entry, TreeMusterTarget? Target, IReadOnlySet<string> Released, IReadOnlyDictionary<string, string> Names)
;

    /// <summary>A community part's counts for the launcher's roll call (from the part's index sets), written when they changed.</summary>
    private async ValueTask WriteTallyAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        if (muster.Origin is not { } origin)
        {
            return;
        }

        var counts = new List<(MusterRegion Region, RollCall.Counts Counts)>();
        foreach (var region in muster.Regions)
        {
            counts.Add((region, await RollCall.CountFromSetsAsync(ctx.Reader, muster, region, cancellationToken).ConfigureAwait(false)));
        }

        var key = DocKeys.TreeMusterTally(origin.Number, ctx.Shard).In(origin.NodeId);
        var before = await ctx.Reader.GetAsync<TreeMusterTally>(key, cancellationToken).ConfigureAwait(false);
        var tally = new TreeMusterTally(ctx.Shard, muster.Number)
        {
            Targeted = counts.Sum(c => c.Counts.Targeted),
            Delivered = counts.Sum(c => c.Counts.Delivered),
            Unreachable = counts.Sum(c => c.Counts.Unreachable),
            ByStatus = Enum.GetValues<CheckInStatus>().ToDictionary(s => s, s => counts.Sum(c => c.Counts.Of(s))),
            Workplace = counts.Where(c => c.Region.Workplace is not null).ToDictionary(c => c.Region.Workplace!, c => WorkplaceCounts(c.Counts), StringComparer.Ordinal),
            Closed = !muster.IsOpen,
            At = ctx.Now,
        };
        if (before is not null && before.Targeted == tally.Targeted && before.Delivered == tally.Delivered && before.Unreachable == tally.Unreachable
            && before.Closed == tally.Closed && Enum.GetValues<CheckInStatus>().All(s => before.ByStatus.GetValueOrDefault(s) == tally.ByStatus.GetValueOrDefault(s))
            && before.Workplace.Count == tally.Workplace.Count && tally.Workplace.All(w => before.Workplace.TryGetValue(w.Key, out var b) && b.SequenceEqual(w.Value)))
        {
            return;
        }

        ctx.Effects.Put(key, tally);
        SetTimerIn(ctx, origin.NodeId, new MusterTimer.TreePanels(origin.Number).Id, ctx.Now + _options.RollCallInterval, keepExisting: true);
    }

    private static IReadOnlyList<int> WorkplaceCounts(RollCall.Counts c) =>
        [c.Targeted, c.Of(CheckInStatus.Arrived), c.Of(CheckInStatus.OnTheWay), c.Of(CheckInStatus.Acknowledged), c.Of(CheckInStatus.CantCome), c.Of(CheckInStatus.NoAnswer)];

    // ---- the aggregated roll call ----

    private static string TreeTag(TreeMuster tree, long chatId) => RollCall.Tag(tree.Number, chatId, "t" + MusterView.Num(tree.NodeId));

    private static DocKey TreePanelKey(TreeMuster tree, long chatId) => DocKeys.RollCallPanel(tree.Number, chatId, "tree").In(tree.NodeId);

    /// <summary>A new live aggregated roll call in the person's chat (top level, or drilled down to <paramref name="child"/>).</summary>
    private async ValueTask SendTreePanelAsync(FlowContext ctx, TreeMuster tree, OrgNode root, long child, CancellationToken cancellationToken)
    {
        var html = await RenderTreeAsync(ctx, tree, root, child, ctx.Language, cancellationToken).ConfigureAwait(false);
        ctx.Effects.Publish(new OutboxMessage(Lane.Reply, ctx.ChatId, new SendText(html, TreePanelButtons(ctx.Language, tree, root, child))) { Tag = TreeTag(tree, ctx.ChatId) });
        ctx.Effects.Put(TreePanelKey(tree, ctx.ChatId), new RollCallPanel(tree.Number, ctx.ChatId, View(child)) { LastHtml = html, LastAt = ctx.Now });
    }

    private static string View(long child) => "tree:" + MusterView.Num(child);

    private static long ChildOfView(string? view) =>
        view is not null && view.StartsWith("tree:", StringComparison.Ordinal) && long.TryParse(view.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : 0;

    /// <summary>
    /// The roll call of a street's or city's muster: totals, then one line per child node (a street: per community; a
    /// city: per district or street below it), or, drilled down, one line per community below that child. Read from the
    /// communities' tallies (one small document each), never from the answers.
    /// </summary>
    private async ValueTask<string> RenderTreeAsync(FlowContext ctx, TreeMuster tree, OrgNode root, long child, Language language, CancellationToken cancellationToken)
    {
        var communities = tree.Communities.Where(c => child == 0 || c.ChildId == child).ToList();
        var tallies = await ctx.Reader.GetManyAsync<TreeMusterTally>(communities.Select(c => DocKeys.TreeMusterTally(tree.Number, c.CommunityId).In(tree.NodeId)).ToList(), cancellationToken).ConfigureAwait(false);
        var groupIds = child == 0 ? communities.Select(c => c.ChildId).Distinct().ToList() : communities.Select(c => c.CommunityId).ToList();
        var nodes = (await ctx.Reader.GetManyAsync<OrgNode>(groupIds.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false)).OfType<OrgNode>().ToDictionary(n => n.Id);
        var rows = new List<(string Name, bool Removed, RollCall.Counts Counts)>();
        foreach (var id in groupIds)
        {
            var members = communities.Select((c, i) => (c, t: tallies[i])).Where(x => (child == 0 ? x.c.ChildId : x.c.CommunityId) == id).ToList();
            var counts = new RollCall.Counts(
                members.Sum(x => x.t?.Targeted ?? 0),
                members.Sum(x => x.t?.Delivered ?? 0),
                members.Sum(x => x.t?.Unreachable ?? 0),
                Enum.GetValues<CheckInStatus>().ToDictionary(s => s, s => members.Sum(x => x.t?.ByStatus.GetValueOrDefault(s) ?? 0)));
            var removed = nodes.GetValueOrDefault(id)?.RemovedAt is not null || (child != 0 && (tree.Skipped.Contains(id) || members.Any(x => x.t is { Skipped: true })));
            var first = communities.First(c => (child == 0 ? c.ChildId : c.CommunityId) == id);
            rows.Add((nodes.GetValueOrDefault(id)?.Name ?? (child == 0 ? first.ChildName : first.Name), removed, counts));
        }

        var sb = new StringBuilder();
        sb.Append(MusterView.DrillLine(texts, language, tree.Plan));
        var title = child == 0 ? root.Name : root.Name + " › " + (tree.Communities.FirstOrDefault(c => c.ChildId == child)?.ChildName ?? "—");
        sb.Append(texts.Format(language, "mu.rc.head", tree.Code, Html.Escape(title))).Append('\n');
        sb.Append(MusterView.KindName(texts, language, tree.Plan)).Append(" · ").Append(texts.Format(language, "mu.tree.rc.by", MusterView.Time(tree.ReportBy, Offset))).Append('\n');
        if (!tree.IsOpen)
        {
            sb.Append(texts.Get(language, "mu.rc.closed")).Append('\n');
        }
        else if (tallies.Count(t => t is not null) is var sent && sent < communities.Count)
        {
            // Each community's part writes its tally: the ones without are still on their way.
            sb.Append(texts.Format(language, "mu.tree.rc.sending", sent, communities.Count)).Append('\n');
        }

        var total = new RollCall.Counts(rows.Sum(r => r.Counts.Targeted), rows.Sum(r => r.Counts.Delivered), rows.Sum(r => r.Counts.Unreachable),
            Enum.GetValues<CheckInStatus>().ToDictionary(s => s, s => rows.Sum(r => r.Counts.Of(s))));
        sb.Append(RollCall.CountsLine(texts, language, total)).Append("\n\n");
        sb.Append(texts.Get(language, "mu.rc.legend")).Append('\n');
        foreach (var (name, removed, counts) in rows)
        {
            sb.Append("<b>").Append(Html.Escape(name)).Append("</b>").Append(removed ? " " + texts.Get(language, "mu.tree.rc.removed") : string.Empty).Append('\n');
            sb.Append(texts.Format(language, "mu.rc.region_line", counts.Targeted, counts.Of(CheckInStatus.Arrived), counts.Of(CheckInStatus.OnTheWay),
                counts.Of(CheckInStatus.Acknowledged), counts.Of(CheckInStatus.CantCome), counts.Of(CheckInStatus.NoAnswer), counts.Unreachable)).Append('\n');
            if (sb.Length > 3600)
            {
                sb.Append("…\n");
                break;
            }
        }

        sb.Append(texts.Format(language, "mu.rc.updated", ctx.Now.ToOffset(Offset).ToString("HH:mm:ss", CultureInfo.InvariantCulture)));
        return sb.ToString();
    }

    /// <summary>Refresh, and at the top a drill-down button per child node (at most 20); drilled down, "back".</summary>
    private InlineMarkup TreePanelButtons(Language language, TreeMuster tree, OrgNode root, long child)
    {
        var rows = new List<IReadOnlyList<InlineButton>>();
        if (child == 0)
        {
            // A city's or district's roll call drills down to a street (a street's lines are already communities).
            if (root.Level != OrgLevel.Street)
            {
                var children = tree.Communities.DistinctBy(c => c.ChildId).Take(20).ToList();
                rows.AddRange(children.Select(c => new InlineButton("\U0001F50E " + c.ChildName, new MusterButton.TreeDrill(tree.NodeId, tree.Number, c.ChildId).Data)).Rows(2));
            }
        }
        else
        {
            rows.Add([new InlineButton(texts.Get(language, "mu.btn.back"), new MusterButton.TreeDrill(tree.NodeId, tree.Number, 0).Data)]);
        }

        rows.Add([new InlineButton(texts.Get(language, "mu.btn.refresh"), new MusterButton.TreeRefresh(tree.NodeId, tree.Number).Data)]);
        if (child == 0 && tree.IsOpen)
        {
            rows.Add([new InlineButton(texts.Get(language, "mu.btn.close"), new MusterButton.TreeClose(tree.NodeId, tree.Number).Data)]);
        }

        return new InlineMarkup(rows);
    }

    /// <summary>A street's or city's muster pressed on: the node read again (it must be the presser's) and the muster; null once the press is answered.</summary>
    private async ValueTask<(OrgNode Root, TreeMuster Tree)?> PressedTreeAsync(FlowContext ctx, long nodeId, int number, CancellationToken cancellationToken)
    {
        var root = await CoveredNodeAsync(ctx, nodeId, cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            ctx.AnswerButton(ctx.T("mu.tree.not_yours"), alert: true);
            return null;
        }

        var tree = await ctx.Reader.GetSharedAsync<TreeMuster>(DocKeys.TreeMuster(number).In(root.Id), _parsed, cancellationToken).ConfigureAwait(false);
        if (tree is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return null;
        }

        return (root, tree);
    }

    /// <summary>"Refresh" or a drill-down on an aggregated roll call: the node is read again and must be the presser's.</summary>
    private async ValueTask OnTreeButtonAsync(FlowContext ctx, MusterButton button, CancellationToken cancellationToken)
    {
        var (nodeId, number, child) = button switch
        {
            MusterButton.TreeRefresh r => (r.NodeId, r.Number, (long?)null),
            MusterButton.TreeDrill d => (d.NodeId, d.Number, (long?)d.ChildId),
            _ => (0L, 0, null),
        };
        if (await PressedTreeAsync(ctx, nodeId, number, cancellationToken).ConfigureAwait(false) is not { } pressed)
        {
            return;
        }

        var (root, tree) = pressed;

        if (child is > 0 && tree.Communities.All(c => c.ChildId != child))
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        var panel = await ctx.Reader.GetAsync<RollCallPanel>(TreePanelKey(tree, ctx.ChatId), cancellationToken).ConfigureAwait(false);
        var view = child ?? ChildOfView(panel?.RegionId);
        var html = await RenderTreeAsync(ctx, tree, root, view, ctx.Language, cancellationToken).ConfigureAwait(false);
        ctx.AnswerButton(child is null ? ctx.T("mu.rc.refreshed") : null);
        // Edited in place; the panel remembers its view, so the refreshes that follow keep it.
        ctx.Show(html, TreePanelButtons(ctx.Language, tree, root, view));
        ctx.Effects.Put(TreePanelKey(tree, ctx.ChatId), new RollCallPanel(tree.Number, ctx.ChatId, View(view)) { LastHtml = html, LastAt = ctx.Now });
        if (!tree.PanelChats.Contains(ctx.ChatId))
        {
            ctx.Effects.Put(DocKeys.TreeMuster(number).In(root.Id), tree with { PanelChats = [.. tree.PanelChats, ctx.ChatId] });
        }
    }

    /// <summary>
    /// The node's timer: every live aggregated roll call re-rendered; changed ones edited (coalesced: the timer is a
    /// throttle), and armed again while the muster is open (a wake-up from a community can be lost while it runs).
    /// </summary>
    private async ValueTask TreePanelsAsync(FlowContext ctx, MusterTimer.TreePanels timer, CancellationToken cancellationToken)
    {
        var tree = await ctx.Reader.GetSharedAsync<TreeMuster>(DocKeys.TreeMuster(timer.Number), _parsed, cancellationToken).ConfigureAwait(false);
        var root = tree is null ? null : await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(tree.NodeId), cancellationToken).ConfigureAwait(false);
        if (tree is null || root is null)
        {
            return;
        }

        if (tree.IsOpen)
        {
            // Every community's part written and closed (by its staff, or automatically): the street's or city's muster closes too.
            var live = tree.Communities.Where(c => !tree.Skipped.Contains(c.CommunityId)).ToList();
            var tallies = await ctx.Reader.GetManyAsync<TreeMusterTally>(live.Select(c => DocKeys.TreeMusterTally(tree.Number, c.CommunityId)).ToList(), cancellationToken).ConfigureAwait(false);
            if (tallies.All(t => t is { Closed: true } or { Skipped: true }))
            {
                tree = tree with { Status = MusterStatus.Closed };
                ctx.Effects.Put(DocKeys.TreeMuster(tree.Number), tree);
                ctx.Effects.RemoveFromSet(OpenTreeMusters, MusterView.Num(tree.Number));
            }
        }

        if (tree.IsOpen)
        {
            // Again after the interval while the muster is open: a community's tally written while this decision ran
            // could not arm this timer (it was still there, claimed), so the next look must not depend on it.
            SetTimerIn(ctx, tree.NodeId, new MusterTimer.TreePanels(tree.Number).Id, ctx.Now + _options.RollCallInterval);
        }

        foreach (var chat in tree.PanelChats)
        {
            if (await ctx.Reader.GetAsync<RollCallPanel>(TreePanelKey(tree, chat), cancellationToken).ConfigureAwait(false) is not { } panel)
            {
                continue;
            }

            // The viewer lives where the directory says (the node's shard is seldom their home).
            var home = await ctx.Reader.GetAsync<PersonHome>(DocKeys.Home(chat), cancellationToken).ConfigureAwait(false);
            var viewer = await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(chat).In(home?.Shard ?? Shards.Root), cancellationToken).ConfigureAwait(false);
            var language = viewer?.Language ?? Language.Zh;
            var view = ChildOfView(panel.RegionId);
            var html = await RenderTreeAsync(ctx, tree, root, view, language, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(WithoutClock(html), WithoutClock(panel.LastHtml), StringComparison.Ordinal))
            {
                ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, chat, new EditText(0, html, TreePanelButtons(language, tree, root, view)) { TargetTag = TreeTag(tree, chat) }));
                ctx.Effects.Put(TreePanelKey(tree, chat), panel with { LastHtml = html, LastAt = ctx.Now });
            }
        }
    }

    /// <summary>/rollcall of a street or city administrator: a fresh aggregated roll call of each open muster of their nodes. False: none.</summary>
    private async ValueTask<bool> TreeRollCallAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        var shown = false;
        var roots = await TreeNodesOfAsync(ctx, cancellationToken).ConfigureAwait(false);
        foreach (var root in roots)
        {
            foreach (var n in (await ctx.Reader.MembersAsync(OpenTreeMusters, root.Id, cancellationToken).ConfigureAwait(false)).Order(StringComparer.Ordinal))
            {
                if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                    || await ctx.Reader.GetSharedAsync<TreeMuster>(DocKeys.TreeMuster(number).In(root.Id), _parsed, cancellationToken).ConfigureAwait(false) is not { } tree)
                {
                    continue;
                }

                await SendTreePanelAsync(ctx, tree, root, 0, cancellationToken).ConfigureAwait(false);
                if (!tree.PanelChats.Contains(ctx.ChatId))
                {
                    ctx.Effects.Put(DocKeys.TreeMuster(number).In(root.Id), tree with { PanelChats = [.. tree.PanelChats, ctx.ChatId] });
                }

                shown = true;
            }
        }

        if (!shown && roots.Count > 0 && !ctx.Has(Roles.Admin | Roles.Convenor))
        {
            // A street or city administrator with nothing open (and no community role): said so, not refused.
            ctx.Reply(ctx.T("mu.none_open"), Menu(ctx));
            return true;
        }

        return shown;
    }

    // ---- the mode of a subtree ----

    /// <summary>/mode of a street or city administrator: how many communities below are in emergency mode, and the two switches. False: not theirs.</summary>
    private static async ValueTask<bool> TreeModeCommandAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        var nodes = await TreeNodesOfAsync(ctx, cancellationToken).ConfigureAwait(false);
        if (nodes.Count == 0)
        {
            return false;
        }

        var root = nodes[0];
        var (communities, _) = await CommunitiesBelowAsync(ctx, root, cancellationToken).ConfigureAwait(false);
        var modes = await ctx.Reader.GetManyAsync<CommunityMode>(communities.Select(c => DocKeys.Mode.In(c.Id)).ToList(), cancellationToken).ConfigureAwait(false);
        var emergency = modes.Count(m => m is { Emergency: true });
        ctx.Reply(ctx.T("mu.tree.mode.state", Html.Escape(root.Name), communities.Count, emergency), new InlineMarkup([
            [new InlineButton(ctx.T("mu.tree.mode.btn_emergency"), new MusterButton.TreeMode(root.Id, true).Data)],
            [new InlineButton(ctx.T("mu.tree.mode.btn_normal"), new MusterButton.TreeMode(root.Id, false).Data)]]));
        return true;
    }

    private static ValueTask<(List<OrgNode> Communities, List<OrgNode> Removed)> CommunitiesBelowAsync(FlowContext ctx, OrgNode root, CancellationToken cancellationToken) =>
        CommunitiesBelowAsync(ctx, [root], cancellationToken);

    /// <summary>The live communities at or below the given nodes, and the removed nodes met on the way (their subtrees are not entered).</summary>
    private static async ValueTask<(List<OrgNode> Communities, List<OrgNode> Removed)> CommunitiesBelowAsync(FlowContext ctx, List<OrgNode> roots, CancellationToken cancellationToken)
    {
        var communities = new List<OrgNode>();
        var removed = new List<OrgNode>();
        var level = roots;
        while (level.Count > 0)
        {
            removed.AddRange(level.Where(n => n.RemovedAt is not null));
            var live = level.Where(n => n.RemovedAt is null).ToList();
            communities.AddRange(live.Where(n => n.Level == OrgLevel.Community));
            var below = live.Where(n => n.Level != OrgLevel.Community).SelectMany(n => n.Children).ToList();
            level = below.Count == 0 ? [] : (await ctx.Reader.GetManyAsync<OrgNode>(below.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false)).OfType<OrgNode>().ToList();
        }

        return (communities, removed);
    }

    /// <summary>The subtree switch: asked, then confirmed; the confirm writes the round and starts the chain (one community per commit).</summary>
    private static async ValueTask OnTreeModeButtonAsync(FlowContext ctx, MusterButton.ModeChoice button, CancellationToken cancellationToken)
    {
        var (nodeId, emergency, confirm) = button switch
        {
            MusterButton.TreeMode m => (m.NodeId, m.Emergency, false),
            MusterButton.TreeModeConfirm m => (m.NodeId, m.Emergency, true),
            _ => (0L, false, false),
        };
        var root = await CoveredNodeAsync(ctx, nodeId, cancellationToken).ConfigureAwait(false);
        if (root is null || root.Level == OrgLevel.Community)
        {
            ctx.AnswerButton(ctx.T("mu.tree.not_yours"), alert: true);
            return;
        }

        var (communities, _) = await CommunitiesBelowAsync(ctx, root, cancellationToken).ConfigureAwait(false);
        var word = ctx.T(emergency ? "mu.tree.mode.emergency_word" : "mu.tree.mode.normal_word");
        if (!confirm)
        {
            ctx.AnswerButton();
            ctx.Show(ctx.T("mu.tree.mode.ask", Html.Escape(root.Name), communities.Count, word), new InlineMarkup([[
                new InlineButton(ctx.T("mu.tree.mode.btn_yes"), new MusterButton.TreeModeConfirm(root.Id, emergency).Data),
                new InlineButton(ctx.T("button.cancel"), new MusterButton.Cancel().Data)]]));
            return;
        }

        if (communities.Count == 0)
        {
            ctx.AnswerButton(ctx.T("mu.tree.nothing", string.Empty), alert: true);
            return;
        }

        var current = await ctx.Reader.GetAsync<TreeModeSwitch>(TreeModeKey(root.Id), cancellationToken).ConfigureAwait(false);
        if (current is not null && current.Emergency == emergency && current.Index < current.Communities.Count)
        {
            // A second press while the same switch is still going through the communities.
            ctx.AnswerButton(ctx.T("mu.tree.mode.in_progress"), alert: true);
            return;
        }

        var round = (current?.Round ?? 0) + 1;
        ctx.Effects.Put(TreeModeKey(root.Id), new TreeModeSwitch(round, emergency, communities.Select(c => c.Id).ToList(), ctx.Profile.Id, ctx.Now));
        SetTimerIn(ctx, root.Id, new MusterTimer.TreeModeStart(round).Id, ctx.Now);
        ctx.AnswerButton();
        ctx.Show(ctx.T("mu.tree.mode.started", Html.Escape(root.Name), communities.Count, word), null);
    }

    /// <summary>In the node's shard, once the switch's record is there: its first community's step (unless a newer round replaced it).</summary>
    private static async ValueTask TreeModeStartAsync(FlowContext ctx, MusterTimer.TreeModeStart start, CancellationToken cancellationToken)
    {
        var run = await ctx.Reader.GetAsync<TreeModeSwitch>(TreeModeKey(ctx.Shard), cancellationToken).ConfigureAwait(false);
        if (run is null || run.Round != start.Number || run.Communities.Count == 0)
        {
            return;
        }

        SetTimerIn(ctx, run.Communities[0], new MusterTimer.TreeModeStep(run.Round, ctx.Shard, 0).Id, ctx.Now);
    }

    /// <summary>One community of a subtree switch, in its shard: switched (and its people told) unless already in that mode; then the next.</summary>
    private async ValueTask TreeModeStepAsync(FlowContext ctx, MusterTimer.TreeModeStep step, CancellationToken cancellationToken)
    {
        var key = TreeModeKey(step.Node);
        var run = await ctx.Reader.GetAsync<TreeModeSwitch>(key, cancellationToken).ConfigureAwait(false);
        if (run is null || run.Round != step.Number || step.Index < 0 || step.Index >= run.Communities.Count || run.Communities[step.Index] != ctx.Shard)
        {
            // Superseded by a newer switch, or not this shard's link.
            return;
        }

        var mode = await ctx.Reader.GetAsync<CommunityMode>(DocKeys.Mode, cancellationToken).ConfigureAwait(false);
        var community = await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(ctx.Shard), cancellationToken).ConfigureAwait(false);
        if ((mode?.Emergency == true) != run.Emergency && community is { RemovedAt: null })
        {
            await SwitchModeAsync(ctx, run.Emergency, null, null, cancellationToken).ConfigureAwait(false);
        }

        if (step.Index + 1 < run.Communities.Count)
        {
            SetTimerIn(ctx, run.Communities[step.Index + 1], new MusterTimer.TreeModeStep(step.Number, step.Node, step.Index + 1).Id, ctx.Now);
        }

        ctx.Effects.Put(key, run with { Index = Math.Max(run.Index, step.Index + 1) });
    }
}
