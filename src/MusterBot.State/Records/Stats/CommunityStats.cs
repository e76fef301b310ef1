namespace MusterBot.State.Records.Stats;

/// <summary>
/// A community's figures (<c>doc:community:stats</c> in the community's shard), changed in the same commit as each
/// complaint or wish it counts, so /stats of a street, district or city reads one small document per community instead
/// of every complaint. Complaints and wishes count in the bucket of their filing date (local time): by month
/// ("yyyy-MM", kept) and by day ("yyyy-MM-dd", the last <see cref="DaysKept"/> days, for "the last 30 days").
/// </summary>
public sealed record CommunityStats
{
    /// <summary>Day buckets older than this are dropped.</summary>
    public const int DaysKept = 35;

    public IReadOnlyDictionary<string, StatsTally> Months { get; init; } = new Dictionary<string, StatsTally>();

    public IReadOnlyDictionary<string, StatsTally> Days { get; init; } = new Dictionary<string, StatsTally>();

    /// <summary>What is open right now (open, supervised, escalated complaints; open wishes).</summary>
    public StatsTally Now { get; init; } = StatsTally.Zero;

    public DateTimeOffset UpdatedAt { get; init; }
}
