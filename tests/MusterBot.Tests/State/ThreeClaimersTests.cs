using MusterBot.State.Commits;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;
using MusterBot.State.Timers;

namespace MusterBot.Tests.State;

/// <summary>
/// Three instances (three connections to one Redis) claim the same outbox and the same due timers at once, in small
/// batches, as their senders and timer services do: every message and every timer goes to exactly one of them.
/// </summary>
[Collection("redis")]
public sealed class ThreeClaimersTests(RedisServerFixture redis)
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task OutboxAndTimerClaims_FromThreeInstancesAtOnce_GoToOneInstanceEach()
    {
        var prefix = $"t{Guid.NewGuid():N}:";
        var stores = new List<RedisStateStore>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                stores.Add(await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = prefix }, TimeProvider.System, Ct));
            }

            // Two shards (the root and a community) so the claims also walk the work index.
            var due = DateTimeOffset.UtcNow.AddSeconds(-1);
            var messageIds = new List<long>();
            foreach (var shard in new long[] { 1, 7 })
            {
                var result = await stores[0].CommitAsync(new Commit
                {
                    Shard = shard,
                    Outbox = [.. Enumerable.Range(1, 600).Select(n => new OutboxMessage((Lane)(n % 3), n, new SendText("x")))],
                    SetTimers = [.. Enumerable.Range(1, 300).Select(n => new TimerEntry($"t:{shard}:{n}", due, n, "{}"))],
                }, Ct);
                Assert.Equal(CommitStatus.Committed, result.Status);
                messageIds.AddRange(result.OutboxIds);
            }

            var claims = await Task.WhenAll(stores.Select(store => Task.Run(async () =>
            {
                var messages = new List<long>();
                var timers = new List<string>();
                while (true)
                {
                    var batch = await store.ClaimOutboxAsync(7, 2, TimeSpan.FromMinutes(1), Ct);
                    var timerBatch = await store.ClaimDueTimersAsync(5, TimeSpan.FromMinutes(1), Ct);
                    messages.AddRange(batch.Select(m => m.Id));
                    timers.AddRange(timerBatch.Select(t => t.Id));
                    if (batch.Count == 0 && timerBatch.Count == 0)
                    {
                        return (Messages: messages, Timers: timers);
                    }
                }
            })));

            var allMessages = claims.SelectMany(c => c.Messages).ToList();
            var allTimers = claims.SelectMany(c => c.Timers).ToList();
            Assert.Equal(1_200, allMessages.Count);
            Assert.Equal(messageIds.Order(), allMessages.Order());
            Assert.Equal(600, allTimers.Count);
            Assert.Equal(600, allTimers.Distinct().Count());
            Assert.All(claims, c => Assert.NotEmpty(c.Messages)); // all three took part
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }
}
