using MusterBot.State.Commits;
using MusterBot.State.Records;

namespace MusterBot.Flows.Directory;

/// <summary>
/// Keeps the people index sets in step with profiles: registered people are listed by grid, region, role and skill.
/// Computed from the profile before and after a decision, so every change of a profile updates its sets in the same commit.
/// </summary>
public static class PeopleIndex
{
    public static IReadOnlyList<SetChange> Changes(UserProfile? before, UserProfile? after)
    {
        var old = Memberships(before);
        var now = Memberships(after);
        var member = Sets.Member((before ?? after)?.Id ?? 0);
        var changes = new List<SetChange>();
        changes.AddRange(old.Except(now).Select(s => new SetChange(s, member, Add: false)));
        changes.AddRange(now.Except(old).Select(s => new SetChange(s, member, Add: true)));
        return changes;
    }

    private static HashSet<string> Memberships(UserProfile? profile)
    {
        var sets = new HashSet<string>(StringComparer.Ordinal);
        if (profile is null || profile.RegisteredAt is null)
        {
            return sets;
        }

        sets.Add(Sets.People);
        if (profile.GridId is { } grid)
        {
            sets.Add(Sets.PeopleInGrid(grid));
        }

        if (profile.RegionId is { } region)
        {
            sets.Add(Sets.PeopleInRegion(region));
        }

        foreach (var role in Enum.GetValues<Roles>().Where(r => r != Roles.None && profile.Roles.HasFlag(r)))
        {
            sets.Add(Sets.PeopleWithRole(role));
        }

        foreach (var skill in profile.Skills)
        {
            sets.Add(Sets.PeopleWithSkill(skill));
        }

        return sets;
    }
}
