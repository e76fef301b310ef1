using System.Collections.Frozen;
using MusterBot.State.Records;

namespace MusterBot.Flows.Directory.Roster;

/// <summary>
/// Skill names as administrators write them in a roster: the English enum names (any case) and the Chinese names.
/// The Chinese names are written as escapes because source files hold no Chinese text.
/// </summary>
public static class SkillNames
{
    /// <summary>
    /// What separates several skills in one cell: ; | / and the Chinese enumeration comma, comma, semicolon, bar and
    /// slash; and a comma, which can only be inside a cell when the cell is quoted.
    /// </summary>
    public static ReadOnlySpan<char> Separators => ";|/,\u3001\uFF0C\uFF1B\uFF5C\uFF0F";

    private static readonly FrozenDictionary<string, Skill> Names = Build();

    /// <summary>Parses one skill name (trimmed, case-insensitive); numbers are not accepted as names.</summary>
    public static bool TryParse(string token, out Skill skill)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Names.TryGetValue(token.Trim(), out skill);
    }

    /// <summary>
    /// Splits a skills cell into skills, in order and without repeats; every token that is no skill name goes into
    /// <paramref name="unknown"/>.
    /// </summary>
    public static IReadOnlyList<Skill> ParseList(string? cell, ICollection<string> unknown)
    {
        ArgumentNullException.ThrowIfNull(unknown);
        if (string.IsNullOrWhiteSpace(cell))
        {
            return [];
        }

        var skills = new List<Skill>(2);
        foreach (var range in cell.AsSpan().SplitAny(Separators))
        {
            var token = cell.AsSpan()[range].Trim();
            if (token.IsEmpty)
            {
                continue;
            }

            var text = token.ToString();
            if (!TryParse(text, out var skill))
            {
                unknown.Add(text);
            }
            else if (!skills.Contains(skill))
            {
                skills.Add(skill);
            }
        }

        return skills;
    }

    private static FrozenDictionary<string, Skill> Build()
    {
        var names = new Dictionary<string, Skill>(StringComparer.OrdinalIgnoreCase);
        foreach (var skill in Enum.GetValues<Skill>())
        {
            names[skill.ToString()] = skill;
        }

        names["Counseling"] = Skill.Counselling;
        names["\u533B\u7597"] = Skill.Medical;            // yi liao
        names["\u62A4\u7406"] = Skill.Nursing;            // hu li
        names["\u6CD5\u5F8B"] = Skill.Legal;              // fa lv
        names["\u6551\u63F4"] = Skill.Rescue;             // jiu yuan
        names["\u9A7E\u9A76"] = Skill.Driving;            // jia shi
        names["\u7535\u5DE5"] = Skill.Electrician;        // dian gong
        names["\u6C34\u6696"] = Skill.Plumbing;           // shui nuan
        names["\u5FC3\u7406\u758F\u5BFC"] = Skill.Counselling; // xin li shu dao
        names["\u5FC3\u7406\u54A8\u8BE2"] = Skill.Counselling; // xin li zi xun
        names["\u7FFB\u8BD1"] = Skill.Translation;        // fan yi
        names["\u4FE1\u606F\u6280\u672F"] = Skill.IT;     // xin xi ji shu
        names["\u8BA1\u7B97\u673A"] = Skill.IT;           // ji suan ji
        names["\u540E\u52E4"] = Skill.Logistics;          // hou qin
        names["\u7269\u6D41"] = Skill.Logistics;          // wu liu
        names["\u5176\u4ED6"] = Skill.Other;              // qi ta
        names["\u5176\u5B83"] = Skill.Other;              // qi ta (variant)
        return names.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
