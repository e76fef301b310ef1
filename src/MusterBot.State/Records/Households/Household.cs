namespace MusterBot.State.Records.Households;

/// <summary>
/// A household of a grid (zhu hu tai zhang): its address (building, unit, room), the people living there, its tags, contact
/// phones and notes. Only the grid's workers and the community's administrators see it (see HouseholdAccess).
/// <see cref="Number"/> is the community's household number (H-0001, …), never reused.
/// </summary>
public sealed record Household(int Number, string GridId, string BuildingId, string Room)
{
    /// <summary>The unit (dan yuan) of the building; null when the building has none.</summary>
    public string? Unit { get; init; }

    /// <summary>Who lives there, as written ("Wang Fang (82)"; a comma or 、 separates two people).</summary>
    public IReadOnlyList<string> People { get; init; } = [];

    public IReadOnlyList<HouseholdTag> Tags { get; init; } = [];

    /// <summary>The community's own tags this household has (names from <see cref="HouseholdTagList"/>).</summary>
    public IReadOnlyList<string> CustomTags { get; init; } = [];

    /// <summary>Contact phones: mobiles in +86 form, landlines as written with digits and one dash.</summary>
    public IReadOnlyList<string> Phones { get; init; } = [];

    public string? Notes { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Who last changed it (a grid worker or administrator).</summary>
    public long UpdatedBy { get; init; }

    /// <summary>True when the household has at least one tag (built-in or the community's own).</summary>
    public bool IsTagged => Tags.Count > 0 || CustomTags.Count > 0;
}
