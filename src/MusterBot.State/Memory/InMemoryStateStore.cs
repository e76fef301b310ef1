using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Timers;

namespace MusterBot.State.Memory;

/// <summary>
/// The reference implementation of <see cref="IStateStore"/>, kept in process memory (sandbox, unit tests).
/// Outbox messages, their delivery records and tags, and timers belong to the shard of the commit that made them,
/// as in Redis (ids carry the shard: <see cref="OutboxIds"/>); claims take from every shard.
/// Thread-safe with one lock; every expiry (document TTL, the 24 h update marks, the 7 days of delivery records,
/// leases) is judged against the injected <see cref="TimeProvider"/>, so a fake clock drives it.
/// </summary>
public sealed partial class InMemoryStateStore : IStateStore
{
    private static readonly TimeSpan HandledUpdateRetention = TimeSpan.FromHours(24);
    private static readonly TimeSpan DeliveryRetention = TimeSpan.FromDays(7);

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    private readonly Dictionary<DocKey, DocEntry> _docs = [];
    private readonly Dictionary<string, HashSet<string>> _sets = new(StringComparer.Ordinal);
    private readonly Dictionary<(long Shard, long UpdateId), DateTimeOffset> _handledUpdates = [];

    // Shards that ever had a message or a timer, as Redis's registry ix:shards (CountSetsAsync adds up their sets).
    private readonly HashSet<long> _registry = [];
    private readonly Queue<(DateTimeOffset Expires, (long Shard, long UpdateId) Mark)> _handledExpiry = new();

    private readonly Dictionary<long, long> _outboxSequences = [];
    private readonly Dictionary<long, OutboxEntry> _outbox = [];
    private readonly SortedSet<(DateTimeOffset Ready, long Id)>[] _lanes =
        [new(), new(), new(), new()];

    // Messages put back by RetryOutboxAsync, per lane, by NotBefore: claimed (once due) before the lane's fresh ones.
    private readonly SortedSet<(DateTimeOffset Ready, long Id)>[] _retries =
        [new(), new(), new(), new()];
    private readonly SortedSet<(DateTimeOffset Until, long Id)> _outboxInFlight = [];

    // Per shard and chat: the ids of that chat's messages waiting in a retry set (not leased), to keep them in id order.
    private readonly Dictionary<(long Shard, long Chat), SortedSet<long>> _retriesByChat = [];

    private readonly Dictionary<long, DeliveryEntry> _deliveries = [];
    private readonly Queue<(DateTimeOffset Expires, long OutboxId)> _deliveryExpiry = new();
    private readonly Dictionary<string, SortedSet<long>> _tags = new(StringComparer.Ordinal);

    private readonly Dictionary<(long Shard, string Id), TimerEntry> _timers = [];
    private readonly SortedSet<(DateTimeOffset Due, (long Shard, string Id) Key)> _dueTimers = new(DueComparer.Instance);
    private readonly SortedSet<(DateTimeOffset Due, (long Shard, string Id) Key)> _timersInFlight = new(DueComparer.Instance);
    private readonly Dictionary<(long Shard, string Id), DateTimeOffset> _timerLeases = [];

    public InMemoryStateStore(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
    }

