using System.Text;
using System.Text.RegularExpressions;

namespace MusterBot.Host.Delivery;

/// <summary>
/// Keeps texts within Telegram's 4,096-character limit without rejecting them: a long text is split at line breaks
/// into several messages (our texts never break a line inside a tag); a single overlong line loses its formatting and
/// is cut with a marker. Entities such as <c>&amp;lt;</c> are never cut in half.
/// </summary>
public static partial class HtmlChunks
{
    /// <summary>Raw HTML length per message; the visible length is never more than the raw length.</summary>
    public const int MaxLength = 4000;

    public const string CutMarker = "…";

    public static IReadOnlyList<string> Split(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        if (html.Length <= MaxLength)
        {
            return [html];
        }

        var chunks = new List<string>();
        var current = new StringBuilder();
        foreach (var raw in html.Split('\n'))
        {
            var line = raw.Length <= MaxLength ? raw : Cut(Tags().Replace(raw, string.Empty), MaxLength - CutMarker.Length) + CutMarker;
            if (current.Length > 0 && current.Length + 1 + line.Length > MaxLength)
            {
                chunks.Add(current.ToString());
                current.Clear();
            }

            if (current.Length > 0)
            {
                current.Append('\n');
            }

            current.Append(line);
        }

        if (current.Length > 0)
        {
            chunks.Add(current.ToString());
        }

        return chunks;
    }

    /// <summary>One message's worth: the first chunk, with the marker when something was left out (edits).</summary>
    public static string Truncate(string html)
    {
        var chunks = Split(html);
        return chunks.Count == 1 ? chunks[0] : Cut(chunks[0], MaxLength - 2) + "\n" + CutMarker;
    }

    private static string Cut(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var cut = text[..length];
        var amp = cut.LastIndexOf('&');
        if (amp >= 0 && cut.IndexOf(';', amp) < 0)
        {
            cut = cut[..amp];
        }

        return cut;
    }

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();
}
