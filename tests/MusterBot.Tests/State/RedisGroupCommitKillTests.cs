using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;
using Xunit.Abstractions;

namespace MusterBot.Tests.State;

/// <summary>
/// A batch commit interrupted by SIGKILL is either wholly applied or re-applied without duplicates: many writers commit
/// into one shard (so their commits go in batches) on a redis-server with an append-only file fsynced on every write;
/// the server is killed mid-burst and started again on its data (three times); then each writer hands in every commit again, those it
/// saw acknowledged and those it did not (as Telegram delivers an update again when it was not confirmed).
/// </summary>
public sealed class RedisGroupCommitKillTests(PersistentRedisServerFixture redis, ITestOutputHelper output) : IClassFixture<PersistentRedisServerFixture>
{
    private const int Writers = 24;
    private const long Shard = 6;
    private const int Kills = 3;
    private const int KillEvery = 300;

    [Fact]
    public async Task BatchCommitsKilledMidBurst_AreWhollyAppliedOrReappliedWithoutDuplicates()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var prefix = $"kill{Guid.NewGuid():N}:";
        await using var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = prefix }, TimeProvider.System, ct);
        await store.CommitAsync(new Commit { Shard = Shard, Writes = [new DocWrite(new DocKey("warm", "1"), "{}", null)] }, ct);

        var attempted = new ConcurrentBag<long>();
        var acknowledged = new ConcurrentDictionary<long, bool>();
        var failed = 0;
        var stop = 0;
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(
            async () =>
            {
                for (var i = 0; Volatile.Read(ref stop) == 0; i++)
                {
                    var updateId = ((w + 1) * 100_000L) + i;
                    attempted.Add(updateId);
                    try
                    {
                        var result = await store.CommitAsync(Press(updateId), ct);
                        Assert.Equal(CommitStatus.Committed, result.Status);
                        acknowledged[updateId] = true;
                    }
                    catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            },
            ct)).ToList();

        // Killed three times, each after another KillEvery acknowledged commits; the writers go on meanwhile (a commit
        // sent while the server is down fails or waits for the reconnection, as the client's backlog decides).
        var burst = Stopwatch.StartNew();
        var atKills = new List<int>();
        for (var kill = 1; kill <= Kills; kill++)
        {
            while (acknowledged.Count < kill * KillEvery)
            {
                Assert.True(burst.Elapsed < TimeSpan.FromSeconds(30), $"only {acknowledged.Count} commits acknowledged in 30 s");
                await Task.Delay(1, ct);
            }

            await redis.StopAsync();
            atKills.Add(acknowledged.Count);
            await redis.StartAgainAsync();
        }

        Volatile.Write(ref stop, 1);
        var burstTime = burst.Elapsed;
        await Task.WhenAll(writers).WaitAsync(ct);
        await WaitUntilReachableAsync(store, ct);

        // What the append-only file brought back: every commit wholly there or wholly absent, none twice, and every
        // acknowledged one there (fsync on every write: an acknowledged commit was on disk).
        var ids = attempted.Order().ToList();
        var recovered = await StateOfAsync(store, ids, ct);
        var present = recovered.Count(s => s.Value == (true, true, 1));
        var appliedNotAcknowledged = recovered.Count(s => s.Value.Mark && !acknowledged.ContainsKey(s.Key));
        Assert.All(recovered, s => Assert.True(s.Value is (true, true, 1) or (false, false, 0), $"update {s.Key} is half applied: mark, doc, messages = {s.Value}"));
        Assert.All(acknowledged.Keys, id => Assert.Equal((true, true, 1), recovered[id]));

        // Every writer hands in every commit again, acknowledged or not.
        var before = await redis.EvalShaCallsAsync();
        var again = await Task.WhenAll(ids.GroupBy(id => id / 100_000).Select(g => Task.Run(
            async () =>
            {
                var results = new List<(long Id, CommitStatus Status)>();
                foreach (var id in g)
                {
                    results.Add((id, (await store.CommitAsync(Press(id), ct)).Status));
                }

                return results;
            },
            ct)));
        var scriptRuns = await redis.EvalShaCallsAsync() - before;
        var resubmitted = again.SelectMany(r => r).ToList();
        var reapplied = resubmitted.Count(r => r.Status == CommitStatus.Committed);
        Assert.All(resubmitted, r => Assert.Equal(acknowledged.ContainsKey(r.Id) || recovered[r.Id].Mark ? CommitStatus.DuplicateUpdate : CommitStatus.Committed, r.Status));

        // Now every update's effects are there exactly once, and the shard gave out exactly one number per update.
        var final = await StateOfAsync(store, ids, ct);
        var duplicates = final.Count(s => s.Value.Messages > 1);
        Assert.All(final, s => Assert.Equal((true, true, 1), s.Value));
        Assert.Equal(ids.Count.ToString(CultureInfo.InvariantCulture), await redis.ExecuteAsync("GET", prefix + "{6}:seq:outbox"));

        output.WriteLine(
            $"{Writers} writers, one shard, appendfsync always, {Kills} SIGKILLs in {burstTime.TotalSeconds:F2} s with {string.Join(" / ", atKills)} commits acknowledged "
            + $"before each; {ids.Count} attempted, {acknowledged.Count} acknowledged in all, {failed} failed (not acknowledged); after the restarts {present} were there "
            + $"(every acknowledged one, and {appliedNotAcknowledged} applied but not acknowledged), {ids.Count - present} absent, 0 half applied; handed in again: {resubmitted.Count} commits in "
            + $"{scriptRuns} EVALSHA calls, {reapplied} re-applied, {resubmitted.Count - reapplied} refused as duplicates; {duplicates} duplicates in the end; "
            + $"append-only file repaired at a transaction boundary on {redis.AofRepairs} of {Kills} restarts (deploy/redis-start.sh)");
        Assert.Equal(0, duplicates);
        Assert.Equal(ids.Count - present, reapplied);
    }

    /// <summary>Per update: its handled mark, its document and how many outbox messages carry its tag.</summary>
    private static async Task<Dictionary<long, (bool Mark, bool Doc, int Messages)>> StateOfAsync(RedisStateStore store, List<long> ids, CancellationToken ct)
    {
        var docs = await store.GetManyAsync([.. ids.Select(Key)], ct);
        var result = new Dictionary<long, (bool, bool, int)>();
        for (var i = 0; i < ids.Count; i++)
        {
            var id = ids[i];
            var mark = await store.IsUpdateHandledAsync(id, Shard, ct);
            var messages = (await store.GetDeliveriesByTagAsync(Tag(id), Shard, ct)).Count;
            result[id] = (mark, docs[i] is { } doc && doc.Json == Text(id), messages);
        }

        return result;
    }

    private static Commit Press(long updateId) => new()
    {
        Shard = Shard,
        UpdateId = updateId,
        Writes = [new DocWrite(Key(updateId), Text(updateId), null)],
        Outbox = [new OutboxMessage(Lane.Reply, updateId, new SendText("checked in")) { Tag = Tag(updateId) }],
    };

    private static DocKey Key(long updateId) => new DocKey("press", Text(updateId)).In(Shard);

    private static string Tag(long updateId) => "u" + Text(updateId);

    private static async Task WaitUntilReachableAsync(RedisStateStore store, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await store.PingAsync(ct);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await Task.Delay(50, ct);
            }
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
