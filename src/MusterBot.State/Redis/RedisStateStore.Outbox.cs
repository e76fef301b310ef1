using System.Collections.Concurrent;
using System.Text.Json;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Timers;
using StackExchange.Redis;

namespace MusterBot.State.Redis;

/// <summary>
/// Commits, the outbox and timers on Redis. Every script runs in one shard's hash slot; the work index in the root shard
/// tells claims which shards have messages or timers (see "Work index" in docs/redis-keys.md).
/// </summary>
public sealed partial class RedisStateStore
{
    /// <summary>The nine work indexes, in the order of a survey: retry and fresh of lanes 0–3, then timers.</summary>
    private static readonly string[] IndexNames = ["ix:r:0", "ix:f:0", "ix:r:1", "ix:f:1", "ix:r:2", "ix:f:2", "ix:r:3", "ix:f:3", "ix:tm"];

    /// <summary>Shards this process has put into the registry (<c>ix:shards</c>): it is never asked again for them.</summary>
    private readonly ConcurrentDictionary<long, bool> _registered = new();

    private long _lastSweepMs = long.MinValue;
    private int _sweeping;
    private volatile bool _sweepDue = true;

    /// <summary>Every key of the commit known before it runs (the script builds the same names): see RedisScripts.</summary>
    private RedisKey[] CommitKeys(Commit commit)
    {
        var sp = ShardPrefix(commit.Shard);
        var keys = new List<RedisKey>(8 + commit.Writes.Count + commit.SetChanges.Count + (2 * commit.Outbox.Count) + commit.SetTimers.Count + commit.CancelTimers.Count)
        {
            sp + "epoch",
        };
        if (commit.UpdateId is { } updateId)
        {
            keys.Add(sp + "upd:" + Text(updateId));
        }

        if (commit.ConsumesTimerId is { } consumed)
        {
            keys.Add(sp + "tmr:" + consumed);
        }

        foreach (var write in commit.Writes)
        {
            keys.Add(sp + "doc:" + write.Key.Kind + ":" + write.Key.Id);
        }

        foreach (var change in commit.SetChanges)
        {
            keys.Add(sp + "set:" + change.Set);
        }

        if (commit.Outbox.Count > 0)
        {
            keys.Add(sp + "seq:outbox");
            foreach (var message in commit.Outbox)
            {
                keys.Add(sp + "lane:" + Text((int)message.Lane));
                if (message.Tag is { } tag)
                {
                    keys.Add(sp + "tag:" + tag);
                }
            }
        }

        if (commit.ConsumesTimerId is not null || commit.CancelTimers.Count > 0 || commit.SetTimers.Count > 0)
        {
            keys.Add(sp + "timers");
            keys.Add(sp + "timers:inflight");
            foreach (var id in commit.CancelTimers)
            {
                keys.Add(sp + "tmr:" + id);
            }

            foreach (var timer in commit.SetTimers)
            {
                keys.Add(sp + "tmr:" + timer.Id);
            }
        }

        return [.. keys];
    }

