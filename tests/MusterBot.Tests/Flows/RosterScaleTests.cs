using System.Diagnostics;
using System.Globalization;
using System.Text;
using MusterBot.Flows.Admin;
using MusterBot.Flows.Events;
using MusterBot.State.Records;
using MusterBot.State.Redis;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;
using Xunit.Abstractions;

namespace MusterBot.Tests.Flows;

/// <summary>A 50,000-row roster (the largest accepted) is imported whole, in one atomic commit, on real Redis.</summary>
[Collection("redis")]
public sealed class RosterScaleTests(RedisServerFixture redis, ITestOutputHelper output)
{
    [Fact]
    public async Task Roster_With50000Rows_IsImportedWhole_OnRedis()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"scale{Guid.NewGuid():N}:" }, clock, CancellationToken.None);
        var h = new FlowHarness(store, 1);
        var admin = FlowHarness.Person(1, "en", "Boss");
        var csv = new StringBuilder("name,phone,grid,region,work_unit,skills,role\n");
        for (var i = 0; i < 50_000; i++)
        {
            csv.Append("Person ").Append(i).Append(",139").Append(i.ToString("D8", CultureInfo.InvariantCulture)).Append(",,,Unit,Driving,\n");
        }

        var bytes = Encoding.UTF8.GetBytes(csv.ToString());
        var watch = Stopwatch.StartNew();
        await h.Press(admin, AdminButton.Codec.Encode(new AdminButton.Roster()));
        await h.Event(new DocumentReceived(admin, admin.Id, 9, "f", "big.csv", bytes.Length, "text/csv") { Content = bytes });
        var parsed = watch.Elapsed;
        await h.Press(admin, AdminButton.Codec.Encode(new AdminButton.ImportRoster()));
        output.WriteLine($"parse+report {parsed.TotalMilliseconds:F0} ms, import commit {(watch.Elapsed - parsed).TotalMilliseconds:F0} ms, {bytes.Length} bytes");

        Assert.Equal(50_000, (await store.GetSetMembersAsync(Sets.Roster, FlowHarness.Community, CancellationToken.None)).Count);
        Assert.NotNull(await store.GetAsync(DocKeys.Roster("+8613900049999").Bind(FlowHarness.Community), CancellationToken.None));
        Assert.Contains((await h.DrainTextsAsync()), t => t.Contains("50000 people (50000 new, 0 updated;", StringComparison.Ordinal));
    }
}
