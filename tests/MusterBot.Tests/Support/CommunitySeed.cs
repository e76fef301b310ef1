using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Org;

namespace MusterBot.Tests.Support;

/// <summary>
/// Seeds records of a community straight into the store, as the flows would have written them: in the community's shard
/// (community 4 of the default tree unless told), with every person seeded there pointed to it from the root shard.
/// </summary>
public static class CommunitySeed
{
    public static Task<CommitResult> SeedCommunityAsync(this IStateStore store, Commit commit, CancellationToken cancellationToken = default) =>
        SeedCommunityInAsync(store, commit, DefaultTree.CommunityId, cancellationToken);

    public static async Task<CommitResult> SeedCommunityInAsync(this IStateStore store, Commit commit, long community, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(commit);

        // The default tree, if the store has none yet (written only where absent).
        await store.CommitAsync(DefaultTree.Commit(DefaultTreeNames.Chinese, TestClock.Start), cancellationToken);
        var result = await store.CommitAsync(commit with { Shard = community, Writes = [.. commit.Writes.Select(w => w with { Key = w.Key.Bind(community) })] }, cancellationToken);
        var homes = commit.Writes
            .Where(w => w.Key.Kind == DocKeys.User(0).Kind && w.Key.Shard is null && w.Json is not null)
            .Select(w => new DocWrite(DocKeys.Home(long.Parse(w.Key.Id, System.Globalization.CultureInfo.InvariantCulture)), RecordJson.Serialize(new PersonHome(community)), null))
            .ToList();
        if (homes.Count > 0 && result.Status == CommitStatus.Committed)
        {
            await store.CommitAsync(new Commit { Writes = homes }, cancellationToken);
        }

        return result;
    }
}
