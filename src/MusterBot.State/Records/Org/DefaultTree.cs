using MusterBot.State.Commits;
using MusterBot.State.Documents;

namespace MusterBot.State.Records.Org;

/// <summary>
/// The tree a store starts with: one city (the root, node 1), one district (2), one street (3) and one community (4).
/// A fresh deployment serves that one community out of the box, and a store written by the single-community release is
/// migrated into it. Administrators add streets and communities from /admin.
/// </summary>
public static class DefaultTree
{
    public const long CityId = Shards.Root;
    public const long DistrictId = 2;
    public const long StreetId = 3;
    public const long CommunityId = 4;

    /// <summary>The four nodes, linked, with their names (data, in the deployment's language).</summary>
    public static IReadOnlyList<OrgNode> Nodes(DefaultTreeNames names, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(names);
        return
        [
            new OrgNode(CityId, OrgLevel.City, null, names.City) { Children = [DistrictId], CreatedAt = now },
            new OrgNode(DistrictId, OrgLevel.District, CityId, names.District) { Path = [CityId], Children = [StreetId], CreatedAt = now },
            new OrgNode(StreetId, OrgLevel.Street, DistrictId, names.Street) { Path = [CityId, DistrictId], Children = [CommunityId], CreatedAt = now },
            new OrgNode(CommunityId, OrgLevel.Community, StreetId, names.Community) { Path = [CityId, DistrictId, StreetId], CreatedAt = now },
        ];
    }

    /// <summary>
    /// The commit (root shard) that creates the default tree when the store has none: each node and the counters are
    /// written only if absent (expected version 0), so two instances starting at once create it once.
    /// </summary>
    public static Commit Commit(DefaultTreeNames names, DateTimeOffset now) => new()
    {
        Shard = Shards.Root,
        Writes =
        [
            .. Nodes(names, now).Select(n => new DocWrite(DocKeys.OrgNode(n.Id), RecordJson.Serialize(n), 0)),
            new DocWrite(DocKeys.OrgCounters, RecordJson.Serialize(new OrgCounters(CommunityId)), 0),
        ],
    };
}

/// <summary>Names of the default tree's nodes (configuration <c>MusterBot:Organisation</c>).</summary>
public sealed record DefaultTreeNames(string City, string District, string Street, string Community)
{
    public static DefaultTreeNames Chinese { get; } = new("本市", "本区", "本街道", "本社区");
}
