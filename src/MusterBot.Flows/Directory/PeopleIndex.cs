using MusterBot.State.Commits;
using MusterBot.State.Records;

namespace MusterBot.Flows.Directory;

/// <summary>
/// Keeps the people index sets in step with profiles: registered people are listed by grid, region, role and skill.
/// Computed from the profile before and after a decision, so every change of a profile updates its sets in the same commit.
/// The sets are the home community's, except a workplace region's (<see cref="UserProfile.WorkNodeId"/>), which lives in
/// the shard of the region's node (the change names that shard).
/// </summary>
public static class PeopleIndex
{
    public static IReadOnlyList<SetChange> Changes(UserProfile? before, UserProfile? after)
    {
        var old = Memberships(before);
        var now = Memberships(after);
        var member = Sets.Member((before ?? after)?.Id ?? 0);
        var changes = new List<SetChange>();
        changes.AddRange(old.Except(now).Select(s => new SetChange(s.Set, member, Add: false) { Shard = s.Shard }));
        changes.AddRange(now.Except(old).Select(s => new SetChange(s.Set, member, Add: true) { Shard = s.Shard }));
        return changes;
    }

    private static HashSet<(string Set, long? Shard)> Memberships(UserProfile? profile)
    {
        var sets = new HashSet<(string Set, long? Shard)>();
        if (profile is null || profile.RegisteredAt is null)
        {
            return sets;
        }

        sets.Add((Sets.People, null));
        if (profile.GridId is { } grid)
        {
            sets.Add((Sets.PeopleInGrid(grid), null));
        }

        if (profile.RegionId is { } region)
        {
            // A workplace region's members are listed where the region lives (its street's or the city's shard).
            sets.Add((Sets.PeopleInRegion(region), profile.WorkNodeId));
        }

        if (profile.WorkNodeId is not null && profile.Roles.HasFlag(Roles.Member))
        {
            // An in-service member (在职党员) is listed by the community they live in (reported in to).
            sets.Add((Sets.InServiceMembers, null));
        }

        foreach (var role in Enum.GetValues<Roles>().Where(r => r != Roles.None && profile.Roles.HasFlag(r)))
        {
            sets.Add((Sets.PeopleWithRole(role), null));
        }

        foreach (var skill in profile.Skills)
        {
            sets.Add((Sets.PeopleWithSkill(skill), null));
        }

        return sets;
    }
}
