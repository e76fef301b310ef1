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
    /// <summary>How many people the post needs at a time (in each shift).</summary>
    public int Needed { get; init; } = 1;

    /// <summary>How many shifts the post's rota has (1: no rota, one shift for the whole muster).</summary>
    public int Shifts { get; init; } = 1;

    /// <summary>Hours of each shift when <see cref="Shifts"/> is more than 1.</summary>
    public int ShiftHours { get; init; }

    /// <summary>When the first shift starts (the post's creation).</summary>
    public DateTimeOffset ShiftsFrom { get; init; }

    /// <summary>Where the post is, when the staff sent a pin: "fill the posts" gives members the nearest post.</summary>
    public double? Latitude { get; init; }

    public double? Longitude { get; init; }

    /// <summary>Handovers done: shift N handed over to shift N+1 (jiao jie ban).</summary>
    public IReadOnlyList<PostHandover> Handovers { get; init; } = [];

    /// <summary>The temporary party branch formed for this post, if any (members taking a place here join it).</summary>
    public int? Branch { get; init; }

    /// <summary>Follow-up musters called for this post ("need more people"), newest last.</summary>
    public IReadOnlyList<int> FollowUps { get; init; } = [];

    public bool HasRota => Shifts > 1 && ShiftHours > 0;

    public DateTimeOffset ShiftStart(int shift) => ShiftsFrom + TimeSpan.FromHours((double)ShiftHours * (shift - 1));

    public DateTimeOffset ShiftEnd(int shift) => ShiftStart(shift + 1);

    /// <summary>True once the last shift of a rota has ended (a post without a rota runs until the muster closes).</summary>
    public bool IsOver(DateTimeOffset now) => HasRota && now >= ShiftEnd(Shifts);

    /// <summary>The shift on duty at <paramref name="now"/> (1 without a rota; the last shift once the rota has run out).</summary>
    public int ShiftAt(DateTimeOffset now)
    {
        if (!HasRota || now < ShiftsFrom)
        {
            return 1;
        }

        var shift = (int)((now - ShiftsFrom).Ticks / TimeSpan.FromHours(ShiftHours).Ticks) + 1;
        return Math.Min(shift, Shifts);
    }

    public long? LeaderId { get; init; }

    /// <summary>Skills the post asks for: "fill the posts" gives it members who bring one of them first.</summary>
    public IReadOnlyList<Skill> Skills { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public long CreatedBy { get; init; }

    public string Code => "P-" + Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Where a member stands in a muster (one post and one shift at a time).</summary>
public sealed record PostSeat(int Muster, long UserId, int Post)
{
    /// <summary>The member's shift at the post (1 without a rota).</summary>
    public int Shift { get; init; } = 1;

    public DateTimeOffset Since { get; init; }
}

/// <summary>A handover at a post: <see cref="Shift"/> handed over to the next shift, confirmed by <see cref="By"/>.</summary>
public sealed record PostHandover(int Shift, long By, DateTimeOffset At);

/// <summary>
/// A temporary party branch (lin shi dang zhi bu) formed for a muster or one of its posts, quoted as <c>B-{Number}</c>:
/// its secretary and members. Each member's <see cref="BranchSeat"/> names it; at the close every member's service in
/// it is written to their emergency record (their <see cref="MusterAnswer"/>) and points.
/// </summary>
public sealed record TempBranch(int Muster, int Number, long SecretaryId)
{
    /// <summary>The post it was formed for (null: the whole muster).</summary>
    public int? Post { get; init; }

    public IReadOnlyList<long> Members { get; init; } = [];

    public DateTimeOffset FormedAt { get; init; }

    public long FormedBy { get; init; }

    public string Code => "B-" + Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The temporary branch a member belongs to in a muster (one at a time).</summary>
public sealed record BranchSeat(int Muster, long UserId, int Branch);

/// <summary>The last post number (and temporary branch number) given out in a muster.</summary>
public sealed record PostCounter(int Last)
{
    public int LastBranch { get; init; }
}
