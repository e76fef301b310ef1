namespace MusterBot.State.Documents;

/// <summary>
/// Shards are organisation nodes: a community's records live in the shard of the community's node id, a street's
/// own records (its musters, its workplace regions) in the street's. The root node (the city) is shard
/// <see cref="Root"/>: it also holds the directory that spans the tree (the organisation tree itself, where each
/// person lives, invitation codes) and the people who have no home community yet.
/// </summary>
public static class Shards
{
    /// <summary>The root node's shard (the city), which also holds the directory.</summary>
    public const long Root = 1;
}
