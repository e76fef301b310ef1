using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory.Roster;

namespace MusterBot.Tests.Directory;

/// <summary>Roster files for the tests, built in memory.</summary>
internal static class RosterCsv
{
    public const string Header = "name,phone,grid,region,work_unit,skills,role\n";

    public static RosterLookup Lookup { get; } = new(
        new Dictionary<string, string> { ["一网格"] = "g1", ["Grid A"] = "g2" },
        new Dictionary<string, string> { ["东片区"] = "r1", ["East"] = "r2" });

    public static RosterParseResult Parse(string csv) => RosterParser.Parse(Encoding.UTF8.GetBytes(csv), Lookup);

    /// <summary>A header and <paramref name="rows"/> valid rows with distinct phones (line i + 2 has phone 138 and i).</summary>
    public static byte[] ValidRows(int rows)
    {
        var sb = new StringBuilder(Header, 64 * (rows + 1));
        for (var i = 0; i < rows; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"张三{i},138{i:D8},一网格,东片区,社区医院,医疗;驾驶,党员\n");
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>
    /// A header and <paramref name="rows"/> rows that each have seven problems, with values full of HTML
    /// (about 150 bytes a row, so that 50,000 rows stay under <see cref="RosterParser.MaxBytes"/>).
    /// </summary>
    public static byte[] BadRows(int rows)
    {
        var sb = new StringBuilder(Header, 160 * (rows + 1));
        var name = "<b>" + new string('x', 45);
        var hostile = new string('<', 15);
        for (var i = 0; i < rows; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\"{name}\",{hostile},{hostile},{hostile},{hostile},{hostile},{hostile}\n");
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
