using System.Text.Json.Serialization;

namespace MusterBot.State.Records.Stats;

/// <summary>
/// Counts of a community's complaints and wishes (one bucket of <see cref="CommunityStats"/>): the complaint figures the
/// 12345 hotlines publish (filed, responded, resolved, on time, rated, satisfied), the wishes filed, fulfilled and rated,
/// and, in <see cref="CommunityStats.Now"/>, what is open right now. Zero counts are not stored.
/// </summary>
public sealed record StatsTally
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Filed { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Responded { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Resolved { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int OnTime { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Rated { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Satisfied { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Wishes { get; init; }

    /// <summary>Wishes the member reported done (closed after that or not).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int WishesDone { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int WishesRated { get; init; }

    /// <summary>Sum of the stars of the rated wishes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int WishStars { get; init; }

    /// <summary>Complaints not closed (only in <see cref="CommunityStats.Now"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int OpenComplaints { get; init; }

    /// <summary>Complaints under supervision (督办) and not resolved again.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Supervised { get; init; }

    /// <summary>Complaints under supervision that went up the tree (street, district or city).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Escalated { get; init; }

    /// <summary>Wishes waiting for review, open for claims or claimed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int OpenWishes { get; init; }

    public static StatsTally Zero { get; } = new();

    [JsonIgnore]
    public bool IsZero => this == Zero;

    /// <summary>This tally plus <paramref name="sign"/> times the other.</summary>
    public StatsTally Plus(StatsTally other, int sign = 1)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new StatsTally
        {
            Filed = Filed + (sign * other.Filed),
            Responded = Responded + (sign * other.Responded),
            Resolved = Resolved + (sign * other.Resolved),
            OnTime = OnTime + (sign * other.OnTime),
            Rated = Rated + (sign * other.Rated),
            Satisfied = Satisfied + (sign * other.Satisfied),
            Wishes = Wishes + (sign * other.Wishes),
            WishesDone = WishesDone + (sign * other.WishesDone),
            WishesRated = WishesRated + (sign * other.WishesRated),
            WishStars = WishStars + (sign * other.WishStars),
            OpenComplaints = OpenComplaints + (sign * other.OpenComplaints),
            Supervised = Supervised + (sign * other.Supervised),
            Escalated = Escalated + (sign * other.Escalated),
            OpenWishes = OpenWishes + (sign * other.OpenWishes),
        };
    }
}
