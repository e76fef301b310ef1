using MusterBot.Emulator;
using MusterBot.Flows.Musters;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.State.Records.Org;

namespace MusterBot.Bench.City;

/// <summary>
/// The city-level muster (<c>MusterFlow.Tree.cs</c>, <c>MusterFlow.Workplace.cs</c>) driven through the emulator as the
/// city's administrator: /muster → "every community below" the city and "every workplace region" → done → kind → scope
/// everyone → "各自社区报到" (skip) → no pin (skip) → report within 60 → drill → launch. The launch commits the city's
/// <see cref="TreeMuster"/> and every workplace convenor's order (600, before any community's part); chains of timers
/// write one community's part per commit, with every member held in their workplace region's group; each convenor
/// relays as soon as their order arrives (a background task presses the order's relay button, as a person would), and
/// passes over the communities release the members' orders.
/// </summary>
/// <remarks>
/// Messages of the launch: one order per workplace convenor (they are not called again as members), one order per other
/// member (every member of the seeded city works in a workplace region, so each gets exactly one), the launcher's panel.
/// </remarks>
public sealed class TreeCityMuster : ICityMuster
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(120);
    private static readonly string RelayPrefix = new MusterButton.WorkplaceRelay(1, 1, 1).Data[..^5];
    private Task? _convenors;
    private static readonly string TreeRefreshPrefix = new MusterButton.TreeRefresh(1, 1).Data[..^3];

    /// <summary>The city's muster number (the city node's counter on a fresh seed).</summary>
    public int Number { get; init; } = 1;

    public IReadOnlyList<Commit> Setup(CityModel city, long adminId)
    {
        ArgumentNullException.ThrowIfNull(city);
        Convenors = city.Regions.Select(r => r.Region.ConvenorId ?? r.Region.BackupConvenorId).OfType<long>().Distinct().ToList();
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
                     new MusterButton.ToggleAllWorkplace(),
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

        // The launch: returns once pressed (the harness's clock is running); the convenors relay as their orders arrive.
        _convenors = RelayAsync(emulator, cancellationToken);
        LaunchPressedAt = DateTimeOffset.UtcNow;
        emulator.PressButton(adminId, adminId, wizard.MessageId, new MusterButton.Launch().Data);
    }

    /// <inheritdoc />
    public DateTimeOffset? LaunchPressedAt { get; private set; }

    /// <summary>The workplace convenors of the seeded city (set by <see cref="Setup"/>).</summary>
    private IReadOnlyList<long> Convenors { get; set; } = [];

    /// <summary>How many convenors pressed "relay" (and when the last did, from the launch press).</summary>
    public int Relayed { get; private set; }

    /// <summary>
    /// Every convenor presses "relay" on their order soon after it arrives: the chats are looked at when the emulator
    /// changed, at most every 200 ms (looking at 600 chats more often would compete with the sends for the emulator's
    /// lock and slow the very thing measured).
    /// </summary>
    private async Task RelayAsync(BotApiEmulator emulator, CancellationToken cancellationToken)
    {
        var pending = new HashSet<long>(Convenors);
        var seen = emulator.State.Version;
        while (pending.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            seen = await emulator.State.WaitForChangeAsync(seen, TimeSpan.FromSeconds(5), cancellationToken);
            foreach (var id in pending.ToList())
            {
                var order = emulator.Messages(id).LastOrDefault(m => m.FromBot && m.ReplyMarkupJson?.Contains(RelayPrefix, StringComparison.Ordinal) == true);
                var relay = order?.Buttons.FirstOrDefault(b => b.CallbackData?.StartsWith(RelayPrefix, StringComparison.Ordinal) == true);
                if (order is not null && relay?.CallbackData is { } data)
                {
                    emulator.PressButton(id, id, order.MessageId, data);
                    pending.Remove(id);
                    Relayed++;
                }
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    public int ExpectedMessages(CityModel city)
    {
        ArgumentNullException.ThrowIfNull(city);

        // A convenor's order per workplace convenor, a member's order per other member, the panel (see remarks).
        return city.Members.Count(m => m.Roles.HasFlag(Roles.Member)) + 1;
    }

    /// <summary>A workplace convenor's order: sent with the relay button (the relay edits it away).</summary>
    public bool IsConvenorOrder(EmulatedMessage message) =>
        (message?.SentReplyMarkupJson ?? message?.ReplyMarkupJson)?.Contains(RelayPrefix, StringComparison.Ordinal) == true;

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
