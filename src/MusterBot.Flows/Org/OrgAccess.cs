using MusterBot.Flows.Runtime;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Org;

namespace MusterBot.Flows.Org;

/// <summary>What an administrator does to a node of the organisation tree.</summary>
public enum OrgAction
{
    View,
    CreateChild,
    Rename,
    Remove,
    AppointAdmin,
    RemoveAdmin,
}

/// <summary>The answer to "may this administrator do this to that node".</summary>
public enum OrgVerdict
{
    Allowed,

    /// <summary>The node is neither one the person administers nor below one: beside or above their subtree.</summary>
    OutsideScope,

    /// <summary>The node was removed: it is shown, but takes no new work.</summary>
    NodeRemoved,

    /// <summary>Renaming or removing a node is for the level above it (the one that created it).</summary>
    NeedsLevelAbove,

    /// <summary>A community has no child nodes: its grids are made in its own panel.</summary>
    NoLevelBelow,
}

/// <summary>
/// Who may act on which node of the organisation tree. The nodes a person administers are
/// <see cref="UserProfile.AdminOf"/>, plus the root for administrators from configuration; a removed node gives no
/// rights. An administrator acts on their node and everything below it (<see cref="OrgNode.Covers"/>), never beside
/// or above it. Renaming and removing a node are for the level above it (the root, having none, is renamed by its own
/// administrators and never removed); a removed node is only viewed. Pure: the caller reads the nodes.
/// </summary>
public sealed class OrgAccess
{
    private OrgAccess(IReadOnlyList<OrgNode> nodes) => Nodes = nodes;

    /// <summary>The live nodes the person administers, in the order of <see cref="UserProfile.AdminOf"/> (the root first for configured administrators).</summary>
    public IReadOnlyList<OrgNode> Nodes { get; }

    /// <summary>True when the person administers at least one live node.</summary>
    public bool Any => Nodes.Count > 0;

    /// <summary>The ids a person administers according to their stored profile and the configuration (no read).</summary>
    public static IReadOnlyList<long> AdministeredIds(UserProfile profile, bool configuredAdmin)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return (configuredAdmin ? profile.AdminOf.Prepend(Shards.Root) : profile.AdminOf).Distinct().ToList();
    }

    /// <summary>True when the person may open the organisation section at all (before reading the nodes).</summary>
    public static bool MayOpen(FlowContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return ctx.ConfiguredAdmin || ctx.Profile.AdminOf.Count > 0;
    }

    /// <summary>Access from the nodes read for the ids (removed or missing nodes give no rights).</summary>
    public static OrgAccess From(IEnumerable<OrgNode?> administered) =>
        new(administered.OfType<OrgNode>().Where(n => n.RemovedAt is null).DistinctBy(n => n.Id).ToList());

    /// <summary>Reads the nodes the person of the decision administers (root shard, version-checked).</summary>
    public static async ValueTask<OrgAccess> LoadAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var ids = AdministeredIds(ctx.Profile, ctx.ConfiguredAdmin);
        var nodes = await ctx.Reader.GetManyAsync<OrgNode>(ids.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false);
        return From(nodes);
    }

    /// <summary>True when <paramref name="target"/> is a node the person administers or below one.</summary>
    public bool Covers(OrgNode target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Nodes.Any(n => n.Covers(target));
    }

    /// <summary>True when the person administers a node strictly above <paramref name="target"/>.</summary>
    public bool CoversFromAbove(OrgNode target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Nodes.Any(n => n.Id != target.Id && n.Covers(target));
    }

    /// <summary>May the person do <paramref name="action"/> to <paramref name="target"/>?</summary>
    public OrgVerdict Check(OrgNode target, OrgAction action)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!Covers(target))
        {
            return OrgVerdict.OutsideScope;
        }

        if (target.RemovedAt is not null && action != OrgAction.View)
        {
            return OrgVerdict.NodeRemoved;
        }

        return action switch
        {
            OrgAction.CreateChild when target.Level == OrgLevel.Community => OrgVerdict.NoLevelBelow,
            OrgAction.Rename when !CoversFromAbove(target) && target.ParentId is not null => OrgVerdict.NeedsLevelAbove,
            OrgAction.Remove when !CoversFromAbove(target) => OrgVerdict.NeedsLevelAbove,
            _ => OrgVerdict.Allowed,
        };
    }
}
