using MusterBot.Flows.Musters;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Memory;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// A decision's commits go to the other shards first and to the presser's own shard last. The city's administrator
/// lives in the city's shard, so a launch, a closing or a mode switch over the city lands in the communities' shards
/// before the document their steps read is in the city's. These tests run every due timer at that moment (as a busy
/// timer service may): the steps must not find nothing and stop. (The city launch over 1,530 communities stopped after
/// the convenors' orders in a bench run: every lane's first link came due before the city's muster was committed.)
/// </summary>
public partial class MusterTreeTests
{
    /// <summary>Runs <see cref="Before"/> once, just before the next commit into the root shard that writes a document of kind <see cref="Kind"/>.</summary>
    private sealed class TimersFirstStore(IStateStore inner) : DelegatingStore(inner)
    {
        public string? Kind { get; set; }

        public Func<Task>? Before { get; set; }

        public int Ran { get; private set; }

        public override async Task<CommitResult> CommitAsync(Commit commit, CancellationToken cancellationToken)
        {
            if (Kind is { } kind && Before is { } before && commit.Shard == Shards.Root && commit.Writes.Any(w => w.Key.Kind == kind))
            {
                Kind = null;
                Ran += await CountAsync(before);
            }

            return await Inner.CommitAsync(commit, cancellationToken);
        }

        private static async Task<int> CountAsync(Func<Task> before)
        {
            await before();
            return 1;
        }
    }

    private static (FlowHarness H, TimersFirstStore Store) TimersFirstHarness()
    {
        var store = new TimersFirstStore(new InMemoryStateStore(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestClock.Start)));
        var h = NewHarness(store);
        store.Before = () => h.FireDueTimersAsync();
        return (h, store);
    }

    [Fact]
    public async Task A_city_launch_writes_every_part_even_when_timers_run_before_the_city_shard_is_committed()
    {
        var (h, store) = TimersFirstHarness();
        await SeedAsync(h);
        store.Kind = "mtree";
        await CityLaunchAsync(h);
        Assert.Equal(1, store.Ran);

        await h.FireDueTimersAsync();
        NoErrors(await h.DrainAsync());
        foreach (var community in new long[] { 4, 5, 6, 9 })
        {
            Assert.True((await GetAsync<TreeMusterPart>(store, DocKeys.TreeMusterPart(1, 1).In(community)))?.LocalNumber > 0, "no part in community " + community);
        }
    }

    [Fact]
    public async Task Closing_a_city_muster_while_its_parts_are_written_leaves_no_part_open()
    {
        var (h, store) = TimersFirstHarness();
        await SeedAsync(h);
        await CityLaunchAsync(h);
        await h.DrainAsync();

        // Closed before any link ran; the links and the closing steps all come due before the closed muster is committed.
        await h.Press(CityAdmin, new MusterButton.TreeClose(1, 1).Data);
        store.Kind = "mtree";
        await h.Press(CityAdmin, new MusterButton.TreeCloseConfirm(1, 1).Data);
        Assert.Equal(1, store.Ran);
        await h.FireDueTimersAsync();
        NoErrors(await h.DrainAsync());

        foreach (var community in new long[] { 4, 5, 6, 9 })
        {
            Assert.Empty(await store.GetSetMembersAsync(Sets.OpenMusters, community, Ct));
            var marker = await GetAsync<TreeMusterPart>(store, DocKeys.TreeMusterPart(1, 1).In(community));
            Assert.NotNull(marker);
            if (marker.LocalNumber > 0)
            {
                Assert.Equal(MusterStatus.Closed, (await GetAsync<Muster>(store, DocKeys.Muster(marker.LocalNumber).In(community)))!.Status);
            }
            else
            {
                Assert.True(marker.Closed);
            }
        }
    }

    [Fact]
    public async Task A_city_mode_switch_reaches_every_community_even_when_timers_run_before_the_city_shard_is_committed()
    {
        var (h, store) = TimersFirstHarness();
        await SeedAsync(h);
        await h.Press(CityAdmin, new MusterButton.TreeMode(1, true).Data);
        store.Kind = "community";
        await h.Press(CityAdmin, new MusterButton.TreeModeConfirm(1, true).Data);
        Assert.Equal(1, store.Ran);
        await h.FireDueTimersAsync();
        NoErrors(await h.DrainAsync());
        foreach (var community in new long[] { 4, 5, 6, 9 })
        {
            Assert.True((await GetAsync<CommunityMode>(store, DocKeys.Mode.In(community)))?.Emergency, "community " + community + " not switched");
        }
    }
}
