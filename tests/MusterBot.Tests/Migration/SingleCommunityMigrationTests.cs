using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Migration;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Org;
using MusterBot.State.Redis;
using MusterBot.State.Timers;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;
using StackExchange.Redis;

namespace MusterBot.Tests.Migration;

/// <summary>
/// A Redis store written by the single-community release (commit 311e355; <c>snapshot-311e355.json</c>, made by
/// <c>Producer/produce-snapshot.sh</c>) is loaded into a real redis-server and migrated; every record is checked after.
/// </summary>
[Collection("redis")]
public sealed class SingleCommunityMigrationTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly Lazy<Snapshot> Old = new(Snapshot.Load);
    private const long Community = DefaultTree.CommunityId;

    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync() => _connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public void Snapshot_IsOfTheOldLayout_AndHoldsEveryKindOfRecord()
    {
        var kinds = Old.Value.Docs.Select(d => d.Kind).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(["user", "conv", "grid", "region", "invite", "roster", "rosterimport", "community", "muster", "mreg", "mans", "pts", "wish", "complaint", "held"], StringComparer.Ordinal), kinds);
        Assert.NotEmpty(Old.Value.PendingOutbox);
        Assert.Contains(Old.Value.PendingOutbox, m => m.Retried);
        Assert.Contains(Old.Value.PendingOutbox, m => m.InFlight);
        Assert.NotEmpty(Old.Value.Timers);
        Assert.NotEmpty(Old.Value.Marks);
        Assert.Contains(Old.Value.Keys, k => k.Name.StartsWith("dlv:", StringComparison.Ordinal));
        Assert.DoesNotContain(Old.Value.Keys, k => k.Name.Contains('{', StringComparison.Ordinal));
    }

    [Fact]
    public async Task Migration_MovesEveryRecordIntoTheDefaultCommunity()
    {
        var (store, clock, prefix) = await LoadAsync();
        await using var _ = store;
        var report = await Migration(store, clock, prefix).RunAsync(DefaultTreeNames.Chinese, [1001], Ct);

        Assert.Equal(MigrationOutcome.Migrated, report.Outcome);
        var old = Old.Value;
        Assert.Equal(old.Docs.Count, report.Documents.Values.Sum());
        Assert.Equal(old.Timers.Count, report.Timers);
        Assert.Equal(old.PendingOutbox.Count, report.OutboxMessages);
        await AssertMigratedAsync(store, clock, prefix);
    }

    [Fact]
    public async Task SecondRun_ChangesNothing()
    {
        var (store, clock, prefix) = await LoadAsync();
        await using var _ = store;
        await Migration(store, clock, prefix).RunAsync(DefaultTreeNames.Chinese, [1001], Ct);
        var after = await DumpAsync(prefix);

        var second = await Migration(store, clock, prefix).RunAsync(DefaultTreeNames.Chinese, [1001], Ct);

        Assert.Equal(MigrationOutcome.AlreadyDone, second.Outcome);
        Assert.Equal(after, await DumpAsync(prefix));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(60)]
    [InlineData(150)]
    [InlineData(250)]
    [InlineData(330)]
    [InlineData(100)]
    [InlineData(200)]
    [InlineData(300)]
    public async Task RunInterruptedHalfWay_AndResumed_EndsIdentical(int keys)
    {
        var (reference, referenceClock, referencePrefix) = await LoadAsync();
        await using (reference)
        {
            await Migration(reference, referenceClock, referencePrefix).RunAsync(DefaultTreeNames.Chinese, [1001], Ct);
        }

        var (store, clock, prefix) = await LoadAsync();
        await using var _ = store;
        var interrupted = Migration(store, clock, prefix);
        interrupted.InterruptAfterKeys = keys;
        await Assert.ThrowsAsync<MigrationInterruptedException>(() => interrupted.RunAsync(DefaultTreeNames.Chinese, [1001], Ct));

        var resumed = await Migration(store, clock, prefix).RunAsync(DefaultTreeNames.Chinese, [1001], Ct);

        Assert.Equal(MigrationOutcome.Migrated, resumed.Outcome);
        Assert.Equal(await DumpAsync(referencePrefix), await DumpAsync(prefix));
        await AssertMigratedAsync(store, clock, prefix);
    }

    [Fact]
    public async Task RunInterruptedTwice_AndResumed_EndsIdentical()
    {
        var (reference, referenceClock, referencePrefix) = await LoadAsync();
        await using (reference)
        {
            await Migration(reference, referenceClock, referencePrefix).RunAsync(DefaultTreeNames.Chinese, [1001], Ct);
        }

        var (store, clock, prefix) = await LoadAsync();
        await using var _ = store;
        foreach (var keys in new[] { 90, 90 })
        {
            var interrupted = Migration(store, clock, prefix);
            interrupted.InterruptAfterKeys = keys;
            await Assert.ThrowsAsync<MigrationInterruptedException>(() => interrupted.RunAsync(DefaultTreeNames.Chinese, [1001], Ct));
        }

        await Migration(store, clock, prefix).RunAsync(DefaultTreeNames.Chinese, [1001], Ct);

        Assert.Equal(await DumpAsync(referencePrefix), await DumpAsync(prefix));
    }

    [Fact]
    public async Task TwoInstancesStartingAtOnce_MigrateOnce()
    {
        var (reference, referenceClock, referencePrefix) = await LoadAsync();
        await using (reference)
        {
            await Migration(reference, referenceClock, referencePrefix).RunAsync(DefaultTreeNames.Chinese, [1001], Ct);
        }

        var (store, clock, prefix) = await LoadAsync();
        await using var _ = store;
        var (other, _, _) = await LoadAsync(prefix, load: false);
        await using var __ = other;

        var reports = await Task.WhenAll(
            Task.Run(() => Migration(store, clock, prefix).RunAsync(DefaultTreeNames.Chinese, [1001], Ct)),
            Task.Run(() => Migration(other, clock, prefix).RunAsync(DefaultTreeNames.Chinese, [1001], Ct)));

        Assert.Equal([MigrationOutcome.AlreadyDone, MigrationOutcome.Migrated], reports.Select(r => r.Outcome).Order());
        Assert.Equal(await DumpAsync(referencePrefix), await DumpAsync(prefix));
    }

    [Fact]
    public async Task FreshStore_GetsTheDefaultTree_WithConfiguredNames_AndIsNeverScannedAgain()
    {
        var (store, clock, prefix) = await LoadAsync(load: false);
        await using var _ = store;
        var names = new DefaultTreeNames("乌兰察布市", "集宁区", "新体育街道", "泉山社区");

        var first = await Migration(store, clock, prefix).RunAsync(names, [1001], Ct);
        var second = await Migration(store, clock, prefix).RunAsync(names, [1001], Ct);

        Assert.Equal((MigrationOutcome.Fresh, MigrationOutcome.AlreadyDone), (first.Outcome, second.Outcome));
        Assert.Equal(["乌兰察布市", "集宁区", "新体育街道", "泉山社区"], await TreeNamesAsync(store));
        Assert.True(RecordJson.Deserialize<MigrationState>((await store.GetAsync(SingleCommunityMigration.StateKey, Ct))!.Json).Done);
    }

    [Fact]
    public async Task StoreWithTheNewLayoutOnly_IsNotMigrated()
    {
        var (store, clock, prefix) = await LoadAsync(load: false);
        await using var _ = store;
        // A store already written by this release (new keys only) but without the progress document.
        Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Shard = Community, Writes = [new DocWrite(DocKeys.Wish(1), "{}", 0)], SetChanges = [new SetChange("wishes:open", "1", true)] }, Ct)).Status);

        var report = await Migration(store, clock, prefix).RunAsync(DefaultTreeNames.Chinese, [], Ct);

        Assert.Equal(MigrationOutcome.Fresh, report.Outcome);
        Assert.Equal(1, (await store.GetAsync(DocKeys.Wish(1).In(Community), Ct))!.Version);
    }

    /// <summary>
    /// The real host on the old store: it migrates before it handles anything, then its sender delivers every message
    /// that was waiting in the old outbox (through the Bot API emulator).
    /// </summary>
    [Fact]
    public async Task Host_MigratesAtStart_ThenSendsEveryWaitingMessage()
    {
        var prefix = $"mighost{Guid.NewGuid():N}:";
        var (loaded, _, _) = await LoadAsync(prefix);
        await loaded.DisposeAsync();
        await using var emulator = await BotHost.StartEmulatorAsync();
        foreach (var user in Old.Value.Docs.Where(d => d.Kind == "user"))
        {
            emulator.CreateUser(long.Parse(user.Id, CultureInfo.InvariantCulture), "u" + user.Id);
        }

        await using var host = await BotHost.StartAsync(emulator, redis.ConnectionString, new Dictionary<string, string?> { ["Redis:KeyPrefix"] = prefix, ["MusterBot:Admins:0"] = "1001" });

        Assert.Equal(MigrationOutcome.Migrated, host.App.Services.GetRequiredService<StoreStartup>().Report?.Outcome);
        Assert.Empty(_connection.GetServers()[0].Keys(pattern: prefix + "doc:*"));
        var expected = Old.Value.PendingOutbox.Where(m => m.Sends).GroupBy(m => m.Chat).ToDictionary(g => g.Key, g => g.Count());
        Assert.NotEmpty(expected);
        await emulator.WaitForAsync(() => expected.All(e => emulator.Messages(e.Key).Count >= e.Value), TimeSpan.FromSeconds(60));
    }

    // ------------------------------------------------------------------------------------------------ checks

    private async Task AssertMigratedAsync(RedisStateStore store, FakeTimeProvider clock, string prefix)
    {
        var old = Old.Value;
        var admins = old.Docs.Where(d => d.Kind == "user" && RecordJson.Deserialize<UserProfile>(d.Json).Roles.HasFlag(Roles.Admin)).Select(d => long.Parse(d.Id, CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(admins);

        // Every document, in shard 4, with the same content (administrators also administer node 4), version 1; the
        // profile and conversation of someone who never registered in the root shard, where people without a community live.
        var visitors = old.Docs.Where(d => d.Kind == "user" && RecordJson.Deserialize<UserProfile>(d.Json).RegisteredAt is null).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(visitors);
        long ShardOf((string Kind, string Id, string Json) d) => d.Kind is "user" or "conv" && visitors.Contains(d.Id) ? Shards.Root : Community;
        var stored = await store.GetManyAsync([.. old.Docs.Select(d => new DocKey(d.Kind, d.Id).In(ShardOf(d)))], Ct);
        for (var i = 0; i < old.Docs.Count; i++)
        {
            var doc = old.Docs[i];
            Assert.True(stored[i] is not null, $"{doc.Kind}:{doc.Id} is missing after the migration");
            if (doc.Kind == "user" && admins.Contains(long.Parse(doc.Id, CultureInfo.InvariantCulture)))
            {
                var expected = RecordJson.Deserialize<UserProfile>(doc.Json) with { AdminOf = [Community] };
                Assert.Equal(RecordJson.Serialize(expected), stored[i]!.Json);
                Assert.Equal(2, stored[i]!.Version);
            }
            else
            {
                Assert.Equal(doc.Json, stored[i]!.Json);
                Assert.Equal(1, stored[i]!.Version);
            }

            // Not in the other shard.
            Assert.Null(await store.GetAsync(new DocKey(doc.Kind, doc.Id).In(ShardOf(doc) == Community ? Shards.Root : Community), Ct));
        }

        // Every set, with the same members.
        foreach (var set in old.Sets)
        {
            Assert.Equal(set.Members.Order(StringComparer.Ordinal), await store.GetSetMembersAsync(set.Name, Community, Ct));
        }

        // Everybody registered lives in community 4; a visitor lives nowhere yet (the root).
        foreach (var user in old.Docs.Where(d => d.Kind == "user"))
        {
            var home = await store.GetAsync(DocKeys.Home(long.Parse(user.Id, CultureInfo.InvariantCulture)), Ct);
            if (visitors.Contains(user.Id))
            {
                Assert.Null(home);
            }
            else
            {
                Assert.Equal(Community, RecordJson.Deserialize<PersonHome>(home!.Json).Shard);
            }
        }

        // The tree, with the administrators on node 4.
        Assert.Equal(["本市", "本区", "本街道", "本社区"], await TreeNamesAsync(store));
        var node = RecordJson.Deserialize<OrgNode>((await store.GetAsync(DocKeys.OrgNode(Community), Ct))!.Json);
        Assert.Equal(admins.Order(), node.Admins.Order());
        Assert.Equal([DefaultTree.CityId, DefaultTree.DistrictId, DefaultTree.StreetId], node.Path);

        // Handled updates stay handled.
        foreach (var mark in old.Marks)
        {
            Assert.True(await store.IsUpdateHandledAsync(mark, Community, Ct), $"update {mark} is no longer marked handled");
        }

        // Every timer, due at the same time with the same payload.
        foreach (var timer in old.Timers)
        {
            var expected = SingleCommunityMigration.InCommunity(timer);
            var now = await store.GetTimerAsync(expected.Id, Community, Ct);
            Assert.Equal(expected, now);
        }

        // No old key is left: documents, sets, marks, the pending messages and their queued delivery records.
        var db = _connection.GetDatabase();
        foreach (var pattern in new[] { "doc:*", "set:*", "upd:*" })
        {
            Assert.Empty(_connection.GetServers()[0].Keys(pattern: prefix + pattern));
        }

        foreach (var message in old.PendingOutbox)
        {
            Assert.False(await db.KeyExistsAsync(prefix + "ob:" + message.OldId));
            Assert.False(await db.KeyExistsAsync(prefix + "dlv:" + message.OldId));
        }

        // The staging documents are gone.
        Assert.Empty(await store.GetSetMembersAsync(SingleCommunityMigration.OutboxStaging, Community, Ct));
        Assert.Empty(await store.GetSetMembersAsync(SingleCommunityMigration.TimerStaging, Community, Ct));

        // Every pending message is waiting again, once, with its lane, chat, action, tag, not-before and attempts.
        var counts = await store.CountOutboxAsync(Ct);
        Assert.Equal(old.PendingOutbox.Count, counts.Values.Sum());
        clock.Advance(TimeSpan.FromDays(1));
        var claimed = await store.ClaimOutboxAsync(10_000, TimeSpan.FromMinutes(1), Ct);
        Assert.Equal(
            old.PendingOutbox.Select(m => m.Identity).Order(StringComparer.Ordinal),
            claimed.Select(m => Identity(m with { Id = 0 })).Order(StringComparer.Ordinal));
        foreach (var message in claimed)
        {
            await store.CompleteOutboxAsync(message.Id, new DeliveryRecord(message.Id, message.ChatId, DeliveryStatus.Sent, clock.GetUtcNow()) { Tag = message.Tag }, Ct);
        }

        Assert.Equal(0, (await store.CountOutboxAsync(Ct)).Values.Sum());
        // Every timer fires (complaint deadlines are days ahead).
        clock.SetUtcNow(old.Timers.Max(t => t.DueAt).AddMinutes(1));
        var due = await store.ClaimDueTimersAsync(10_000, TimeSpan.FromMinutes(1), Ct);
        Assert.Equal(old.Timers.Select(t => SingleCommunityMigration.InCommunity(t).Id).Order(StringComparer.Ordinal), due.Select(t => t.Id).Order(StringComparer.Ordinal));

        // A document with a time to live kept it (the pending roster import lived 1 hour).
        var withTtl = old.Docs.Single(d => d.Kind == "rosterimport");
        Assert.Null(await store.GetAsync(new DocKey(withTtl.Kind, withTtl.Id).In(Community), Ct));
    }

    private static string Identity(OutboxMessage m) => JsonSerializer.Serialize(m with { Id = 0 });

    private static async Task<string[]> TreeNamesAsync(RedisStateStore store)
    {
        var nodes = await store.GetManyAsync([.. new[] { 1L, 2, 3, 4 }.Select(DocKeys.OrgNode)], Ct);
        return [.. nodes.Select(n => RecordJson.Deserialize<OrgNode>(n!.Json).Name)];
    }

    // ------------------------------------------------------------------------------------------------ set-up

    private SingleCommunityMigration Migration(IStateStore store, TimeProvider clock, string prefix) =>
        new(store, _connection, prefix, clock, NullLogger.Instance) { LockExpiry = TimeSpan.FromSeconds(5) };

    /// <summary>A store under a new prefix, the snapshot's keys written into it (unless <paramref name="load"/> is false).</summary>
    private async Task<(RedisStateStore Store, FakeTimeProvider Clock, string Prefix)> LoadAsync(string? prefix = null, bool load = true)
    {
        prefix ??= $"mig{Guid.NewGuid():N}:";
        var clock = new FakeTimeProvider(Old.Value.Now);
        var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = prefix }, clock, Ct);
        if (load)
        {
            var db = _connection.GetDatabase();
            foreach (var key in Old.Value.Keys)
            {
                var name = prefix + key.Name;
                switch (key.Type)
                {
                    case "string":
                        await db.StringSetAsync(name, key.Value.GetValue<string>());
                        break;
                    case "hash":
                        await db.HashSetAsync(name, [.. key.Value.AsObject().Select(p => new HashEntry(p.Key, p.Value!.GetValue<string>()))]);
                        break;
                    case "set":
                        await db.SetAddAsync(name, [.. key.Value.AsArray().Select(m => (RedisValue)m!.GetValue<string>())]);
                        break;
                    case "zset":
                    case "sortedset":
                        await db.SortedSetAddAsync(name, [.. key.Value.AsArray().Select(e => new SortedSetEntry(e![0]!.GetValue<string>(), e[1]!.GetValue<double>()))]);
                        break;
                    default:
                        throw new InvalidOperationException($"Unknown type {key.Type} of {key.Name}.");
                }

                if (key.TtlMs > 0)
                {
                    await db.KeyExpireAsync(name, TimeSpan.FromMilliseconds(key.TtlMs));
                }
            }
        }

        return (store, clock, prefix);
    }

    /// <summary>
    /// Every key under the prefix (without it) with its type and value, one line each, sorted; the time to live only as
    /// "has one". The migration lock and the progress document's version are left out.
    /// </summary>
    private async Task<string> DumpAsync(string prefix)
    {
        var db = _connection.GetDatabase();
        var lines = new List<string>();
        foreach (var key in _connection.GetServers()[0].Keys(pattern: prefix + "*", pageSize: 1000))
        {
            var name = ((string)key!)[prefix.Length..];
            if (name == "migration:lock")
            {
                continue;
            }

            var type = await db.KeyTypeAsync(key);
            var ttl = await db.KeyTimeToLiveAsync(key) is null ? "" : " ttl";
            var value = type switch
            {
                RedisType.String => (string)(await db.StringGetAsync(key))!,
                RedisType.Hash => string.Join(", ", (await db.HashGetAllAsync(key)).Where(e => !(name.EndsWith("doc:migration:single-community", StringComparison.Ordinal) && e.Name == "v")).Select(e => $"{e.Name}={e.Value}").Order(StringComparer.Ordinal)),
                RedisType.Set => string.Join(", ", (await db.SetMembersAsync(key)).Select(m => (string)m!).Order(StringComparer.Ordinal)),
                RedisType.SortedSet => string.Join(", ", (await db.SortedSetRangeByRankWithScoresAsync(key)).Select(e => $"{e.Element}@{e.Score.ToString(CultureInfo.InvariantCulture)}")),
                _ => type.ToString(),
            };
            lines.Add($"{name} {type}{ttl} {value}");
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines);
    }

    /// <summary>The snapshot file, parsed; key names without the old prefix.</summary>
    private sealed record Snapshot(DateTimeOffset Now, IReadOnlyList<SnapshotKey> Keys)
    {
        public List<(string Kind, string Id, string Json)> Docs { get; } = [];

        public List<(string Name, string[] Members)> Sets { get; } = [];

        public List<long> Marks { get; } = [];

        public List<TimerEntry> Timers { get; } = [];

        public List<(long OldId, bool Retried, bool InFlight, string Identity, long Chat, bool Sends)> PendingOutbox { get; } = [];

        public static Snapshot Load()
        {
            var path = Path.Combine(RepositoryRoot(), "tests", "MusterBot.Tests", "Migration", "snapshot-311e355.json");
            var root = JsonNode.Parse(File.ReadAllText(path))!;
            var prefix = root["prefix"]!.GetValue<string>();
            var now = DateTimeOffset.Parse(root["now"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            var keys = root["keys"]!.AsArray().Select(k => new SnapshotKey(
                k!["key"]!.GetValue<string>()[prefix.Length..],
                k["type"]!.GetValue<string>(),
                k["ttlMs"]!.GetValue<long>(),
                k["value"]!)).ToList();
            var snapshot = new Snapshot(now, keys);
            var byName = keys.ToDictionary(k => k.Name, StringComparer.Ordinal);
            foreach (var key in keys)
            {
                if (key.Name.StartsWith("doc:", StringComparison.Ordinal))
                {
                    var rest = key.Name["doc:".Length..];
                    var colon = rest.IndexOf(':', StringComparison.Ordinal);
                    snapshot.Docs.Add((rest[..colon], rest[(colon + 1)..], key.Value["j"]!.GetValue<string>()));
                }
                else if (key.Name.StartsWith("set:", StringComparison.Ordinal))
                {
                    snapshot.Sets.Add((key.Name["set:".Length..], [.. key.Value.AsArray().Select(m => m!.GetValue<string>())]));
                }
                else if (key.Name.StartsWith("upd:", StringComparison.Ordinal))
                {
                    snapshot.Marks.Add(long.Parse(key.Name["upd:".Length..], CultureInfo.InvariantCulture));
                }
                else if (key.Name.StartsWith("tmr:", StringComparison.Ordinal))
                {
                    snapshot.Timers.Add(JsonSerializer.Deserialize<TimerEntry>(key.Value["j"]!.GetValue<string>(), JsonSerializerOptions.Web)!);
                }
            }

            foreach (var lane in new[] { 0, 1, 2, 3 })
            {
                foreach (var set in new[] { "lane:", "retry:", "inflight:" })
                {
                    if (!byName.TryGetValue(set + lane.ToString(CultureInfo.InvariantCulture), out var zset))
                    {
                        continue;
                    }

                    foreach (var entry in zset.Value.AsArray())
                    {
                        var id = long.Parse(entry![0]!.GetValue<string>(), CultureInfo.InvariantCulture);
                        var hash = byName["ob:" + id.ToString(CultureInfo.InvariantCulture)].Value;
                        var message = JsonSerializer.Deserialize<OutboxMessage>(hash["j"]!.GetValue<string>(), JsonSerializerOptions.Web)!;
                        message = message with
                        {
                            Attempts = int.Parse(hash["a"]!.GetValue<string>(), CultureInfo.InvariantCulture),
                            NotBefore = hash["nb"] is { } nb ? DateTimeOffset.Parse(nb.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : message.NotBefore,
                        };
                        var sends = message.Action is SendText or SendPhoto or SendDocument or SendLocation;
                        snapshot.PendingOutbox.Add((id, set == "retry:", set == "inflight:", Identity(message), message.ChatId, sends));
                    }
                }
            }

            return snapshot;
        }

        private static string RepositoryRoot() => MusterBot.Tests.Support.RepositoryPaths.Root;
    }

    private sealed record SnapshotKey(string Name, string Type, long TtlMs, JsonNode Value);
}
