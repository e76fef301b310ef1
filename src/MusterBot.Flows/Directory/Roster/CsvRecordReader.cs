using System.Buffers;
using System.Text;

namespace MusterBot.Flows.Directory.Roster;

/// <summary>
/// A small RFC 4180 reader over decoded text: comma-separated, fields optionally in double quotes (a doubled quote is
/// a quote), quoted fields may hold commas and line breaks. Lenient where spreadsheets are sloppy: spaces before an
/// opening quote and text after a closing quote are kept. Tracks the physical line (CRLF, LF and lone CR each end a
/// line) so that every record knows the line it starts on. Fields are trimmed.
/// </summary>
internal ref struct CsvRecordReader
{
    private static readonly SearchValues<char> FieldEnd = SearchValues.Create(",\r\n");
    private static readonly SearchValues<char> QuoteOrBreak = SearchValues.Create("\"\r\n");

    private readonly ReadOnlySpan<char> _text;
    private readonly StringBuilder _quoted = new();
    private int _pos;
    private int _line = 1;

    public CsvRecordReader(ReadOnlySpan<char> text) => _text = text;

    /// <summary>Reads the next record into <paramref name="fields"/>; false at the end of the text.</summary>
    /// <param name="line">The physical line the record starts on.</param>
    /// <param name="unclosedQuote">True when a quoted field runs to the end of the text.</param>
    public bool TryRead(List<string> fields, out int line, out bool unclosedQuote)
    {
        fields.Clear();
        line = _line;
        unclosedQuote = false;
        if (_pos >= _text.Length)
        {
            return false;
        }

        while (true)
        {
            var p = _pos;
            while (p < _text.Length && _text[p] is ' ' or '\t')
            {
                p++;
            }

            if (p < _text.Length && _text[p] == '"')
            {
                fields.Add(ReadQuoted(p + 1, out unclosedQuote));
                if (unclosedQuote)
                {
                    return true;
                }
            }
            else
            {
                var rest = _text[_pos..];
                var end = rest.IndexOfAny(FieldEnd);
                if (end < 0)
                {
                    end = rest.Length;
                }

                fields.Add(rest[..end].Trim().ToString());
                _pos += end;
            }

            if (_pos >= _text.Length)
            {
                return true;
            }

            if (_text[_pos] == ',')
            {
                _pos++;
                continue;
            }

            // A line break ends the record.
            _pos += _text[_pos] == '\r' && _pos + 1 < _text.Length && _text[_pos + 1] == '\n' ? 2 : 1;
            _line++;
            return true;
        }
    }

    private string ReadQuoted(int start, out bool unclosed)
    {
        _quoted.Clear();
        var p = start;
        unclosed = false;
        while (true)
        {
            var rest = _text[p..];
            var next = rest.IndexOfAny(QuoteOrBreak);
            if (next < 0)
            {
                _quoted.Append(rest);
                _pos = _text.Length;
                unclosed = true;
                return _quoted.ToString().Trim();
            }

            _quoted.Append(rest[..next]);
            p += next;
            var c = _text[p];
            if (c == '\n')
            {
                _quoted.Append('\n');
                _line++;
                p++;
            }
            else if (c == '\r')
            {
                _quoted.Append('\n');
                _line++;
                p += p + 1 < _text.Length && _text[p + 1] == '\n' ? 2 : 1;
            }
            else if (p + 1 < _text.Length && _text[p + 1] == '"')
            {
                _quoted.Append('"');
                p += 2;
            }
            else
            {
                p++; // the closing quote
                break;
            }
        }

        // Anything between the closing quote and the end of the field is kept as it is.
        var tail = _text[p..];
        var end = tail.IndexOfAny(FieldEnd);
        if (end < 0)
        {
            end = tail.Length;
        }

        _quoted.Append(tail[..end]);
        _pos = p + end;
        return _quoted.ToString().Trim();
    }
}
