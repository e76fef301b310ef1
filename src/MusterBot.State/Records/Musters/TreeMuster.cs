namespace MusterBot.State.Records.Musters;

/// <summary>
/// A muster launched by a street or city administrator over communities of their subtree and/or workplace regions of
/// their node (吹哨—报到), quoted as <c>M-{Node}.{Number}</c>. It lives in the launcher's node shard; each community
/// gets a part of its own (an ordinary <see cref="Muster"/> in the community's shard, with <see cref="Muster.Origin"/>)
/// written one community per commit by <see cref="Lanes"/> chains of timers running side by side (a community's
/// <see cref="TreeMusterTally"/> in the node's shard says its part is written; the part's marker
/// <see cref="TreeMusterPart"/> in the community's shard, written with the version read, makes each part happen once).
/// Workplace regions' convenors get their orders with the launch, before any community's part is written.
/// </summary>
public sealed record TreeMuster(int Number, long NodeId, MusterPlan Plan, long LaunchedBy, DateTimeOffset LaunchedAt)
{
    public MusterStatus Status { get; init; }

    public DateTimeOffset ReportBy { get; init; }

    /// <summary>Every community the muster covers, in the order their parts are written.</summary>
    public IReadOnlyList<TreeMusterCommunity> Communities { get; init; } = [];

    /// <summary>Chosen communities that were removed before the launch (skipped, named to the launcher).</summary>
    public IReadOnlyList<long> Skipped { get; init; } = [];

    /// <summary>
    /// Workplace regions (of the launcher's node or a node below it) whose convenors are ordered and whose members report
    /// to their home community: <see cref="TreeWorkplace.KeyOf"/> keys, each with a <see cref="TreeWorkplace"/> document.
    /// </summary>
    public IReadOnlyList<string> WorkplaceKeys { get; init; } = [];

    /// <summary>How many chains of timers write the communities' parts side by side (link i is followed by link i + Lanes).</summary>
    public int Lanes { get; init; } = 1;

    /// <summary>Chats that hold the live aggregated roll call.</summary>
    public IReadOnlyList<long> PanelChats { get; init; } = [];

    public bool IsOpen => Status == MusterStatus.Open;

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

    /// <summary>How many members of the chosen workplace regions live in this community (listed in its <see cref="TreeMusterTarget"/>).</summary>
    public int WorkplaceCount { get; init; }
}

/// <summary>
/// The members of the chosen workplace regions who live in one community (<c>doc:mttarget:{number}:{community}</c> in
/// the launcher's node shard): by <see cref="TreeWorkplace.KeyOf"/> key. The community's part calls them, and holds
/// their orders until their workplace convenor relays (or the relay is escalated).
/// </summary>
public sealed record TreeMusterTarget(int Number, long CommunityId)
{
    public IReadOnlyDictionary<string, IReadOnlyList<long>> Workplace { get; init; } = new Dictionary<string, IReadOnlyList<long>>();

    /// <summary>Workplace convenors who live here: ordered at the street's or city's level, so not called as members of this part.</summary>
    public IReadOnlyList<long> Convenors { get; init; } = [];
}

/// <summary>
/// A workplace region's share of a street's or city's muster (<c>doc:mtwp:{number}:{key}</c> in the launcher's node
/// shard): its convenor's order, acknowledgement and relay, and the communities its members report to. The relay (or
/// the escalation at T1) releases the members' held orders in each of those communities, one commit per community.
/// </summary>
public sealed record TreeWorkplace(int Number, long RegionNode, string RegionId, string Name)
{
    public long? ConvenorId { get; init; }

    public long? BackupConvenorId { get; init; }

    /// <summary>Members called (over every community).</summary>
    public int Targeted { get; init; }

    /// <summary>The communities where the region's called members live (and report).</summary>
    public IReadOnlyList<long> Communities { get; init; } = [];

    public DateTimeOffset? AcknowledgedAt { get; init; }

    public long? AcknowledgedBy { get; init; }

    public DateTimeOffset? RelayedAt { get; init; }

    public long? RelayedBy { get; init; }

    /// <summary>When the convenor's silence at T1 was escalated (backup told, members released directly).</summary>
    public DateTimeOffset? EscalatedAt { get; init; }

    /// <summary>When the members' orders were released (by the relay or the escalation); null = held.</summary>
    public DateTimeOffset? MembersToldAt { get; init; }

    public string Key => KeyOf(RegionNode, RegionId);

    public bool HasConvenor => ConvenorId is not null || BackupConvenorId is not null;

    /// <summary>The region's key in a tree muster and in its parts' regions: <c>{node}.{regionId}</c> (never a community region id).</summary>
    public static string KeyOf(long node, string regionId) => node.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + regionId;
}

/// <summary>
/// The marker of a community's part of a tree muster (<c>doc:mtpart:{node}:{number}</c> in the community's shard),
/// written with the version read in the same commit as the part: the part is written exactly once. A workplace relay
/// that reaches the community before its part is written leaves its key in <see cref="Released"/> (LocalNumber 0);
/// both write this document, so the store orders them and no released member is left holding.
/// </summary>
public sealed record TreeMusterPart(long OriginNode, int OriginNumber, int LocalNumber)
{
    public DateTimeOffset At { get; init; }

    /// <summary>Workplace keys whose members were released before the part was written.</summary>
    public IReadOnlyList<string> Released { get; init; } = [];

    /// <summary>The muster was closed here before a part was written: a link that comes later writes none.</summary>
    public bool Closed { get; init; }
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

    /// <summary>The community was removed before its part was written: no part, counted as skipped.</summary>
    public bool Skipped { get; init; }

    /// <summary>Per workplace key: its members here as (targeted, arrived, on the way, acknowledged, can't come, no answer).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>> Workplace { get; init; } = new Dictionary<string, IReadOnlyList<int>>();

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
