using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Org;

namespace MusterBot.Flows.InService;

/// <summary>
/// Workplace regions (片区 by work unit) of a street, a district or the city, and where an in-service member (在职党员)
/// reports in (双报到). A workplace region is the same <see cref="Region"/> record as a community's, with the same sets
/// (<see cref="Sets.Regions"/>, <see cref="Sets.PeopleInRegion"/>), but in the shard of its node; its id starts with
/// "w" so it is never taken for a community region. A member's <see cref="UserProfile.WorkNodeId"/> names that node.
/// </summary>
public static class Workplace
{
    /// <summary>The prefix of workplace region ids (w1, w2, … per node).</summary>
    public const string IdPrefix = "w";

    /// <summary>Conversation key of registration: the node of the workplace region an invitation is for.</summary>
    public const string WorkNodeKey = "workNode";

    public static DocKey RegionKey(long nodeId, string regionId) => DocKeys.Region(regionId) with { Shard = nodeId };

    public static ValueTask<OrgNode?> NodeAsync(DocReader reader, long nodeId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.GetAsync<OrgNode>(DocKeys.OrgNode(nodeId), cancellationToken);
    }

    /// <summary>True for a live node above the communities (a street, a district, the city): it may hold workplace regions.</summary>
    public static bool HoldsWorkRegions(OrgNode? node) => node is { RemovedAt: null } && node.Level != OrgLevel.Community;

    public static ValueTask<Region?> RegionAsync(DocReader reader, long nodeId, string regionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.GetAsync<Region>(RegionKey(nodeId, regionId), cancellationToken);
    }

    /// <summary>A node's workplace regions, in id order.</summary>
    public static async ValueTask<IReadOnlyList<Region>> RegionsAsync(DocReader reader, long nodeId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var ids = (await reader.MembersAsync(Sets.Regions, nodeId, cancellationToken).ConfigureAwait(false))
            .OrderBy(id => id.Length).ThenBy(id => id, StringComparer.Ordinal).ToList();
        var regions = await reader.GetManyAsync<Region>(ids.Select(id => RegionKey(nodeId, id)).ToList(), cancellationToken).ConfigureAwait(false);
        return regions.OfType<Region>().ToList();
    }

