using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Org;
using MusterBot.State.Timers;
using StackExchange.Redis;

namespace MusterBot.State.Migration;

/// <summary>
/// Moves a Redis store written by the single-community release (commit 311e355: keys <c>{p}doc:{kind}:{id}</c>,
/// <c>{p}set:{name}</c>, <c>{p}upd:{id}</c>, one outbox and one timer queue) into community
/// <see cref="DefaultTree.CommunityId"/> of the default tree, on start, before the bot handles anything.
/// </summary>
/// <remarks>
/// <para>The old layout is read with raw Redis commands; everything is written through <see cref="IStateStore.CommitAsync"/>
/// (commits of shard 4, or of the root for the tree and the people's homes), so the migration does not depend on where
/// the store keeps a shard's documents, outbox or timers.</para>
/// <para>Order: the progress document (<see cref="MigrationState"/>, root shard) → the default tree → every pending
/// outbox message and timer copied into a staging document of shard 4 → documents (written only where absent, with
/// their remaining time to live; each registered person gets <see cref="PersonHome"/>; the profile and conversation of
/// someone who never registered go to the root shard, where people without a community live) → sets → still-valid handled-update marks →
/// administrators → each staged message / timer: old keys deleted, then enqueued in the same commit that deletes its
/// staging document → done. Every step is guarded (written only if absent, or by the staging document's version), and
/// every old key is deleted only after its content was committed, so a run cut short anywhere is finished, without a
/// duplicate message, by the next start.</para>
/// <para>Two instances starting at once: a lock key with an expiry (renewed while the migration runs); the second
/// waits for the first and then finds nothing to do.</para>
/// <para>Versions: every migrated document starts again at version 1. Versions are only compared within one decision
/// (read, then written back with the version read), never kept across updates or in buttons, so nothing depends on the
/// old numbers. Kept: completed delivery records and their tag indexes stay under their old keys and expire there
/// (7 days); the outbox id counter <c>{p}seq:outbox</c> is left as it is.</para>
/// </remarks>
public sealed partial class SingleCommunityMigration
{
    /// <summary>The progress document (<see cref="MigrationState"/>), in the root shard.</summary>
    /// <summary>
    /// An old timer as the community's timer: a muster's community timer (user 0, payload <c>mu:…</c>) gets the id that
    /// names its shard (<c>@4:mu:…</c>, as MusterFlow names the community timers it sets), so the muster can still cancel or
    /// replace it; every other timer keeps its id. Either way it lives in the community's shard.
    /// </summary>
    public static TimerEntry InCommunity(TimerEntry timer)
    {
        ArgumentNullException.ThrowIfNull(timer);
        return timer.UserId == 0 && timer.Id.StartsWith("mu:", StringComparison.Ordinal)
            ? timer with { Id = "@" + Target.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + timer.Id, Shard = Target }
            : timer with { Shard = Target };
    }

    public static DocKey StateKey { get; } = new DocKey("migration", "single-community") with { Shard = Shards.Root };

    /// <summary>Set (shard 4) of old outbox ids staged and not yet enqueued again.</summary>
    public const string OutboxStaging = "migration:outbox";

    /// <summary>Set (shard 4) of old timer ids staged and not yet set again.</summary>
    public const string TimerStaging = "migration:timers";

    private const long Target = DefaultTree.CommunityId;
    private const int Batch = 200;
    private const int MembersPerCommit = 500;
    private static readonly Lane[] Lanes = [Lane.Emergency, Lane.Reply, Lane.Normal, Lane.Answer];

    private readonly IStateStore _store;
    private readonly IConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly string _prefix;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _keysHandled;
    private volatile bool _lockLost;

    /// <param name="store">The store the bot uses (writes go through it).</param>
    /// <param name="redis">A connection to the same Redis (reads and deletes of the old keys).</param>
    /// <param name="prefix">The store's key prefix (<c>Redis:KeyPrefix</c>).</param>
    public SingleCommunityMigration(IStateStore store, IConnectionMultiplexer redis, string prefix, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _redis = redis;
        _db = redis.GetDatabase();
        _prefix = prefix;
        _time = time;
        _logger = logger;
    }

