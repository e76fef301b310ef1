using System.Globalization;
using System.Text;
using MusterBot.Flows.Texts;
using MusterBot.State.Records;

namespace MusterBot.Flows.Directory.Roster;

/// <summary>
/// The answer to an uploaded roster, as Telegram HTML: a summary line, then one line per problem in line order, at
/// most <c>maxLines</c> of them and then "… and N more". Always shorter than <see cref="MaxLength"/> characters.
/// </summary>
public static class RosterReport
{
    /// <summary>The report never reaches this length (Telegram allows 4,096 characters per message).</summary>
    public const int MaxLength = 4_000;

    /// <summary>User values are cut to this many characters (plus an ellipsis) before escaping.</summary>
    public const int MaxValueLength = 30;

    private const int Budget = MaxLength - 100;

    public static string Format(RosterParseResult result, Language language, TextCatalog texts, int maxLines = 30)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLines);

        if (result.FileProblem is { } fileProblem)
        {
            return FileProblem(fileProblem, language, texts, "roster.file.");
        }

        var summary = texts.Format(language, "roster.report.summary", result.DataRows, result.Valid.Count, result.RowsWithProblems);
        var lines = result.Problems.OrderBy(p => p.Line).Select(p => Line(p, result, language, texts)).ToList(); // stable: a row's problems keep their order
        return Compose(summary, lines, n => texts.Format(language, "roster.report.more", n), maxLines);
    }

    /// <summary>Why a file cannot be read at all, from the texts <c>{prefix}{Kind}</c>.</summary>
    internal static string FileProblem(RosterFileProblem problem, Language language, TextCatalog texts, string prefix)
    {
        // Column names are the bot's own words, given in full (a cut header cannot be copied); file values are cut.
        var value = problem.Kind is RosterFileProblemKind.NoHeader or RosterFileProblemKind.MissingColumns or RosterFileProblemKind.DuplicateColumns
            ? Html.Escape(problem.Value)
            : Value(problem.Value);
        var text = texts.Format(language, prefix + problem.Kind, value);
        return text.Length < Budget ? text : text[..Budget];
    }

    /// <summary>
    /// A summary, then the problem lines in order, at most <paramref name="maxLines"/> of them and as many as fit in
    /// <see cref="MaxLength"/>, then "… and N more" from <paramref name="more"/>.
    /// </summary>
    internal static string Compose(string summary, IReadOnlyList<string> lines, Func<int, string> more, int maxLines)
    {
        var sb = new StringBuilder(summary);
        var longestMore = more(lines.Count);
        var shown = 0;
        foreach (var line in lines)
        {
            if (shown >= maxLines || sb.Length + 1 + line.Length + 1 + longestMore.Length > Budget)
            {
                break;
            }

            sb.Append('\n').Append(line);
            shown++;
        }

        if (shown < lines.Count)
        {
            sb.Append('\n').Append(more(lines.Count - shown));
        }

        return sb.ToString();
    }

    private static string Line(RosterProblem problem, RosterParseResult result, Language language, TextCatalog texts)
    {
        var key = problem.Kind == RosterProblemKind.BadPhone && string.IsNullOrWhiteSpace(problem.Value)
            ? "roster.problem.MissingPhone"
            : "roster.problem." + problem.Kind;
        var extra = problem.Kind switch
        {
            RosterProblemKind.NameTooLong => RosterParser.MaxNameLength,
            RosterProblemKind.WorkUnitTooLong => RosterParser.MaxWorkUnitLength,
            RosterProblemKind.WrongColumnCount => result.HeaderColumns,
            _ => 0,
        };
        return texts.Format(language, key, problem.Line, Value(problem.Value), extra);
    }

    /// <summary>A user value on one line, cut to <see cref="MaxValueLength"/> text elements
    /// (and about four times as many chars, against long combining sequences), HTML-escaped.</summary>
    internal static string Value(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var sb = new StringBuilder(Math.Min(value.Length, MaxValueLength * 2));
        var elements = StringInfo.GetTextElementEnumerator(value);
        var count = 0;
        while (elements.MoveNext())
        {
            if (++count > MaxValueLength || sb.Length > MaxValueLength * 4)
            {
                sb.Append('…');
                break;
            }

            var element = elements.GetTextElement();
            sb.Append(element.Length == 1 && char.IsControl(element[0]) ? " " : element);
        }

        return Html.Escape(sb.ToString());
    }
}
