namespace MusterBot.State.Records.Households;

/// <summary>What a member found at a household.</summary>
public enum VisitOutcome
{
    /// <summary>Not reported yet.</summary>
    Unchecked,

    /// <summary>✅ safe.</summary>
    Safe,

    /// <summary>🆘 needs help (an urgent task for the convenor and administrators).</summary>
    NeedsHelp,

    /// <summary>🚪 not home, or no answer.</summary>
    NotHome,

    /// <summary>🏠 moved away.</summary>
    Moved,
}

/// <summary>What a household that needs help needs.</summary>
public enum HelpNeed
{
    Medicine,
    Evacuation,
    Food,
    MedicalCare,
    Other,
}

/// <summary>Where a request for help stands.</summary>
public enum HelpStatus
{
    /// <summary>Nobody has taken it yet.</summary>
    Open,

    /// <summary>A convenor or administrator said they handle it.</summary>
    Taken,

    Done,
}

/// <summary>
/// One household's visit in a muster's welfare check: who is to visit it, what they found, and the request for help
/// it raised. The household's address, tags and phones are copied at the start, so the report keeps them even if the
/// household is edited or deleted during the check; the member sees the household as it is now while it exists.
/// </summary>
public sealed record HouseholdVisit(int Muster, int Household, string GridId, string BuildingId)
{
    public string? Unit { get; init; }

    public string Room { get; init; } = string.Empty;

    public IReadOnlyList<HouseholdTag> Tags { get; init; } = [];

    public IReadOnlyList<string> CustomTags { get; init; } = [];

    public IReadOnlyList<string> People { get; init; } = [];

    public IReadOnlyList<string> Phones { get; init; } = [];

    /// <summary>The member who is to visit; null while nobody arrived in the grid has room for it.</summary>
    public long? AssignedTo { get; init; }

    public DateTimeOffset? AssignedAt { get; init; }

    /// <summary>The convenor or administrator who gave it to <see cref="AssignedTo"/> by hand (null: given automatically).</summary>
    public long? AssignedBy { get; init; }

    public VisitOutcome Outcome { get; init; }

    public long? ReportedBy { get; init; }

    public DateTimeOffset? ReportedAt { get; init; }

    public IReadOnlyList<HelpNeed> Needs { get; init; } = [];

    /// <summary>Telegram file id of a photo the member sent with the request for help.</summary>
    public string? PhotoFileId { get; init; }

    public double? Latitude { get; init; }

    public double? Longitude { get; init; }

    public HelpStatus? Help { get; init; }

    public DateTimeOffset? HelpAt { get; init; }

    public long? HelpTakenBy { get; init; }

    public DateTimeOffset? HelpTakenAt { get; init; }

    public DateTimeOffset? HelpDoneAt { get; init; }

    /// <summary>When the untaken request was escalated (sent again to every administrator and the backup convenor).</summary>
    public DateTimeOffset? HelpEscalatedAt { get; init; }

    /// <summary>When the member was reminded of it, and when it was escalated to the convenor unchecked.</summary>
    public DateTimeOffset? RemindedAt { get; init; }

    public DateTimeOffset? EscalatedAt { get; init; }
}
