namespace MusterBot.State.Records.Musters;

/// <summary>
/// A muster (集结), quoted as <c>M-{Number}</c>. Members' answers are separate documents (<see cref="MusterAnswer"/>)
/// with per-status index sets, so check-ins never write this document and never contend with one another; each
/// region's part is a document of its own, so convenors of different regions never contend either.
/// </summary>
public sealed record Muster(int Number, MusterPlan Plan, long LaunchedBy, DateTimeOffset LaunchedAt)
{
    /// <summary>The region id used for members without a region.</summary>
    public const string NoRegion = "none";

    public MusterStatus Status { get; init; }

    public DateTimeOffset ReportBy { get; init; }

    /// <summary>Closed automatically at this time if still open (null = only by hand).</summary>
    public DateTimeOffset? EndsAt { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    public long? ClosedBy { get; init; }

    /// <summary>Set when this muster is a community's part of a street's or city's muster (members report to <see cref="TreeOrigin.ReportTo"/>).</summary>
    public TreeOrigin? Origin { get; init; }

    /// <summary>The regions' parts; each is stored as a document of its own and loaded with the muster.</summary>
    public IReadOnlyList<MusterRegion> Regions { get; init; } = [];

    /// <summary>Ids of the regions (stored in the header; the regions themselves are separate documents).</summary>
    public IReadOnlyList<string> RegionIds { get; init; } = [];

    /// <summary>Administrators' chats that hold a live community-wide summary.</summary>
    public IReadOnlyList<long> AdminPanelChats { get; init; } = [];

    /// <summary>The welfare check of vulnerable households, once an administrator started it (null: none).</summary>
    public Households.WelfarePlan? Welfare { get; init; }

    /// <summary>True once the muster has front-line posts: an arriving member is shown them.</summary>
    public bool HasPosts { get; init; }

    /// <summary>Set when this muster is a post leader's call for more people (need more people): arrivals go to that post.</summary>
    public PostCall? ForPost { get; init; }

    /// <summary>Reminder rounds already sent.</summary>
    public int RemindersSent { get; init; }

    public int Targeted => Regions.Sum(r => r.Targeted);

    public bool IsOpen => Status == MusterStatus.Open;

    public string Code => "M-" + Number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public MusterRegion? Region(string regionId) => Regions.FirstOrDefault(r => r.RegionId == regionId);

    public Muster WithRegion(MusterRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return this with { Regions = Regions.Select(r => r.RegionId == region.RegionId ? region : r).ToList() };
    }
}

/// <summary>A follow-up muster for a post: the muster and post it reinforces and how many people were asked for.</summary>
public sealed record PostCall(int Muster, int Post, int Wanted);