    /// <summary>The person's home community node (null when they live in no community: the city's shard, or a removed node).</summary>
    public static async ValueTask<OrgNode?> HomeCommunityAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return await NodeAsync(ctx.Reader, ctx.Shard, cancellationToken).ConfigureAwait(false) is { Level: OrgLevel.Community } home ? home : null;
    }

    /// <summary>
    /// The nodes the person administers: <see cref="UserProfile.AdminOf"/>, the root for administrators from
    /// configuration, and the home node for an administrator appointed in /admin.
    /// </summary>
    public static IReadOnlyList<long> AdministeredIds(FlowContext ctx, FlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(options);
        var ids = new List<long>(ctx.Profile.AdminOf);
        if (options.Admins.Contains(ctx.Profile.Id))
        {
            ids.Add(Shards.Root);
        }

        if (ctx.Profile.Roles.HasFlag(Roles.Admin))
        {
            ids.Add(ctx.Shard);
        }

        return ids.Distinct().ToList();
    }

    /// <summary>True when the person administers <paramref name="node"/> (it is one of their nodes or below one).</summary>
    public static bool Administers(FlowContext ctx, FlowOptions options, OrgNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return AdministeredIds(ctx, options).Any(id => id == node.Id || node.Path.Contains(id));
    }

    /// <summary>The nodes above the communities that the person administers (theirs and those below), top down.</summary>
    public static async ValueTask<IReadOnlyList<OrgNode>> ManagedNodesAsync(FlowContext ctx, FlowOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var found = new List<OrgNode>();
        var seen = new HashSet<long>();
        var queue = new Queue<long>(AdministeredIds(ctx, options));
        while (queue.Count > 0)
        {
            var id = queue.Dequeue();
            if (!seen.Add(id) || await NodeAsync(ctx.Reader, id, cancellationToken).ConfigureAwait(false) is not { } node || !HoldsWorkRegions(node))
            {
                continue;
            }

            found.Add(node);
            foreach (var child in node.Children)
            {
                queue.Enqueue(child);
            }
        }

        return found.OrderBy(n => n.Level).ThenBy(n => n.Id).ToList();
    }

    /// <summary>Every live node of <paramref name="level"/>, walking the tree from the root.</summary>
    public static async ValueTask<IReadOnlyList<OrgNode>> NodesAtAsync(DocReader reader, OrgLevel level, CancellationToken cancellationToken)
    {
        var found = new List<OrgNode>();
        var layer = new List<long> { Shards.Root };
        while (layer.Count > 0)
        {
            var nodes = (await reader.GetManyAsync<OrgNode>(layer.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false))
                .OfType<OrgNode>().Where(n => n.RemovedAt is null).ToList();
            found.AddRange(nodes.Where(n => n.Level == level));
            layer = nodes.Where(n => n.Level < level).SelectMany(n => n.Children).ToList();
        }

        return found;
    }

    // ----- Registration: a workplace region's invitation (the hooks RegistrationFlow calls) -----

    /// <summary>
    /// When <paramref name="invite"/> is for a workplace region (its node is a street, district or the city), notes the
    /// node in the registration's answers: the region is then read from that node and the member joins it there.
    /// </summary>
    public static async ValueTask PrepareAsync(FlowContext ctx, Invite invite, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(invite);
        ArgumentNullException.ThrowIfNull(data);
        if (invite is { NodeId: { } nodeId, RegionId: not null } && HoldsWorkRegions(await NodeAsync(ctx.Reader, nodeId, cancellationToken).ConfigureAwait(false)))
        {
            data[WorkNodeKey] = nodeId.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Editing a profile: keeps the workplace region's node with the region.</summary>
    public static void PrepareEdit(UserProfile profile, Dictionary<string, string> data)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(data);
        if (profile.WorkNodeId is { } nodeId && profile.RegionId is not null)
        {
            data[WorkNodeKey] = nodeId.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The workplace region's node noted in the registration's answers (null: a community region or none).</summary>
    public static long? WorkNode(IReadOnlyDictionary<string, string> data) =>
        data is not null && data.TryGetValue(WorkNodeKey, out var value) && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>Where the region of the answers is stored: the workplace node's shard, or the home community's.</summary>
    public static DocKey RegionKeyFor(IReadOnlyDictionary<string, string> data, string regionId) =>
        WorkNode(data) is { } nodeId ? RegionKey(nodeId, regionId) : DocKeys.Region(regionId);

    /// <summary>The community's directory with the workplace region of the answers added (so it is named and appointed like any region).</summary>
    public static async ValueTask<DirectorySnapshot> WithWorkRegionAsync(DocReader reader, DirectorySnapshot directory, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (WorkNode(data) is not { } nodeId || data.GetValueOrDefault("region") is not { } regionId || directory.Region(regionId) is not null
            || await RegionAsync(reader, nodeId, regionId, cancellationToken).ConfigureAwait(false) is not { } region)
        {
            return directory;
        }

        return directory with { Regions = [.. directory.Regions, region] };
    }

    /// <summary>After registering through a workplace invitation: an in-service member who lives in no community is asked to report in.</summary>
    public static async ValueTask AfterRegisteredAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (ctx.Profile is { WorkNodeId: not null, RegisteredAt: not null } && ctx.Profile.Roles.HasFlag(Roles.Member)
            && ctx.MovesTo is null && await HomeCommunityAsync(ctx, cancellationToken).ConfigureAwait(false) is null)
        {
            ctx.Reply(ctx.T("is.report.invite"), new State.Outbox.InlineMarkup([[new State.Outbox.InlineButton(ctx.T("is.button.report"), InServiceButton.Codec.Encode(new InServiceButton.ReportIn(0)))]]));
        }
    }

    // ----- /me -----

    /// <summary>
    /// The two places of an in-service member for /me: the workplace region (and its node) and the community they
    /// reported in to. Null for anyone else (their region line stays as it was).
    /// </summary>
    public static async ValueTask<IReadOnlyList<string>?> CardLinesAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (ctx.Profile is not { WorkNodeId: { } nodeId, RegionId: { } regionId })
        {
            return null;
        }

        var node = await NodeAsync(ctx.Reader, nodeId, cancellationToken).ConfigureAwait(false);
        var region = await RegionAsync(ctx.Reader, nodeId, regionId, cancellationToken).ConfigureAwait(false);
        var home = await HomeCommunityAsync(ctx, cancellationToken).ConfigureAwait(false);
        return
        [
            ctx.T("is.me.work_region", Html.Escape(region?.Name ?? "—"), Html.Escape(node?.Name ?? "—")),
            home is null ? ctx.T("is.me.community_none") : ctx.T("is.me.community", Html.Escape(home.Name)),
        ];
    }

    /// <summary>True when /me offers "report in to a community": an in-service member who lives in no community yet.</summary>
    public static async ValueTask<bool> MayReportInAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return ctx.Profile is { WorkNodeId: not null, RegisteredAt: not null }
            && ctx.Profile.Roles.HasFlag(Roles.Member) && !ctx.Profile.Roles.HasFlag(Roles.Handler) && !ctx.Profile.Roles.HasFlag(Roles.Admin)
            && await HomeCommunityAsync(ctx, cancellationToken).ConfigureAwait(false) is null;
    }
}
