using System.ComponentModel.DataAnnotations;
using System.Globalization;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;
using MusterBot.State.Timers;
using Xunit.Abstractions;

namespace MusterBot.Tests.State;

/// <summary>
/// Group commit (<see cref="RedisStoreOptions.CommitPipeline"/>, <see cref="RedisStoreOptions.MaxCommitBatch"/>):
/// concurrent commits of one shard go in one <see cref="RedisScripts.CommitMany"/> run, each applied on its own. To put
/// chosen commits into one batch, a test pauses the server's writes (CLIENT PAUSE … WRITE), sends a first commit (its
/// batch then waits on the server) and queues the others behind it: with CommitPipeline 1 they go together in the next
/// batch, which the EVALSHA count shows. These tests own their redis-server, so its counters count only them.
/// </summary>
public sealed class RedisGroupCommitTests(RedisServerFixture redis, ITestOutputHelper output) : IClassFixture<RedisServerFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoHundredConcurrentCommitsOfDifferentPeople_AllCommitted_DistinctOutboxIds_FarFewerScriptRuns()
    {
        const int People = 200;
        const long Shard = 4;
        await using var store = await ConnectAsync();
        // Warm: the script is loaded and the shard registered, so the burst below is only commits.
        Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Shard = Shard, Outbox = [new OutboxMessage(Lane.Reply, 1, new SendText("warm"))] }, Ct)).Status);
        Assert.Single(await store.ClaimOutboxAsync(10, Lease, Ct));
        var before = await redis.EvalShaCallsAsync();

        var go = new TaskCompletionSource();
        var commits = Enumerable.Range(0, People).Select(i => Task.Run(async () =>
        {
            await go.Task;
            return await store.CommitAsync(
                new Commit
                {
                    Shard = Shard,
                    UpdateId = 1_000 + i,
                    Writes = [new DocWrite(new DocKey("user", Text(i)), "{\"n\":" + Text(i) + "}", 0)],
                    Outbox = [new OutboxMessage(Lane.Reply, 10_000 + i, new SendText("checked in")) { Tag = "p" + Text(i) }],
                },
                Ct);
        })).ToList();
        go.SetResult();
        var results = await Task.WhenAll(commits);
        var scriptRuns = await redis.EvalShaCallsAsync() - before;
        output.WriteLine($"{People} concurrent commits of one shard: {scriptRuns} EVALSHA calls (commit batches and their reindexes)");

        Assert.All(results, r => Assert.Equal(CommitStatus.Committed, r.Status));
        var ids = results.SelectMany(r => r.OutboxIds).ToList();
        Assert.Equal(People, ids.Count);
        Assert.Equal(People, ids.Distinct().Count());
        Assert.True(scriptRuns < People, $"{scriptRuns} EVALSHA calls for {People} commits");
        for (var i = 0; i < People; i++)
        {
            Assert.True(await store.IsUpdateHandledAsync(1_000 + i, Shard, Ct));
            Assert.Equal("{\"n\":" + Text(i) + "}", (await store.GetAsync(new DocKey("user", Text(i)).In(Shard), Ct))!.Json);
        }

        // The batch's one reindex put the shard into the work index: every message is claimed.
        var claimed = await store.ClaimOutboxAsync(People * 2, Lease, Ct);
        Assert.Equal(ids.Order(), claimed.Select(m => m.Id).Order());
    }

    [Fact]
    public async Task OnOneRedis_ACommitAndAClaimOutsideTheRootShard_UpdateTheWorkIndexInTheirOwnRun_OneScriptEach()
    {
        const long Shard = 4;
        var prefix = $"g{Guid.NewGuid():N}:";
        var index = prefix + "{1}:ix:f:" + Text((int)Lane.Reply);
        await using var store = await ConnectAsync(prefix: prefix);
        // Warm: the scripts are loaded, the shard registered and the first claim's sweep done.
        Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Shard = Shard, Outbox = [new OutboxMessage(Lane.Reply, 1, new SendText("warm"))] }, Ct)).Status);
        Assert.Single(await store.ClaimOutboxAsync(10, Lease, Ct));
        var leasedUntil = long.Parse(await redis.ExecuteAsync("ZSCORE", index, Text(Shard)), CultureInfo.InvariantCulture);

        var before = await redis.EvalShaCallsAsync();
        var committed = await store.CommitAsync(new Commit { Shard = Shard, UpdateId = 5, Outbox = [new OutboxMessage(Lane.Reply, 2, new SendText("checked in"))] }, Ct);
        Assert.Equal(CommitStatus.Committed, committed.Status);
        // The commit's own run moved the shard's entry to the new message's time: no Reindex after it.
        Assert.Equal(1, await redis.EvalShaCallsAsync() - before);
        Assert.True(long.Parse(await redis.ExecuteAsync("ZSCORE", index, Text(Shard)), CultureInfo.InvariantCulture) < leasedUntil);

        before = await redis.EvalShaCallsAsync();
        var claimed = await store.ClaimOutboxAsync(10, Lease, Ct);
        Assert.Equal(committed.OutboxIds, claimed.Select(m => m.Id));
        Assert.Equal(1, await redis.EvalShaCallsAsync() - before);
        // The claim's run set the entry exactly: both messages are leased, so the shard is due at the later lease end.
        Assert.True(long.Parse(await redis.ExecuteAsync("ZSCORE", index, Text(Shard)), CultureInfo.InvariantCulture) >= leasedUntil);
    }

    [Fact]
    public async Task TwoHundredConcurrentOutcomes_AllRecorded_MessagesGone_FarFewerScriptRuns()
    {
        const int Messages = 200;
        const long Shard = 5;
        await using var store = await ConnectAsync();
        var committed = await store.CommitAsync(
            new Commit { Shard = Shard, Outbox = [.. Enumerable.Range(0, Messages).Select(i => new OutboxMessage(Lane.Reply, 20_000 + i, new SendText("hi")) { Tag = "t" + Text(i % 3) })] },
            Ct);
        var claimed = await store.ClaimOutboxAsync(Messages * 2, Lease, Ct);
        Assert.Equal(Messages, claimed.Count);
        var before = await redis.EvalShaCallsAsync();

        var go = new TaskCompletionSource();
        var at = DateTimeOffset.UtcNow;
        var outcomes = claimed.Select((m, i) => Task.Run(async () =>
        {
            await go.Task;
            var record = i % 2 == 0
                ? new DeliveryRecord(m.Id, m.ChatId, DeliveryStatus.Sent, at) { TelegramMessageId = 500 + i, Attempts = 1, Tag = m.Tag }
                : new DeliveryRecord(m.Id, m.ChatId, DeliveryStatus.Failed, at) { Error = "400: chat not found", Attempts = 1, Tag = m.Tag };
            await store.CompleteOutboxAsync(m.Id, record, Ct);
        })).ToList();
        go.SetResult();
        await Task.WhenAll(outcomes);
        var scriptRuns = await redis.EvalShaCallsAsync() - before;
        output.WriteLine($"{Messages} concurrent outcomes of one shard: {scriptRuns} EVALSHA calls");

        Assert.True(scriptRuns < Messages / 4, $"{scriptRuns} EVALSHA calls for {Messages} outcomes");
        Assert.All((await store.CountOutboxAsync(Ct)).Values, n => Assert.Equal(0, n));
        for (var i = 0; i < Messages; i++)
        {
            var record = await store.GetDeliveryAsync(claimed[i].Id, Ct);
            Assert.NotNull(record);
            Assert.Equal(claimed[i].ChatId, record.ChatId);
            Assert.Equal(i % 2 == 0 ? DeliveryStatus.Sent : DeliveryStatus.Failed, record.Status);
            Assert.Equal(i % 2 == 0 ? 500 + i : null, record.TelegramMessageId);
        }

        Assert.Equal(committed.OutboxIds.Order(), claimed.Select(m => m.Id).Order());
        Assert.Empty(await store.ClaimOutboxAsync(10, TimeSpan.FromMilliseconds(1), Ct));
    }

    /// <summary>
    /// 100 chats with two messages each, all claimed, then all 200 put back at once: each chat's first message until a
    /// second from now, its second due at once. Whatever order the batches apply them in, a chat's second message must
    /// not be due before its first (Retry keeps a chat's put-backs in id order), so nothing can be claimed at once; after
    /// the second every message comes back, each chat's first before its second, in far fewer script runs than 200.
    /// </summary>
    [Fact]
    public async Task TwoHundredConcurrentPutBacks_AllBack_EachChatInOrder_FarFewerScriptRuns()
    {
        const int Chats = 100;
        const long Shard = 6;
        await using var store = await ConnectAsync();
        var committed = await store.CommitAsync(
            new Commit { Shard = Shard, Outbox = [.. Enumerable.Range(0, Chats * 2).Select(i => new OutboxMessage(Lane.Normal, 30_000 + (i % Chats), new SendText(i < Chats ? "first" : "second")))] },
            Ct);
        var claimed = await store.ClaimOutboxAsync(Chats * 4, Lease, Ct);
        Assert.Equal(Chats * 2, claimed.Count);
        var before = await redis.EvalShaCallsAsync();

        var go = new TaskCompletionSource();
        var later = DateTimeOffset.UtcNow.AddSeconds(1);
        var firstOfChat = claimed.GroupBy(m => m.ChatId).ToDictionary(g => g.Key, g => g.Min(m => m.Id));
        var putBacks = claimed.Select(m => Task.Run(async () =>
        {
            await go.Task;
            await store.RetryOutboxAsync(m.Id, m.Id == firstOfChat[m.ChatId] ? later : DateTimeOffset.UtcNow, 1, Ct);
        })).ToList();
        go.SetResult();
        await Task.WhenAll(putBacks);
        var scriptRuns = await redis.EvalShaCallsAsync() - before;
        output.WriteLine($"{Chats * 2} concurrent put-backs of one shard: {scriptRuns} EVALSHA calls (batches and their reindexes)");
        Assert.True(scriptRuns < Chats / 2, $"{scriptRuns} EVALSHA calls for {Chats * 2} put-backs");

        Assert.Empty(await store.ClaimOutboxAsync(Chats * 4, Lease, Ct));
        await Task.Delay(later - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200));
        var again = await store.ClaimOutboxAsync(Chats * 4, Lease, Ct);
        Assert.Equal(committed.OutboxIds.Order(), again.Select(m => m.Id).Order());
        var position = again.Select((m, i) => (m.Id, i)).ToDictionary(p => p.Id, p => p.i);
        Assert.All(again.GroupBy(m => m.ChatId), chat =>
        {
            var ids = chat.Select(m => m.Id).Order().ToList();
            Assert.True(position[ids[0]] < position[ids[1]], $"chat {chat.Key}: its second message came back before its first");
        });
        Assert.All(again, m => Assert.Equal(1, m.Attempts));
    }

    [Fact]
    public async Task OneBatch_TwoCommitsExpectingTheSameVersion_OneCommitted_TheOtherConflicts_AndWritesNothing()
    {
        await using var store = await ConnectAsync(pipeline: 1);
        var key = new DocKey("user", "7");
        var (results, scriptRuns) = await OneBatchAfterABlockerAsync(store, [
            Press(201, key, "a"),
            Press(202, key, "b"),
        ]);

        Assert.Equal(2, scriptRuns); // the blocker's batch and one batch of both
        Assert.Equal([CommitStatus.Committed, CommitStatus.VersionConflict], results.Select(r => r.Status));
        Assert.Equal("a", (await store.GetAsync(key, Ct))!.Json);
        Assert.Equal(1, (await store.GetAsync(key, Ct))!.Version);
        Assert.True(await store.IsUpdateHandledAsync(201, Shards.Root, Ct));
        Assert.False(await store.IsUpdateHandledAsync(202, Shards.Root, Ct));
        Assert.Single(await store.GetDeliveriesByTagAsync("a", Shards.Root, Ct));
        Assert.Empty(await store.GetDeliveriesByTagAsync("b", Shards.Root, Ct));
        Assert.Equal(results[0].OutboxIds, (await store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id));
    }

    [Fact]
    public async Task OneBatch_TheSameUpdateTwice_OneCommitted_OneDuplicate()
    {
        await using var store = await ConnectAsync(pipeline: 1);
        var press = Press(301, new DocKey("user", "8"), "once");
        var (results, scriptRuns) = await OneBatchAfterABlockerAsync(store, [press, press]);

        Assert.Equal(2, scriptRuns);
        Assert.Equal([CommitStatus.Committed, CommitStatus.DuplicateUpdate], results.Select(r => r.Status));
        Assert.Empty(results[1].OutboxIds);
        Assert.Single(await store.GetDeliveriesByTagAsync("once", Shards.Root, Ct));
        Assert.Equal(results[0].OutboxIds, (await store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id));
    }

    [Fact]
    public async Task OneBatch_MixingConflictDuplicateAndNormalCommits_EachGetsItsOwnAnswer_InAnotherShard()
    {
        const long Shard = 9;
        await using var store = await ConnectAsync(pipeline: 1);
        var contested = new DocKey("user", "c").In(Shard);
        var repeated = Press(403, new DocKey("user", "r").In(Shard), "r", Shard);
        var (results, scriptRuns) = await OneBatchAfterABlockerAsync(
            store,
            [
                Press(401, new DocKey("user", "n1").In(Shard), "n1", Shard),
                Press(402, contested, "c1", Shard),
                Press(404, contested, "c2", Shard),
                repeated,
                repeated,
                Press(405, new DocKey("user", "n2").In(Shard), "n2", Shard),
            ],
            Shard);

        Assert.InRange(scriptRuns, 2, 4); // two batches, and the reindexes of a shard other than the root
        Assert.Equal(
            [CommitStatus.Committed, CommitStatus.Committed, CommitStatus.VersionConflict, CommitStatus.Committed, CommitStatus.DuplicateUpdate, CommitStatus.Committed],
            results.Select(r => r.Status));
        var ids = results.SelectMany(r => r.OutboxIds).ToList();
        Assert.Equal(4, ids.Distinct().Count());
        Assert.Equal("c1", (await store.GetAsync(contested, Ct))!.Json);
        Assert.False(await store.IsUpdateHandledAsync(404, Shard, Ct));
        foreach (var (tag, count) in new[] { ("n1", 1), ("c1", 1), ("c2", 0), ("r", 1), ("n2", 1) })
        {
            Assert.Equal(count, (await store.GetDeliveriesByTagAsync(tag, Shard, Ct)).Count);
        }

        Assert.Equal(ids.Order(), (await store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id).Order());
    }

    [Fact]
    public async Task OneBatch_ACommitRedisCannotApply_FailsAlone_TheOthersCommit()
    {
        var prefix = $"g{Guid.NewGuid():N}:";
        await using var store = await ConnectAsync(pipeline: 1, prefix: prefix);
        // A string where the document's hash should be: the commit's version check raises WRONGTYPE inside the script.
        await redis.ExecuteAsync("SET", prefix + "{1}:doc:user:broken", "not a hash");
        var blocker = await PauseAndSendBlockerAsync(store);
        var first = store.CommitAsync(Press(501, new DocKey("user", "ok1"), "ok1"), Ct);
        var broken = store.CommitAsync(Press(502, new DocKey("user", "broken"), "broken"), Ct);
        var last = store.CommitAsync(Press(503, new DocKey("user", "ok2"), "ok2"), Ct);

        Assert.Equal(CommitStatus.Committed, (await blocker).Status);
        Assert.Equal(CommitStatus.Committed, (await first).Status);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => broken);
        output.WriteLine(ex.Message);
        Assert.Contains("WRONGTYPE", ex.Message, StringComparison.Ordinal);
        Assert.Equal(CommitStatus.Committed, (await last).Status);
        Assert.False(await store.IsUpdateHandledAsync(502, Shards.Root, Ct));
        Assert.Empty(await store.GetDeliveriesByTagAsync("broken", Shards.Root, Ct));
    }

    [Fact]
    public async Task OneCompletionBatch_AnOutcomeRedisCannotRecord_FailsAlone_TheOthersAreRecorded()
    {
        var prefix = $"g{Guid.NewGuid():N}:";
        await using var store = await ConnectAsync(pipeline: 1, prefix: prefix);
        var committed = await store.CommitAsync(new Commit { Outbox = [.. Enumerable.Range(0, 4).Select(i => new OutboxMessage(Lane.Reply, 30_000 + i, new SendText("hi")))] }, Ct);
        var claimed = await store.ClaimOutboxAsync(10, Lease, Ct);
        Assert.Equal(4, claimed.Count);
        // A string where the third message's delivery record should be: its HSET raises WRONGTYPE inside the script.
        var broken = claimed[2];
        await redis.ExecuteAsync("DEL", prefix + "{1}:dlv:" + Text(OutboxIds.NumberOf(broken.Id)));
        await redis.ExecuteAsync("SET", prefix + "{1}:dlv:" + Text(OutboxIds.NumberOf(broken.Id)), "not a hash");

        // The first outcome's batch waits on the paused server; the other three queue behind it and go together.
        await redis.ExecuteAsync("CLIENT", "PAUSE", "3000", "WRITE");
        var at = DateTimeOffset.UtcNow;
        var tasks = claimed.Select(m => store.CompleteOutboxAsync(m.Id, new DeliveryRecord(m.Id, m.ChatId, DeliveryStatus.Sent, at) { Attempts = 1 }, Ct)).ToList();
        await Task.Delay(200);
        await redis.ExecuteAsync("CLIENT", "UNPAUSE");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => tasks[2]);
        output.WriteLine(ex.Message);
        Assert.Contains("WRONGTYPE", ex.Message, StringComparison.Ordinal);
        foreach (var i in new[] { 0, 1, 3 })
        {
            await tasks[i];
            Assert.Equal(DeliveryStatus.Sent, (await store.GetDeliveryAsync(claimed[i].Id, Ct))!.Status);
        }

        Assert.Equal(4, committed.OutboxIds.Count);
    }

    [Fact]
    public async Task CommitMany_ACommitThatIsNotJson_IsAnsweredWithAnError_TheNextIsApplied()
    {
        var sp = $"g{Guid.NewGuid():N}:" + "{1}:";
        var reply = await CommitManyOfUser1Async(
            sp,
            "0", "{not json",
            "1", """{"u":"7","w":[{"k":"user:1","j":1}],"s":[],"o":[],"ts":[],"tc":[]}""", "{}");

        // Flattened by the raw client: epoch, 9 index times, then {3, error} and {0}.
        var lines = reply.Split('\n');
        output.WriteLine(reply.Replace('\n', '|'));
        Assert.Equal("0", lines[0]);
        Assert.Equal("3", lines[10]);
        Assert.Contains("not valid JSON", lines[11], StringComparison.Ordinal);
        Assert.Equal("0", lines[12]);
        Assert.Equal(13, lines.Length);
        Assert.Equal("1", await redis.ExecuteAsync("HGET", sp + "doc:user:1", "v"));
        Assert.Equal("1", await redis.ExecuteAsync("EXISTS", sp + "upd:7"));
    }

    [Fact]
    public async Task CommitMany_ACommitWithoutItsNumberOfParts_IsAnsweredWithAnError_AndNothingAfterItIsApplied()
    {
        var sp = $"g{Guid.NewGuid():N}:" + "{1}:";
        var reply = await CommitManyOfUser1Async(sp, """{"u":"7","w":[{"k":"user:1","j":1}],"s":[],"o":[],"ts":[],"tc":[]}""", "{}");

        var lines = reply.Split('\n');
        Assert.Equal("3", lines[10]);
        Assert.Contains("how many parts", lines[11], StringComparison.Ordinal);
        Assert.Equal(12, lines.Length);
        Assert.Equal("0", await redis.ExecuteAsync("EXISTS", sp + "doc:user:1"));
        Assert.Equal("0", await redis.ExecuteAsync("EXISTS", sp + "upd:7"));
    }

    [Fact]
    public async Task DocumentsMessagesAndTimers_AreStoredByteForByte_WhateverTheyHoldThatJsonEscapes()
    {
        await using var store = await ConnectAsync(pipeline: 1);
        // Quotes, backslashes, control characters, non-ASCII, an escaped unpaired surrogate and a character outside the BMP.
        const string odd = "{\"t\":\"a\\\"b\\\\c\\n\\u0001 \\ud800 \u5FAE\u5FC3\u613F \ud83d\ude00\",\"n\":[1,2.5e3,null]}";
        var key = new DocKey("odd", "1");
        var message = new OutboxMessage(Lane.Reply, 42, new SendText("<b>\"x\"</b> \\ \u5FAE\u5FC3\u613F \ud83d\ude00")) { Tag = "t\"1" };
        var timer = new TimerEntry("t:odd", DateTimeOffset.UtcNow.AddHours(1), 1, "{\"q\":\"\\\"\u5FAE\"}");
        var result = await store.CommitAsync(new Commit { UpdateId = 901, Writes = [new DocWrite(key, odd, null)], Outbox = [message], SetTimers = [timer] }, Ct);

        Assert.Equal(CommitStatus.Committed, result.Status);
        Assert.Equal(odd, (await store.GetAsync(key, Ct))!.Json);
        var claimed = Assert.Single(await store.ClaimOutboxAsync(10, TimeSpan.FromMinutes(1), Ct));
        Assert.Equal(message.Action, claimed.Action);
        Assert.Equal("t\"1", claimed.Tag);
        Assert.Equal(timer.Payload, (await store.GetTimerAsync("t:odd", Ct))!.Payload);
    }

    [Fact]
    public async Task ACallerWhoGivesUp_DoesNotCancelTheBatch_AndIsLeftOutWhenNotYetSent()
    {
        await using var store = await ConnectAsync(pipeline: 1);
        await store.CommitAsync(new Commit { Writes = [new DocWrite(new DocKey("warm", "1"), "{}", null)] }, Ct);
        var before = await redis.EvalShaCallsAsync();
        await redis.ExecuteAsync("CLIENT", "PAUSE", "300", "WRITE");
        using var sentGivesUp = new CancellationTokenSource();
        using var waitingGivesUp = new CancellationTokenSource();
        var sent = store.CommitAsync(Press(601, new DocKey("user", "sent"), "sent"), sentGivesUp.Token);
        var waiting = store.CommitAsync(Press(602, new DocKey("user", "waiting"), "waiting"), waitingGivesUp.Token);
        var other = store.CommitAsync(Press(603, new DocKey("user", "other"), "other"), Ct);
        await sentGivesUp.CancelAsync();
        await waitingGivesUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sent);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(CommitStatus.Committed, (await other).Status);
        Assert.Equal(2, await redis.EvalShaCallsAsync() - before);

        // The batch already sent went on without its caller; the commit not yet sent was left out.
        Assert.True(await store.IsUpdateHandledAsync(601, Shards.Root, Ct));
        Assert.False(await store.IsUpdateHandledAsync(602, Shards.Root, Ct));
        Assert.Null(await store.GetAsync(new DocKey("user", "waiting"), Ct));
        Assert.True(await store.IsUpdateHandledAsync(603, Shards.Root, Ct));
    }

    [Theory]
    [InlineData(0, 64, false)]
    [InlineData(1, 1, true)]
    [InlineData(2, 64, true)]
    [InlineData(64, 1024, true)]
    [InlineData(65, 64, false)]
    [InlineData(2, 0, false)]
    [InlineData(2, 1025, false)]
    public async Task Options_CommitPipelineAndMaxCommitBatch_AreValidated(int pipeline, int batch, bool valid)
    {
        var options = new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"g{Guid.NewGuid():N}:", CommitPipeline = pipeline, MaxCommitBatch = batch };
        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
        if (valid)
        {
            await using var store = await RedisStateStore.ConnectAsync(options, TimeProvider.System, Ct);
        }
        else
        {
            await Assert.ThrowsAsync<ArgumentException>(() => RedisStateStore.ConnectAsync(options, TimeProvider.System, Ct));
        }
    }

    [Fact]
    public void Options_Defaults() => Assert.Equal((2, 64), (new RedisStoreOptions().CommitPipeline, new RedisStoreOptions().MaxCommitBatch));

    /// <summary>
    /// Pauses the server's writes, sends a blocker commit (its batch then waits on the server), queues
    /// <paramref name="commits"/> behind it (in order, from this thread) and returns their results and the EVALSHA
    /// calls the whole took.
    /// </summary>
    private async Task<(CommitResult[] Results, long ScriptRuns)> OneBatchAfterABlockerAsync(RedisStateStore store, Commit[] commits, long shard = Shards.Root)
    {
        await store.CommitAsync(new Commit { Shard = shard, Writes = [new DocWrite(new DocKey("warm", "1").In(shard), "{}", null)], Outbox = [new OutboxMessage(Lane.Normal, 1, new SendText("warm"))] }, Ct);
        Assert.Single(await store.ClaimOutboxAsync(10, Lease, Ct));
        var before = await redis.EvalShaCallsAsync();
        var blocker = await PauseAndSendBlockerAsync(store, shard);
        var pending = commits.Select(c => store.CommitAsync(c, Ct)).ToList();
        Assert.Equal(CommitStatus.Committed, (await blocker).Status);
        var results = await Task.WhenAll(pending);
        return (results, await redis.EvalShaCallsAsync() - before);
    }

    /// <summary>CLIENT PAUSE WRITE for 300 ms, then a commit: its batch is sent at once and waits on the server.</summary>
    private async Task<Task<CommitResult>> PauseAndSendBlockerAsync(RedisStateStore store, long shard = Shards.Root)
    {
        await redis.ExecuteAsync("CLIENT", "PAUSE", "300", "WRITE");
        return store.CommitAsync(new Commit { Shard = shard, Writes = [new DocWrite(new DocKey("blocker", Guid.NewGuid().ToString("N")).In(shard), "{}", null)] }, Ct);
    }

    private static Commit Press(long updateId, DocKey key, string tag, long shard = Shards.Root) => new()
    {
        Shard = shard,
        UpdateId = updateId,
        Writes = [new DocWrite(key, tag, 0)],
        Outbox = [new OutboxMessage(Lane.Reply, updateId, new SendText(tag)) { Tag = tag }],
    };

    private Task<RedisStateStore> ConnectAsync(int pipeline = 2, string? prefix = null) =>
        RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = prefix ?? $"g{Guid.NewGuid():N}:", CommitPipeline = pipeline },
            TimeProvider.System,
            Ct);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs <see cref="RedisScripts.CommitMany"/> by hand on the root shard of <paramref name="sp"/>, keys of update 7 and user:1, with these commit arguments.</summary>
    private Task<string> CommitManyOfUser1Async(string sp, params string[] commits)
    {
        var now = DateTimeOffset.UtcNow;
        return redis.ExecuteAsync([
            "EVAL", RedisScripts.CommitMany.Body, "3", sp + "epoch", sp + "upd:7", sp + "doc:user:1",
            sp, Text(now.ToUnixTimeMilliseconds()), now.ToString("O", CultureInfo.InvariantCulture), "86400000", "604800000", "1", "",
            .. commits]);
    }
}
