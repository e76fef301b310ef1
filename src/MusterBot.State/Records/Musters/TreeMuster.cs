namespace MusterBot.State.Records.Musters;

/// <summary>
/// A muster launched by a street or city administrator over communities of their subtree and/or workplace regions of
/// their node (吹哨—报到), quoted as <c>M-{Node}.{Number}</c>. It lives in the launcher's node shard; each community
/// gets a part of its own (an ordinary <see cref="Muster"/> in the community's shard, with <see cref="Muster.Origin"/>)
/// written one community per commit by a chain of timers (<see cref="NextIndex"/> says how far the chain has come; the
/// part's marker <see cref="TreeMusterPart"/>, written only if absent, makes each community's part happen once).
/// </summary>
public sealed record TreeMuster(int Number, long NodeId, MusterPlan Plan, long LaunchedBy, DateTimeOffset LaunchedAt)
{
    public MusterStatus Status { get; init; }

    public DateTimeOffset ReportBy { get; init; }

    /// <summary>Every community the muster covers, in the order their parts are written.</summary>
    public IReadOnlyList<TreeMusterCommunity> Communities { get; init; } = [];

    /// <summary>Chosen communities that were removed before the launch (skipped, named to the launcher).</summary>
    public IReadOnlyList<long> Skipped { get; init; } = [];

    /// <summary>Workplace regions (of the launcher's node) whose members are called to report to their home community.</summary>
    public IReadOnlyList<string> WorkplaceRegionIds { get; init; } = [];

    /// <summary>Index in <see cref="Communities"/> of the next part to write (= Communities.Count when every part is written).</summary>
    public int NextIndex { get; init; }

    /// <summary>Chats that hold the live aggregated roll call.</summary>
    public IReadOnlyList<long> PanelChats { get; init; } = [];

    public bool IsOpen => Status == MusterStatus.Open;

    public bool AllSent => NextIndex >= Communities.Count;

    public string Code => Codes(NodeId, Number);

    public static string Codes(long nodeId, int number) =>
        "M-" + nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One community of a tree muster: where its members report, the child node of the launcher it is counted under.</summary>
public sealed record TreeMusterCommunity(long CommunityId, long ChildId, string Name, string ReportTo)
{
    /// <summary>The name of the node it is counted under (a street's muster: the community itself; a city's: its street).</summary>
    public string ChildName { get; init; } = string.Empty;

    /// <summary>The community's own members (in the muster's scope) are called; false = only workplace-region members who live there.</summary>
    public bool OwnMembers { get; init; } = true;

    /// <summary>Members of the chosen workplace regions who live in this community (they report here).</summary>
    public IReadOnlyList<long> WorkplaceMembers { get; init; } = [];
}

/// <summary>
/// The marker of a community's part of a tree muster (<c>doc:mtpart:{node}:{number}</c> in the community's shard),
/// written with expected version 0 in the same commit as the part: the part is written exactly once.
/// </summary>
public sealed record TreeMusterPart(long OriginNode, int OriginNumber, int LocalNumber)
{
    public DateTimeOffset At { get; init; }
}

/// <summary>Where a community's muster part came from, and where its members report.</summary>
public sealed record TreeOrigin(long NodeId, int Number, string ReportTo);

/// <summary>
/// A community part's counts for the launcher's aggregated roll call (<c>doc:mttally:{number}:{community}</c> in the
/// launcher's node shard), written by the community's roll-call refresh: the aggregated roll call reads one small
/// document per community, never the answers.
/// </summary>
public sealed record TreeMusterTally(long CommunityId, int LocalNumber)
{
    public int Targeted { get; init; }

    public int Delivered { get; init; }

    public int Unreachable { get; init; }

    public IReadOnlyDictionary<CheckInStatus, int> ByStatus { get; init; } = new Dictionary<CheckInStatus, int>();

    public bool Closed { get; init; }

    public DateTimeOffset At { get; init; }
}

/// <summary>
/// A street's or city's switch of every community below it to emergency or normal mode (in the node's shard): the
/// communities, in the order a chain of timers switches them (one per commit), and how far it has come. A newer
/// round supersedes an older one still on its way.
/// </summary>
public sealed record TreeModeSwitch(int Round, bool Emergency, IReadOnlyList<long> Communities, long By, DateTimeOffset At)
{
    public int Index { get; init; }
}
