namespace MusterBot.State.Records.Musters;

/// <summary>What a front-line post is (ding gang ding ze).</summary>
public enum PostKind
{
    /// <summary>A checkpoint (ka kou).</summary>
    Checkpoint,

    /// <summary>A shelter for the evacuated (zhuan yi an zhi dian).</summary>
    Shelter,

    /// <summary>A supply point (wu zi dian).</summary>
    SupplyPoint,

    /// <summary>A patrol (xun cha).</summary>
    Patrol,

    /// <summary>A testing or medical point.</summary>
    Medical,

    Other,
}

/// <summary>
/// A front-line post of a muster, quoted as <c>P-{Number}</c>: what it is, where, how many people it needs, its leader
/// (gang zhang). Who stands there is the set <c>m:{muster}:post:{n}</c> and each member's <see cref="PostSeat"/>.
/// </summary>
public sealed record MusterPost(int Muster, int Number, PostKind Kind, string Place)
{
    /// <summary>How many people the post needs at a time.</summary>
    public int Needed { get; init; } = 1;

    public long? LeaderId { get; init; }

    /// <summary>Skills the post asks for: "fill the posts" gives it members who bring one of them first.</summary>
    public IReadOnlyList<Skill> Skills { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public long CreatedBy { get; init; }

    public string Code => "P-" + Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Where a member stands in a muster (one post at a time).</summary>
public sealed record PostSeat(int Muster, long UserId, int Post)
{
    public DateTimeOffset Since { get; init; }
}

/// <summary>The last post number given out in a muster.</summary>
public sealed record PostCounter(int Last);
