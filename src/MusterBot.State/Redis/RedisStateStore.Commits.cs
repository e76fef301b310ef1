using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using StackExchange.Redis;

namespace MusterBot.State.Redis;

/// <summary>
/// Group commit: concurrent commits of one shard go to Redis together, in one <see cref="RedisScripts.CommitMany"/> run
/// (<see cref="ShardBatches{T}"/>). Per shard at most <see cref="RedisStoreOptions.CommitPipeline"/> batch scripts are
/// under way; a commit that comes while they are joins the shard's queue and goes with the next batch (up to
/// <see cref="RedisStoreOptions.MaxCommitBatch"/> commits), sent as soon as a batch script of the shard has answered.
/// There is no timer: a commit that finds the shard idle is sent at once, on the caller's thread, so an idle store adds
/// no delay and a busy one makes batches as large as what arrived during one round trip.
/// </summary>
/// <remarks>
/// Each commit of a batch is applied on its own, in order, with the checks and effects of a commit run alone (a conflict
/// or a duplicate writes nothing of its own and does not stop the others); the batch only shares the round trip, the
/// reindex of the work index (one, with the earliest times over the batch and its highest epoch) and the WAIT for
/// replicas. The script is atomic, so a batch is in Redis (and its append-only file) wholly or not at all. When the
/// script fails (connection lost, OOM refusal) every caller of the batch gets the exception and handles the update
/// again, as after a failed commit of its own; the handled-update mark makes that safe. A caller's cancellation ends its
/// own wait: its commit is left out if no batch has taken it yet, else it may be applied (as a cancelled call could be
/// before); it never cancels the batch of the others.
/// </remarks>
public sealed partial class RedisStateStore
{
    private readonly ShardBatches<PendingCommit> _commits;

    /// <summary>A caller's commit, ready to go (its JSON and keys made on the caller's thread), and its answer.</summary>
    private sealed class PendingCommit(RedisValue[] args, RedisKey[] keys, CancellationToken cancellationToken) : BatchItem(cancellationToken)
    {
        /// <summary>The commit's arguments of the batch script (<see cref="CommitArgs"/>).</summary>
        public RedisValue[] Args { get; } = args;

        public RedisKey[] Keys { get; } = keys;

        public TaskCompletionSource<CommitResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Cancel() => Result.TrySetCanceled(CancellationToken);

        // Applied wholly or not at all: each caller handles its update again (the mark makes that safe).
        public override void Fail(Exception exception) => Result.TrySetException(exception);
    }