    /// <summary>How long the lock lives without renewal (a crashed instance's lock frees itself after this).</summary>
    public TimeSpan LockExpiry { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a second instance waits for the lock before it gives up (start fails, the orchestrator restarts it).</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Tests: the run throws after this many old keys were handled, as if the process died there.</summary>
    internal int? InterruptAfterKeys { get; set; }

    private string LockKey => _prefix + "migration:lock";

    /// <summary>Migrates the store if it holds the single-community layout; always leaves the default tree in place.</summary>
    public async Task<MigrationReport> RunAsync(DefaultTreeNames names, IReadOnlyCollection<long> configuredAdmins, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(configuredAdmins);
        var token = Guid.NewGuid().ToString("N");
        await TakeLockAsync(token, cancellationToken).ConfigureAwait(false);
        using var renewal = new CancellationTokenSource();
        var renewing = RenewLockAsync(token, renewal.Token);
        try
        {
            return await RunLockedAsync(names, configuredAdmins, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await renewal.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
            try
            {
                await _db.LockReleaseAsync(LockKey, token).ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // Redis went away: the lock expires by itself (LockExpiry).
            }
        }
    }

    private async Task<MigrationReport> RunLockedAsync(DefaultTreeNames names, IReadOnlyCollection<long> configuredAdmins, CancellationToken cancellationToken)
    {
        var stateDoc = await _store.GetAsync(StateKey, cancellationToken).ConfigureAwait(false);
        var state = stateDoc is null ? null : RecordJson.Deserialize<MigrationState>(stateDoc.Json);
        if (state is { Done: true })
        {
            await EnsureTreeAsync(names, cancellationToken).ConfigureAwait(false);
            return new MigrationReport(MigrationOutcome.AlreadyDone);
        }

        if (state is null && !await AnyOldKeyAsync(cancellationToken).ConfigureAwait(false))
        {
            await EnsureTreeAsync(names, cancellationToken).ConfigureAwait(false);
            await CommitAsync(new Commit
            {
                Shard = Shards.Root,
                Writes = [new DocWrite(StateKey, RecordJson.Serialize(new MigrationState(Done: true) { StartedAt = _time.GetUtcNow(), FinishedAt = _time.GetUtcNow() }), 0)],
            }, "progress", cancellationToken).ConfigureAwait(false);
            LogFresh(_logger, Target);
            return new MigrationReport(MigrationOutcome.Fresh);
        }

        LogStarting(_logger, state is null ? "starting" : "resuming", Target);
        long stateVersion;
        if (state is null)
        {
            state = new MigrationState(Done: false) { StartedAt = _time.GetUtcNow() };
            await CommitAsync(new Commit { Shard = Shards.Root, Writes = [new DocWrite(StateKey, RecordJson.Serialize(state), 0)] }, "progress", cancellationToken).ConfigureAwait(false);
            stateVersion = 1;
        }
        else
        {
            stateVersion = stateDoc!.Version;
        }

        await EnsureTreeAsync(names, cancellationToken).ConfigureAwait(false);
        var counts = new Counts();

        // 1. Capture the outbox and the timers first, before anything else is written.
        if (!state.OutboxStaged)
        {
            await StageOutboxAsync(counts, cancellationToken).ConfigureAwait(false);
            state = state with { OutboxStaged = true };
            stateVersion = await SaveStateAsync(state, stateVersion, cancellationToken).ConfigureAwait(false);
        }

        if (!state.TimersStaged)
        {
            await StageTimersAsync(counts, cancellationToken).ConfigureAwait(false);
            state = state with { TimersStaged = true };
            stateVersion = await SaveStateAsync(state, stateVersion, cancellationToken).ConfigureAwait(false);
        }

        // 2. Documents, sets and handled-update marks.
        await MoveDocumentsAsync(counts, cancellationToken).ConfigureAwait(false);
        await MoveSetsAsync(counts, cancellationToken).ConfigureAwait(false);
        await MoveMarksAsync(counts, cancellationToken).ConfigureAwait(false);

        // 3. The community's administrators administer its node.
        await AppointAdminsAsync(configuredAdmins, counts, cancellationToken).ConfigureAwait(false);

        // 4. The staged messages and timers, each exactly once.
        await EnqueueStagedOutboxAsync(counts, cancellationToken).ConfigureAwait(false);
        await SetStagedTimersAsync(counts, cancellationToken).ConfigureAwait(false);

        state = state with { Done = true, FinishedAt = _time.GetUtcNow() };
        await SaveStateAsync(state, stateVersion, cancellationToken).ConfigureAwait(false);
        var report = counts.Report();
        foreach (var (kind, count) in report.Documents.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            LogDocuments(_logger, kind, count);
        }

        LogMigrated(_logger, Target, report.Documents.Values.Sum(), report.Sets, report.SetMembers, report.People, report.Admins, report.OutboxMessages, report.Timers, report.UpdateMarks, report.Dropped);
        return report;
    }

    private async Task EnsureTreeAsync(DefaultTreeNames names, CancellationToken cancellationToken)
    {
        if (await _store.GetAsync(DocKeys.OrgNode(Target), cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        // Written only where absent: a conflict means another writer created it first.
        await _store.CommitAsync(DefaultTree.Commit(names, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> SaveStateAsync(MigrationState state, long version, CancellationToken cancellationToken)
    {
        await CommitAsync(new Commit { Shard = Shards.Root, Writes = [new DocWrite(StateKey, RecordJson.Serialize(state), version)] }, "progress", cancellationToken).ConfigureAwait(false);
        return version + 1;
    }

    // ---------------------------------------------------------------- outbox

    private async Task StageOutboxAsync(Counts counts, CancellationToken cancellationToken)
    {
        var ids = new SortedSet<long>();
        foreach (var lane in Lanes)
        {
            foreach (var set in new[] { "lane:", "retry:", "inflight:" })
            {
                foreach (var member in await _db.SortedSetRangeByRankAsync(_prefix + set + Text((int)lane)).ConfigureAwait(false))
                {
                    ids.Add(ParseLong(member!));
                }
            }
        }

        foreach (var chunk in ids.Chunk(Batch))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var hashes = await Task.WhenAll(chunk.Select(id => _db.HashGetAllAsync(_prefix + "ob:" + Text(id)))).ConfigureAwait(false);
            var staged = new List<(long Id, StagedMessage Message)>();
            for (var i = 0; i < chunk.Length; i++)
            {
                var fields = hashes[i].ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
                if (!fields.TryGetValue("j", out var json))
                {
                    counts.Dropped++; // a lane entry without its message: nothing to send
                    continue;
                }

                var message = JsonSerializer.Deserialize<OutboxMessage>(json, StoreJson.Options)!;
                message = message with
                {
                    Id = 0,
                    Tag = fields.GetValueOrDefault("t") ?? message.Tag,
                    Attempts = fields.TryGetValue("a", out var attempts) ? (int)ParseLong(attempts) : message.Attempts,
                    NotBefore = fields.TryGetValue("nb", out var notBefore) && notBefore.Length > 0
                        ? DateTimeOffset.Parse(notBefore, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
                        : message.NotBefore,
                };
                staged.Add((chunk[i], new StagedMessage(chunk[i], message)));
            }

            await StageAsync(staged.Select(s => (OutboxMarker(s.Id), Text(s.Id), JsonSerializer.Serialize(s.Message, StoreJson.Options))).ToList(), OutboxStaging, cancellationToken).ConfigureAwait(false);
            foreach (var _ in staged)
            {
                Tick();
            }
        }
    }

    private async Task EnqueueStagedOutboxAsync(Counts counts, CancellationToken cancellationToken)
    {
        var ids = (await _store.GetSetMembersAsync(OutboxStaging, Target, cancellationToken).ConfigureAwait(false)).Select(ParseLong).Order().ToList();
        foreach (var chunk in ids.Chunk(Batch))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var markers = await _store.GetManyAsync([.. chunk.Select(OutboxMarker)], cancellationToken).ConfigureAwait(false);
            var commit = new Commit { Shard = Target };
            var outbox = new List<OutboxMessage>();
            var writes = new List<DocWrite>();
            var changes = new List<SetChange>();
            for (var i = 0; i < chunk.Length; i++)
            {
                changes.Add(new SetChange(OutboxStaging, Text(chunk[i]), Add: false));
                if (markers[i] is not { } marker)
                {
                    continue;
                }

                var staged = JsonSerializer.Deserialize<StagedMessage>(marker.Json, StoreJson.Options)!;
                await DeleteOldMessageAsync(chunk[i], staged.Message.Tag).ConfigureAwait(false);
                Tick();
                outbox.Add(staged.Message);
                writes.Add(new DocWrite(marker.Key, null, marker.Version));
            }

            // The message is enqueued by the same commit that deletes its staging document: at most once.
            var result = await _store.CommitAsync(commit with { Outbox = outbox, Writes = writes, SetChanges = changes }, cancellationToken).ConfigureAwait(false);
            if (result.Status != CommitStatus.Committed)
            {
                throw new InvalidOperationException($"Migration: re-enqueuing staged outbox messages was refused ({result.Status}); another process wrote the staging documents.");
            }

            counts.OutboxMessages += outbox.Count;
        }
    }

    private async Task DeleteOldMessageAsync(long id, string? tag)
    {
        var padded = id.ToString("D19", CultureInfo.InvariantCulture);
        var deletes = new List<Task>();
        foreach (var lane in Lanes)
        {
            foreach (var set in new[] { "lane:", "retry:", "inflight:" })
            {
                deletes.Add(_db.SortedSetRemoveAsync(_prefix + set + Text((int)lane), padded));
            }
        }

        deletes.Add(_db.KeyDeleteAsync(_prefix + "ob:" + Text(id)));
        deletes.Add(_db.KeyDeleteAsync(_prefix + "dlv:" + Text(id)));
        if (tag is not null)
        {
            deletes.Add(_db.SortedSetRemoveAsync(_prefix + "tag:" + tag, Text(id)));
        }

        await Task.WhenAll(deletes).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- timers

    private async Task StageTimersAsync(Counts counts, CancellationToken cancellationToken)
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in await ScanAsync("tmr:", cancellationToken).ConfigureAwait(false))
        {
            ids.Add(key[(_prefix.Length + "tmr:".Length)..]);
        }

        foreach (var chunk in ids.Chunk(Batch))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var jsons = await Task.WhenAll(chunk.Select(id => _db.HashGetAsync(_prefix + "tmr:" + id, "j"))).ConfigureAwait(false);
            var staged = new List<(DocKey, string, string)>();
            for (var i = 0; i < chunk.Length; i++)
            {
                if (jsons[i].IsNull)
                {
                    counts.Dropped++;
                    continue;
                }

                staged.Add((TimerMarker(chunk[i]), chunk[i], (string)jsons[i]!));
            }

            await StageAsync(staged, TimerStaging, cancellationToken).ConfigureAwait(false);
            foreach (var _ in staged)
            {
                Tick();
            }
        }
    }

    private async Task SetStagedTimersAsync(Counts counts, CancellationToken cancellationToken)
    {
        var ids = await _store.GetSetMembersAsync(TimerStaging, Target, cancellationToken).ConfigureAwait(false);
        foreach (var chunk in ids.Chunk(Batch))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var markers = await _store.GetManyAsync([.. chunk.Select(TimerMarker)], cancellationToken).ConfigureAwait(false);
            var timers = new List<TimerEntry>();
            var writes = new List<DocWrite>();
            var changes = new List<SetChange>();
            for (var i = 0; i < chunk.Length; i++)
            {
                changes.Add(new SetChange(TimerStaging, chunk[i], Add: false));
                if (markers[i] is not { } marker)
                {
                    continue;
                }

                // The old key first: a layout that keeps timers under the same key gets the new one after it.
                await Task.WhenAll(
                    _db.SortedSetRemoveAsync(_prefix + "timers", chunk[i]),
                    _db.SortedSetRemoveAsync(_prefix + "timers:inflight", chunk[i]),
                    _db.KeyDeleteAsync(_prefix + "tmr:" + chunk[i])).ConfigureAwait(false);
                Tick();
                timers.Add(InCommunity(JsonSerializer.Deserialize<TimerEntry>(marker.Json, StoreJson.Options)!));
                writes.Add(new DocWrite(marker.Key, null, marker.Version));
            }

            var result = await _store.CommitAsync(new Commit { Shard = Target, SetTimers = timers, Writes = writes, SetChanges = changes }, cancellationToken).ConfigureAwait(false);
            if (result.Status != CommitStatus.Committed)
            {
                throw new InvalidOperationException($"Migration: setting staged timers again was refused ({result.Status}); another process wrote the staging documents.");
            }

            counts.Timers += timers.Count;
        }
    }

    /// <summary>Writes staging documents where absent (and their ids into the staging set): repeated, it adds nothing.</summary>
    private async Task StageAsync(List<(DocKey Key, string Member, string Json)> items, string set, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return;
        }

        var existing = await _store.GetManyAsync([.. items.Select(i => i.Key)], cancellationToken).ConfigureAwait(false);
        var writes = new List<DocWrite>();
        var changes = new List<SetChange>();
        for (var i = 0; i < items.Count; i++)
        {
            changes.Add(new SetChange(set, items[i].Member, Add: true));
            if (existing[i] is null)
            {
                writes.Add(new DocWrite(items[i].Key, items[i].Json, 0));
            }
        }

        await CommitAsync(new Commit { Shard = Target, Writes = writes, SetChanges = changes }, "staging", cancellationToken).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- documents, sets, marks

    private async Task MoveDocumentsAsync(Counts counts, CancellationToken cancellationToken)
    {
        var keys = await ScanAsync("doc:", cancellationToken).ConfigureAwait(false);
        var visitors = await VisitorsAsync(keys, cancellationToken).ConfigureAwait(false);
        foreach (var chunk in keys.Chunk(Batch))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var reads = await Task.WhenAll(chunk.Select(k => _db.HashGetAsync(k, DocFields))).ConfigureAwait(false);
            var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var docs = new List<DocWrite>();
            for (var i = 0; i < chunk.Length; i++)
            {
                var (kind, id) = DocName(chunk[i]);
                var fields = reads[i];
                TimeSpan? ttl = fields[2].IsNull ? null : TimeSpan.FromMilliseconds(ParseLong(fields[2]!) - nowMs);
                if (kind.Length == 0 || fields[1].IsNull || ttl <= TimeSpan.Zero)
                {
                    counts.Dropped++; // expired (or not a document): the old store would not have returned it either
                    continue;
                }

                // Someone who wrote to the bot but never registered lives in no community yet: the root, as on a new store.
                var shard = kind is "user" or "conv" && visitors.Contains(id) ? Shards.Root : Target;
                docs.Add(new DocWrite(new DocKey(kind, id) { Shard = shard }, fields[1]!, 0, ttl));
            }

            foreach (var shard in docs.GroupBy(d => d.Key.Shard!.Value))
            {
                await WriteAbsentAsync(shard.Key, [.. shard], cancellationToken).ConfigureAwait(false);
            }

            var homes = docs.Where(d => d.Key is { Kind: "user", Shard: Target } && long.TryParse(d.Key.Id, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                .Select(d => new DocWrite(DocKeys.Home(ParseLong(d.Key.Id)), RecordJson.Serialize(new PersonHome(Target) { Since = _time.GetUtcNow() }), 0))
                .ToList();
            counts.People += await WriteAbsentAsync(Shards.Root, homes, cancellationToken).ConfigureAwait(false);
            foreach (var doc in docs)
            {
                counts.Documents[doc.Key.Kind] = counts.Documents.GetValueOrDefault(doc.Key.Kind) + 1;
            }

            await DeleteEachAsync(chunk).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ids of people who wrote to the bot but never registered (no <see cref="UserProfile.RegisteredAt"/>): their profile
    /// and conversation go to the root shard, with no home. A conversation whose profile was moved by an earlier run
    /// that stopped half-way follows it to where it went.
    /// </summary>
    private async Task<HashSet<string>> VisitorsAsync(List<string> keys, CancellationToken cancellationToken)
    {
        var visitors = new HashSet<string>(StringComparer.Ordinal);
        var users = keys.Where(k => DocName(k).Kind == "user").ToList();
        foreach (var chunk in users.Chunk(Batch))
        {
            var jsons = await Task.WhenAll(chunk.Select(k => _db.HashGetAsync(k, "j"))).ConfigureAwait(false);
            for (var i = 0; i < chunk.Length; i++)
            {
                if (jsons[i].HasValue && RecordJson.Deserialize<UserProfile>((string)jsons[i]!).RegisteredAt is null)
                {
                    visitors.Add(DocName(chunk[i]).Id);
                }
            }
        }

        var withProfile = users.Select(k => DocName(k).Id).ToHashSet(StringComparer.Ordinal);
        var orphans = keys.Select(DocName).Where(d => d.Kind == "conv" && !withProfile.Contains(d.Id)).Select(d => d.Id).ToList();
        if (orphans.Count > 0)
        {
            var inRoot = await _store.GetManyAsync([.. orphans.Select(id => new DocKey("user", id) { Shard = Shards.Root })], cancellationToken).ConfigureAwait(false);
            visitors.UnionWith(orphans.Where((_, i) => inRoot[i] is not null));
        }

        return visitors;
    }

    /// <summary>Kind and id of an old document key (<c>{p}doc:{kind}:{id}</c>); an empty kind when it is not one.</summary>
    private (string Kind, string Id) DocName(string key)
    {
        var rest = key[(_prefix.Length + "doc:".Length)..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? (string.Empty, rest) : (rest[..colon], rest[(colon + 1)..]);
    }

    /// <summary>Writes the documents that are still absent (expected version 0); returns how many it wrote.</summary>
    private async Task<int> WriteAbsentAsync(long shard, List<DocWrite> writes, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (writes.Count == 0)
            {
                return 0;
            }

            var existing = await _store.GetManyAsync([.. writes.Select(w => w.Key)], cancellationToken).ConfigureAwait(false);
            var absent = writes.Where((_, i) => existing[i] is null).ToList();
            if (absent.Count == 0)
            {
                return 0;
            }

            var result = await _store.CommitAsync(new Commit { Shard = shard, Writes = absent }, cancellationToken).ConfigureAwait(false);
            if (result.Status == CommitStatus.Committed)
            {
                return absent.Count;
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException($"Migration: writing documents into shard {shard} kept conflicting ({result.Status}).");
            }
        }
    }

    private async Task MoveSetsAsync(Counts counts, CancellationToken cancellationToken)
    {
        foreach (var key in await ScanAsync("set:", cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = key[(_prefix.Length + "set:".Length)..];
            var members = await _db.SetMembersAsync(key).ConfigureAwait(false);
            foreach (var chunk in members.Chunk(MembersPerCommit))
            {
                await CommitAsync(new Commit { Shard = Target, SetChanges = [.. chunk.Select(m => new SetChange(name, m!, Add: true))] }, "sets", cancellationToken).ConfigureAwait(false);
            }

            counts.Sets++;
            counts.SetMembers += members.Length;
            await DeleteEachAsync([key]).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Handled-update marks still valid: a redelivered update must stay a duplicate. The mark is written in the community
    /// (where everybody now lives) and in the root (people without a profile). An empty commit with the update id writes
    /// just the mark; a second run gets "duplicate", which is as good.
    /// </summary>
    private async Task MoveMarksAsync(Counts counts, CancellationToken cancellationToken)
    {
        foreach (var key in await ScanAsync("upd:", cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var value = await _db.StringGetAsync(key).ConfigureAwait(false);
            if (long.TryParse(key[(_prefix.Length + "upd:".Length)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var updateId)
                && value.HasValue && ParseLong(value!) > _time.GetUtcNow().ToUnixTimeMilliseconds())
            {
                await _store.CommitAsync(new Commit { Shard = Target, UpdateId = updateId }, cancellationToken).ConfigureAwait(false);
                await _store.CommitAsync(new Commit { Shard = Shards.Root, UpdateId = updateId }, cancellationToken).ConfigureAwait(false);
                counts.UpdateMarks++;
            }
            else
            {
                counts.Dropped++;
            }

            await DeleteEachAsync([key]).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// People who held <see cref="Roles.Admin"/> (stored, or listed in <c>MusterBot:Admins</c>) administer the community:
    /// they are added to the node's <see cref="OrgNode.Admins"/> and get the node in <see cref="UserProfile.AdminOf"/>.
    /// </summary>
    private async Task AppointAdminsAsync(IReadOnlyCollection<long> configuredAdmins, Counts counts, CancellationToken cancellationToken)
    {
        var ids = (await _store.GetSetMembersAsync(Sets.PeopleWithRole(Roles.Admin), Target, cancellationToken).ConfigureAwait(false))
            .Select(ParseLong).Concat(configuredAdmins).Distinct().Order().ToList();
        var profiles = await _store.GetManyAsync([.. ids.Select(id => DocKeys.User(id).In(Target))], cancellationToken).ConfigureAwait(false);
        var writes = new List<DocWrite>();
        var appointed = new List<long>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (profiles[i] is not { } doc)
            {
                continue; // a configured administrator who never wrote to the bot
            }

            appointed.Add(ids[i]);
            var profile = RecordJson.Deserialize<UserProfile>(doc.Json);
            if (!profile.AdminOf.Contains(Target))
            {
                writes.Add(new DocWrite(doc.Key, RecordJson.Serialize(profile with { AdminOf = [.. profile.AdminOf, Target] }), doc.Version));
            }
        }

        if (writes.Count > 0)
        {
            await CommitAsync(new Commit { Shard = Target, Writes = writes }, "administrators", cancellationToken).ConfigureAwait(false);
        }

        var nodeDoc = await _store.GetAsync(DocKeys.OrgNode(Target), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("Migration: the default community node is missing.");
        var node = RecordJson.Deserialize<OrgNode>(nodeDoc.Json);
        var missing = appointed.Where(id => !node.Admins.Contains(id)).ToList();
        if (missing.Count > 0)
        {
            await CommitAsync(new Commit
            {
                Shard = Shards.Root,
                Writes = [new DocWrite(nodeDoc.Key, RecordJson.Serialize(node with { Admins = [.. node.Admins, .. missing] }), nodeDoc.Version)],
            }, "administrators", cancellationToken).ConfigureAwait(false);
        }

        counts.Admins += missing.Count;
    }

    // ---------------------------------------------------------------- Redis helpers

    private static readonly RedisValue[] DocFields = ["v", "j", "exp"];

    private async Task<bool> AnyOldKeyAsync(CancellationToken cancellationToken)
    {
        foreach (var kind in new[] { "doc:", "set:", "upd:" })
        {
            foreach (var server in Primaries())
            {
                await foreach (var _ in server.KeysAsync(_db.Database, GlobEscape(_prefix + kind) + "*", pageSize: 1000).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Every key <c>{prefix}{kind}*</c> (SCAN, never KEYS), sorted.</summary>
    private async Task<List<string>> ScanAsync(string kind, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        foreach (var server in Primaries())
        {
            await foreach (var key in server.KeysAsync(_db.Database, GlobEscape(_prefix + kind) + "*", pageSize: 1000).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                keys.Add(key!);
            }
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    private IEnumerable<IServer> Primaries() => _redis.GetServers().Where(s => s.IsConnected && !s.IsReplica);

    private async Task DeleteEachAsync(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            Tick();
            await _db.KeyDeleteAsync(key).ConfigureAwait(false);
        }
    }

    private void Tick()
    {
        if (_lockLost)
        {
            throw new InvalidOperationException("Migration: the migration lock was lost (Redis unreachable longer than the lock's expiry?); stopping so that two instances never migrate at once. The next start resumes.");
        }

        if (++_keysHandled > InterruptAfterKeys)
        {
            throw new MigrationInterruptedException(_keysHandled - 1);
        }
    }

    private async Task CommitAsync(Commit commit, string what, CancellationToken cancellationToken)
    {
        var result = await _store.CommitAsync(commit, cancellationToken).ConfigureAwait(false);
        if (result.Status != CommitStatus.Committed)
        {
            throw new InvalidOperationException($"Migration: writing the {what} was refused ({result.Status}); another process is writing the store.");
        }
    }

    private async Task TakeLockAsync(string token, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var logged = false;
        while (!await _db.LockTakeAsync(LockKey, token, LockExpiry).ConfigureAwait(false))
        {
            if (!logged)
            {
                LogWaiting(_logger);
                logged = true;
            }

            if (waited.Elapsed > LockWait)
            {
                throw new TimeoutException($"Another instance has held the migration lock ({LockKey}) for more than {LockWait}; not starting.");
            }

            // Real time on purpose: the lock's expiry runs on the Redis server's clock.
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RenewLockAsync(string token, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(LockExpiry / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    if (!await _db.LockExtendAsync(LockKey, token, LockExpiry).ConfigureAwait(false))
                    {
                        _lockLost = true;
                        return;
                    }
                }
                catch (RedisException)
                {
                    // Redis briefly unreachable: try again at the next tick; the lock outlives a short outage.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The migration ended.
        }
    }

    private DocKey OutboxMarker(long oldId) => new DocKey("migration", "ob:" + Text(oldId)) { Shard = Target };

    private static DocKey TimerMarker(string timerId) => new DocKey("migration", "tmr:" + timerId) { Shard = Target };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static long ParseLong(string value) => long.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static string GlobEscape(string text)
    {
        var escaped = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    /// <summary>An outbox message of the old layout, copied before its old keys are deleted.</summary>
    private sealed record StagedMessage(long OldId, OutboxMessage Message);

    private sealed class Counts
    {
        public Dictionary<string, int> Documents { get; } = new(StringComparer.Ordinal);

        public int Sets { get; set; }

        public int SetMembers { get; set; }

        public int UpdateMarks { get; set; }

        public int People { get; set; }

        public int Admins { get; set; }

        public int OutboxMessages { get; set; }

        public int Timers { get; set; }

        public int Dropped { get; set; }

        public MigrationReport Report() => new(MigrationOutcome.Migrated)
        {
            Documents = Documents,
            Sets = Sets,
            SetMembers = SetMembers,
            UpdateMarks = UpdateMarks,
            People = People,
            Admins = Admins,
            OutboxMessages = OutboxMessages,
            Timers = Timers,
            Dropped = Dropped,
        };
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "Store migration: no store of the single-community release found; the default tree is in place (community node {Community}).")]
    private static partial void LogFresh(ILogger logger, long community);

    [LoggerMessage(EventId = 61, Level = LogLevel.Warning, Message = "Store migration: a store of the single-community release was found; {What} its migration into community node {Community}. Do not stop the bot until it reports the end.")]
    private static partial void LogStarting(ILogger logger, string what, long community);

    [LoggerMessage(EventId = 62, Level = LogLevel.Information, Message = "Store migration: {Count} documents of kind '{Kind}' moved.")]
    private static partial void LogDocuments(ILogger logger, string kind, int count);

    [LoggerMessage(EventId = 63, Level = LogLevel.Warning, Message = "Store migration finished into community node {Community}: {Documents} documents, {Sets} sets ({Members} members), {People} people given a home, {Admins} administrators appointed, {Messages} outbox messages and {Timers} timers queued again, {Marks} handled-update marks kept, {Dropped} expired or orphaned entries dropped.")]
    private static partial void LogMigrated(ILogger logger, long community, int documents, int sets, int members, int people, int admins, int messages, int timers, int marks, int dropped);

    [LoggerMessage(EventId = 64, Level = LogLevel.Information, Message = "Store migration: another instance holds the migration lock; waiting for it to finish.")]
    private static partial void LogWaiting(ILogger logger);
}

/// <summary>Thrown by a test-interrupted migration (<c>InterruptAfterKeys</c>), as if the process died there.</summary>
public sealed class MigrationInterruptedException : Exception
{
    public MigrationInterruptedException()
    {
    }

    public MigrationInterruptedException(string message)
        : base(message)
    {
    }

    public MigrationInterruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal MigrationInterruptedException(int keys)
        : base($"Migration interrupted after {keys} old keys (test).")
    {
    }
}
