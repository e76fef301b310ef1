using System.Collections.Frozen;
using MusterBot.State.Records;

namespace MusterBot.Flows.Directory.Roster;

/// <summary>
/// The role cell of a roster: empty means member; otherwise member, convenor, handler or resident in English (any
/// case) or Chinese. Several roles may be given, separated like skills ("member;convenor"). Administrators are never
/// made through a roster.
/// </summary>
public static class RoleNames
{
    private static readonly FrozenDictionary<string, Roles> Names = new Dictionary<string, Roles>(StringComparer.OrdinalIgnoreCase)
    {
        ["member"] = Roles.Member,
        ["\u515A\u5458"] = Roles.Member,            // dang yuan
        ["convenor"] = Roles.Convenor,
        ["\u53EC\u96C6\u4EBA"] = Roles.Convenor,    // zhao ji ren
        ["handler"] = Roles.Handler,
        ["\u7F51\u683C\u5458"] = Roles.Handler,     // wang ge yuan
        ["resident"] = Roles.Resident,
        ["\u5C45\u6C11"] = Roles.Resident,          // ju min
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses a role cell; false when any part of it is not a role name.</summary>
    public static bool TryParse(string? cell, out Roles roles)
    {
        roles = Roles.None;
        if (string.IsNullOrWhiteSpace(cell))
        {
            roles = Roles.Member;
            return true;
        }

        foreach (var range in cell.AsSpan().SplitAny(SkillNames.Separators))
        {
            var token = cell.AsSpan()[range].Trim();
            if (token.IsEmpty)
            {
                continue;
            }

            if (!Names.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(token, out var role))
            {
                roles = Roles.None;
                return false;
            }

            roles |= role;
        }

        if (roles == Roles.None)
        {
            roles = Roles.Member; // only separators: treat as empty
        }

        return true;
    }
}