    public async Task<CommitResult> CommitAsync(Commit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        commit = ShardChecks.Bound(commit);
        var shard = commit.Shard;
        CheckShard(shard);
        var pending = new PendingCommit(CommitArgs(commit, _time.GetUtcNow()), CommitKeys(commit), cancellationToken);
        if (shard != Shards.Root && (commit.Outbox.Count > 0 || commit.SetTimers.Count > 0))
        {
            // Into the registry BEFORE the commit: the sweep then finds the shard even if this process dies right after it.
            await RegisterAsync(shard, cancellationToken).ConfigureAwait(false);
        }

        // Sent on this thread up to the first answer from Redis when the shard is idle.
        _commits.Add(shard, pending);
        return await pending.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends one batch. The shard's next batch goes as soon as the script of this one has answered; the reindex and the
    /// WAIT of this one follow on their own (<see cref="FinishBatchAsync"/>).
    /// </summary>
    private async Task SendCommitsAsync(long shard, PendingCommit[] batch)
    {
        // On a single Redis the script updates the work index itself, in the same run: no Reindex round trip after it.
        var indexPrefix = IndexPrefix(shard);

        // Not any caller's token: one caller giving up must not end the batch of the others.
        var result = await EvalAsync(RedisScripts.CommitMany, BatchKeys(batch, indexPrefix.Length > 0), BatchArgs(shard, batch, indexPrefix), CancellationToken.None)
            .ConfigureAwait(false);
        _ = FinishBatchAsync(shard, batch, result, reindex: indexPrefix.Length == 0);
    }

    /// <summary>
    /// Answers the callers of a batch whose script has run: conflicts, duplicates and failed commits at once; the
    /// committed ones after the one reindex of the batch (when the script could not do it: <paramref name="reindex"/>)
    /// and the one WAIT for replicas.
    /// </summary>
    private async Task FinishBatchAsync(long shard, PendingCommit[] batch, RedisResult result, bool reindex)
    {
        try
        {
            var items = (RedisResult[])result!;
            var committed = new List<(PendingCommit Pending, long[] Ids)>(batch.Length);
            for (var i = 0; i < batch.Length; i++)
            {
                var pending = batch[i];
                var one = (RedisResult[])items[10 + i]!;
                switch ((int)one[0])
                {
                    case 0:
                        var ids = new long[one.Length - 1];
                        for (var n = 0; n < ids.Length; n++)
                        {
                            ids[n] = OutboxIds.Compose(shard, ParseLong((string)one[n + 1]!));
                        }

                        committed.Add((pending, ids));
                        break;
                    case 1:
                        pending.Result.TrySetResult(CommitResult.Conflict);
                        break;
                    case 2:
                        pending.Result.TrySetResult(CommitResult.Duplicate);
                        break;
                    default:
                        pending.Result.TrySetException(new InvalidOperationException(
                            $"Redis could not apply the commit to shard {shard} ({(string?)one[1]}); the other commits sent with it were not affected."));
                        break;
                }
            }

            if (committed.Count == 0)
            {
                return;
            }

            // Only when a commit moved an earliest time: a message to a lane whose head was ready no later (every press
            // of a burst in a community after the first) leaves the index as it is, and the root shard is not asked.
            var epoch = ParseLong((string)items[0]!);
            var scores = Scores(items, 1);
            if (reindex && epoch > 0 && Array.Exists(scores, s => s.Length > 0))
            {
                await ReindexAsync(shard, epoch, scores, exact: false, CancellationToken.None).ConfigureAwait(false);
            }

            // Redis:WaitForReplicas: the commits are reported done only once the replicas have them (the updates they
            // handle are confirmed to Telegram after this). Conflicts and duplicates wrote nothing of their own.
            await ReplicatedAsync(ShardPrefix(shard) + "epoch", committed.Count, CancellationToken.None).ConfigureAwait(false);
            foreach (var (pending, ids) in committed)
            {
                pending.Result.TrySetResult(new CommitResult(CommitStatus.Committed, ids));
            }
        }
        catch (Exception ex)
        {
            // A lost connection during the WAIT: the batch is applied, its callers are not told so; they handle their
            // updates again and find them handled.
            foreach (var pending in batch)
            {
                pending.Result.TrySetException(ex);
            }
        }
    }

    /// <summary>Every key of the batch's commits, each once (all in the shard's slot), and the work index's when the script updates it.</summary>
    private RedisKey[] BatchKeys(PendingCommit[] batch, bool withIndex)
    {
        if (batch.Length == 1 && !withIndex)
        {
            return batch[0].Keys;
        }

        var seen = new HashSet<RedisKey>();
        var keys = new List<RedisKey>((batch[0].Keys.Length * 2) + 11);
        foreach (var pending in batch)
        {
            foreach (var key in pending.Keys)
            {
                if (seen.Add(key))
                {
                    keys.Add(key);
                }
            }
        }

        if (withIndex)
        {
            AddIndexKeys(keys);
        }

        return [.. keys];
    }

    /// <summary>The script's arguments (see <see cref="RedisScripts.CommitMany"/>): the batch's time, then each commit's.</summary>
    private RedisValue[] BatchArgs(long shard, PendingCommit[] batch, string indexPrefix)
    {
        var now = _time.GetUtcNow();
        var count = 7;
        foreach (var pending in batch)
        {
            count += pending.Args.Length;
        }

        var args = new RedisValue[count];
        args[0] = ShardPrefix(shard);
        args[1] = Text(now.ToUnixTimeMilliseconds());
        args[2] = Iso(now);
        args[3] = _handledRetentionMs;
        args[4] = _deliveryRetentionMs;
        args[5] = Text(shard);
        args[6] = indexPrefix;
        var at = 7;
        foreach (var pending in batch)
        {
            pending.Args.CopyTo(args, at);
            at += pending.Args.Length;
        }

        return args;
    }
}
