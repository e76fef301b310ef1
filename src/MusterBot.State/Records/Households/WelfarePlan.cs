namespace MusterBot.State.Records.Households;

/// <summary>
/// The welfare check of a muster (zhong dian ren qun shang men): which households of which grids are visited, and how
/// many each arrived member takes at most. Kept on the muster's header once started.
/// </summary>
public sealed record WelfarePlan(DateTimeOffset StartedAt, long StartedBy)
{
    /// <summary>The grids whose households are checked.</summary>
    public IReadOnlyList<string> GridIds { get; init; } = [];

    /// <summary>Only households with one of these tags; empty (and no <see cref="CustomTags"/>) = every tagged household.</summary>
    public IReadOnlyList<HouseholdTag> Tags { get; init; } = [];

    public IReadOnlyList<string> CustomTags { get; init; } = [];

    /// <summary>The most households one member is given.</summary>
    public int MaxPerMember { get; init; } = 5;

    /// <summary>How many households the check covers.</summary>
    public int Households { get; init; }

    /// <summary>True when a household is one this plan checks.</summary>
    public bool Covers(Household household)
    {
        ArgumentNullException.ThrowIfNull(household);
        if (!GridIds.Contains(household.GridId) || !household.IsTagged)
        {
            return false;
        }

        return (Tags.Count == 0 && CustomTags.Count == 0)
            || household.Tags.Any(Tags.Contains)
            || household.CustomTags.Any(CustomTags.Contains);
    }
}
