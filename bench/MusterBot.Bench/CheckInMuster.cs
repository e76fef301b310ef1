using System.Diagnostics;
using System.Globalization;
using MusterBot.Emulator;
using MusterBot.Flows.Musters;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Musters;

namespace MusterBot.Bench;

/// <summary>
/// The muster the check-in benchmarks press on (CheckInBench, PeerBench): N registered members in R regions with a
/// convenor each, seeded straight into the store (<see cref="SeedAsync"/>); then, with the host running, the
/// administrator launches a drill through the /muster wizard, every convenor relays and the N orders are delivered
/// (<see cref="LaunchAsync"/>). Member i is <c>firstMember + i</c>, in region <c>i % R</c>.
/// </summary>
internal sealed class CheckInMuster(long firstMember, int members, int regions)
{
    public const long AdminId = 5_000_000_001;
    public const long FirstConvenor = 5_100_000_001;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public long FirstMember => firstMember;

    public int Members => members;

    public int Regions => regions;

    /// <summary>The callback data of "arrived" on the order of muster 1 (what every measured press sends).</summary>
    public static string ArrivedData { get; } = new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data;

    /// <summary>The regions' "arrived" answer sets of muster 1 (in the community's shard).</summary>
    public IReadOnlyList<string> ArrivedSets =>
        [.. Enumerable.Range(0, regions).Select(r => Sets.MusterAnswers(1, BenchSeed.RegionId(r), CheckInStatus.Arrived))];

    /// <summary>Creates the administrator, the convenors and the members in the emulator and commits the directory.</summary>
    public async Task SeedAsync(IStateStore store, BotApiEmulator emulator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(emulator);

        // The directory: one grid, R regions with a convenor each, N registered members spread over the regions.
        var now = DateTimeOffset.UtcNow;
        emulator.CreateUser(AdminId, "Admin", "en");
        var writes = new List<DocWrite> { BenchSeed.Put(DocKeys.Grid("g1"), new Grid("g1", "Bench grid")) };
        var sets = new List<SetChange> { new(Sets.Grids, "g1", true) };
        var people = new List<long>();
        for (var r = 0; r < regions; r++)
        {
            var id = BenchSeed.RegionId(r);
            writes.Add(BenchSeed.Put(DocKeys.Region(id), new Region(id, "Region " + (r + 1).ToString(Inv)) { ConvenorId = FirstConvenor + r }));
            sets.Add(new SetChange(Sets.Regions, id, true));
            AddPerson(FirstConvenor + r, "C" + (r + 1).ToString(Inv), id, Roles.Member | Roles.Convenor);
        }

        for (var i = 0; i < members; i++)
        {
            AddPerson(firstMember + i, "M" + i.ToString(Inv), BenchSeed.RegionId(i % regions), Roles.Member);
        }

        foreach (var chunk in BenchSeed.CommunityCommits(writes, sets, people, now))
        {
            var seeded = await store.CommitAsync(chunk, cancellationToken);
            if (seeded.Status != CommitStatus.Committed)
            {
                throw new InvalidOperationException("seeding the directory was refused: " + seeded.Status);
            }
        }

        void AddPerson(long id, string name, string regionId, Roles roles)
        {
            BenchSeed.AddPerson(emulator, writes, sets, now, id, name, regionId, roles);
            people.Add(id);
        }
    }

    /// <summary>
    /// With the host polling: launches a drill (no emergency mode, so no notice to everyone) through the wizard, lets every
    /// convenor relay, waits until every member has their order and the outbox is empty. Returns the orders' message ids.
    /// </summary>
    public async Task<int[]> LaunchAsync(IStateStore store, BotApiEmulator emulator, TimeSpan limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(emulator);
        var setup = Stopwatch.StartNew();
        await SayAsync(emulator, AdminId, "/muster", "Launch a muster", cancellationToken);
        var wizard = emulator.Messages(AdminId)[^1].MessageId;
        foreach (var data in new MusterButton[] { new MusterButton.PickKind(MusterKind.Flood), new MusterButton.PickScope(MusterScopeKind.Everyone) })
        {
            await PressAsync(emulator, AdminId, wizard, data.Data, cancellationToken);
        }

        await SayAsync(emulator, AdminId, "Bench square", "Step 4", cancellationToken);
        wizard = emulator.Messages(AdminId)[^1].MessageId;
        foreach (var data in new MusterButton[] { new MusterButton.Skip(), new MusterButton.ReportWithin(60), new MusterButton.DrillOrReal(true), new MusterButton.Launch() })
        {
            await PressAsync(emulator, AdminId, wizard, data.Data, cancellationToken);
        }

        await emulator.WaitForMessageAsync(AdminId, m => m.Text?.Contains("order M-1 sent", StringComparison.Ordinal) == true, Step, cancellationToken);

        // Every convenor relays; the N orders are delivered before anything is measured.
        for (var r = 0; r < regions; r++)
        {
            var order = await emulator.WaitForMessageAsync(FirstConvenor + r, m => m.Text?.Contains("M-1", StringComparison.Ordinal) == true, Step, cancellationToken);
            emulator.PressButton(FirstConvenor + r, FirstConvenor + r, order.MessageId, new MusterButton.Relay(1, BenchSeed.RegionId(r)).Data);
        }

        var orderIds = new int[members];
        for (var i = 0; i < members; i++)
        {
            IReadOnlyList<EmulatedMessage> got;
            while ((got = emulator.Messages(firstMember + i)).Count == 0)
            {
                if (setup.Elapsed > limit)
                {
                    throw new InvalidOperationException($"the orders were not delivered within {limit}");
                }

                await Task.Delay(50, cancellationToken);
            }

            orderIds[i] = got[0].MessageId;
        }

        await WaitOutboxEmptyAsync(store, limit - setup.Elapsed, cancellationToken);
        return orderIds;
    }

    public static async Task WaitOutboxEmptyAsync(IStateStore store, TimeSpan limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var clock = Stopwatch.StartNew();
        while ((await store.CountOutboxAsync(cancellationToken)).Values.Sum() > 0)
        {
            if (clock.Elapsed > limit)
            {
                throw new InvalidOperationException($"the outbox did not drain within {limit}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task SayAsync(BotApiEmulator emulator, long user, string text, string expected, CancellationToken cancellationToken)
    {
        var since = emulator.State.Version;
        emulator.SendText(user, text);
        await emulator.WaitForMessageAsync(user, m => m.Version > since && m.Text?.Contains(expected, StringComparison.Ordinal) == true, Step, cancellationToken);
    }

    private static async Task PressAsync(BotApiEmulator emulator, long user, int messageId, string data, CancellationToken cancellationToken)
    {
        var query = emulator.PressButton(user, user, messageId, data);
        await emulator.WaitForAsync(() => emulator.CallbackAnswers(query).Count > 0, Step, cancellationToken);
    }
}
