using MusterBot.Flows.Runtime;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Org;

namespace MusterBot.Flows.Registration;

/// <summary>
/// The communities (tenants) of the organisation tree, as registration needs them: which ones take new people, the only
/// one when there is one, and which community an invitation is for. A store without a tree (before the default tree was
/// created) has none: everybody then lives in the root shard, as before communities were tenants.
/// </summary>
public static class Communities
{
    /// <summary>The live communities (not removed) with their streets, in tree order.</summary>
    public static async ValueTask<IReadOnlyList<(OrgNode Street, OrgNode Community)>> ListAsync(DocReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var found = new List<(OrgNode, OrgNode)>();
        var level = new List<OrgNode>();
        if (await reader.GetAsync<OrgNode>(DocKeys.OrgNode(Shards.Root), cancellationToken).ConfigureAwait(false) is { RemovedAt: null } root)
        {
            level.Add(root);
        }

        while (level.Count > 0)
        {
            var ids = level.SelectMany(n => n.Children).ToList();
            var children = await reader.GetManyAsync<OrgNode>(ids.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false);
            var parents = level.ToDictionary(n => n.Id);
            var next = new List<OrgNode>();
            foreach (var child in children.OfType<OrgNode>().Where(c => c.RemovedAt is null))
            {
                if (child.Level == OrgLevel.Community)
                {
                    if (child.ParentId is { } parent && parents.TryGetValue(parent, out var street))
                    {
                        found.Add((street, child));
                    }
                }
                else
                {
                    next.Add(child);
                }
            }

            level = next;
        }

        return found;
    }

    /// <summary>The only live community, or null when there is none (no tree) or several.</summary>
    public static async ValueTask<long?> SoleAsync(DocReader reader, CancellationToken cancellationToken)
    {
        var all = await ListAsync(reader, cancellationToken).ConfigureAwait(false);
        return all.Count == 1 ? all[0].Community.Id : null;
    }

    /// <summary>The live community <paramref name="id"/>, or null (no such node, removed, or not a community).</summary>
    public static async ValueTask<OrgNode?> GetAsync(DocReader reader, long id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return await reader.GetAsync<OrgNode>(DocKeys.OrgNode(id), cancellationToken).ConfigureAwait(false) is { Level: OrgLevel.Community, RemovedAt: null } node
            ? node
            : null;
    }

    /// <summary>True when the store has an organisation tree (its root node).</summary>
    public static async ValueTask<bool> HasTreeAsync(DocReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return await reader.GetAsync<OrgNode>(DocKeys.OrgNode(Shards.Root), cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>The community an invitation is for (invitations made before the tree: the default community).</summary>
    public static long Of(Invite invite)
    {
        ArgumentNullException.ThrowIfNull(invite);
        return invite.NodeId ?? DefaultTree.CommunityId;
    }

    /// <summary>
    /// True when an invitation belongs to the community the decision acts in (the administrator's own): made for it, or,
    /// in a store without a tree (everybody in the root shard), made there.
    /// </summary>
    public static bool IsOwn(FlowContext ctx, Invite invite)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(invite);
        return Of(invite) == ctx.Shard || (ctx.Shard == Shards.Root && invite.NodeId is null or Shards.Root);
    }

    /// <summary>
    /// True when the person has settled in a community (registered there, or administering it): they are not moved to
    /// another by a link or a choice; staff move them.
    /// </summary>
    public static bool Settled(FlowContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return ctx.Shard != Shards.Root && (ctx.Profile.RegisteredAt is not null || ctx.Has(Roles.Admin) || ctx.Profile.AdminOf.Count > 0);
    }

    /// <summary>The name of the community the person lives in (empty when none or unknown).</summary>
    public static async ValueTask<string> NameAsync(DocReader reader, long id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return (await reader.GetAsync<OrgNode>(DocKeys.OrgNode(id), cancellationToken).ConfigureAwait(false))?.Name ?? string.Empty;
    }
}
