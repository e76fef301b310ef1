using MusterBot.Flows.Runtime;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Org;

namespace MusterBot.Flows.Stats;

/// <summary>
/// The organisation tree as the figures and escalations read it: which nodes a person administers
/// (<see cref="UserProfile.AdminOf"/>), the nodes and communities below a node, and the people of other shards.
/// </summary>
public static class OrgScope
{
    /// <summary>True when the person administers <paramref name="node"/> or a node above it.</summary>
    public static bool Covers(UserProfile person, OrgNode node)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(node);
        return person.AdminOf.Contains(node.Id) || node.Path.Any(person.AdminOf.Contains);
    }

    /// <summary>
    /// The highest node above the community level that the person administers (a street, district or city), or null:
    /// then the person is community staff (or nobody) and sees their own community.
    /// </summary>
    public static async ValueTask<OrgNode?> TopNodeAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (ctx.Profile.AdminOf.Count == 0)
        {
            return null;
        }

        var nodes = await ctx.Reader.GetManyAsync<OrgNode>(ctx.Profile.AdminOf.Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false);
        return nodes.OfType<OrgNode>().Where(n => n.Level != OrgLevel.Community && n.RemovedAt is null)
            .OrderBy(n => n.Level).ThenBy(n => n.Id).FirstOrDefault();
    }

    /// <summary>Every node below <paramref name="node"/> (one read per level: a city is three round trips).</summary>
    public static async ValueTask<IReadOnlyList<OrgNode>> DescendantsAsync(DocReader reader, OrgNode node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(node);
        var all = new List<OrgNode>();
        var level = node.Children;
        var seen = new HashSet<long> { node.Id };
        while (level.Count > 0)
        {
            var next = (await reader.GetManyAsync<OrgNode>(level.Where(seen.Add).Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false)).OfType<OrgNode>().ToList();
            all.AddRange(next);
            level = next.SelectMany(n => n.Children).ToList();
        }

        return all;
    }

    /// <summary>The communities at or below <paramref name="node"/>, given its descendants.</summary>
    public static IReadOnlyList<OrgNode> CommunitiesUnder(OrgNode node, IReadOnlyList<OrgNode> descendants)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(descendants);
        return node.Level == OrgLevel.Community ? [node] : descendants.Where(d => d.Level == OrgLevel.Community && d.Path.Contains(node.Id)).ToList();
    }

    /// <summary>Profiles of people wherever they live (<see cref="PersonHome"/>, else the root shard); absent ones left out.</summary>
    public static async ValueTask<IReadOnlyList<UserProfile>> PeopleAsync(DocReader reader, IEnumerable<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(ids);
        var list = ids.Distinct().ToList();
        var homes = await reader.GetManyAsync<PersonHome>(list.Select(DocKeys.Home).ToList(), cancellationToken).ConfigureAwait(false);
        var keys = list.Select((id, i) => DocKeys.User(id).In(homes[i]?.Shard ?? Shards.Root)).ToList();
        return (await reader.GetManyAsync<UserProfile>(keys, cancellationToken).ConfigureAwait(false)).OfType<UserProfile>().ToList();
    }
}
