using System.Globalization;
using System.Text;
using MusterBot.Flows.Dashboard;
using MusterBot.Flows.Texts;
using MusterBot.State.Records;

namespace MusterBot.Host.WebApp;

/// <summary>One table of the dashboard's figures as CSV (RFC 4180 quoting; headers in the reader's language).</summary>
public static class FigureCsv
{
    public static string Write(FigureBoard board, string table, TextCatalog texts, Language language)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(texts);
        var sb = new StringBuilder();
        void Line(params object?[] cells) => sb.Append(string.Join(',', cells.Select(Cell))).Append("\r\n");
        string H(string key) => texts.Get(language, "dash.col." + key);
        switch (table)
        {
            case "category" or "grid" or "child":
                Line(H("name"), H("filed"), H("response"), H("ontime"), H("resolution"), H("satisfaction"));
                foreach (var row in (table switch { "category" => board.ByCategory, "grid" => board.ByGrid, _ => board.ByChild }).Append(board.Total))
                {
                    Line(row.Name, row.Filed, Percent(row.ResponseRate), Percent(row.OnTimeRate), Percent(row.ResolutionRate), Percent(row.SatisfactionRate));
                }

                break;
            case "trend":
                Line(H("month"), H("complaints"), H("resolved"), H("wishes"), H("wishes_done"));
                foreach (var month in board.Trend)
                {
                    Line(month.Month, month.Complaints, month.Resolved, month.Wishes, month.WishesDone);
                }

                break;
            case "points":
                Line(H("rank"), H("name"), H("points"));
                foreach (var entry in board.Points)
                {
                    Line(entry.Rank, entry.Name, entry.Points);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(table), table, "category, grid, child, trend or points");
        }

        return sb.ToString();
    }

    private static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : string.Empty;

    /// <summary>Quoted when it holds a comma, quote or line break; a leading =, +, - or @ is prefixed so no spreadsheet runs it.</summary>
    private static string Cell(object? value)
    {
        var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@')
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
