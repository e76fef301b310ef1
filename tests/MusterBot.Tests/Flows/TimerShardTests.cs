using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Org;
using MusterBot.State.Timers;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>A timer lives in the shard of the commit that set it; the decision it starts consumes it there.</summary>
public sealed class TimerShardTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task TimerOfSomeoneUnknown_InACommunityShard_IsConsumedThere()
    {
        var h = new FlowHarness();
        await h.Store.CommitAsync(new Commit { Shard = 4, SetTimers = [new TimerEntry("t1", h.Clock.GetUtcNow(), 999, "{}")] }, Ct);

        Assert.Equal(ProcessOutcome.Ignored, await h.Processor.ProcessAsync(null, new TimerFired(999, "t1", "{}", 4), Ct));

        Assert.Null(await h.Store.GetTimerAsync("t1", 4, Ct));
        h.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await h.Store.ClaimDueTimersAsync(10, TimeSpan.FromSeconds(30), Ct));
    }

    [Fact]
    public async Task TimerSetBeforeThePersonMoved_IsConsumedInTheShardItLivesIn()
    {
        var h = new FlowHarness();
        const long person = 1001;
        var now = h.Clock.GetUtcNow();
        await h.Store.CommitAsync(new Commit
        {
            Shard = 4,
            Writes = [new DocWrite(DocKeys.User(person), RecordJson.Serialize(new UserProfile(person, person, "Ann") { FirstSeenAt = now, LastSeenAt = now }), 0)],
        }, Ct);
        await h.Store.CommitAsync(new Commit
        {
            Writes = [new DocWrite(DocKeys.Home(person), RecordJson.Serialize(new PersonHome(4) { Since = now }), 0)],
            SetTimers = [new TimerEntry("x", now, person, "{}")],
        }, Ct);
        var timer = Assert.Single(await h.Store.ClaimDueTimersAsync(10, TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(Shards.Root, timer.Shard);

        var outcome = await h.Processor.ProcessAsync(null, new TimerFired(person, timer.Id, timer.Payload, timer.Shard), Ct);

        Assert.Equal(ProcessOutcome.Handled, outcome);
        Assert.Null(await h.Store.GetTimerAsync("x", Ct));
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(await h.Store.ClaimDueTimersAsync(10, TimeSpan.FromSeconds(30), Ct));
    }
}
