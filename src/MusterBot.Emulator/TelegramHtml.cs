using System.Globalization;
using System.Text;

namespace MusterBot.Emulator;

/// <summary>
/// Parses text in Telegram's HTML subset the way the Bot API does: returns the visible text or the
/// "can't parse entities" reason.
/// </summary>
internal static class TelegramHtml
{
    private static readonly HashSet<string> SupportedTags = new(StringComparer.Ordinal)
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
        "tg-spoiler", "blockquote", "span", "tg-emoji",
    };

    public static bool TryParse(string html, out string text, out string? error)
    {
        var output = new StringBuilder(html.Length);
        var open = new Stack<string>();
        var i = 0;
        while (i < html.Length)
        {
            var c = html[i];
            if (c == '&')
            {
                if (!TryDecodeEntity(html, ref i, output))
                {
                    return Fail(out text, out error, $"Character entity expected at byte offset {ByteOffset(html, i)}");
                }

                continue;
            }

            if (c != '<')
            {
                output.Append(c);
                i++;
                continue;
            }

            var start = i;
            var close = html.IndexOf('>', i + 1);
            if (close < 0)
            {
                return Fail(out text, out error, $"Unclosed start tag at byte offset {ByteOffset(html, start)}");
            }

            var inner = html.AsSpan(i + 1, close - i - 1);
            i = close + 1;
            if (inner.Length > 0 && inner[0] == '/')
            {
                var endName = inner[1..].Trim().ToString();
                if (open.Count == 0)
                {
                    return Fail(out text, out error, $"Unexpected end tag at byte offset {ByteOffset(html, start)}");
                }

                if (!string.Equals(open.Peek(), endName, StringComparison.OrdinalIgnoreCase))
                {
                    return Fail(out text, out error, $"Unmatched end tag at byte offset {ByteOffset(html, start)}, expected \"</{open.Peek()}>\", found \"</{endName}>\"");
                }

                open.Pop();
                continue;
            }

            var nameLength = 0;
            while (nameLength < inner.Length && IsNameChar(inner[nameLength]))
            {
                nameLength++;
            }

            if (nameLength == 0)
            {
                return Fail(out text, out error, $"Unsupported start tag at byte offset {ByteOffset(html, start)}");
            }

            var name = inner[..nameLength].ToString().ToLowerInvariant();
            if (!SupportedTags.Contains(name))
            {
                return Fail(out text, out error, $"Unsupported start tag \"{name}\" at byte offset {ByteOffset(html, start)}");
            }

            if (!TryParseAttributes(inner[nameLength..], out var attributes))
            {
                return Fail(out text, out error, $"Unexpected end of attribute in tag \"{name}\" at byte offset {ByteOffset(html, start)}");
            }

            if (name == "span" && !string.Equals(attributes.GetValueOrDefault("class"), "tg-spoiler", StringComparison.Ordinal))
            {
                return Fail(out text, out error, $"Tag \"span\" must have class \"tg-spoiler\" at byte offset {ByteOffset(html, start)}");
            }

            open.Push(name);
        }

        if (open.Count > 0)
        {
            return Fail(out text, out error, $"Can't find end tag corresponding to start tag \"{open.Peek()}\"");
        }

        text = output.ToString();
        error = null;
        return true;
    }

    private static bool Fail(out string text, out string? error, string reason)
    {
        text = string.Empty;
        error = "can't parse entities: " + reason;
        return false;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '-';

    private static int ByteOffset(string html, int index) => Encoding.UTF8.GetByteCount(html.AsSpan(0, index));

    private static bool TryDecodeEntity(string html, ref int index, StringBuilder output)
    {
        var semicolon = html.IndexOf(';', index + 1);
        if (semicolon < 0 || semicolon - index > 12)
        {
            return false;
        }

        var body = html.AsSpan(index + 1, semicolon - index - 1);
        string? decoded = body switch
        {
            "lt" => "<",
            "gt" => ">",
            "amp" => "&",
            "quot" => "\"",
            _ => null,
        };

        if (decoded is null && body.Length > 1 && body[0] == '#')
        {
            var isHex = body[1] is 'x' or 'X';
            var digits = isHex ? body[2..] : body[1..];
            var style = isHex ? NumberStyles.AllowHexSpecifier : NumberStyles.None;
            if (digits.Length > 0 && int.TryParse(digits, style, CultureInfo.InvariantCulture, out var codePoint)
                && Rune.IsValid(codePoint) && codePoint != 0)
            {
                decoded = new Rune(codePoint).ToString();
            }
        }

        if (decoded is null)
        {
            return false;
        }

        output.Append(decoded);
        index = semicolon + 1;
        return true;
    }

    private static bool TryParseAttributes(ReadOnlySpan<char> span, out Dictionary<string, string> attributes)
    {
        attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (true)
        {
            while (i < span.Length && char.IsWhiteSpace(span[i]))
            {
                i++;
            }

            if (i >= span.Length || (span[i] == '/' && i == span.Length - 1))
            {
                return true;
            }

            var nameStart = i;
            while (i < span.Length && IsNameChar(span[i]))
            {
                i++;
            }

            if (i == nameStart)
            {
                return false;
            }

            var name = span[nameStart..i].ToString().ToLowerInvariant();
            while (i < span.Length && char.IsWhiteSpace(span[i]))
            {
                i++;
            }

            if (i >= span.Length || span[i] != '=')
            {
                attributes[name] = string.Empty;
                continue;
            }

            i++;
            while (i < span.Length && char.IsWhiteSpace(span[i]))
            {
                i++;
            }

            if (i >= span.Length)
            {
                return false;
            }

            string raw;
            if (span[i] is '"' or '\'')
            {
                var quote = span[i];
                var end = span[(i + 1)..].IndexOf(quote);
                if (end < 0)
                {
                    return false;
                }

                raw = span.Slice(i + 1, end).ToString();
                i += end + 2;
            }
            else
            {
                var valueStart = i;
                while (i < span.Length && !char.IsWhiteSpace(span[i]))
                {
                    i++;
                }

                raw = span[valueStart..i].ToString();
            }

            var decoded = new StringBuilder(raw.Length);
            var j = 0;
            while (j < raw.Length)
            {
                if (raw[j] == '&')
                {
                    if (!TryDecodeEntity(raw, ref j, decoded))
                    {
                        return false;
                    }
                }
                else
                {
                    decoded.Append(raw[j]);
                    j++;
                }
            }

            attributes[name] = decoded.ToString();
        }
    }
}