    public Task<StoredDoc?> GetAsync(DocKey key, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            return Task.FromResult(ReadDoc(key, now));
        }
    }

    public Task<IReadOnlyList<StoredDoc?>> GetManyAsync(IReadOnlyList<DocKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var now = _time.GetUtcNow();
        var result = new StoredDoc?[keys.Count];
        lock (_gate)
        {
            for (var i = 0; i < keys.Count; i++)
            {
                result[i] = ReadDoc(keys[i], now);
            }
        }

        return Task.FromResult<IReadOnlyList<StoredDoc?>>(result);
    }

    public Task<IReadOnlyList<string>> GetSetMembersAsync(string setName, long shard, CancellationToken cancellationToken)
    {
        string[] members;
        lock (_gate)
        {
            members = _sets.TryGetValue(SetKey(shard, setName), out var set) ? [.. set] : [];
        }

        Array.Sort(members, StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<string>>(members);
    }

    public Task<bool> IsUpdateHandledAsync(long updateId, long shard, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            return Task.FromResult(IsHandled((shard, updateId), now));
        }
    }

    public Task<CommitResult> CommitAsync(Commit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        commit = ShardChecks.Bound(commit);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (commit.UpdateId is { } updateId && IsHandled((commit.Shard, updateId), now))
            {
                return Task.FromResult(CommitResult.Duplicate);
            }

            if (commit.ConsumesTimerId is { } consumed && !_timers.ContainsKey((commit.Shard, consumed)))
            {
                return Task.FromResult(CommitResult.Duplicate);
            }

            foreach (var write in commit.Writes)
            {
                if (write.ExpectedVersion is { } expected && (ReadDoc(write.Key, now)?.Version ?? 0) != expected)
                {
                    return Task.FromResult(CommitResult.Conflict);
                }
            }

            foreach (var write in commit.Writes)
            {
                ApplyWrite(write, now);
            }

            foreach (var change in commit.SetChanges)
            {
                ApplySetChange(change, commit.Shard);
            }

            if (commit.Outbox.Count > 0 || commit.SetTimers.Count > 0)
            {
                _registry.Add(commit.Shard);
            }

            var ids = new long[commit.Outbox.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = Enqueue(commit.Outbox[i], now, commit.Shard);
            }

            if (commit.ConsumesTimerId is { } consumedId)
            {
                RemoveTimer((commit.Shard, consumedId));
            }

            foreach (var timerId in commit.CancelTimers)
            {
                RemoveTimer((commit.Shard, timerId));
            }

            // After the consumed and cancelled timers are gone: a KeepExisting timer yields to one that is still
            // there (waiting or claimed), so consuming or cancelling X and setting X again in one commit sets the new X.
            foreach (var timer in commit.SetTimers)
            {
                var key = (commit.Shard, timer.Id);
                if (timer.KeepExisting && _timers.ContainsKey(key))
                {
                    continue;
                }

                RemoveTimer(key);
                _timers[key] = timer with { KeepExisting = false, Shard = commit.Shard };
                _dueTimers.Add((timer.DueAt, key));
            }

            if (commit.UpdateId is { } handled)
            {
                var expires = now + HandledUpdateRetention;
                _handledUpdates[(commit.Shard, handled)] = expires;
                _handledExpiry.Enqueue((expires, (commit.Shard, handled)));
            }

            PruneExpired(now);
            return Task.FromResult(new CommitResult(CommitStatus.Committed, ids));
        }
    }

    public Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, TimeSpan lease, CancellationToken cancellationToken) =>
        ClaimOutboxAsync(max, 0, lease, cancellationToken);

    public Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, int reservedForReplies, TimeSpan lease, CancellationToken cancellationToken) =>
        ClaimOutboxAsync(max, reservedForReplies, int.MaxValue, lease, cancellationToken);

    public Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, int reservedForReplies, int maxRateLimited, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var claimed = new List<OutboxMessage>(Math.Max(0, Math.Min(max, 256)));
        lock (_gate)
        {
            while (_outboxInFlight.Count > 0 && _outboxInFlight.Min.Until <= now)
            {
                var expired = _outboxInFlight.Min;
                _outboxInFlight.Remove(expired);
                var entry = _outbox[expired.Id];
                entry.LeasedUntil = null;
                Wait(expired.Id, entry);
            }

            // Up to reservedForReplies of the claim go to waiting replies first, then lanes in priority order; within a
            // lane, due retries go before fresh messages.
            // Callback answers (never rate-limited) before everything; the reply reservation counts after them.
            var passes = new[] { (Lane.Answer, max), (Lane.Reply, -1), (Lane.Emergency, max), (Lane.Reply, max), (Lane.Normal, max) };
            var answers = 0;
            foreach (var (laneKind, passLimit) in passes)
            {
                var lane = (int)laneKind;
                var limit = passLimit < 0 ? Math.Min(max, claimed.Count + reservedForReplies) : passLimit;
                if (laneKind == Lane.Answer)
                {
                    answers = -1;
                }
                else
                {
                    answers = answers < 0 ? claimed.Count : answers;
                    limit = (int)Math.Min(limit, (long)answers + Math.Max(0, maxRateLimited));
                }

                foreach (var set in new[] { _retries[lane], _lanes[lane] })
                {
                    while (claimed.Count < limit && set.Count > 0 && set.Min.Ready <= now)
                    {
                        var next = set.Min;
                        set.Remove(next);
                        var entry = _outbox[next.Id];
                        ForgetRetryOfChat(next.Id, entry);
                        entry.LeasedUntil = now + lease;
                        _outboxInFlight.Add((entry.LeasedUntil.Value, next.Id));
                        claimed.Add(entry.Message);
                    }
                }
            }
        }

        return Task.FromResult<IReadOnlyList<OutboxMessage>>(claimed);
    }

    public Task CompleteOutboxAsync(long outboxId, DeliveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            Complete(outboxId, record, now);
        }

        return Task.CompletedTask;
    }

    public Task<long?> ForwardOutboxAsync(long outboxId, DeliveryRecord record, OutboxMessage forward, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(forward);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_outbox.ContainsKey(outboxId))
            {
                return Task.FromResult<long?>(null);
            }

            Complete(outboxId, record, now);
            return Task.FromResult<long?>(Enqueue(forward with { Id = 0 }, now, OutboxIds.ShardOf(outboxId)));
        }
    }

    private void Complete(long outboxId, DeliveryRecord record, DateTimeOffset now)
    {
        string? tag = record.Tag;
        if (_outbox.Remove(outboxId, out var entry))
        {
            UnlinkOutbox(outboxId, entry);
            tag ??= entry.Message.Tag;
        }
        else if (_deliveries.TryGetValue(outboxId, out var previous))
        {
            tag ??= previous.Record.Tag;
        }

        var expires = now + DeliveryRetention;
        _deliveries[outboxId] = new DeliveryEntry(record with { OutboxId = outboxId, Tag = tag }, expires);
        _deliveryExpiry.Enqueue((expires, outboxId));
        if (tag is not null)
        {
            AddToTag(tag, outboxId);
        }

        PruneExpired(now);
    }

    public Task RetryOutboxAsync(long outboxId, DateTimeOffset notBefore, int attempts, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_outbox.TryGetValue(outboxId, out var entry))
            {
                return Task.CompletedTask;
            }

            UnlinkOutbox(outboxId, entry);

            // A chat's put-back messages wait in id order (as the Redis store's rchat sets keep them): this one no less
            // long than the chat's earlier ones, and later ones that would be due sooner are moved to its time.
            var chat = (OutboxIds.ShardOf(outboxId), entry.Message.ChatId);
            if (!_retriesByChat.TryGetValue(chat, out var waiting))
            {
                waiting = [];
                _retriesByChat[chat] = waiting;
            }

            if (waiting.GetViewBetween(long.MinValue, outboxId - 1) is { Count: > 0 } earlier && _outbox[earlier.Max].Ready > notBefore)
            {
                notBefore = _outbox[earlier.Max].Ready;
            }

            foreach (var laterId in waiting.GetViewBetween(outboxId + 1, long.MaxValue).ToList())
            {
                var later = _outbox[laterId];
                if (later.Ready >= notBefore)
                {
                    break;
                }

                _retries[(int)later.Message.Lane].Remove((later.Ready, laterId));
                later.Ready = notBefore;
                later.Message = later.Message with { NotBefore = notBefore };
                _retries[(int)later.Message.Lane].Add((notBefore, laterId));
            }

            waiting.Add(outboxId);
            entry.Message = entry.Message with { NotBefore = notBefore, Attempts = attempts };
            entry.Ready = notBefore;
            entry.Retried = true;
            _retries[(int)entry.Message.Lane].Add((notBefore, outboxId));
            if (_deliveries.TryGetValue(outboxId, out var delivery))
            {
                _deliveries[outboxId] = delivery with { Record = delivery.Record with { Attempts = attempts } };
            }
        }

        return Task.CompletedTask;
    }

    public Task<DeliveryRecord?> GetDeliveryAsync(long outboxId, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            return Task.FromResult(ReadDelivery(outboxId, now));
        }
    }

    public Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesByTagAsync(string tag, long shard, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var result = new List<DeliveryRecord>();
        lock (_gate)
        {
            if (_tags.TryGetValue(TagKey(shard, tag), out var ids))
            {
                foreach (var id in ids)
                {
                    if (ReadDelivery(id, now) is { } record)
                    {
                        result.Add(record);
                    }
                }
            }
        }

        return Task.FromResult<IReadOnlyList<DeliveryRecord>>(result);
    }

    public Task<IReadOnlyDictionary<Lane, long>> CountOutboxAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<Lane, long> { [Lane.Emergency] = 0, [Lane.Reply] = 0, [Lane.Normal] = 0, [Lane.Answer] = 0 };
        lock (_gate)
        {
            foreach (var entry in _outbox.Values)
            {
                counts[entry.Message.Lane]++;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<Lane, long>>(counts);
    }

    public Task<IReadOnlyList<TimerEntry>> ClaimDueTimersAsync(int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var claimed = new List<TimerEntry>();
        lock (_gate)
        {
            while (_timersInFlight.Count > 0 && _timersInFlight.Min.Due <= now)
            {
                var expired = _timersInFlight.Min;
                _timersInFlight.Remove(expired);
                _timerLeases.Remove(expired.Key);
                _dueTimers.Add((_timers[expired.Key].DueAt, expired.Key));
            }

            while (claimed.Count < max && _dueTimers.Count > 0 && _dueTimers.Min.Due <= now)
            {
                var next = _dueTimers.Min;
                _dueTimers.Remove(next);
                var until = now + lease;
                _timersInFlight.Add((until, next.Key));
                _timerLeases[next.Key] = until;
                claimed.Add(_timers[next.Key]);
            }
        }

        return Task.FromResult<IReadOnlyList<TimerEntry>>(claimed);
    }

    public Task<TimerEntry?> GetTimerAsync(string timerId, long shard, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_timers.GetValueOrDefault((shard, timerId)));
        }
    }

    public Task EraseAllAsync(CancellationToken cancellationToken)
    {
        Clear();
        return Task.CompletedTask;
    }

    /// <summary>Forgets everything: documents, sets, the outbox, delivery records, timers (the sandbox's "reset demo").</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _docs.Clear();
            _sets.Clear();
            _registry.Clear();
            _handledUpdates.Clear();
            _handledExpiry.Clear();
            _outbox.Clear();
            _outboxSequences.Clear();
            foreach (var lane in _lanes)
            {
                lane.Clear();
            }

            foreach (var retry in _retries)
            {
                retry.Clear();
            }

            _outboxInFlight.Clear();
            _deliveries.Clear();
            _deliveryExpiry.Clear();
            _tags.Clear();
            _timers.Clear();
            _dueTimers.Clear();
            _timersInFlight.Clear();
            _timerLeases.Clear();
        }
    }

    public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private StoredDoc? ReadDoc(DocKey key, DateTimeOffset now)
    {
        var bound = key.Bind(Shards.Root);
        if (!_docs.TryGetValue(bound, out var doc))
        {
            return null;
        }

        if (doc.Expires <= now)
        {
            _docs.Remove(bound);
            return null;
        }

        return doc.Doc.Key == key ? doc.Doc : doc.Doc.WithKey(key);
    }

    private void ApplyWrite(DocWrite write, DateTimeOffset now)
    {
        var current = ReadDoc(write.Key, now);
        if (write.Json is null)
        {
            _docs.Remove(write.Key);
            return;
        }

        var version = (current?.Version ?? 0) + 1;
        _docs[write.Key] = new DocEntry(new StoredDoc(write.Key, write.Json, version), now + write.TimeToLive);
    }

    private void ApplySetChange(SetChange change, long shard)
    {
        var name = SetKey(shard, change.Set);
        if (change.Add)
        {
            if (!_sets.TryGetValue(name, out var set))
            {
                set = new HashSet<string>(StringComparer.Ordinal);
                _sets[name] = set;
            }

            set.Add(change.Member);
        }
        else if (_sets.TryGetValue(name, out var set) && set.Remove(change.Member) && set.Count == 0)
        {
            _sets.Remove(name);
        }
    }

    private static string SetKey(long shard, string setName) =>
        shard.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + setName;

    private long Enqueue(OutboxMessage message, DateTimeOffset now, long shard)
    {
        var number = _outboxSequences.GetValueOrDefault(shard) + 1;
        _outboxSequences[shard] = number;
        var id = OutboxIds.Compose(shard, number);
        var stored = message with
        {
            Id = id,
            EnqueuedAt = message.EnqueuedAt == default ? now : message.EnqueuedAt,
        };
        var ready = stored.NotBefore ?? now;
        _outbox[id] = new OutboxEntry(stored, ready);
        _lanes[(int)stored.Lane].Add((ready, id));
        _deliveries[id] = new DeliveryEntry(
            new DeliveryRecord(id, stored.ChatId, DeliveryStatus.Queued, now) { Tag = stored.Tag, Attempts = stored.Attempts },
            Expires: null);
        if (stored.Tag is not null)
        {
            AddToTag(stored.Tag, id);
        }

        return id;
    }

    private void UnlinkOutbox(long id, OutboxEntry entry)
    {
        if (entry.LeasedUntil is { } until)
        {
            _outboxInFlight.Remove((until, id));
            entry.LeasedUntil = null;
        }
        else
        {
            WaitingSet(entry).Remove((entry.Ready, id));
            ForgetRetryOfChat(id, entry);
        }
    }

    /// <summary>Puts a message whose lease ran out back where it waits (a put-back one into its chat's retry order too).</summary>
    private void Wait(long id, OutboxEntry entry)
    {
        WaitingSet(entry).Add((entry.Ready, id));
        if (entry.Retried)
        {
            var chat = (OutboxIds.ShardOf(id), entry.Message.ChatId);
            if (!_retriesByChat.TryGetValue(chat, out var waiting))
            {
                waiting = [];
                _retriesByChat[chat] = waiting;
            }

            waiting.Add(id);
        }
    }

    private void ForgetRetryOfChat(long id, OutboxEntry entry)
    {
        var chat = (OutboxIds.ShardOf(id), entry.Message.ChatId);
        if (entry.Retried && _retriesByChat.TryGetValue(chat, out var waiting) && waiting.Remove(id) && waiting.Count == 0)
        {
            _retriesByChat.Remove(chat);
        }
    }

    /// <summary>Where a message waits while not leased: its lane's retry set once it was put back, else the lane.</summary>
    private SortedSet<(DateTimeOffset Ready, long Id)> WaitingSet(OutboxEntry entry) =>
        (entry.Retried ? _retries : _lanes)[(int)entry.Message.Lane];

    private void AddToTag(string tag, long id)
    {
        var key = TagKey(OutboxIds.ShardOf(id), tag);
        if (!_tags.TryGetValue(key, out var ids))
        {
            ids = [];
            _tags[key] = ids;
        }

        ids.Add(id);
    }

    private static string TagKey(long shard, string tag) =>
        shard.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + tag;

    private DeliveryRecord? ReadDelivery(long outboxId, DateTimeOffset now) =>
        _deliveries.TryGetValue(outboxId, out var entry) && !(entry.Expires <= now) ? entry.Record : null;

    private void RemoveTimer((long Shard, string Id) timerId)
    {
        if (!_timers.Remove(timerId, out var timer))
        {
            return;
        }

        if (_timerLeases.Remove(timerId, out var until))
        {
            _timersInFlight.Remove((until, timerId));
        }
        else
        {
            _dueTimers.Remove((timer.DueAt, timerId));
        }
    }

    private bool IsHandled((long Shard, long UpdateId) mark, DateTimeOffset now) =>
        _handledUpdates.TryGetValue(mark, out var expires) && expires > now;

    /// <summary>Forgets update marks and finished delivery records whose retention has passed.</summary>
    private void PruneExpired(DateTimeOffset now)
    {
        while (_handledExpiry.TryPeek(out var mark) && mark.Expires <= now)
        {
            _handledExpiry.Dequeue();
            if (_handledUpdates.TryGetValue(mark.Mark, out var expires) && expires <= now)
            {
                _handledUpdates.Remove(mark.Mark);
            }
        }

        while (_deliveryExpiry.TryPeek(out var due) && due.Expires <= now)
        {
            _deliveryExpiry.Dequeue();
            if (_deliveries.TryGetValue(due.OutboxId, out var entry) && entry.Expires <= now)
            {
                _deliveries.Remove(due.OutboxId);
                var tagKey = entry.Record.Tag is { } tag ? TagKey(OutboxIds.ShardOf(due.OutboxId), tag) : null;
                if (tagKey is not null && _tags.TryGetValue(tagKey, out var ids) && ids.Remove(due.OutboxId)
                    && ids.Count == 0)
                {
                    _tags.Remove(tagKey);
                }
            }
        }
    }

    private sealed record DocEntry(StoredDoc Doc, DateTimeOffset? Expires);

    private sealed record DeliveryEntry(DeliveryRecord Record, DateTimeOffset? Expires);

    private sealed class OutboxEntry(OutboxMessage message, DateTimeOffset ready)
    {
        public OutboxMessage Message { get; set; } = message;

        public DateTimeOffset Ready { get; set; } = ready;

        public DateTimeOffset? LeasedUntil { get; set; }

        /// <summary>Put back by <see cref="RetryOutboxAsync"/>: waits in the lane's retry set.</summary>
        public bool Retried { get; set; }
    }

    /// <summary>Orders timers by time, then shard, then id with ordinal comparison (as Redis orders equal scores).</summary>
    private sealed class DueComparer : IComparer<(DateTimeOffset Due, (long Shard, string Id) Key)>
    {
        public static DueComparer Instance { get; } = new();

        public int Compare((DateTimeOffset Due, (long Shard, string Id) Key) x, (DateTimeOffset Due, (long Shard, string Id) Key) y)
        {
            var byDue = x.Due.CompareTo(y.Due);
            if (byDue != 0)
            {
                return byDue;
            }

            var byShard = x.Key.Shard.CompareTo(y.Key.Shard);
            return byShard != 0 ? byShard : string.CompareOrdinal(x.Key.Id, y.Key.Id);
        }
    }
}