    public Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, TimeSpan lease, CancellationToken cancellationToken) =>
        ClaimOutboxAsync(max, 0, lease, cancellationToken);

    /// <summary>
    /// Claims across shards: reads which shards have ready work per lane from the root shard's index (one pipelined
    /// round for all eight heads), then, pass by pass (answers; replies up to the reservation; emergency; replies; normal)
    /// and within a pass retries before fresh messages, takes from the indexed shards in the order of their earliest ready
    /// time. Each shard visit is one script in that shard (it also returns expired leases) followed by the index update.
    /// </summary>
    public Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, int reservedForReplies, TimeSpan lease, CancellationToken cancellationToken) =>
        ClaimOutboxAsync(max, reservedForReplies, int.MaxValue, lease, cancellationToken);

    public async Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, int reservedForReplies, int maxRateLimited, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (max <= 0)
        {
            return [];
        }

        // Claims whose answer was lost go back first (they are ready now, so this claim may take them).
        await ReleaseLostClaimsAsync(cancellationToken).ConfigureAwait(false);
        await SweepIfDueAsync(cancellationToken).ConfigureAwait(false);
        var now = NowMs();
        var leaseEnd = now + (long)lease.TotalMilliseconds;
        var claim = new ClaimVisits(Guid.NewGuid().ToString("N"), leaseEnd);
        try
        {
            return await ClaimOutboxAsync(max, reservedForReplies, maxRateLimited, now, claim, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (claim.Visits.Count > 0)
        {
            // A shard's claim may have run without its answer reaching us (Redis died, the connection broke), or this
            // call failed after some shards' claims: nobody holds those messages, so they must not wait out the lease.
            // They go back as soon as the store answers again (the next claim starts with that).
            lock (_lostClaims)
            {
                _lostClaims.AddRange(claim.Visits.Select(v => new LostClaim(
                    v.Shard,
                    RedisScripts.ReleaseClaim,
                    [ShardPrefix(v.Shard), Text(v.Lane), Text(claim.LeaseEnd), claim.Token, Text(v.Shard), IndexPrefix(v.Shard)])));
            }

            throw;
        }
    }

    // Shard claims of outbox messages or timers whose outcome this store never learned, each with the script and
    // arguments that put it back (by its token and lease end): run by the next claim of either kind.
    private readonly List<LostClaim> _lostClaims = [];

    private sealed record LostClaim(long Shard, RedisScript Script, RedisValue[] Args);

    private sealed record ClaimVisits(string Token, long LeaseEnd)
    {
        public List<(long Shard, int Lane)> Visits { get; } = [];
    }

    private async Task ReleaseLostClaimsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            LostClaim lost;
            lock (_lostClaims)
            {
                if (_lostClaims.Count == 0)
                {
                    return;
                }

                lost = _lostClaims[0];
            }

            // The put-back updates the index as the claim did: in its run when the claim's script was given the root prefix.
            var inScript = ((string?)lost.Args[^1])?.Length > 0;
            var result = await EvalAsync(lost.Script, ShardWorkKeys(lost.Shard, inScript), lost.Args, cancellationToken).ConfigureAwait(false);
            if (!inScript)
            {
                var items = (RedisResult[])result!;
                await ReindexAsync(lost.Shard, ParseLong((string)items[0]!), Scores(items, 1), exact: true, cancellationToken).ConfigureAwait(false);
            }

            lock (_lostClaims)
            {
                _lostClaims.Remove(lost);
            }
        }
    }

    private async Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, int reservedForReplies, int maxRateLimited, long now, ClaimVisits claim, CancellationToken cancellationToken)
    {
        var heads = new Task<RedisValue[]>[8];
        for (var i = 0; i < heads.Length; i++)
        {
            heads[i] = _db.SortedSetRangeByScoreAsync(RootPrefix + IndexNames[i], double.NegativeInfinity, now, Exclude.None, Order.Ascending, 0, 1);
        }

        var ready = (await Task.WhenAll(heads).WaitAsync(cancellationToken).ConfigureAwait(false)).Select(h => h.Length > 0).ToArray();
        var messages = new List<OutboxMessage>();
        var reserve = Math.Max(0, reservedForReplies);
        (int Lane, int Limit)[] passes = [(3, max), (1, -1), (0, max), (1, max), (2, max)];
        var answers = -1;
        foreach (var (lane, passLimit) in passes)
        {
            var limit = passLimit < 0 ? Math.Min(max, messages.Count + reserve) : passLimit;
            if (lane != 3)
            {
                // The rate-limited lanes share the budget after the answers.
                answers = answers < 0 ? messages.Count : answers;
                limit = (int)Math.Min(limit, (long)answers + Math.Max(0, maxRateLimited));
            }

            if (messages.Count >= max)
            {
                break;
            }

            for (var set = 0; set < 2 && messages.Count < limit; set++)
            {
                var index = (lane * 2) + set;
                if (ready[index])
                {
                    ready[index] = await ClaimFromIndexAsync(index, lane, set == 0 ? "retry:" : "lane:", limit, now, claim, messages, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return messages;
    }

    /// <summary>
    /// Visits the shards of one index whose time has come, earliest first, until <paramref name="limit"/> messages are
    /// claimed or none is left. Returns whether the index may still hold ready shards.
    /// </summary>
    private async Task<bool> ClaimFromIndexAsync(int index, int lane, string set, int limit, long now, ClaimVisits claim, List<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        var visited = new HashSet<long>();
        while (messages.Count < limit)
        {
            var page = await _db.SortedSetRangeByScoreAsync(RootPrefix + IndexNames[index], double.NegativeInfinity, now, Exclude.None, Order.Ascending, 0, visited.Count + 16)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            var shards = page.Select(m => ParseLong((string)m!)).Where(visited.Add).ToList();
            if (shards.Count == 0)
            {
                return false;
            }

            foreach (var shard in shards)
            {
                if (messages.Count >= limit)
                {
                    return true;
                }

                await ClaimShardAsync(shard, lane, set, limit - messages.Count, now, claim, messages, cancellationToken).ConfigureAwait(false);
            }
        }

        return true;
    }

    private async Task ClaimShardAsync(long shard, int lane, string set, int count, long now, ClaimVisits claim, List<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        var indexPrefix = IndexPrefix(shard);
        var inScript = indexPrefix.Length > 0;
        var sp = ShardPrefix(shard);
        if (!claim.Visits.Contains((shard, lane)))
        {
            claim.Visits.Add((shard, lane));
        }

        var result = await EvalAsync(
            RedisScripts.ClaimOutbox,
            ShardWorkKeys(shard, inScript),
            [sp, Text(now), Text(claim.LeaseEnd), Text(lane), set, Text(count), Text(shard), indexPrefix, claim.Token],
            cancellationToken).ConfigureAwait(false);
        var items = (RedisResult[])result!;
        for (var i = 10; i + 3 < items.Length; i += 4)
        {
            var message = JsonSerializer.Deserialize<OutboxMessage>((string)items[i + 1]!, StoreJson.Options)!;
            var notBefore = (string)items[i + 3]!;
            messages.Add(message with
            {
                Id = OutboxIds.Compose(shard, ParseLong((string)items[i]!)),
                Attempts = (int)ParseLong((string)items[i + 2]!),
                NotBefore = notBefore.Length == 0 ? message.NotBefore : ParseIso(notBefore),
            });
        }

        if (!inScript)
        {
            await ReindexAsync(shard, ParseLong((string)items[0]!), Scores(items, 1), exact: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private static byte[] DeliveryJson(DeliveryRecord record) =>
        WriteJson(writer =>
        {
            writer.WriteString("c", Text(record.ChatId));
            writer.WriteString("s", record.Status.ToString());
            writer.WriteString("at", Iso(record.At));
            writer.WriteString("a", Text(record.Attempts));
            if (record.TelegramMessageId is { } messageId)
            {
                writer.WriteString("m", Text(messageId));
            }

            if (record.Error is { } error)
            {
                writer.WriteString("e", error);
            }

            if (record.Tag is { } tag)
            {
                writer.WriteString("t", tag);
            }
        });

    public async Task<long?> ForwardOutboxAsync(long outboxId, DeliveryRecord record, OutboxMessage forward, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(forward);
        var (shard, number) = Split(outboxId);
        var indexPrefix = IndexPrefix(shard);
        var inScript = indexPrefix.Length > 0;
        var sp = ShardPrefix(shard);
        var now = _time.GetUtcNow();
        var message = WriteJson(writer => WriteOutboxMessage(writer, forward, now));
        var keys = MessageKeys(sp, number);
        keys.Add(sp + "seq:outbox");
        keys.Add(sp + "epoch");
        if (forward.Tag is { } tag)
        {
            keys.Add(sp + "tag:" + tag);
        }

        if (inScript)
        {
            AddIndexKeys(keys);
        }

        var result = await EvalAsync(
            RedisScripts.Forward,
            [.. keys],
            [sp, Text(number), DeliveryJson(record), _deliveryRetentionMs, message, Iso(now), Text(shard), indexPrefix],
            cancellationToken).ConfigureAwait(false);
        var items = (RedisResult[])result!;
        if (items.Length == 0)
        {
            return null;
        }

        if (!inScript)
        {
            await ReindexAsync(shard, ParseLong((string)items[1]!), Scores(items, 2), exact: false, cancellationToken).ConfigureAwait(false);
        }

        await ReplicatedAsync(sp + "epoch", cancellationToken).ConfigureAwait(false);
        return OutboxIds.Compose(shard, ParseLong((string)items[0]!));
    }

    private readonly ShardBatches<PendingRetry> _retries;

    /// <summary>
    /// Put-backs are grouped like commits and outcomes (<see cref="ShardBatches{T}"/>): those a claim makes together (a
    /// chat's second message while its first is sent, messages beyond the bot's rate) go in one
    /// <see cref="RedisScripts.Retry"/> run of their shard, applied one by one in the order they were asked for, with one
    /// step of the shard's epoch and one reindex.
    /// </summary>
    public async Task RetryOutboxAsync(long outboxId, DateTimeOffset notBefore, int attempts, CancellationToken cancellationToken)
    {
        var (shard, number) = Split(outboxId);
        var pending = new PendingRetry(number, notBefore, attempts, cancellationToken);
        _retries.Add(shard, pending);
        await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class PendingRetry(long number, DateTimeOffset notBefore, int attempts, CancellationToken cancellationToken) : BatchItem(cancellationToken)
    {
        public long Number { get; } = number;

        public DateTimeOffset NotBefore { get; } = notBefore;

        public int Attempts { get; } = attempts;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Cancel() => Done.TrySetCanceled(CancellationToken);

        public override void Fail(Exception exception) => Done.TrySetException(exception);
    }

    private async Task SendRetriesAsync(long shard, PendingRetry[] batch)
    {
        var indexPrefix = IndexPrefix(shard);
        var inScript = indexPrefix.Length > 0;
        var sp = ShardPrefix(shard);
        var keys = new List<RedisKey>((batch.Length * 2) + 24);
        var args = new RedisValue[4 + (batch.Length * 4)];
        args[0] = sp;
        args[1] = Text(shard);
        args[2] = indexPrefix;
        args[3] = Text(NowMs());
        var seen = new HashSet<long>();
        for (var i = 0; i < batch.Length; i++)
        {
            var number = batch[i].Number;
            if (seen.Add(number))
            {
                keys.Add(sp + "ob:" + Text(number));
                keys.Add(sp + "dlv:" + Text(number));
            }

            args[4 + (i * 4)] = Text(number);
            args[5 + (i * 4)] = Text(batch[i].NotBefore.ToUnixTimeMilliseconds());
            args[6 + (i * 4)] = Iso(batch[i].NotBefore);
            args[7 + (i * 4)] = Text(batch[i].Attempts);
        }

        keys.AddRange(LaneKeys(sp));
        keys.Add(sp + "epoch");
        if (inScript)
        {
            AddIndexKeys(keys);
        }

        // Not any caller's token: one caller giving up must not end the batch of the others.
        var items = (RedisResult[])(await EvalAsync(RedisScripts.Retry, [.. keys], args, CancellationToken.None).ConfigureAwait(false))!;
        var epoch = ParseLong((string)items[0]!);
        if (epoch > 0 && !inScript)
        {
            await ReindexAsync(shard, epoch, Scores(items, 1), exact: false, CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var pending in batch)
        {
            pending.Done.TrySetResult();
        }
    }

    public async Task<DeliveryRecord?> GetDeliveryAsync(long outboxId, CancellationToken cancellationToken)
    {
        var (shard, number) = Split(outboxId);
        var fields = await _db.HashGetAllAsync(ShardPrefix(shard) + "dlv:" + Text(number)).WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        if (fields.Length == 0)
        {
            return null;
        }

        var map = new Dictionary<string, string>(fields.Length, StringComparer.Ordinal);
        foreach (var field in fields)
        {
            map[field.Name!] = field.Value!;
        }

        return ToDelivery(outboxId, map);
    }

    /// <summary>The counts the outcome scripts keep per tag (<c>tagc:{tag}</c>, see <c>docs/redis-keys.md</c>): one HGETALL.</summary>
    public async Task<IReadOnlyDictionary<DeliveryStatus, int>> CountDeliveriesByTagAsync(string tag, long shard, CancellationToken cancellationToken)
    {
        CheckShard(shard);
        var fields = await _db.HashGetAllAsync(ShardPrefix(shard) + "tagc:" + tag).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!fields.Any(f => f.Name == "v"))
        {
            // A tag whose messages were enqueued before the counts were kept (or that has none): count its records.
            return await ((IStateStore)this).CountDeliveriesFromRecordsAsync(tag, shard, cancellationToken).ConfigureAwait(false);
        }

        var counts = new Dictionary<DeliveryStatus, int>();
        foreach (var field in fields)
        {
            if (Enum.TryParse<DeliveryStatus>(field.Name!, out var status) && (int)field.Value is var n and > 0)
            {
                counts[status] = n;
            }
        }

        return counts;
    }

    /// <summary>Each chat's outcome as the outcome scripts keep it (<c>tagst:{tag}</c>): one HGETALL of ids and states.</summary>
    public async Task<IReadOnlyDictionary<long, DeliveryStatus>> GetDeliveryOutcomesByTagAsync(string tag, long shard, CancellationToken cancellationToken)
    {
        CheckShard(shard);
        var sp = ShardPrefix(shard);
        if (!await _db.HashExistsAsync(sp + "tagc:" + tag, "v").WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            // Enqueued before the outcomes were kept (or no message): from the records.
            return await ((IStateStore)this).OutcomesFromRecordsAsync(tag, shard, cancellationToken).ConfigureAwait(false);
        }

        var fields = await _db.HashGetAllAsync(sp + "tagst:" + tag).WaitAsync(cancellationToken).ConfigureAwait(false);
        var outcomes = new Dictionary<long, DeliveryStatus>(fields.Length);
        foreach (var field in fields)
        {
            if (long.TryParse((string?)field.Name, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var chat)
                && Enum.TryParse<DeliveryStatus>((string?)field.Value, out var status) && status is DeliveryStatus.Sent or DeliveryStatus.Unreachable or DeliveryStatus.Failed)
            {
                outcomes[chat] = status;
            }
        }

        return outcomes;
    }

    public async Task<long> CountSetMembersAsync(string setName, long shard, CancellationToken cancellationToken) =>
        await _db.SetLengthAsync(ShardPrefix(shard) + "set:" + setName).WaitAsync(cancellationToken).ConfigureAwait(false);

    public async Task<bool> IsSetMemberAsync(string setName, string member, long shard, CancellationToken cancellationToken)
    {
        CheckShard(shard);
        return await _db.SetContainsAsync(ShardPrefix(shard) + "set:" + setName, member).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesByTagAsync(string tag, long shard, CancellationToken cancellationToken)
    {
        CheckShard(shard);
        var sp = ShardPrefix(shard);
        var result = await EvalAsync(RedisScripts.DeliveriesByTag, [sp + "tag:" + tag], [sp, tag], cancellationToken)
            .ConfigureAwait(false);
        var items = (RedisResult[])result!;
        var records = new List<DeliveryRecord>(items.Length);
        foreach (var item in items)
        {
            var pair = (RedisResult[])item!;
            var flat = (RedisResult[])pair[1]!;
            var map = new Dictionary<string, string>(flat.Length / 2, StringComparer.Ordinal);
            for (var i = 0; i + 1 < flat.Length; i += 2)
            {
                map[(string)flat[i]!] = (string)flat[i + 1]!;
            }

            records.Add(ToDelivery(OutboxIds.Compose(shard, ParseLong((string)pair[0]!)), map));
        }

        return records;
    }

    /// <summary>
    /// Sums the shards the outbox indexes name (a shard with a waiting or leased message is always there, except for the
    /// moments between a crash after a commit and the next sweep); one read-only script per shard.
    /// </summary>
    public async Task<IReadOnlyDictionary<Lane, long>> CountOutboxAsync(CancellationToken cancellationToken)
    {
        var members = new Task<RedisValue[]>[8];
        for (var i = 0; i < members.Length; i++)
        {
            members[i] = _db.SortedSetRangeByRankAsync(RootPrefix + IndexNames[i]);
        }

        var shards = (await Task.WhenAll(members).WaitAsync(cancellationToken).ConfigureAwait(false))
            .SelectMany(m => m).Select(m => ParseLong((string)m!)).Distinct().ToList();
        var counts = await Task.WhenAll(shards.Select(shard =>
        {
            var sp = ShardPrefix(shard);
            return EvalAsync(RedisScripts.CountOutbox, [.. LaneKeys(sp)], [sp], cancellationToken);
        })).ConfigureAwait(false);
        var result = new Dictionary<Lane, long> { [Lane.Emergency] = 0, [Lane.Reply] = 0, [Lane.Normal] = 0, [Lane.Answer] = 0 };
        foreach (var count in counts)
        {
            var perLane = (RedisResult[])count!;
            for (var lane = 0; lane < 4; lane++)
            {
                result[(Lane)lane] += (long)perLane[lane];
            }
        }

        return result;
    }

    public async Task<IReadOnlyList<TimerEntry>> ClaimDueTimersAsync(int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (max <= 0)
        {
            return [];
        }

        // Claims whose answer was lost go back first, timers' as the outbox's: a muster's escalation must not wait out a
        // one-minute lease because Redis died while answering.
        await ReleaseLostClaimsAsync(cancellationToken).ConfigureAwait(false);
        await SweepIfDueAsync(cancellationToken).ConfigureAwait(false);
        var now = NowMs();
        var leaseEnd = now + (long)lease.TotalMilliseconds;
        var token = Guid.NewGuid().ToString("N");
        var timers = new List<TimerEntry>();
        var visited = new HashSet<long>();
        var claimed = new List<long>();
        try
        {
            while (timers.Count < max)
            {
                var page = await _db.SortedSetRangeByScoreAsync(RootPrefix + "ix:tm", double.NegativeInfinity, now, Exclude.None, Order.Ascending, 0, visited.Count + 16)
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
                var shards = page.Select(m => ParseLong((string)m!)).Where(visited.Add).ToList();
                if (shards.Count == 0)
                {
                    break;
                }

                foreach (var shard in shards)
                {
                    if (timers.Count >= max)
                    {
                        break;
                    }

                    var indexPrefix = IndexPrefix(shard);
                    var inScript = indexPrefix.Length > 0;
                    var sp = ShardPrefix(shard);
                    claimed.Add(shard);
                    var result = await EvalAsync(
                        RedisScripts.ClaimTimers,
                        ShardWorkKeys(shard, inScript),
                        [sp, Text(now), Text(max - timers.Count), Text(leaseEnd), Text(shard), indexPrefix, token],
                        cancellationToken).ConfigureAwait(false);
                    var items = (RedisResult[])result!;
                    for (var i = 10; i < items.Length; i++)
                    {
                        timers.Add(JsonSerializer.Deserialize<TimerEntry>((string)items[i]!, StoreJson.Options)! with { Shard = shard });
                    }

                    if (!inScript)
                    {
                        await ReindexAsync(shard, ParseLong((string)items[0]!), Scores(items, 1), exact: true, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception) when (claimed.Count > 0)
        {
            // Nobody holds what these shards' claims took (an answer lost, or this call failed after them): put back by
            // the next claim, as soon as the store answers again.
            lock (_lostClaims)
            {
                _lostClaims.AddRange(claimed.Select(shard => new LostClaim(
                    shard,
                    RedisScripts.ReleaseTimerClaim,
                    [ShardPrefix(shard), Text(leaseEnd), token, Text(shard), IndexPrefix(shard)])));
            }

            throw;
        }

        return timers;
    }

    public async Task<TimerEntry?> GetTimerAsync(string timerId, long shard, CancellationToken cancellationToken)
    {
        CheckShard(shard);
        var json = await _db.HashGetAsync(ShardPrefix(shard) + "tmr:" + timerId, "j").WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        return json.HasValue ? JsonSerializer.Deserialize<TimerEntry>((string)json!, StoreJson.Options)! with { Shard = shard } : null;
    }

    /// <summary>
    /// Rebuilds the work index from the registry of shards (<c>ix:shards</c>): each shard is surveyed (a read-only script
    /// in its slot) and its index entries set exactly, unless a later change was indexed meanwhile (then only added or
    /// moved earlier). Claims run it at their first call, every <see cref="RedisStoreOptions.IndexSweepInterval"/>, and
    /// at the next claim after an index update failed; a crash between a commit and its index update therefore only
    /// delays delivery until then.
    /// </summary>
    public async Task SweepIndexAsync(CancellationToken cancellationToken)
    {
        var batch = new List<long>(64);
        await foreach (var member in _db.SetScanAsync(RootPrefix + "ix:shards", pageSize: 500).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            batch.Add(ParseLong((string)member!));
            if (batch.Count == 64)
            {
                await SweepAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }

        await SweepAsync(batch, cancellationToken).ConfigureAwait(false);

        async Task SweepAsync(List<long> shards, CancellationToken ct) =>
            await Task.WhenAll(shards.Select(async shard =>
            {
                var sp = ShardPrefix(shard);
                var items = (RedisResult[])(await EvalAsync(RedisScripts.SurveyShard, ShardWorkKeys(shard, withIndex: false), [sp], ct).ConfigureAwait(false))!;
                await ReindexAsync(shard, ParseLong((string)items[0]!), Scores(items, 1), exact: true, ct, rethrow: true).ConfigureAwait(false);
            })).ConfigureAwait(false);
    }

    private async Task SweepIfDueAsync(CancellationToken cancellationToken)
    {
        var now = NowMs();
        if ((!_sweepDue && now - Interlocked.Read(ref _lastSweepMs) < _sweepIntervalMs) || Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
        {
            return;
        }

        try
        {
            _sweepDue = false;
            await SweepIndexAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastSweepMs, now);
        }
        catch
        {
            _sweepDue = true;
            throw;
        }
        finally
        {
            Interlocked.Exchange(ref _sweeping, 0);
        }
    }

    /// <summary>Adds the shard to the registry the sweep reads (once per process and shard).</summary>
    private async Task RegisterAsync(long shard, CancellationToken cancellationToken)
    {
        if (_registered.ContainsKey(shard))
        {
            return;
        }

        await _db.SetAddAsync(RootPrefix + "ix:shards", Text(shard)).WaitAsync(cancellationToken).ConfigureAwait(false);
        _registered.TryAdd(shard, true);
    }

    /// <summary>
    /// Updates the root shard's index after a script of another shard. A failure is not the caller's: the shard's own
    /// change is made; the next claim sweeps (the registry names the shard), so the work is found, only later.
    /// </summary>
    private async Task ReindexAsync(long shard, long epoch, string[] scores, bool exact, CancellationToken cancellationToken, bool rethrow = false)
    {
        var args = new RedisValue[13];
        args[0] = RootPrefix;
        args[1] = Text(shard);
        args[2] = Text(epoch);
        args[3] = exact ? "1" : "0";
        for (var i = 0; i < 9; i++)
        {
            args[4 + i] = scores[i];
        }

        var keys = new List<RedisKey>(11);
        AddIndexKeys(keys);
        try
        {
            await EvalAsync(RedisScripts.Reindex, [.. keys], args, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!rethrow && ex is RedisException or TimeoutException)
        {
            _sweepDue = true;
        }
    }

    /// <summary>The root shard's index keys: the nine indexes, the epochs and the registry.</summary>
    private void AddIndexKeys(List<RedisKey> keys)
    {
        foreach (var name in IndexNames)
        {
            keys.Add(RootPrefix + name);
        }

        keys.Add(RootPrefix + "ix:epoch");
        keys.Add(RootPrefix + "ix:shards");
    }

    /// <summary>What a claim or survey of a shard reads and writes, known before it runs (plus the index when the script updates it).</summary>
    private RedisKey[] ShardWorkKeys(long shard, bool withIndex)
    {
        var sp = ShardPrefix(shard);
        var keys = LaneKeys(sp);
        keys.Add(sp + "epoch");
        keys.Add(sp + "timers");
        keys.Add(sp + "timers:inflight");
        if (withIndex)
        {
            AddIndexKeys(keys);
        }

        return [.. keys];
    }

    private static List<RedisKey> LaneKeys(string sp)
    {
        var keys = new List<RedisKey>(24);
        for (var lane = 0; lane < 4; lane++)
        {
            var text = Text(lane);
            keys.Add(sp + "lane:" + text);
            keys.Add(sp + "retry:" + text);
            keys.Add(sp + "inflight:" + text);
        }

        return keys;
    }

    /// <summary>A message's own keys and the lane sets (the tag key is read from the message inside the script).</summary>
    private static List<RedisKey> MessageKeys(string sp, long number)
    {
        var keys = LaneKeys(sp);
        keys.Insert(0, sp + "dlv:" + Text(number));
        keys.Insert(0, sp + "ob:" + Text(number));
        return keys;
    }

    private static string[] Scores(RedisResult[] items, int from)
    {
        var scores = new string[9];
        for (var i = 0; i < 9; i++)
        {
            scores[i] = (string?)items[from + i] ?? "";
        }

        return scores;
    }

    private static (long Shard, long Number) Split(long outboxId) => (OutboxIds.ShardOf(outboxId), OutboxIds.NumberOf(outboxId));

    private static void CheckShard(long shard)
    {
        if (shard is <= 0 or > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard, "A shard is an organisation node id, 1 … 2^31-1.");
        }
    }
}
