namespace MusterBot.State.Records.Musters;

/// <summary>
/// One member's part in one muster, created at launch for every member called: their region, the answer with its
/// history, and how the convenor reached them. Kept after the close as the member's emergency record (急时档案).
/// </summary>
public sealed record MusterAnswer(int Muster, long UserId, string RegionId)
{
    public CheckInStatus Status { get; init; }

    public DateTimeOffset? AnsweredAt { get; init; }

    /// <summary>Minutes to arrival given with "on my way".</summary>
    public int? EtaMinutes { get; init; }

    public double? Latitude { get; init; }

    public double? Longitude { get; init; }

    public CantComeReason? Reason { get; init; }

    public string? ReasonText { get; init; }

    /// <summary>The convenor who reached the member by phone (☎️), and when.</summary>
    public long? PhonedBy { get; init; }

    public DateTimeOffset? PhonedAt { get; init; }

    /// <summary>Skills of the member that the muster asks for (told to them with the order).</summary>
    public IReadOnlyList<Skill> MatchedSkills { get; init; } = [];

    public IReadOnlyList<AnswerChange> History { get; init; } = [];

    /// <summary>The member's own first answer time (for time-to-answer figures).</summary>
    public DateTimeOffset? FirstAnsweredAt { get; init; }

    public int Reminders { get; init; }

    /// <summary>The member's front-line service, written at the close: post, shift, branch and role in it.</summary>
    public PostService? Service { get; init; }
}

/// <summary>What a member did at the front line of a muster (their emergency record): their post and shift, and their temporary branch.</summary>
public sealed record PostService
{
    /// <summary>E.g. "P-1" (null: at no post).</summary>
    public string? Post { get; init; }

    public PostKind? Kind { get; init; }

    public string? Place { get; init; }

    public int Shift { get; init; }

    public bool Leader { get; init; }

    /// <summary>E.g. "B-1" (null: in no branch).</summary>
    public string? Branch { get; init; }

    public bool Secretary { get; init; }
}
