using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.State.Redis;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;
using Xunit.Abstractions;

namespace MusterBot.Tests.Flows;

/// <summary>A muster of 10,000 members answered all at once (with duplicate updates and second presses) on real Redis.</summary>
[Collection("redis")]
public sealed class MusterBurstTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const int Members = 10_000;
    private const long FirstMember = 1_000_000;
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly CheckInStatus[] Statuses = [CheckInStatus.Acknowledged, CheckInStatus.OnTheWay, CheckInStatus.Arrived, CheckInStatus.CantCome];

    [Fact]
    public async Task TenThousandCheckIns_AtOnce_EveryMemberIsCountedExactlyOnce()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"burst{Guid.NewGuid():N}:" }, clock, Ct);
        var h = new FlowHarness(store, 1);
        var admin = FlowHarness.Person(1, "en", "Boss");
        var watch = Stopwatch.StartNew();

        // 10,000 registered members without a region: the order goes to each of them directly.
        var writes = new List<DocWrite>();
        var sets = new List<SetChange>();
        for (var i = 0; i < Members; i++)
        {
            var profile = new UserProfile(FirstMember + i, FirstMember + i, "M" + i.ToString(CultureInfo.InvariantCulture))
            {
                Language = Language.En,
                Roles = Roles.Member,
                RegisteredAt = clock.GetUtcNow(),
                Phone = "+86139" + i.ToString("D8", CultureInfo.InvariantCulture),
            };
            writes.Add(new DocWrite(DocKeys.User(profile.Id), RecordJson.Serialize(profile), null));
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        Assert.Equal(CommitStatus.Committed, (await store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets })).Status);
        var seeded = watch.Elapsed;

        await h.LaunchDrillForEveryoneAsync(admin);
        var region = RecordJson.Deserialize<MusterRegion>((await store.GetAsync(DocKeys.MusterRegion(1, Muster.NoRegion).Bind(FlowHarness.Community), Ct))!.Json);
        Assert.Equal(Members, region.Targeted);
        Assert.Equal(Members, (await store.GetSetMembersAsync(Sets.MusterTargets(1, Muster.NoRegion), FlowHarness.Community, Ct)).Count);
        var launched = watch.Elapsed;

        // Each member presses once; 250 updates are delivered twice (same update id), 250 members press the same button again.
        var work = new List<(long UpdateId, ButtonPressed Press)>();
        var updateBase = Random.Shared.NextInt64(1L << 40, 1L << 50);
        for (var i = 0; i < Members; i++)
        {
            var who = FlowHarness.Person(FirstMember + i, "en", "M");
            var press = new ButtonPressed(who, who.Id, 1, "q" + i.ToString(CultureInfo.InvariantCulture), new MusterButton.CheckIn(1, Statuses[i % 4]).Data);
            work.Add((updateBase + i, press));
            if (i < 250)
            {
                work.Add((updateBase + i, press));
            }
            else if (i < 500)
            {
                work.Add((updateBase + Members + i, press with { CallbackQueryId = "again" + i.ToString(CultureInfo.InvariantCulture) }));
            }
        }

        var shuffled = work.OrderBy(_ => Random.Shared.Next()).ToList();
        var outcomes = new ConcurrentDictionary<ProcessOutcome, int>();
        await Parallel.ForEachAsync(shuffled, new ParallelOptions { MaxDegreeOfParallelism = 48 }, async (item, token) =>
        {
            var outcome = await h.Processor.ProcessAsync(item.UpdateId, item.Press, token);
            outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        });
        var pressed = watch.Elapsed;

        Assert.Equal(Members + 250, outcomes.GetValueOrDefault(ProcessOutcome.Handled));
        Assert.Equal(250, outcomes.GetValueOrDefault(ProcessOutcome.Duplicate));

        var answers = new List<MusterAnswer>();
        for (var start = 0; start < Members; start += 1_000)
        {
            var keys = Enumerable.Range(start, 1_000).Select(i => DocKeys.MusterAnswer(1, FirstMember + i)).ToList();
            answers.AddRange((await store.GetManyAsync([.. keys.Select(k => k.Bind(FlowHarness.Community))], Ct)).Select(d => RecordJson.Deserialize<MusterAnswer>(d!.Json)));
        }

        Assert.All(answers, a => Assert.Single(a.History));
        for (var s = 0; s < Statuses.Length; s++)
        {
            var status = Statuses[s];
            var inSet = await store.GetSetMembersAsync(Sets.MusterAnswers(1, Muster.NoRegion, status), FlowHarness.Community, Ct);
            var stored = answers.Where(a => a.Status == status).Select(a => Sets.Member(a.UserId)).ToHashSet();
            Assert.Equal(Members / 4, inSet.Count);
            Assert.Equal(Members / 4, stored.Count);
            Assert.True(stored.SetEquals(inSet), $"set of {status} differs from the stored answers");
            Assert.All(stored, id => Assert.Equal(s, (int)((long.Parse(id, CultureInfo.InvariantCulture) - FirstMember) % 4)));
        }

        Assert.DoesNotContain(answers, a => a.Status == CheckInStatus.NoAnswer);
        output.WriteLine($"seed {seeded.TotalSeconds:F1} s, launch {(launched - seeded).TotalSeconds:F1} s, {work.Count} presses {(pressed - launched).TotalSeconds:F1} s");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }
}
