using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Gauges;
using MusterBot.State.Leases;
using MusterBot.State.Outbox;
using MusterBot.State.Timers;

namespace MusterBot.Tests.State;

/// <summary>The behaviour every <see cref="IStateStore"/> must have; run against each implementation.</summary>
public abstract class StateStoreContract : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    protected FakeTimeProvider Clock { get; } = new();

    protected IStateStore Store { get; private set; } = null!;

    protected abstract Task<IStateStore> CreateStoreAsync(FakeTimeProvider clock);

    public async Task InitializeAsync() => Store = await CreateStoreAsync(Clock);

    public async Task DisposeAsync()
    {
        if (Store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    // ---- leases (the poller, a person's turn) ----

    /// <summary>The store's leases: both stores implement them (the Redis one on Redis's clock, the in-memory one on the store's).</summary>
    protected ILeaseStore Leases => (ILeaseStore)Store;

    /// <summary>Lets <paramref name="span"/> pass for both kinds of store: the fake clock moves and real time passes.</summary>
    protected async Task PassAsync(TimeSpan span)
    {
        Clock.Advance(span);
        await Task.Delay(span);
    }

    [Fact]
    public async Task Lease_IsHeldByOneOwner_ExtendedByItsOwner_RefusedToOthers()
    {
        Assert.Null(await Leases.LeaseHolderAsync("poller", Ct));
        Assert.True(await Leases.TryAcquireLeaseAsync("poller", "a", TimeSpan.FromSeconds(30), Ct));
        Assert.False(await Leases.TryAcquireLeaseAsync("poller", "b", TimeSpan.FromSeconds(30), Ct));
        Assert.True(await Leases.TryAcquireLeaseAsync("poller", "a", TimeSpan.FromSeconds(30), Ct));
        Assert.Equal("a", await Leases.LeaseHolderAsync("poller", Ct));

        // Names are independent.
        Assert.True(await Leases.TryAcquireLeaseAsync("person:42", "b", TimeSpan.FromSeconds(30), Ct));
        Assert.Equal("b", await Leases.LeaseHolderAsync("person:42", Ct));
    }

    [Fact]
    public async Task Lease_ReleasedOnlyByItsOwner_ThenAnotherTakesIt()
    {
        Assert.True(await Leases.TryAcquireLeaseAsync("poller", "a", TimeSpan.FromSeconds(30), Ct));

        Assert.False(await Leases.ReleaseLeaseAsync("poller", "b", Ct));
        Assert.Equal("a", await Leases.LeaseHolderAsync("poller", Ct));
        Assert.True(await Leases.ReleaseLeaseAsync("poller", "a", Ct));
        Assert.False(await Leases.ReleaseLeaseAsync("poller", "a", Ct));

        Assert.Null(await Leases.LeaseHolderAsync("poller", Ct));
        Assert.True(await Leases.TryAcquireLeaseAsync("poller", "b", TimeSpan.FromSeconds(30), Ct));
    }

    [Fact]
    public async Task Lease_EndsByItself_UnlessExtended()
    {
        var ttl = TimeSpan.FromMilliseconds(400);
        Assert.True(await Leases.TryAcquireLeaseAsync("poller", "a", ttl, Ct));
        await PassAsync(TimeSpan.FromMilliseconds(250));
        Assert.True(await Leases.TryAcquireLeaseAsync("poller", "a", ttl, Ct));
        await PassAsync(TimeSpan.FromMilliseconds(250));

        // 500 ms after it was taken, 250 ms after it was extended: still a's.
        Assert.False(await Leases.TryAcquireLeaseAsync("poller", "b", ttl, Ct));
        await PassAsync(TimeSpan.FromMilliseconds(300));

        // Not extended for 550 ms: it ended, and b takes it.
        Assert.Null(await Leases.LeaseHolderAsync("poller", Ct));
        Assert.True(await Leases.TryAcquireLeaseAsync("poller", "b", ttl, Ct));
        Assert.False(await Leases.ReleaseLeaseAsync("poller", "a", Ct));
    }

    // ---- documents ----

    [Fact]
    public async Task Commit_NewDocument_IsReadBackWithVersionOne()
    {
        var key = new DocKey("user", "42");

        var result = await CommitAsync(new Commit { Writes = [new DocWrite(key, """{"name":"Ann"}""", 0)] });

        Assert.Equal(CommitStatus.Committed, result.Status);
        Assert.Equal(new StoredDoc(key, """{"name":"Ann"}""", 1), await Store.GetAsync(key, Ct));
    }

    [Fact]
    public async Task Commit_EachWrite_IncrementsVersion()
    {
        var key = new DocKey("user", "42");
        await CommitAsync(new Commit { Writes = [new DocWrite(key, "1", null)] });
        await CommitAsync(new Commit { Writes = [new DocWrite(key, "2", 1)] });
        await CommitAsync(new Commit { Writes = [new DocWrite(key, "3", null)] });

        Assert.Equal(new StoredDoc(key, "3", 3), await Store.GetAsync(key, Ct));
    }

    [Fact]
    public async Task GetMany_ReturnsOneEntryPerKeyInOrder()
    {
        var a = new DocKey("user", "1");
        var c = new DocKey("user", "3");
        await CommitAsync(new Commit { Writes = [new DocWrite(a, "\"a\"", 0), new DocWrite(c, "\"c\"", 0)] });

        var docs = await Store.GetManyAsync([c, new DocKey("user", "2"), a], Ct);

        Assert.Equal(["\"c\"", null, "\"a\""], docs.Select(d => d?.Json));
    }

    [Fact]
    public async Task Commit_ExpectedVersionZero_WhenDocumentExists_ConflictsAndWritesNothing()
    {
        var key = new DocKey("user", "42");
        await CommitAsync(new Commit { Writes = [new DocWrite(key, "old", 0)] });

        var result = await CommitAsync(EverythingCommit(key, expectedVersion: 0, updateId: 7));

        Assert.Equal(CommitStatus.VersionConflict, result.Status);
        Assert.Empty(result.OutboxIds);
        await AssertNothingOfEverythingCommitWritten(key, updateId: 7);
    }

    [Fact]
    public async Task Commit_StaleVersion_ConflictsAndWritesNothing()
    {
        var key = new DocKey("user", "42");
        await CommitAsync(new Commit { Writes = [new DocWrite(key, "old", 0)] });
        await CommitAsync(new Commit { Writes = [new DocWrite(key, "old", 1)] });

        var result = await CommitAsync(EverythingCommit(key, expectedVersion: 1, updateId: 7));

        Assert.Equal(CommitStatus.VersionConflict, result.Status);
        await AssertNothingOfEverythingCommitWritten(key, updateId: 7);
        Assert.Equal(2, (await Store.GetAsync(key, Ct))!.Version);
    }

    [Fact]
    public async Task Commit_OneStaleVersionAmongSeveral_RefusesTheOtherWritesToo()
    {
        var fresh = new DocKey("user", "1");
        var stale = new DocKey("user", "2");
        await CommitAsync(new Commit { Writes = [new DocWrite(stale, "s", 0)] });

        var result = await CommitAsync(new Commit
        {
            Writes = [new DocWrite(fresh, "f", 0), new DocWrite(stale, "s2", 5)],
        });

        Assert.Equal(CommitStatus.VersionConflict, result.Status);
        Assert.Null(await Store.GetAsync(fresh, Ct));
        Assert.Equal("s", (await Store.GetAsync(stale, Ct))!.Json);
    }

    [Fact]
    public async Task Commit_MatchingVersion_WritesEverything()
    {
        var key = new DocKey("user", "42");
        await CommitAsync(new Commit { Writes = [new DocWrite(key, "old", 0)] });

        var result = await CommitAsync(EverythingCommit(key, expectedVersion: 1, updateId: 7));

        Assert.Equal(CommitStatus.Committed, result.Status);
        Assert.Equal(2, result.OutboxIds.Count);
        Assert.Equal(new StoredDoc(key, "new", 2), await Store.GetAsync(key, Ct));
        Assert.Equal(["member"], await Store.GetSetMembersAsync("index", Ct));
        Assert.Equal(2, (await Store.CountOutboxAsync(Ct)).Values.Sum());
        Assert.NotNull(await Store.GetTimerAsync("t1", Ct));
        Assert.True(await Store.IsUpdateHandledAsync(7, Ct));
    }

    [Fact]
    public async Task Commit_NullJson_DeletesDocument_AndVersionsStartAgain()
    {
        var key = new DocKey("conv", "9");
        await CommitAsync(new Commit { Writes = [new DocWrite(key, "x", 0)] });

        await CommitAsync(new Commit { Writes = [new DocWrite(key, null, 1)] });

        Assert.Null(await Store.GetAsync(key, Ct));
        Assert.Equal(CommitStatus.Committed, (await CommitAsync(new Commit { Writes = [new DocWrite(key, "y", 0)] })).Status);
        Assert.Equal(1, (await Store.GetAsync(key, Ct))!.Version);
    }

    [Fact]
    public async Task Document_WithTimeToLive_ExpiresOnTheStoreClock()
    {
        var key = new DocKey("conv", "9");
        await CommitAsync(new Commit { Writes = [new DocWrite(key, "x", 0, TimeSpan.FromMinutes(10))] });

        Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.NotNull(await Store.GetAsync(key, Ct));

        Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await Store.GetAsync(key, Ct));
        Assert.Equal([null], (await Store.GetManyAsync([key], Ct)).Select(d => d?.Json));
        var recreate = await CommitAsync(new Commit { Writes = [new DocWrite(key, "y", 0)] });
        Assert.Equal(CommitStatus.Committed, recreate.Status);
        Assert.Equal(1, (await Store.GetAsync(key, Ct))!.Version);
    }

    [Fact]
    public async Task Document_RewrittenWithoutTimeToLive_IsKept()
    {
        var key = new DocKey("conv", "9");
        await CommitAsync(new Commit { Writes = [new DocWrite(key, "x", 0, TimeSpan.FromMinutes(10))] });
        await CommitAsync(new Commit { Writes = [new DocWrite(key, "y", 1)] });

        Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(new StoredDoc(key, "y", 2), await Store.GetAsync(key, Ct));
    }

    // ---- update marks ----

    [Fact]
    public async Task Commit_SameUpdateTwice_IsDuplicate_AndSecondWritesNothing()
    {
        var first = await CommitAsync(new Commit { UpdateId = 5, Outbox = [Text(Lane.Reply, 1, "first")] });

        var second = await CommitAsync(new Commit
        {
            UpdateId = 5,
            Writes = [new DocWrite(new DocKey("user", "1"), "x", null)],
            SetChanges = [new SetChange("s", "m", true)],
            Outbox = [Text(Lane.Reply, 1, "second")],
        });

        Assert.Equal(CommitStatus.Committed, first.Status);
        Assert.Equal(CommitResult.Duplicate, second);
        Assert.Equal(1, (await Store.CountOutboxAsync(Ct))[Lane.Reply]);
        Assert.Null(await Store.GetAsync(new DocKey("user", "1"), Ct));
        Assert.Empty(await Store.GetSetMembersAsync("s", Ct));
    }

    [Fact]
    public async Task IsUpdateHandled_TrueAfterCommit_ForgottenAfter24Hours()
    {
        Assert.False(await Store.IsUpdateHandledAsync(900_000_001, Ct));

        await CommitAsync(new Commit { UpdateId = 900_000_001 });

        Assert.True(await Store.IsUpdateHandledAsync(900_000_001, Ct));
        Assert.False(await Store.IsUpdateHandledAsync(900_000_002, Ct));
        Clock.Advance(TimeSpan.FromHours(23));
        Assert.True(await Store.IsUpdateHandledAsync(900_000_001, Ct));
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.False(await Store.IsUpdateHandledAsync(900_000_001, Ct));
        Assert.Equal(CommitStatus.Committed, (await CommitAsync(new Commit { UpdateId = 900_000_001 })).Status);
    }

    // ---- sets ----

    [Fact]
    public async Task SetChanges_AddAndRemoveMembers_ReadBackOrdinalSorted()
    {
        await CommitAsync(new Commit
        {
            SetChanges =
            [
                new SetChange("grid:3:members", "b", true),
                new SetChange("grid:3:members", "B", true),
                new SetChange("grid:3:members", "a", true),
                new SetChange("grid:3:members", "-1001234567890", true),
            ],
        });
        await CommitAsync(new Commit { SetChanges = [new SetChange("grid:3:members", "b", false)] });

        Assert.Equal(["-1001234567890", "B", "a"], await Store.GetSetMembersAsync("grid:3:members", Ct));
        Assert.Empty(await Store.GetSetMembersAsync("grid:4:members", Ct));
    }

    // ---- outbox ----

    [Fact]
    public async Task Outbox_IdsIncrease_AndAreReturnedInCommitOrder()
    {
        var first = await CommitAsync(new Commit { Outbox = [Text(Lane.Normal, 1, "a"), Text(Lane.Emergency, 2, "b")] });
        var second = await CommitAsync(new Commit { Outbox = [Text(Lane.Reply, 3, "c")] });

        Assert.Equal(2, first.OutboxIds.Count);
        Assert.True(first.OutboxIds[0] > 0);
        Assert.True(first.OutboxIds[1] > first.OutboxIds[0]);
        Assert.True(second.OutboxIds[0] > first.OutboxIds[1]);
        var claimed = await Store.ClaimOutboxAsync(10, Lease, Ct);
        Assert.Equal(
            [(first.OutboxIds[1], "b"), (second.OutboxIds[0], "c"), (first.OutboxIds[0], "a")],
            claimed.Select(m => (m.Id, ((SendText)m.Action).Html)));
    }

    [Fact]
    public async Task Claim_TakesEmergencyThenReplyThenNormal()
    {
        await CommitAsync(new Commit
        {
            Outbox = [Text(Lane.Normal, 1, "n"), Text(Lane.Reply, 1, "r"), Text(Lane.Emergency, 1, "e")],
        });

        var firstTwo = await Store.ClaimOutboxAsync(2, Lease, Ct);
        var rest = await Store.ClaimOutboxAsync(2, Lease, Ct);

        Assert.Equal([Lane.Emergency, Lane.Reply], firstTwo.Select(m => m.Lane));
        Assert.Equal([Lane.Normal], rest.Select(m => m.Lane));
    }

    [Fact]
    public async Task Claim_TakesCallbackAnswersBeforeEverything_EvenBeforeReservedReplies_AndCountsThem()
    {
        var fanOut = Enumerable.Range(0, 5).Select(i => Text(Lane.Emergency, 100 + i, "e" + i)).ToList();
        var answer = new OutboxMessage(Lane.Answer, 7, new AnswerCallback("q1", "ok"));
        await CommitAsync(new Commit { Outbox = [.. fanOut, Text(Lane.Reply, 1, "r1"), answer] });
        Assert.Equal(1, (await Store.CountOutboxAsync(Ct))[Lane.Answer]);

        var first = await Store.ClaimOutboxAsync(3, 1, Lease, Ct);

        Assert.Equal([Lane.Answer, Lane.Reply, Lane.Emergency], first.Select(m => m.Lane));
        Assert.Equal(new AnswerCallback("q1", "ok"), first[0].Action);
    }

    /// <summary>
    /// A claim with a budget for the rate-limited lanes takes every ready answer (up to the claim's size) but no more
    /// than the budget of the others, in their usual priority; the rest stays for the next claim.
    /// </summary>
    [Fact]
    public async Task Claim_WithARateLimitedBudget_TakesAllAnswers_AndAtMostTheBudgetOfTheRest()
    {
        var fanOut = Enumerable.Range(0, 6).Select(i => Text(Lane.Emergency, 100 + i, "e" + i)).ToList();
        var answers = Enumerable.Range(0, 4).Select(i => new OutboxMessage(Lane.Answer, 200 + i, new AnswerCallback("q" + i))).ToList();
        await CommitAsync(new Commit { Outbox = [.. fanOut, Text(Lane.Reply, 1, "r1"), Text(Lane.Normal, 2, "n"), .. answers] });

        var first = await Store.ClaimOutboxAsync(20, 1, 3, Lease, Ct);
        var second = await Store.ClaimOutboxAsync(20, 0, 0, Lease, Ct);
        var third = await Store.ClaimOutboxAsync(20, 0, 100, Lease, Ct);

        Assert.Equal([Lane.Answer, Lane.Answer, Lane.Answer, Lane.Answer, Lane.Reply, Lane.Emergency, Lane.Emergency], first.Select(m => m.Lane));
        Assert.Empty(second);
        Assert.Equal([.. Enumerable.Repeat(Lane.Emergency, 4), Lane.Normal], third.Select(m => m.Lane));
    }

    [Fact]
    public async Task Claim_WithReservedReplies_TakesWaitingRepliesBeforeAFanOut_ThenKeepsPriority()
    {
        var fanOut = Enumerable.Range(0, 10).Select(i => Text(Lane.Emergency, 100 + i, "e" + i)).ToList();
        await CommitAsync(new Commit { Outbox = [.. fanOut, Text(Lane.Normal, 1, "n"), Text(Lane.Reply, 1, "r1"), Text(Lane.Reply, 2, "r2"), Text(Lane.Reply, 3, "r3")] });

        var first = await Store.ClaimOutboxAsync(4, 2, Lease, Ct);
        var second = await Store.ClaimOutboxAsync(20, 0, Lease, Ct);

        Assert.Equal([Lane.Reply, Lane.Reply, Lane.Emergency, Lane.Emergency], first.Select(m => m.Lane));
        Assert.Equal([.. Enumerable.Repeat(Lane.Emergency, 8), Lane.Reply, Lane.Normal], second.Select(m => m.Lane));
    }

    [Fact]
    public async Task Claim_WithinLane_OrdersByReadyTimeThenId()
    {
        var early = Clock.GetUtcNow();
        Clock.Advance(TimeSpan.FromMinutes(1));
        var batch = Enumerable.Range(0, 12).Select(i => Text(Lane.Normal, i, $"m{i}")).ToList();
        batch.Add(Text(Lane.Normal, 99, "delayed-but-early") with { NotBefore = early });
        var ids = (await CommitAsync(new Commit { Outbox = batch })).OutboxIds;

        var claimed = await Store.ClaimOutboxAsync(5, Lease, Ct);

        Assert.Equal([ids[12], ids[0], ids[1], ids[2], ids[3]], claimed.Select(m => m.Id));
        var rest = await Store.ClaimOutboxAsync(100, Lease, Ct);
        Assert.Equal(ids.Skip(4).Take(8), rest.Select(m => m.Id));
    }

    [Fact]
    public async Task Claim_RespectsNotBefore()
    {
        await CommitAsync(new Commit
        {
            Outbox = [Text(Lane.Emergency, 1, "later") with { NotBefore = Clock.GetUtcNow().AddMinutes(5) }],
        });

        Assert.Empty(await Store.ClaimOutboxAsync(10, Lease, Ct));
        Clock.Advance(TimeSpan.FromMinutes(5));
        var claimed = Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct));
        Assert.Equal("later", ((SendText)claimed.Action).Html);
    }

    [Fact]
    public async Task Claim_LeasedMessage_IsNotClaimedAgainUntilLeaseExpires()
    {
        var id = (await CommitAsync(new Commit { Outbox = [Text(Lane.Reply, 1, "x")] })).OutboxIds[0];
        Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct));

        Clock.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Empty(await Store.ClaimOutboxAsync(10, Lease, Ct));
        Assert.Equal(1, (await Store.CountOutboxAsync(Ct))[Lane.Reply]);

        Clock.Advance(TimeSpan.FromSeconds(1));
        var again = Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct));
        Assert.Equal(id, again.Id);
    }

    [Fact]
    public async Task Claim_ReturnsFullMessage()
    {
        var markup = new InlineMarkup([[new InlineButton("Да ✅", "m:7f3a:ok")]]);
        var notBefore = Clock.GetUtcNow().AddSeconds(-1);
        await CommitAsync(new Commit
        {
            Outbox =
            [
                new OutboxMessage(Lane.Normal, -1001234567890, new SendText("<b>Привет</b> 🚨 & co", markup))
                {
                    Tag = "muster:12",
                    NotBefore = notBefore,
                    SendFirst = true,
                },
                new OutboxMessage(Lane.Normal, 5_000_000_000, new SendDocument("r.csv", [1, 2, 3, 0, 255])),
            ],
        });

        var claimed = await Store.ClaimOutboxAsync(10, Lease, Ct);

        Assert.Equal(2, claimed.Count);
        var text = claimed[0];
        Assert.Equal(-1001234567890, text.ChatId);
        Assert.Equal("muster:12", text.Tag);
        Assert.Equal(notBefore, text.NotBefore);
        Assert.Equal(Clock.GetUtcNow(), text.EnqueuedAt);
        Assert.Equal(0, text.Attempts);
        Assert.True(text.SendFirst);
        Assert.False(claimed[1].SendFirst);
        var send = Assert.IsType<SendText>(text.Action);
        Assert.Equal("<b>Привет</b> 🚨 & co", send.Html);
        var button = Assert.Single(Assert.Single(Assert.IsType<InlineMarkup>(send.Markup).Rows));
        Assert.Equal(new InlineButton("Да ✅", "m:7f3a:ok"), button);
        Assert.Equal(5_000_000_000, claimed[1].ChatId);
        Assert.Equal(new byte[] { 1, 2, 3, 0, 255 }, Assert.IsType<SendDocument>(claimed[1].Action).Content);
    }

    [Fact]
    public async Task Complete_RemovesMessage_AndRecordsDelivery()
    {
        var id = (await CommitAsync(new Commit { Outbox = [Text(Lane.Reply, -1001234567890, "x") with { Tag = "t" }] }))
            .OutboxIds[0];
        var queued = await Store.GetDeliveryAsync(id, Ct);
        Assert.Equal(new DeliveryRecord(id, -1001234567890, DeliveryStatus.Queued, Clock.GetUtcNow()) { Tag = "t" }, queued);
        Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct));
        Clock.Advance(TimeSpan.FromSeconds(1));
        var at = Clock.GetUtcNow();

        await Store.CompleteOutboxAsync(
            id,
            new DeliveryRecord(id, -1001234567890, DeliveryStatus.Sent, at) { TelegramMessageId = 77, Attempts = 1 },
            Ct);

        Assert.Equal(
            new DeliveryRecord(id, -1001234567890, DeliveryStatus.Sent, at) { TelegramMessageId = 77, Attempts = 1, Tag = "t" },
            await Store.GetDeliveryAsync(id, Ct));
        Assert.Equal(0, (await Store.CountOutboxAsync(Ct)).Values.Sum());
        Clock.Advance(Lease * 2);
        Assert.Empty(await Store.ClaimOutboxAsync(10, Lease, Ct));
        Assert.Null(await Store.GetDeliveryAsync(id + 1000, Ct));
    }

    [Fact]
    public async Task Forward_RecordsTheOriginal_AndEnqueuesTheCopy_InOneStep_AndARepeatChangesNothing()
    {
        var id = (await CommitAsync(new Commit { Outbox = [Text(Lane.Normal, -42, "roll call") with { Tag = "rc:1" }] })).OutboxIds[0];
        var claimed = Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct));
        Clock.Advance(TimeSpan.FromSeconds(1));
        var at = Clock.GetUtcNow();
        var record = new DeliveryRecord(id, -42, DeliveryStatus.Failed, at) { Attempts = 1, Error = "migrated to -1009999999999" };
        var copy = claimed with { Id = 0, ChatId = -1_009_999_999_999, Attempts = 5, EnqueuedAt = default };

        var newId = await Store.ForwardOutboxAsync(id, record, copy, Ct);

        Assert.NotNull(newId);
        Assert.NotEqual(id, newId);
        Assert.Equal(record with { Tag = "rc:1" }, await Store.GetDeliveryAsync(id, Ct));
        Assert.Equal(
            new DeliveryRecord(newId.Value, -1_009_999_999_999, DeliveryStatus.Queued, at) { Tag = "rc:1", Attempts = 5 },
            await Store.GetDeliveryAsync(newId.Value, Ct));
        var moved = Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct));
        Assert.Equal((newId.Value, -1_009_999_999_999, 5, Lane.Normal, "rc:1"), (moved.Id, moved.ChatId, moved.Attempts, moved.Lane, moved.Tag));
        Assert.Equal(new SendText("roll call"), moved.Action);
        Assert.Equal(2, (await Store.GetDeliveriesByTagAsync("rc:1", Ct)).Count);

        // Written again (the first answer was lost): the original is no longer in the outbox, so nothing is enqueued.
        Assert.Null(await Store.ForwardOutboxAsync(id, record, copy, Ct));
        Assert.Equal(1, (await Store.CountOutboxAsync(Ct)).Values.Sum());
        Assert.Equal(2, (await Store.GetDeliveriesByTagAsync("rc:1", Ct)).Count);
    }

    [Fact]
    public async Task Retry_RequeuesMessage_ReadyAtNotBefore_WithAttempts()
    {
        var id = (await CommitAsync(new Commit { Outbox = [Text(Lane.Normal, 1, "x")] })).OutboxIds[0];
        Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct));
        var notBefore = Clock.GetUtcNow().AddMinutes(1);

        await Store.RetryOutboxAsync(id, notBefore, 1, Ct);

        Assert.Equal(1, (await Store.CountOutboxAsync(Ct))[Lane.Normal]);
        Assert.Empty(await Store.ClaimOutboxAsync(10, Lease, Ct));
        Clock.Advance(TimeSpan.FromMinutes(1));
        var again = Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct));
        Assert.Equal((id, 1, notBefore), (again.Id, again.Attempts, again.NotBefore));
        var delivery = await Store.GetDeliveryAsync(id, Ct);
        Assert.Equal((DeliveryStatus.Queued, 1), (delivery!.Status, delivery.Attempts));
    }

    [Fact]
    public async Task Retry_OnceDue_IsClaimedBeforeOlderFreshMessagesOfItsLane_NeverBeforeItsNotBefore()
    {
        var refused = (await CommitAsync(new Commit { Outbox = [Text(Lane.Normal, 1, "refused")] })).OutboxIds[0];
        Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct));
        var fresh = (await CommitAsync(new Commit
        {
            Outbox = [.. Enumerable.Range(0, 6).Select(i => Text(Lane.Normal, 10 + i, "fresh" + i))],
        })).OutboxIds;
        var notBefore = Clock.GetUtcNow().AddSeconds(1);
        await Store.RetryOutboxAsync(refused, notBefore, 0, Ct);

        Assert.Equal([fresh[0], fresh[1]], (await Store.ClaimOutboxAsync(2, Lease, Ct)).Select(m => m.Id));
        Clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal([fresh[2]], (await Store.ClaimOutboxAsync(1, Lease, Ct)).Select(m => m.Id));
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        var claimed = await Store.ClaimOutboxAsync(2, Lease, Ct);

        Assert.Equal([refused, fresh[3]], claimed.Select(m => m.Id));
        Assert.Equal(notBefore, claimed[0].NotBefore);
    }

    [Fact]
    public async Task Retries_AreClaimedByNotBeforeThenId()
    {
        var ids = (await CommitAsync(new Commit
        {
            Outbox = [Text(Lane.Emergency, 1, "a"), Text(Lane.Emergency, 2, "b"), Text(Lane.Emergency, 3, "c")],
        })).OutboxIds;
        Assert.Equal(3, (await Store.ClaimOutboxAsync(10, Lease, Ct)).Count);
        var now = Clock.GetUtcNow();
        await Store.RetryOutboxAsync(ids[2], now.AddSeconds(1), 0, Ct);
        await Store.RetryOutboxAsync(ids[1], now.AddSeconds(2), 0, Ct);
        await Store.RetryOutboxAsync(ids[0], now.AddSeconds(1), 0, Ct);
        var later = (await CommitAsync(new Commit { Outbox = [Text(Lane.Emergency, 4, "d")] })).OutboxIds[0];
        Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([ids[0], ids[2], later], (await Store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([ids[1]], (await Store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id));
    }

    [Fact]
    public async Task Retries_OfOneChat_StayInIdOrder_ALaterOneNeverDueBeforeAnEarlierOne()
    {
        var ids = (await CommitAsync(new Commit
        {
            Outbox = [Text(Lane.Reply, 7, "a"), Text(Lane.Reply, 7, "b"), Text(Lane.Reply, 7, "c"), Text(Lane.Reply, 8, "other")],
        })).OutboxIds;
        Assert.Equal(4, (await Store.ClaimOutboxAsync(10, Lease, Ct)).Count);
        var now = Clock.GetUtcNow();

        // The later message of chat 7 goes back first, for a shorter time; then the earlier ones, for longer: the later
        // one moves to the earlier one's time (another chat's message is not touched).
        await Store.RetryOutboxAsync(ids[2], now.AddSeconds(1), 0, Ct);
        await Store.RetryOutboxAsync(ids[3], now.AddSeconds(1), 0, Ct);
        await Store.RetryOutboxAsync(ids[0], now.AddSeconds(3), 0, Ct);

        // An earlier one still waiting: a later one put back for less time waits as long.
        await Store.RetryOutboxAsync(ids[1], now.AddSeconds(2), 0, Ct);

        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([ids[3]], (await Store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(await Store.ClaimOutboxAsync(10, Lease, Ct));
        Clock.Advance(TimeSpan.FromSeconds(1));

        // Even a claim cut off by its limit takes the chat's earliest one first.
        var first = Assert.Single(await Store.ClaimOutboxAsync(1, Lease, Ct));
        Assert.Equal(ids[0], first.Id);
        var rest = await Store.ClaimOutboxAsync(10, Lease, Ct);
        Assert.Equal([ids[1], ids[2]], rest.Select(m => m.Id));
        Assert.All(rest, m => Assert.Equal(now.AddSeconds(3), m.NotBefore));
    }

    [Fact]
    public async Task Retries_OfOneChat_ClaimedAndPutBackAgain_KeepTheirOrder()
    {
        var ids = (await CommitAsync(new Commit { Outbox = [Text(Lane.Reply, 7, "a"), Text(Lane.Reply, 7, "b")] })).OutboxIds;
        Assert.Equal(2, (await Store.ClaimOutboxAsync(10, Lease, Ct)).Count);
        var now = Clock.GetUtcNow();
        await Store.RetryOutboxAsync(ids[0], now.AddSeconds(1), 0, Ct);
        await Store.RetryOutboxAsync(ids[1], now.AddSeconds(1), 0, Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, (await Store.ClaimOutboxAsync(10, Lease, Ct)).Count);

        // Claimed, the earlier one's old time no longer holds the later one back.
        await Store.RetryOutboxAsync(ids[1], now.AddSeconds(2), 0, Ct);
        await Store.RetryOutboxAsync(ids[0], now.AddSeconds(5), 0, Ct);
        await Store.CompleteOutboxAsync(ids[0], new DeliveryRecord(ids[0], 7, DeliveryStatus.Failed, now), Ct);
        await Store.RetryOutboxAsync(ids[1], now.AddSeconds(2), 0, Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([ids[1]], (await Store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id));
    }

    [Fact]
    public async Task Retries_KeepTheLaneOrder_AndTheReplyReservation()
    {
        var ids = (await CommitAsync(new Commit
        {
            Outbox = [Text(Lane.Normal, 1, "n-retry"), Text(Lane.Reply, 2, "r-retry")],
        })).OutboxIds;
        Assert.Equal(2, (await Store.ClaimOutboxAsync(10, Lease, Ct)).Count);
        await Store.RetryOutboxAsync(ids[0], Clock.GetUtcNow(), 0, Ct);
        await Store.RetryOutboxAsync(ids[1], Clock.GetUtcNow(), 0, Ct);
        await CommitAsync(new Commit
        {
            Outbox = [Text(Lane.Normal, 3, "n"), Text(Lane.Reply, 4, "r"), Text(Lane.Emergency, 5, "e1"), Text(Lane.Emergency, 6, "e2")],
        });

        var reserved = await Store.ClaimOutboxAsync(2, 1, Lease, Ct);
        var rest = await Store.ClaimOutboxAsync(10, Lease, Ct);

        Assert.Equal(["r-retry", "e1"], reserved.Select(m => ((SendText)m.Action).Html));
        Assert.Equal(["e2", "r", "n-retry", "n"], rest.Select(m => ((SendText)m.Action).Html));
    }

    [Fact]
    public async Task Retry_LeaseExpired_ComesBackAheadOfFreshMessages_AndIsCounted()
    {
        var id = (await CommitAsync(new Commit { Outbox = [Text(Lane.Emergency, 1, "x")] })).OutboxIds[0];
        Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct));
        await Store.RetryOutboxAsync(id, Clock.GetUtcNow().AddSeconds(1), 1, Ct);
        Assert.Equal(1, (await Store.CountOutboxAsync(Ct))[Lane.Emergency]);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(id, Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct)).Id);
        var fresh = (await CommitAsync(new Commit { Outbox = [Text(Lane.Emergency, 2, "y"), Text(Lane.Emergency, 3, "z")] })).OutboxIds;
        Assert.Equal(3, (await Store.CountOutboxAsync(Ct))[Lane.Emergency]);

        Clock.Advance(Lease);
        var claimed = await Store.ClaimOutboxAsync(10, Lease, Ct);

        Assert.Equal([id, fresh[0], fresh[1]], claimed.Select(m => m.Id));
        Assert.Equal(1, claimed[0].Attempts);
    }

    [Fact]
    public async Task Complete_OfAWaitingRetry_RemovesIt()
    {
        var id = (await CommitAsync(new Commit { Outbox = [Text(Lane.Reply, 1, "x")] })).OutboxIds[0];
        Assert.Single(await Store.ClaimOutboxAsync(10, Lease, Ct));
        await Store.RetryOutboxAsync(id, Clock.GetUtcNow(), 0, Ct);

        await Store.CompleteOutboxAsync(id, new DeliveryRecord(id, 1, DeliveryStatus.Failed, Clock.GetUtcNow()), Ct);

        Assert.Equal(0, (await Store.CountOutboxAsync(Ct)).Values.Sum());
        Assert.Empty(await Store.ClaimOutboxAsync(10, Lease, Ct));
        Assert.Equal(DeliveryStatus.Failed, (await Store.GetDeliveryAsync(id, Ct))!.Status);
    }

    [Fact]
    public async Task GetDeliveriesByTag_ListsEveryMessageOfTheTag()
    {
        var ids = (await CommitAsync(new Commit
        {
            Outbox =
            [
                Text(Lane.Emergency, 1, "a") with { Tag = "muster:12" },
                Text(Lane.Emergency, 2, "b") with { Tag = "muster:12" },
                Text(Lane.Emergency, 3, "c") with { Tag = "muster:13" },
                Text(Lane.Emergency, 4, "d") with { Tag = "muster:12" },
            ],
        })).OutboxIds;
        await Store.ClaimOutboxAsync(10, Lease, Ct);
        var at = Clock.GetUtcNow();
        await Store.CompleteOutboxAsync(ids[0], new DeliveryRecord(ids[0], 1, DeliveryStatus.Sent, at), Ct);
        await Store.CompleteOutboxAsync(
            ids[1], new DeliveryRecord(ids[1], 2, DeliveryStatus.Unreachable, at) { Error = "Forbidden: bot was blocked" }, Ct);

        var records = await Store.GetDeliveriesByTagAsync("muster:12", Ct);

        Assert.Equal(
            [(ids[0], 1L, DeliveryStatus.Sent), (ids[1], 2L, DeliveryStatus.Unreachable), (ids[3], 4L, DeliveryStatus.Queued)],
            records.Select(r => (r.OutboxId, r.ChatId, r.Status)));
        Assert.Equal("Forbidden: bot was blocked", records[1].Error);
        Assert.All(records, r => Assert.Equal("muster:12", r.Tag));
        Assert.Empty(await Store.GetDeliveriesByTagAsync("muster:99", Ct));
    }

    [Fact]
    public async Task CountDeliveriesByTag_OneOutcomePerChat_SentOverUnreachableOverFailed_RepeatsChangeNothing()
    {
        // Chat 1: sent. Chat 2: unreachable, then a second message to it sent → counts as sent. Chat 3: failed, then
        // unreachable → unreachable. Chat 4: unreachable, then failed → still unreachable. Chat 5: still queued.
        var ids = (await CommitAsync(new Commit
        {
            Outbox =
            [
                Text(Lane.Emergency, 1, "a") with { Tag = "mo:1:r1" },
                Text(Lane.Emergency, 2, "b") with { Tag = "mo:1:r1" },
                Text(Lane.Emergency, 2, "b again") with { Tag = "mo:1:r1" },
                Text(Lane.Emergency, 3, "c") with { Tag = "mo:1:r1" },
                Text(Lane.Emergency, 3, "c again") with { Tag = "mo:1:r1" },
                Text(Lane.Emergency, 4, "d") with { Tag = "mo:1:r1" },
                Text(Lane.Emergency, 4, "d again") with { Tag = "mo:1:r1" },
                Text(Lane.Emergency, 5, "e") with { Tag = "mo:1:r1" },
                Text(Lane.Emergency, 6, "other tag") with { Tag = "mo:1:r2" },
            ],
        })).OutboxIds;
        Assert.Empty(await Store.CountDeliveriesByTagAsync("mo:1:r1", Shards.Root, Ct));
        await Store.ClaimOutboxAsync(20, Lease, Ct);
        var at = Clock.GetUtcNow();
        async Task Outcome(int i, long chat, DeliveryStatus status) =>
            await Store.CompleteOutboxAsync(ids[i], new DeliveryRecord(ids[i], chat, status, at), Ct);
        await Outcome(0, 1, DeliveryStatus.Sent);
        await Outcome(1, 2, DeliveryStatus.Unreachable);
        await Outcome(2, 2, DeliveryStatus.Sent);
        await Outcome(3, 3, DeliveryStatus.Failed);
        await Outcome(4, 3, DeliveryStatus.Unreachable);
        await Outcome(5, 4, DeliveryStatus.Unreachable);
        await Outcome(6, 4, DeliveryStatus.Failed);
        await Outcome(8, 6, DeliveryStatus.Sent);

        var expected = new Dictionary<DeliveryStatus, int> { [DeliveryStatus.Sent] = 2, [DeliveryStatus.Unreachable] = 2 };
        Assert.Equal(expected, await Store.CountDeliveriesByTagAsync("mo:1:r1", Shards.Root, Ct));

        // An outcome recorded again (the sender's retry after a lost answer) counts once.
        await Outcome(0, 1, DeliveryStatus.Sent);
        await Outcome(5, 4, DeliveryStatus.Unreachable);
        Assert.Equal(expected, await Store.CountDeliveriesByTagAsync("mo:1:r1", Shards.Root, Ct));
        Assert.Equal(new Dictionary<DeliveryStatus, int> { [DeliveryStatus.Sent] = 1 }, await Store.CountDeliveriesByTagAsync("mo:1:r2", Shards.Root, Ct));
        Assert.Empty(await Store.CountDeliveriesByTagAsync("nothing", Shards.Root, Ct));

        // The same outcomes chat by chat (the roll call splits "no answer" from "unreachable" with them): chat 5,
        // still queued, has none yet.
        var byChat = await Store.GetDeliveryOutcomesByTagAsync("mo:1:r1", Shards.Root, Ct);
        Assert.Equal(
            new Dictionary<long, DeliveryStatus> { [1] = DeliveryStatus.Sent, [2] = DeliveryStatus.Sent, [3] = DeliveryStatus.Unreachable, [4] = DeliveryStatus.Unreachable },
            byChat.OrderBy(kv => kv.Key).ToDictionary());
        Assert.Empty(await Store.GetDeliveryOutcomesByTagAsync("nothing", Shards.Root, Ct));
    }

    [Fact]
    public async Task CountSetMembers_CountsWithoutReading()
    {
        await CommitAsync(new Commit { SetChanges = [new SetChange("s", "1", true), new SetChange("s", "2", true), new SetChange("s", "3", true), new SetChange("s", "2", false)] });
        Assert.Equal(2, await Store.CountSetMembersAsync("s", Shards.Root, Ct));
        Assert.Equal(0, await Store.CountSetMembersAsync("none", Shards.Root, Ct));
    }

    [Fact]
    public async Task GetDeliveriesByTag_CarriesTheTelegramMessageIdOfSentMessages()
    {
        var ids = (await CommitAsync(new Commit
        {
            Outbox = [Text(Lane.Normal, -1001234567890, "summary") with { Tag = "muster:12:summary" }, Text(Lane.Normal, 5, "b") with { Tag = "muster:12:summary" }],
        })).OutboxIds;
        await Store.ClaimOutboxAsync(10, Lease, Ct);

        await Store.CompleteOutboxAsync(
            ids[0], new DeliveryRecord(ids[0], -1001234567890, DeliveryStatus.Sent, Clock.GetUtcNow()) { TelegramMessageId = int.MaxValue }, Ct);

        var records = await Store.GetDeliveriesByTagAsync("muster:12:summary", Ct);
        Assert.Equal(
            [(ids[0], -1001234567890L, DeliveryStatus.Sent, (int?)int.MaxValue), (ids[1], 5L, DeliveryStatus.Queued, null)],
            records.Select(r => (r.OutboxId, r.ChatId, r.Status, r.TelegramMessageId)));
    }

    [Fact]
    public async Task CountOutbox_CountsWaitingAndInFlightPerLane()
    {
        Assert.Equal(0, (await Store.CountOutboxAsync(Ct)).Values.Sum());
        await CommitAsync(new Commit
        {
            Outbox =
            [
                Text(Lane.Emergency, 1, "a"), Text(Lane.Normal, 1, "b"), Text(Lane.Normal, 1, "c"),
                Text(Lane.Normal, 1, "d") with { NotBefore = Clock.GetUtcNow().AddHours(1) },
            ],
        });
        await Store.ClaimOutboxAsync(2, Lease, Ct);

        var counts = await Store.CountOutboxAsync(Ct);

        Assert.Equal((1L, 0L, 3L), (counts[Lane.Emergency], counts[Lane.Reply], counts[Lane.Normal]));
    }

    // ---- timers ----

    [Fact]
    public async Task Timer_IsClaimedOnlyWhenDue_AndConsumedOnceByACommit()
    {
        var due = Clock.GetUtcNow().AddMinutes(10);
        await CommitAsync(new Commit { SetTimers = [new TimerEntry("remind:42", due, 5_000_000_000, """{"e":"r"}""")] });

        Assert.Empty(await Store.ClaimDueTimersAsync(10, Lease, Ct));
        Clock.Advance(TimeSpan.FromMinutes(10));
        var timer = Assert.Single(await Store.ClaimDueTimersAsync(10, Lease, Ct));
        Assert.Equal(new TimerEntry("remind:42", due, 5_000_000_000, """{"e":"r"}"""), timer);
        Assert.Empty(await Store.ClaimDueTimersAsync(10, Lease, Ct));

        var first = await CommitAsync(new Commit { ConsumesTimerId = "remind:42", Outbox = [Text(Lane.Normal, 1, "r")] });
        var second = await CommitAsync(new Commit { ConsumesTimerId = "remind:42", Outbox = [Text(Lane.Normal, 1, "r")] });

        Assert.Equal(CommitStatus.Committed, first.Status);
        Assert.Equal(CommitResult.Duplicate, second);
        Assert.Null(await Store.GetTimerAsync("remind:42", Ct));
        Assert.Equal(1, (await Store.CountOutboxAsync(Ct))[Lane.Normal]);
        Clock.Advance(Lease * 2);
        Assert.Empty(await Store.ClaimDueTimersAsync(10, Lease, Ct));
    }

    [Fact]
    public async Task Timer_ClaimedButNotConsumed_ComesBackAfterTheLease()
    {
        await CommitAsync(new Commit { SetTimers = [new TimerEntry("t", Clock.GetUtcNow(), 1, "{}")] });
        Assert.Single(await Store.ClaimDueTimersAsync(10, Lease, Ct));

        Clock.Advance(Lease);

        Assert.Equal("t", Assert.Single(await Store.ClaimDueTimersAsync(10, Lease, Ct)).Id);
    }

    [Fact]
    public async Task Timers_AreClaimedByDueTime_UpToMax()
    {
        var now = Clock.GetUtcNow();
        await CommitAsync(new Commit
        {
            SetTimers =
            [
                new TimerEntry("c", now.AddSeconds(-1), 1, "{}"),
                new TimerEntry("a", now.AddSeconds(-3), 1, "{}"),
                new TimerEntry("b", now.AddSeconds(-2), 1, "{}"),
                new TimerEntry("z", now.AddSeconds(1), 1, "{}"),
            ],
        });

        Assert.Equal(["a", "b"], (await Store.ClaimDueTimersAsync(2, Lease, Ct)).Select(t => t.Id));
        Assert.Equal(["c"], (await Store.ClaimDueTimersAsync(10, Lease, Ct)).Select(t => t.Id));
    }

    [Fact]
    public async Task Timer_Cancelled_IsGoneAndNeverFires()
    {
        await CommitAsync(new Commit { SetTimers = [new TimerEntry("t", Clock.GetUtcNow().AddMinutes(1), 1, "{}")] });

        await CommitAsync(new Commit { CancelTimers = ["t", "never-existed"] });

        Assert.Null(await Store.GetTimerAsync("t", Ct));
        Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Empty(await Store.ClaimDueTimersAsync(10, Lease, Ct));
        Assert.Equal(CommitResult.Duplicate, await CommitAsync(new Commit { ConsumesTimerId = "t" }));
    }

    [Fact]
    public async Task Timer_SetAgainWithSameId_ReplacesIt()
    {
        var now = Clock.GetUtcNow();
        await CommitAsync(new Commit { SetTimers = [new TimerEntry("t", now.AddMinutes(1), 1, "old")] });

        await CommitAsync(new Commit { SetTimers = [new TimerEntry("t", now.AddMinutes(5), 2, "new")] });

        Assert.Equal(new TimerEntry("t", now.AddMinutes(5), 2, "new"), await Store.GetTimerAsync("t", Ct));
        Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Empty(await Store.ClaimDueTimersAsync(10, Lease, Ct));
        Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal("new", Assert.Single(await Store.ClaimDueTimersAsync(10, Lease, Ct)).Payload);
    }

    [Fact]
    public async Task Timer_ConsumedAndRearmedWithSameIdInOneCommit_IsTheNewTimer()
    {
        var now = Clock.GetUtcNow();
        await CommitAsync(new Commit { SetTimers = [new TimerEntry("t", now, 1, "1")] });
        Assert.Single(await Store.ClaimDueTimersAsync(10, Lease, Ct));

        var result = await CommitAsync(new Commit
        {
            ConsumesTimerId = "t",
            SetTimers = [new TimerEntry("t", now.AddHours(1), 1, "2")],
        });

        Assert.Equal(CommitStatus.Committed, result.Status);
        Assert.Equal("2", (await Store.GetTimerAsync("t", Ct))!.Payload);
        Clock.Advance(Lease);
        Assert.Empty(await Store.ClaimDueTimersAsync(10, Lease, Ct));
    }

    [Fact]
    public async Task Timer_KeepExisting_WhileTheSameIdWaits_KeepsTheWaitingOne()
    {
        var now = Clock.GetUtcNow();
        await CommitAsync(new Commit { SetTimers = [new TimerEntry("refresh:7", now.AddMinutes(1), 1, "old")] });

        var result = await CommitAsync(new Commit
        {
            SetTimers = [new TimerEntry("refresh:7", now.AddMinutes(5), 2, "new") { KeepExisting = true }],
        });

        Assert.Equal(CommitStatus.Committed, result.Status);
        Assert.Equal(new TimerEntry("refresh:7", now.AddMinutes(1), 1, "old"), await Store.GetTimerAsync("refresh:7", Ct));
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("old", Assert.Single(await Store.ClaimDueTimersAsync(10, Lease, Ct)).Payload);
    }

    [Fact]
    public async Task Timer_KeepExisting_WhileTheSameIdIsClaimed_KeepsTheClaimedOne()
    {
        var now = Clock.GetUtcNow();
        await CommitAsync(new Commit { SetTimers = [new TimerEntry("refresh:7", now, 1, "old")] });
        Assert.Single(await Store.ClaimDueTimersAsync(10, Lease, Ct));

        await CommitAsync(new Commit
        {
            SetTimers = [new TimerEntry("refresh:7", now.AddMinutes(5), 2, "new") { KeepExisting = true }],
        });

        // The claimed timer is neither replaced nor released: it comes back only after its lease, still the old one.
        Assert.Equal("old", (await Store.GetTimerAsync("refresh:7", Ct))!.Payload);
        Assert.Empty(await Store.ClaimDueTimersAsync(10, Lease, Ct));
        Clock.Advance(Lease);
        Assert.Equal("old", Assert.Single(await Store.ClaimDueTimersAsync(10, Lease, Ct)).Payload);
        Assert.Equal(CommitStatus.Committed, (await CommitAsync(new Commit { ConsumesTimerId = "refresh:7" })).Status);
        Assert.Null(await Store.GetTimerAsync("refresh:7", Ct));
        Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(await Store.ClaimDueTimersAsync(10, Lease, Ct));
    }

    [Fact]
    public async Task Timer_KeepExisting_WhenNoneExists_IsSetAsUsual()
    {
        var now = Clock.GetUtcNow();

        await CommitAsync(new Commit
        {
            SetTimers = [new TimerEntry("refresh:7", now.AddMinutes(1), 5_000_000_000, "new") { KeepExisting = true }],
        });

        // The flag steers the commit; the stored timer reads back without it.
        Assert.Equal(new TimerEntry("refresh:7", now.AddMinutes(1), 5_000_000_000, "new"), await Store.GetTimerAsync("refresh:7", Ct));
        Assert.Empty(await Store.ClaimDueTimersAsync(10, Lease, Ct));
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new TimerEntry("refresh:7", now.AddMinutes(1), 5_000_000_000, "new"), Assert.Single(await Store.ClaimDueTimersAsync(10, Lease, Ct)));
    }

    [Fact]
    public async Task Timer_ConsumedAndRearmedWithKeepExistingInOneCommit_IsTheNewTimer()
    {
        var now = Clock.GetUtcNow();
        await CommitAsync(new Commit { SetTimers = [new TimerEntry("t", now, 1, "1")] });
        Assert.Single(await Store.ClaimDueTimersAsync(10, Lease, Ct));

        var result = await CommitAsync(new Commit
        {
            ConsumesTimerId = "t",
            SetTimers = [new TimerEntry("t", now.AddHours(1), 1, "2") { KeepExisting = true }],
        });

        Assert.Equal(CommitStatus.Committed, result.Status);
        Assert.Equal("2", (await Store.GetTimerAsync("t", Ct))!.Payload);
        Clock.Advance(Lease);
        Assert.Empty(await Store.ClaimDueTimersAsync(10, Lease, Ct));
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal("2", Assert.Single(await Store.ClaimDueTimersAsync(10, Lease, Ct)).Payload);
    }

    [Fact]
    public async Task Timer_CancelledAndSetWithKeepExistingInOneCommit_IsTheNewTimer()
    {
        var now = Clock.GetUtcNow();
        await CommitAsync(new Commit { SetTimers = [new TimerEntry("t", now.AddMinutes(1), 1, "1")] });

        await CommitAsync(new Commit
        {
            CancelTimers = ["t"],
            SetTimers = [new TimerEntry("t", now.AddMinutes(5), 1, "2") { KeepExisting = true }],
        });

        Assert.Equal("2", (await Store.GetTimerAsync("t", Ct))!.Payload);
    }

    [Fact]
    public async Task Timer_SetTwiceInOneCommit_KeepExistingYieldsToTheEarlierOne_PlainReplaces()
    {
        var now = Clock.GetUtcNow();

        await CommitAsync(new Commit
        {
            SetTimers =
            [
                new TimerEntry("a", now.AddMinutes(1), 1, "a1"),
                new TimerEntry("a", now.AddMinutes(2), 1, "a2") { KeepExisting = true },
                new TimerEntry("b", now.AddMinutes(1), 1, "b1") { KeepExisting = true },
                new TimerEntry("b", now.AddMinutes(2), 1, "b2"),
            ],
        });

        Assert.Equal("a1", (await Store.GetTimerAsync("a", Ct))!.Payload);
        Assert.Equal("b2", (await Store.GetTimerAsync("b", Ct))!.Payload);
    }

    // ---- shards ----

    [Fact]
    public async Task Commit_NamingADocumentOrSetOfAnotherShard_IsRefused_AndWritesNothing()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => CommitAsync(new Commit
        {
            Shard = 4,
            Writes = [new DocWrite(new DocKey("wish", "1"), "{}", 0), new DocWrite(new DocKey("wish", "2") { Shard = 5 }, "{}", 0)],
            Outbox = [Text(Lane.Normal, 1, "x")],
        }));
        await Assert.ThrowsAsync<ArgumentException>(() => CommitAsync(new Commit
        {
            Shard = 4,
            SetChanges = [new SetChange("people", "1", true) { Shard = 1 }],
            Outbox = [Text(Lane.Normal, 1, "x")],
        }));

        Assert.Null(await Store.GetAsync(new DocKey("wish", "1") { Shard = 4 }, Ct));
        Assert.Empty(await Store.GetSetMembersAsync("people", 4, Ct));
        Assert.Equal(0, (await Store.CountOutboxAsync(Ct)).Values.Sum());
        Assert.Empty(await Store.ClaimOutboxAsync(10, Lease, Ct));
    }

    [Fact]
    public async Task Outbox_OfEachShard_HasUniqueIdsCarryingTheShard_AndEverythingFindsTheMessageByItsId()
    {
        var root = (await CommitAsync(new Commit { Outbox = [Text(Lane.Normal, 1, "root") with { Tag = "m:1" }] })).OutboxIds;
        var four = (await CommitAsync(new Commit { Shard = 4, Outbox = [Text(Lane.Normal, 2, "four") with { Tag = "m:1" }, Text(Lane.Normal, 3, "four-b")] })).OutboxIds;
        var five = (await CommitAsync(new Commit { Shard = 5, Outbox = [Text(Lane.Normal, 4, "five") with { Tag = "m:1" }] })).OutboxIds;

        Assert.Equal(1, root[0]);
        Assert.Equal([OutboxIds.Compose(4, 1), OutboxIds.Compose(4, 2)], four);
        Assert.Equal(OutboxIds.Compose(5, 1), five[0]);
        Assert.Equal((4L, 2L), (OutboxIds.ShardOf(four[1]), OutboxIds.NumberOf(four[1])));
        Assert.Equal(Shards.Root, OutboxIds.ShardOf(root[0]));
        Assert.Equal(4, (await Store.CountOutboxAsync(Ct))[Lane.Normal]);

        var claimed = await Store.ClaimOutboxAsync(10, Lease, Ct);
        Assert.Equal([root[0], four[0], four[1], five[0]], claimed.Select(m => m.Id).Order());
        var at = Clock.GetUtcNow();
        await Store.CompleteOutboxAsync(four[0], new DeliveryRecord(four[0], 2, DeliveryStatus.Sent, at) { TelegramMessageId = 9 }, Ct);
        await Store.RetryOutboxAsync(five[0], at.AddSeconds(5), 1, Ct);
        var forwarded = await Store.ForwardOutboxAsync(four[1], new DeliveryRecord(four[1], 3, DeliveryStatus.Failed, at), claimed.Single(m => m.Id == four[1]) with { Id = 0, ChatId = 33 }, Ct);

        Assert.Equal(OutboxIds.Compose(4, 3), forwarded);
        Assert.Equal((DeliveryStatus.Sent, 9), ((await Store.GetDeliveryAsync(four[0], Ct))!.Status, (await Store.GetDeliveryAsync(four[0], Ct))!.TelegramMessageId));
        Assert.Equal(DeliveryStatus.Queued, (await Store.GetDeliveryAsync(root[0], Ct))!.Status);
        Assert.Equal(1, (await Store.GetDeliveryAsync(five[0], Ct))!.Attempts);
        Assert.Equal([four[0]], (await Store.GetDeliveriesByTagAsync("m:1", 4, Ct)).Select(r => r.OutboxId));
        Assert.Equal([five[0]], (await Store.GetDeliveriesByTagAsync("m:1", 5, Ct)).Select(r => r.OutboxId));
        Assert.Equal([root[0]], (await Store.GetDeliveriesByTagAsync("m:1", Ct)).Select(r => r.OutboxId));
        Assert.Equal([forwarded!.Value], (await Store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id));
        Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal([five[0]], (await Store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id));
    }

    [Fact]
    public async Task CountSets_AddsUpEachSetOverTheRootAndEveryShardThatHadWork_AndFollowsRemovals()
    {
        var gauges = (IStoreGauges)Store;
        var now = Clock.GetUtcNow();
        Assert.Equal([0L, 0L], await gauges.CountSetsAsync(["open", "tree"], Ct));

        // Sets filled with work (a message or a timer) in shards 4 and 5, the root's without; shard 6 never had work.
        await CommitAsync(new Commit { Shard = 4, SetChanges = [new SetChange("open", "1", true)], SetTimers = [new TimerEntry("nudge:1", now.AddMinutes(5), 0, "{}")] });
        await CommitAsync(new Commit { Shard = 5, SetChanges = [new SetChange("open", "1", true), new SetChange("open", "2", true), new SetChange("tree", "1", true)], Outbox = [Text(Lane.Emergency, 2, "order")] });
        await CommitAsync(new Commit { SetChanges = [new SetChange("tree", "3", true)] });
        await CommitAsync(new Commit { Shard = 6, SetChanges = [new SetChange("open", "9", true)] });

        Assert.Equal([3L, 2L], await gauges.CountSetsAsync(["open", "tree"], Ct));
        Assert.Equal([2L], await gauges.CountSetsAsync(["tree"], Ct));
        Assert.Empty(await gauges.CountSetsAsync([], Ct));

        // A removal (a close) in a shard that already had work counts at once; so does shard 6 once it has work.
        await CommitAsync(new Commit { Shard = 5, SetChanges = [new SetChange("open", "2", false)] });
        await CommitAsync(new Commit { Shard = 4, SetChanges = [new SetChange("open", "1", false)] });
        Assert.Equal([1L, 2L], await gauges.CountSetsAsync(["open", "tree"], Ct));
        await CommitAsync(new Commit { Shard = 6, SetTimers = [new TimerEntry("nudge:9", now.AddMinutes(5), 0, "{}")] });
        Assert.Equal([2L, 2L], await gauges.CountSetsAsync(["open", "tree"], Ct));
    }

    [Fact]
    public async Task Timers_LiveInTheShardOfTheirCommit_SameIdInTwoShardsAreTwoTimers_AndAreConsumedOnlyThere()
    {
        var now = Clock.GetUtcNow();
        await CommitAsync(new Commit { Shard = 4, SetTimers = [new TimerEntry("wi:auto:1", now, 7, "four")] });
        await CommitAsync(new Commit { Shard = 5, SetTimers = [new TimerEntry("wi:auto:1", now.AddSeconds(1), 8, "five") { Shard = 9 }] });

        Assert.Equal(new TimerEntry("wi:auto:1", now, 7, "four") { Shard = 4 }, await Store.GetTimerAsync("wi:auto:1", 4, Ct));
        Assert.Equal(5, (await Store.GetTimerAsync("wi:auto:1", 5, Ct))!.Shard);
        Assert.Null(await Store.GetTimerAsync("wi:auto:1", Ct));
        Clock.Advance(TimeSpan.FromSeconds(1));
        var claimed = await Store.ClaimDueTimersAsync(10, Lease, Ct);
        Assert.Equal([(4L, "four"), (5L, "five")], claimed.Select(t => (t.Shard, t.Payload)).Order());

        Assert.Equal(CommitResult.Duplicate, await CommitAsync(new Commit { ConsumesTimerId = "wi:auto:1" }));
        Assert.Equal(CommitStatus.Committed, (await CommitAsync(new Commit { Shard = 4, ConsumesTimerId = "wi:auto:1" })).Status);
        Assert.Null(await Store.GetTimerAsync("wi:auto:1", 4, Ct));
        Assert.NotNull(await Store.GetTimerAsync("wi:auto:1", 5, Ct));
        Clock.Advance(Lease);
        Assert.Equal([5L], (await Store.ClaimDueTimersAsync(10, Lease, Ct)).Select(t => t.Shard));
    }

    [Fact]
    public async Task Claims_FindMessagesInManyShards_InLaneOrder_AndTakeThemAll()
    {
        var expected = new Dictionary<long, Lane>();
        foreach (var shard in Enumerable.Range(2, 200).Select(i => (long)i))
        {
            List<OutboxMessage> messages = [Text(Lane.Normal, shard, "n")];
            if (shard % 10 == 0)
            {
                messages.Add(Text(Lane.Emergency, shard, "e"));
            }

            if (shard % 7 == 0)
            {
                messages.Add(Text(Lane.Reply, shard, "r"));
            }

            if (shard % 25 == 0)
            {
                messages.Add(new OutboxMessage(Lane.Answer, shard, new AnswerCallback("q" + shard, "ok")));
            }

            var ids = (await CommitAsync(new Commit { Shard = shard, Outbox = messages })).OutboxIds;
            for (var i = 0; i < ids.Count; i++)
            {
                expected[ids[i]] = messages[i].Lane;
            }
        }

        Assert.Equal(expected.Count, (await Store.CountOutboxAsync(Ct)).Values.Sum());
        var claimed = new List<OutboxMessage>();
        for (var round = 0; round < 20 && claimed.Count < expected.Count; round++)
        {
            claimed.AddRange(await Store.ClaimOutboxAsync(37, Lease, Ct));
        }

        Assert.Equal(expected.Keys.Order(), claimed.Select(m => m.Id).Order());
        Assert.All(claimed, m => Assert.Equal(expected[m.Id], m.Lane));
        var priority = claimed.Select(m => m.Lane switch { Lane.Answer => 0, Lane.Emergency => 1, Lane.Reply => 2, _ => 3 }).ToList();
        Assert.Equal(priority.Order(), priority);
        Assert.Empty(await Store.ClaimOutboxAsync(10, Lease, Ct));
    }

    [Fact]
    public async Task CommitsRacingClaimsThatEmptyTheShard_NeverLoseAMessage()
    {
        for (var round = 0; round < 40; round++)
        {
            var shard = 300 + round;
            var first = (await CommitAsync(new Commit { Shard = shard, Outbox = [Text(Lane.Emergency, 1, "first")] })).OutboxIds[0];
            var claim = Task.Run(() => Store.ClaimOutboxAsync(10, Lease, Ct));
            var commit = Task.Run(() => CommitAsync(new Commit { Shard = shard, Outbox = [Text(Lane.Emergency, 2, "second")] }));
            var second = (await commit).OutboxIds[0];
            var claimed = (await claim).Select(m => m.Id).ToList();
            foreach (var id in claimed)
            {
                await Store.CompleteOutboxAsync(id, new DeliveryRecord(id, 1, DeliveryStatus.Sent, Clock.GetUtcNow()), Ct);
            }

            // No sweep runs (the clock stands still): what the first claim missed, the next one finds through the index.
            claimed.AddRange((await Store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id));
            Assert.Equal([first, second], claimed.Order());
        }
    }

    [Fact]
    public async Task MessagesOfAShard_BehindOrBeforeItsQueuedHead_AreEachClaimedWhenReady()
    {
        const long shard = 5;
        var now = Clock.GetUtcNow();
        Task<long> Enqueue(string text, DateTimeOffset? notBefore = null) =>
            CommitAsync(new Commit { Shard = shard, Outbox = [Text(Lane.Normal, 1, text) with { NotBefore = notBefore }] }).ContinueWith(t => t.Result.OutboxIds[0], TaskScheduler.Default);

        var later = await Enqueue("later", now.AddMinutes(10));
        var first = await Enqueue("first"); // ready before the queued head: the shard's earliest time moves
        Assert.Equal([first], (await Store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id));

        var second = await Enqueue("second");
        var third = await Enqueue("third"); // behind a head ready no later: the shard's earliest time stays
        Assert.Equal([second], (await Store.ClaimOutboxAsync(1, Lease, Ct)).Select(m => m.Id));
        Assert.Equal([third], (await Store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id));
        Assert.Empty(await Store.ClaimOutboxAsync(10, Lease, Ct));

        foreach (var id in new[] { first, second, third })
        {
            await Store.CompleteOutboxAsync(id, new DeliveryRecord(id, 1, DeliveryStatus.Sent, Clock.GetUtcNow()), Ct);
        }

        var fourth = await Enqueue("fourth");
        Assert.Equal([fourth], (await Store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id));
        await Store.CompleteOutboxAsync(fourth, new DeliveryRecord(fourth, 1, DeliveryStatus.Sent, Clock.GetUtcNow()), Ct);
        Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal([later], (await Store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.Id));
    }

    // ---- concurrency and identifiers ----

    [Fact]
    public async Task ConcurrentCommits_WithSameExpectedVersion_ExactlyOneWins()
    {
        var key = new DocKey("muster", "1");
        await CommitAsync(new Commit { Writes = [new DocWrite(key, "start", 0)] });

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => CommitAsync(new Commit
        {
            Writes = [new DocWrite(key, $"writer {i}", 1)],
            Outbox = [Text(Lane.Normal, i, $"from {i}")],
        }))));

        Assert.Single(results, r => r.Status == CommitStatus.Committed);
        Assert.Equal(19, results.Count(r => r.Status == CommitStatus.VersionConflict));
        Assert.Equal(2, (await Store.GetAsync(key, Ct))!.Version);
        Assert.Equal(1, (await Store.CountOutboxAsync(Ct))[Lane.Normal]);
    }

    [Fact]
    public async Task SixtyFourBitIds_RoundTrip()
    {
        const long supergroup = -1001234567890;
        const long bigUser = (1L << 52) + 1;
        var chatKey = DocKey.ForLong("chat", supergroup);
        var userKey = DocKey.ForLong("user", bigUser);

        var ids = (await CommitAsync(new Commit
        {
            UpdateId = bigUser,
            Writes = [new DocWrite(chatKey, $$"""{"id":{{supergroup}}}""", 0), new DocWrite(userKey, "{}", 0)],
            Outbox = [Text(Lane.Reply, supergroup, "g"), Text(Lane.Reply, bigUser, "u")],
            SetTimers = [new TimerEntry("escalate:" + supergroup, Clock.GetUtcNow(), bigUser, "{}")],
        })).OutboxIds;

        Assert.Equal($$"""{"id":{{supergroup}}}""", (await Store.GetAsync(chatKey, Ct))!.Json);
        Assert.NotNull(await Store.GetAsync(new DocKey("user", "4503599627370497"), Ct));
        Assert.True(await Store.IsUpdateHandledAsync(bigUser, Ct));
        Assert.False(await Store.IsUpdateHandledAsync(bigUser - 1, Ct));
        Assert.Equal([supergroup, bigUser], (await Store.ClaimOutboxAsync(10, Lease, Ct)).Select(m => m.ChatId));
        Assert.Equal(supergroup, (await Store.GetDeliveryAsync(ids[0], Ct))!.ChatId);
        Assert.Equal(bigUser, Assert.Single(await Store.ClaimDueTimersAsync(10, Lease, Ct)).UserId);
    }

    [Fact]
    public async Task Ping_Answers() => await Store.PingAsync(Ct);

    private Task<CommitResult> CommitAsync(Commit commit) => Store.CommitAsync(commit, Ct);

    private static OutboxMessage Text(Lane lane, long chatId, string html) => new(lane, chatId, new SendText(html));

    private Commit EverythingCommit(DocKey key, long expectedVersion, long updateId) => new()
    {
        UpdateId = updateId,
        Writes = [new DocWrite(key, "new", expectedVersion), new DocWrite(new DocKey("user", "other"), "o", null)],
        SetChanges = [new SetChange("index", "member", true)],
        Outbox = [Text(Lane.Emergency, 1, "a") with { Tag = "tag" }, Text(Lane.Normal, 2, "b")],
        SetTimers = [new TimerEntry("t1", Clock.GetUtcNow(), 1, "{}")],
    };

    private async Task AssertNothingOfEverythingCommitWritten(DocKey key, long updateId)
    {
        Assert.Equal("old", (await Store.GetAsync(key, Ct))!.Json);
        Assert.Null(await Store.GetAsync(new DocKey("user", "other"), Ct));
        Assert.Empty(await Store.GetSetMembersAsync("index", Ct));
        Assert.Equal(0, (await Store.CountOutboxAsync(Ct)).Values.Sum());
        Assert.Empty(await Store.ClaimOutboxAsync(10, Lease, Ct));
        Assert.Empty(await Store.GetDeliveriesByTagAsync("tag", Ct));
        Assert.Null(await Store.GetTimerAsync("t1", Ct));
        Assert.Empty(await Store.ClaimDueTimersAsync(10, Lease, Ct));
        Assert.False(await Store.IsUpdateHandledAsync(updateId, Ct));
    }
}
