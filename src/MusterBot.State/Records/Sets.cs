using System.Globalization;

namespace MusterBot.State.Records;

/// <summary>Names of the index sets (see docs/redis-keys.md).</summary>
public static class Sets
{
    public const string Grids = "grids";
    public const string Regions = "regions";
    public const string Invites = "invites";
    public const string People = "people";
    public const string Roster = "roster";

    public static string PeopleInGrid(string gridId) => "people:grid:" + gridId;

    public static string PeopleInRegion(string regionId) => "people:region:" + regionId;

    public static string PeopleWithRole(Roles role) => "people:role:" + role.ToString().ToLowerInvariant();

    public static string PeopleWithSkill(Skill skill) => "people:skill:" + skill.ToString().ToLowerInvariant();

    public static string Member(long userId) => userId.ToString(CultureInfo.InvariantCulture);
}
