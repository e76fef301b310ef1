using MusterBot.State.Documents;

namespace MusterBot.State.Commits;

/// <summary>Puts a commit's keys without a shard into the commit's shard and refuses keys of any other shard.</summary>
internal static class ShardChecks
{
    public static Commit Bound(Commit commit)
    {
        var writes = commit.Writes;
        if (writes.Any(w => w.Key.Shard != commit.Shard))
        {
            writes = writes.Select(w => w.Key.Shard is null ? w with { Key = w.Key.Bind(commit.Shard) } : w).ToList();
            if (writes.FirstOrDefault(w => w.Key.Shard != commit.Shard) is { } foreign)
            {
                throw new ArgumentException($"A commit to shard {commit.Shard} cannot write {foreign.Key}: one commit writes one shard.", nameof(commit));
            }
        }

        if (commit.SetChanges.FirstOrDefault(c => c.Shard is { } shard && shard != commit.Shard) is { } foreignSet)
        {
            throw new ArgumentException($"A commit to shard {commit.Shard} cannot change set {{{foreignSet.Shard}}}{foreignSet.Set}: one commit writes one shard.", nameof(commit));
        }

        return ReferenceEquals(writes, commit.Writes) ? commit : commit with { Writes = writes };
    }
}
