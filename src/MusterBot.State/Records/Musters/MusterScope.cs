namespace MusterBot.State.Records.Musters;

/// <summary>
/// Who a muster calls: every member, members of chosen regions, members living in chosen grids, or members with
/// the required skills (with how many of each are needed).
/// </summary>
public sealed record MusterScope(MusterScopeKind Kind)
{
    public IReadOnlyList<string> RegionIds { get; init; } = [];

    public IReadOnlyList<string> GridIds { get; init; } = [];

    /// <summary>Skill → how many people with it are needed.</summary>
    public IReadOnlyDictionary<Skill, int> SkillsNeeded { get; init; } = new Dictionary<Skill, int>();
}
