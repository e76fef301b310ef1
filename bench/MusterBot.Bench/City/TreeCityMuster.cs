using MusterBot.Emulator;
using MusterBot.Flows.Musters;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.State.Records.Org;

namespace MusterBot.Bench.City;

/// <summary>
/// The city-level muster as merged ("mustertree", <c>MusterFlow.Tree.cs</c>), driven through the emulator as the city's
/// administrator: /muster → "every community below" the city → done → kind → scope everyone → "各自社区报到" (skip: each
/// community reports to its own) → no pin (skip) → report within 60 → drill → launch; the button sequence of
/// <c>MusterTreeTests.LaunchAsync</c>. The launch commits the city's <see cref="TreeMuster"/>; a chain of timers then
/// writes one community's part per commit (an ordinary muster numbered 1 in each community shard).
/// </summary>
/// <remarks>
/// What a part sends (read from <c>MusterFlow.Launch.cs</c>): a convenor's order per region of the COMMUNITY's directory
/// (<c>DirectorySnapshot.LoadAsync</c> in the community shard) with a convenor, and a member's order to every member
/// whose region is not one of the community's. The city's regions are workplace regions in street/city shards, so no
/// part finds them: every member gets a member's order and no convenor is told (see docs/benchmarks.md).
/// Expected messages are therefore counted from the same rule over the seeded model, so the figure stays right if the
/// product changes that: parts with a community region with a convenor → one order to it, others → one per member;
/// plus the launcher's panel.
/// </remarks>
public sealed class TreeCityMuster : ICityMuster
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(120);
    private static readonly string RelayPrefix = new MusterButton.Relay(1, "x").Data[..^3];
    private static readonly string TreeRefreshPrefix = new MusterButton.TreeRefresh(1, 1).Data[..^3];

    /// <summary>The city's muster number (the city node's counter on a fresh seed).</summary>
    public int Number { get; init; } = 1;

    public IReadOnlyList<Commit> Setup(CityModel city, long adminId)
    {
        ArgumentNullException.ThrowIfNull(city);
        var root = city.Nodes[0];
        var admin = new UserProfile(adminId, adminId, "市管理员")
        {
            Language = Language.Zh,
            RegisteredAt = city.Now,
            FirstSeenAt = city.Now,
            LastSeenAt = city.Now,
            Phone = "+8613900000000",
            AdminOf = [root.Id],
        };
        var writes = new List<DocWrite>
        {
            new(DocKeys.OrgNode(root.Id), RecordJson.Serialize(root with { Admins = [adminId] }), null),
            new(DocKeys.User(adminId), RecordJson.Serialize(admin), null),
        };
        return [new Commit { Shard = Shards.Root, Writes = writes, SetChanges = MusterBot.Flows.Directory.PeopleIndex.Changes(null, admin) }];
    }

    public async Task LaunchAsync(BotApiEmulator emulator, long adminId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var since = emulator.State.Version;
        emulator.SendText(adminId, "/muster");
        var wizard = await emulator.WaitForMessageAsync(
            adminId,
            m => m.Version > since && m.FromBot && m.ReplyMarkupJson?.Contains(new MusterButton.ToggleAllNodes().Data, StringComparison.Ordinal) == true,
            Step,
            cancellationToken);
        foreach (var button in new MusterButton[]
                 {
                     new MusterButton.ToggleAllNodes(),
                     new MusterButton.Done(),
                     new MusterButton.PickKind(MusterKind.Flood),
                     new MusterButton.PickScope(MusterScopeKind.Everyone),
                     new MusterButton.Skip(), // 各自社区报到: each community reports to its own
                     new MusterButton.Skip(), // no pin
                     new MusterButton.ReportWithin(60),
                     new MusterButton.DrillOrReal(true),
                 })
        {
            await PressAsync(emulator, adminId, wizard.MessageId, button.Data, cancellationToken);
        }

        // The launch: returns once pressed (the harness's clock is running).
        emulator.PressButton(adminId, adminId, wizard.MessageId, new MusterButton.Launch().Data);
    }

    public int ExpectedMessages(CityModel city)
    {
        ArgumentNullException.ThrowIfNull(city);

        // No community of the seeded city has regions of its own: every member is called directly (see remarks).
        return city.Members.Count(m => m.Roles.HasFlag(Roles.Member)) + 1;
    }

    public bool IsConvenorOrder(EmulatedMessage message) =>
        message?.ReplyMarkupJson?.Contains(RelayPrefix, StringComparison.Ordinal) == true;

    public async Task<int> OpenRollCallAsync(BotApiEmulator emulator, long adminId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var since = emulator.State.Version;
        emulator.SendText(adminId, "/rollcall");
        var panel = await emulator.WaitForMessageAsync(
            adminId,
            m => m.Version > since && m.FromBot && m.ReplyMarkupJson?.Contains(TreeRefreshPrefix, StringComparison.Ordinal) == true,
            Step,
            cancellationToken);
        return panel.MessageId;
    }

    /// <summary>The "refresh" button of the city roll call.</summary>
    public string RefreshData(long nodeId) => new MusterButton.TreeRefresh(nodeId, Number).Data;

    private static async Task PressAsync(BotApiEmulator emulator, long user, int messageId, string data, CancellationToken cancellationToken)
    {
        var query = emulator.PressButton(user, user, messageId, data);
        await emulator.WaitForAsync(() => emulator.CallbackAnswers(query).Count > 0, Step, cancellationToken);
    }
}
