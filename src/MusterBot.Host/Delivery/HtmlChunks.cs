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

    /// <summary>Raw HTML length of a caption (Telegram allows 1,024 visible characters; raw is never shorter).</summary>
    public const int MaxCaptionLength = 1024;

    public const string CutMarker = "…";

    private const int MinLength = 16;

    public static IReadOnlyList<string> Split(string html) => Split(html, MaxLength);

    /// <summary>Splits into pieces of at most <paramref name="maxLength"/> raw characters.</summary>
    public static IReadOnlyList<string> Split(string html, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, MinLength);
        if (html.Length <= maxLength)
        {
            return [html];
        }

        var chunks = new List<string>();
        var current = new StringBuilder();
        foreach (var raw in html.Split('\n'))
        {
            var line = raw.Length <= maxLength ? raw : Cut(Tags().Replace(raw, string.Empty), maxLength - CutMarker.Length) + CutMarker;
            if (current.Length > 0 && current.Length + 1 + line.Length > maxLength)
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
    public static string Truncate(string html) => Truncate(html, MaxLength);

    /// <summary>
    /// At most <paramref name="maxLength"/> raw characters (captions: <see cref="MaxCaptionLength"/>): the first lines
    /// that fit, with the marker when something was left out. Should the cut leave a tag open (a tag spanning lines),
    /// the part loses its formatting rather than being rejected by Telegram.
    /// </summary>
    public static string Truncate(string html, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, MinLength);
        if (html.Length <= maxLength)
        {
            return html;
        }

        // Room for "\n…" after the first piece.
        var chunks = Split(html, maxLength - 1 - CutMarker.Length);
        var first = IsBalanced(chunks[0]) ? chunks[0] : Tags().Replace(chunks[0], string.Empty);
        return chunks.Count == 1 ? first : first + "\n" + CutMarker;
    }

    /// <summary>True when every tag is closed in order and no stray '&lt;' is left (a literal one is always &amp;lt;).</summary>
    private static bool IsBalanced(string html)
    {
        if (!html.Contains('<', StringComparison.Ordinal))
        {
            return true;
        }

        var open = new Stack<string>();
        foreach (Match tag in NamedTags().Matches(html))
        {
            var name = tag.Groups["name"].Value.ToLowerInvariant();
            if (tag.Groups["close"].Success)
            {
                if (!open.TryPop(out var top) || top != name)
                {
                    return false;
                }
            }
            else
            {
                open.Push(name);
            }
        }

        return open.Count == 0 && !NamedTags().Replace(html, string.Empty).Contains('<', StringComparison.Ordinal);
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

        // Never half an emoji (or any character outside the BMP).
        if (cut.Length > 0 && char.IsHighSurrogate(cut[^1]))
        {
            cut = cut[..^1];
        }

        return cut;
    }

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex("<(?<close>/)?(?<name>[A-Za-z][A-Za-z0-9-]*)[^<>]*>")]
    private static partial Regex NamedTags();
}
