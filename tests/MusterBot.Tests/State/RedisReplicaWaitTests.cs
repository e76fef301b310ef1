using System.Diagnostics;
using System.Globalization;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;
using MusterBot.Tests.Support;
using Xunit.Abstractions;

namespace MusterBot.Tests.State;

/// <summary>
/// <see cref="RedisStoreOptions.WaitForReplicas"/> on the Sentinel set-up (one replica): the store sends WAIT after
/// commits and recorded outcomes, on the connection that wrote (a WAIT elsewhere would not wait for the write), returns
/// only once the replica has the write, and goes on (with a warning) when the replica does not answer in time. What a
/// failover loses with and without it, and what it costs, is measured and printed.
/// </summary>
[Collection("redis-sentinel")]
public sealed class RedisReplicaWaitTests(RedisSentinelFixture sentinel, ITestOutputHelper output)
{
    [Fact]
    public async Task WaitForReplicas_CommitsAndOutcomesWaitForTheReplica_OnTheConnectionThatWrote()
    {
        var ct = CancellationToken.None;
        await sentinel.EnsureSettledAsync();
        await using var store = await ConnectAsync($"w{Guid.NewGuid():N}:", waitForReplicas: 1);
        await sentinel.PrimaryAsync("CONFIG", "RESETSTAT");

        var commit = await store.CommitAsync(new Commit { UpdateId = 1, Writes = [new DocWrite(new DocKey("user", "1"), "{}", 0)], Outbox = [new OutboxMessage(Lane.Reply, 7, new SendText("hi"))] }, ct);
        Assert.Equal(CommitStatus.Committed, commit.Status);
        await store.CompleteOutboxAsync(commit.OutboxIds[0], new DeliveryRecord(commit.OutboxIds[0], 7, DeliveryStatus.Sent, DateTimeOffset.UtcNow) { TelegramMessageId = 1 }, ct);

        // A conflict and a duplicate wrote nothing: no WAIT.
        Assert.Equal(CommitStatus.VersionConflict, (await store.CommitAsync(new Commit { Writes = [new DocWrite(new DocKey("user", "1"), "{}", 0)] }, ct)).Status);
        Assert.Equal(CommitStatus.DuplicateUpdate, (await store.CommitAsync(new Commit { UpdateId = 1, Writes = [new DocWrite(new DocKey("user", "2"), "{}", 0)] }, ct)).Status);

        var stats = await sentinel.PrimaryAsync("INFO", "commandstats");
        Assert.Equal(2, Stat(stats, "cmdstat_wait", "calls"));

        // The replica held back (DEBUG SLEEP): the commit returns only after it woke and acknowledged the write, and
        // then the replica has it. A WAIT on a connection that had not written would have answered at once.
        var sleeping = sentinel.NodeAsync(sentinel.ReplicaPort, "DEBUG", "SLEEP", "0.35");
        await Task.Delay(50, ct);
        var watch = Stopwatch.StartNew();
        Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Writes = [new DocWrite(new DocKey("user", "3"), "{}", 0)] }, ct)).Status);
        var waited = watch.Elapsed;
        await sleeping;
        output.WriteLine($"commit with the replica asleep for 0.35 s returned after {waited.TotalMilliseconds:F0} ms");
        Assert.InRange(waited.TotalMilliseconds, 200, 490); // the replica's sleep, not WaitTimeout (500 ms)
        Assert.Equal(0, store.WritesNotConfirmedByReplicas);
    }

    [Fact]
    public async Task WaitForReplicas_ReplicaTooSlow_TheWriteCountsAsDone_AfterTheTimeout_WithAWarning_AndWritesStopWaitingForASecond()
    {
        var ct = CancellationToken.None;
        await sentinel.EnsureSettledAsync();
        var logs = new LogCapture();
        var logger = logs.CreateLogger("MusterBot.State");
        await using var store = await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = sentinel.ConnectionString, KeyPrefix = $"wt{Guid.NewGuid():N}:", WaitForReplicas = 1, WaitTimeout = TimeSpan.FromMilliseconds(150) },
            TimeProvider.System,
            logger,
            ct);

        var sleeping = sentinel.NodeAsync(sentinel.ReplicaPort, "DEBUG", "SLEEP", "0.7");
        await Task.Delay(50, ct);
        var watch = Stopwatch.StartNew();
        Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Writes = [new DocWrite(new DocKey("user", "1"), "{}", 0)] }, ct)).Status);
        var first = watch.Elapsed;
        Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Writes = [new DocWrite(new DocKey("user", "2"), "{}", 0)] }, ct)).Status);
        var second = watch.Elapsed - first;
        await sleeping;

        // The first waited its 150 ms (not the replica's 700 ms); the second, within the second after, did not wait.
        Assert.InRange(first.TotalMilliseconds, 140, 500);
        Assert.InRange(second.TotalMilliseconds, 0, 100);
        Assert.Equal(2, store.WritesNotConfirmedByReplicas);

        // A second later writes wait again, and the replica (awake) confirms them.
        await Task.Delay(TimeSpan.FromSeconds(1.1), ct);
        var waitsBefore = Stat(await sentinel.PrimaryAsync("INFO", "commandstats"), "cmdstat_wait", "calls");
        Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Writes = [new DocWrite(new DocKey("user", "3"), "{}", 0)] }, ct)).Status);
        Assert.Equal(waitsBefore + 1, Stat(await sentinel.PrimaryAsync("INFO", "commandstats"), "cmdstat_wait", "calls"));
        Assert.Equal(2, store.WritesNotConfirmedByReplicas);
        var warnings = logs.Lines.Where(l => l.Contains("[5004]", StringComparison.Ordinal)).ToList();
        Assert.Single(warnings); // at most one a minute
        Assert.Contains("only 0 of 1 replicas", warnings[0], StringComparison.Ordinal);
        Assert.DoesNotContain(sentinel.Password, logs.All, StringComparison.Ordinal);
    }

    /// <summary>
    /// What WAIT costs on loopback (primary and replica on this machine): commits of one update (a document and a
    /// reply, what a press writes) and recorded outcomes, one after another and 32 at a time, without and with
    /// WaitForReplicas = 1. Prints the figures; asserts only that the waits happened.
    /// </summary>
    [Fact]
    public async Task WaitForReplicas_Cost_Measured()
    {
        const int Sequential = 400;
        const int Parallel = 32;
        const int PerTask = 60;
        var ct = CancellationToken.None;
        await sentinel.EnsureSettledAsync();
        var lines = new List<string>();
        foreach (var replicas in new[] { 0, 1, 0, 1 })
        {
            await using var store = await ConnectAsync($"wc{Guid.NewGuid():N}:", replicas);
            await store.CommitAsync(new Commit { Writes = [new DocWrite(new DocKey("warm", "0"), "{}", 0)] }, ct);
            var waitsBefore = Stat(await sentinel.PrimaryAsync("INFO", "commandstats"), "cmdstat_wait", "calls");

            var commitTimes = new List<double>(Sequential);
            var ids = new List<long>(Sequential);
            for (var i = 0; i < Sequential; i++)
            {
                var watch = Stopwatch.StartNew();
                var result = await store.CommitAsync(Press(i), ct);
                commitTimes.Add(watch.Elapsed.TotalMilliseconds);
                ids.Add(result.OutboxIds[0]);
            }

            var completeTimes = new List<double>(Sequential);
            foreach (var id in ids)
            {
                var watch = Stopwatch.StartNew();
                await store.CompleteOutboxAsync(id, new DeliveryRecord(id, 7, DeliveryStatus.Sent, DateTimeOffset.UtcNow) { TelegramMessageId = 1 }, ct);
                completeTimes.Add(watch.Elapsed.TotalMilliseconds);
            }

            var wall = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Parallel).Select(t => Task.Run(
                async () =>
                {
                    for (var i = 0; i < PerTask; i++)
                    {
                        await store.CommitAsync(Press(((t + 1) * 10_000) + i), ct);
                    }
                },
                ct)));
            var parallelRate = Parallel * PerTask / wall.Elapsed.TotalSeconds;

            // A read of another process's kind (GET), while 32 commits at a time run: does WAIT hold the reads back?
            var readTimes = new List<double>();
            var writers = Task.WhenAll(Enumerable.Range(0, Parallel).Select(t => Task.Run(
                async () =>
                {
                    for (var i = 0; i < PerTask; i++)
                    {
                        await store.CommitAsync(Press(((t + 1) * 1_000_000) + i), ct);
                    }
                },
                ct)));
            while (!writers.IsCompleted)
            {
                var watch = Stopwatch.StartNew();
                await store.GetAsync(new DocKey("warm", "0"), ct);
                readTimes.Add(watch.Elapsed.TotalMilliseconds);
            }

            await writers;
            var waits = Stat(await sentinel.PrimaryAsync("INFO", "commandstats"), "cmdstat_wait", "calls") - waitsBefore;
            var writes = (2 * Sequential) + (2 * Parallel * PerTask);
            if (replicas == 0)
            {
                Assert.Equal(0, waits);
            }
            else
            {
                // One each, one after another; shared by the writes that finished while one was under way, 32 at a time.
                Assert.InRange(waits, (2 * Sequential) + 1, writes);
            }

            var line = $"WaitForReplicas={replicas}: commit p50 {P(commitTimes, 50):F3} ms p99 {P(commitTimes, 99):F3} ms; "
                + $"outcome p50 {P(completeTimes, 50):F3} ms p99 {P(completeTimes, 99):F3} ms; "
                + $"{Parallel} committing at once: {parallelRate:F0} commits/s; a read meanwhile p50 {P(readTimes, 50):F3} ms p99 {P(readTimes, 99):F3} ms; "
                + $"{waits} WAITs for {writes} writes";
            lines.Add(line);
            output.WriteLine(line);
        }
    }

    /// <summary>
    /// Sixteen writers commit as fast as they can while the primary is killed (SIGKILL); after the failover each
    /// writer's document is read on the new primary, and what a writer was told was committed but is not there is lost.
    /// Three runs: a healthy replica without WAIT (printed: on loopback the replica is microseconds behind), the same
    /// with WaitForReplicas = 1 (nothing acknowledged may be lost), and a replica cut off from the primary 0.5 s before
    /// the kill, without WAIT (printed: about half a second of writes is lost; the loss is the replica's lag).
    /// </summary>
    [Fact]
    public async Task Failover_AcknowledgedCommitsLost_MeasuredWithoutWait_NoneWithWait()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var withoutWait = await MeasureLossAsync(waitForReplicas: 0, cutReplica: false, timeout.Token);
        output.WriteLine("healthy replica, without WAIT: " + withoutWait.Text);
        var withWait = await MeasureLossAsync(waitForReplicas: 1, cutReplica: false, timeout.Token);
        output.WriteLine("healthy replica, WaitForReplicas = 1: " + withWait.Text);
        var lagging = await MeasureLossAsync(waitForReplicas: 0, cutReplica: true, timeout.Token);
        output.WriteLine("replica cut off 0.5 s before the kill, without WAIT: " + lagging.Text);
        Assert.Equal(0, withWait.Lost);
        Assert.True(withWait.Acknowledged > 100, withWait.Text);
        Assert.True(withoutWait.Acknowledged > 100, withoutWait.Text);
        Assert.True(lagging.Lost > 0, lagging.Text);
    }

    private sealed record Loss(long Acknowledged, long Lost, string Text);

    private async Task<Loss> MeasureLossAsync(int waitForReplicas, bool cutReplica, CancellationToken ct)
    {
        const int Writers = 16;
        await sentinel.EnsureSettledAsync();
        var prefix = $"wl{Guid.NewGuid():N}:";
        await using var store = await ConnectAsync(prefix, waitForReplicas);
        var acknowledged = new long[Writers];
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var killedAt = new TaskCompletionSource<long>();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(
            async () =>
            {
                var key = new DocKey("counter", w.ToString(CultureInfo.InvariantCulture));
                for (long version = 0; !stop.IsCancellationRequested; version++)
                {
                    try
                    {
                        var result = await store.CommitAsync(new Commit { Writes = [new DocWrite(key, (version + 1).ToString(CultureInfo.InvariantCulture), version)] }, stop.Token);
                        if (result.Status != CommitStatus.Committed)
                        {
                            return;
                        }

                        Volatile.Write(ref acknowledged[w], version + 1);
                    }
                    catch (Exception ex)
                    {
                        // The primary is gone: what this writer was told so far is what counts.
                        errors.Add(ex.GetType().Name + ": " + ex.Message.Split('\n')[0][..Math.Min(90, ex.Message.Split('\n')[0].Length)]);
                        return;
                    }
                }
            },
            ct)).ToArray();

        try
        {
            await Task.Delay(700, ct);
            var replica = sentinel.ReplicaPort;
            if (cutReplica)
            {
                // The replica loses its link and cannot log in again (wrong masterauth): the primary goes on
                // acknowledging writes the replica never gets, as across a network partition.
                await sentinel.NodeAsync(replica, "CONFIG", "SET", "masterauth", "wrong");
                await sentinel.PrimaryAsync("CLIENT", "KILL", "TYPE", "replica");
                await Task.Delay(500, ct);
            }

            var beforeKill = acknowledged.Sum();
            Assert.True(errors.IsEmpty, "a writer failed before the kill: " + string.Join("; ", errors.Distinct()));
            await sentinel.KillPrimaryAsync();
            var failover = sentinel.WaitForFailoverAsync(TimeSpan.FromSeconds(30));
            var rate = beforeKill / (cutReplica ? 1.2 : 0.7);
            if (cutReplica)
            {
                await sentinel.NodeAsync(replica, "CONFIG", "SET", "masterauth", sentinel.Password);
            }

            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(20), ct);
            var switched = await failover;
            var lost = 0L;
            var lostWriters = 0;
            for (var w = 0; w < Writers; w++)
            {
                var stored = await store.GetAsync(new DocKey("counter", w.ToString(CultureInfo.InvariantCulture)), ct);
                var missing = acknowledged[w] - (stored?.Version ?? 0);
                if (missing > 0)
                {
                    lost += missing;
                    lostWriters++;
                }
            }

            var total = acknowledged.Sum();
            return new Loss(total, lost, $"{total} commits acknowledged by {Writers} writers (≈ {rate:F0}/s), {lost} of them lost in the failover ({lostWriters} writers; ≈ {(lost / rate * 1000):F1} ms of writes); the sentinels switched {switched.TotalSeconds:F1} s after the kill; writers stopped on {string.Join(", ", errors.Distinct())}");
        }
        finally
        {
            await stop.CancelAsync();
            await sentinel.RestoreAsync();
        }
    }

    private static Commit Press(int i) => new()
    {
        UpdateId = i + 1,
        Writes = [new DocWrite(new DocKey("user", i.ToString(CultureInfo.InvariantCulture)), """{"name":"U","checkedIn":true}""", 0)],
        Outbox = [new OutboxMessage(Lane.Reply, 7, new SendText("Checked in."))],
    };

    private Task<RedisStateStore> ConnectAsync(string prefix, int waitForReplicas) =>
        RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = sentinel.ConnectionString, KeyPrefix = prefix, WaitForReplicas = waitForReplicas }, TimeProvider.System, CancellationToken.None);

    private static double P(List<double> values, int percentile)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
    }

    private static long Stat(string info, string command, string field)
    {
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith(command + ":", StringComparison.Ordinal))
            {
                foreach (var part in line[(command.Length + 1)..].Trim().Split(','))
                {
                    var pair = part.Split('=');
                    if (pair[0] == field)
                    {
                        return long.Parse(pair[1], CultureInfo.InvariantCulture);
                    }
                }
            }
        }

        return 0;
    }
}
