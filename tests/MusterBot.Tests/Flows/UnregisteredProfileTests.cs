using MusterBot.Flows.Runtime;
using MusterBot.State.Records;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Strangers are forgotten; everyone's LastSeenAt is written at most once an hour.</summary>
public sealed class UnregisteredProfileTests
{
    [Fact]
    public async Task Stranger_IsForgotten_ThirtyDaysAfterLastSeen_AndEachVisitPushesThatBack()
    {
        var harness = new FlowHarness();
        var stranger = FlowHarness.Person(9_000_000_001, "en", "Passer-by");

        await harness.Command(stranger, "help");
        Assert.NotNull(await harness.ProfileAsync(stranger.Id));

        harness.Clock.Advance(TimeSpan.FromDays(20));
        await harness.Command(stranger, "help");
        harness.Clock.Advance(TimeSpan.FromDays(20));
        Assert.NotNull(await harness.ProfileAsync(stranger.Id));

        harness.Clock.Advance(new FlowOptions().ForgetUnregisteredAfter - TimeSpan.FromDays(20) + TimeSpan.FromMinutes(1));
        Assert.Null(await harness.ProfileAsync(stranger.Id));
    }

    [Fact]
    public async Task RegisteredPerson_IsNeverForgotten()
    {
        var harness = new FlowHarness(null, 1);
        var admin = FlowHarness.Person(1, "en", "Admin");
        await harness.Command(admin, "help");
        var profile = await harness.ProfileAsync(1);
        await harness.Store.SeedCommunityAsync(
            new MusterBot.State.Commits.Commit { Writes = [new(DocKeys.User(1), RecordJson.Serialize(profile! with { RegisteredAt = harness.Clock.GetUtcNow() }), null)] },
            CancellationToken.None);

        await harness.Command(admin, "help");
        harness.Clock.Advance(TimeSpan.FromDays(400));

        Assert.NotNull(await harness.ProfileAsync(1));
    }

    [Fact]
    public async Task LastSeenAt_IsWrittenAtMostOnceAnHour()
    {
        var harness = new FlowHarness();
        var person = FlowHarness.Person(9_000_000_002, "en", "Ann");
        await harness.Command(person, "help");
        var first = await harness.Store.GetAsync(DocKeys.User(person.Id), CancellationToken.None);

        harness.Clock.Advance(TimeSpan.FromMinutes(59));
        await harness.Command(person, "help");
        var sameHour = await harness.Store.GetAsync(DocKeys.User(person.Id), CancellationToken.None);

        harness.Clock.Advance(TimeSpan.FromMinutes(2));
        await harness.Command(person, "help");
        var nextHour = await harness.ProfileAsync(person.Id);

        Assert.Equal(first!.Version, sameHour!.Version);
        Assert.Equal(harness.Clock.GetUtcNow(), nextHour!.LastSeenAt);
    }
}
