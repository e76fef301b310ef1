using System.Globalization;
using System.Text;
using System.Text.Unicode;
using MusterBot.State.Records;

namespace MusterBot.Flows.Directory.Roster;

/// <summary>
/// Reads and checks a roster (CSV, UTF-8, header <c>name,phone,grid,region,work_unit,skills,role</c> in any order,
/// extra columns ignored). Pure: no I/O, no clock. Every row is checked; the caller imports nothing from a file with
/// problems unless the administrator confirms importing only <see cref="RosterParseResult.Valid"/>.
/// </summary>
public static class RosterParser
{
    /// <summary>The most data rows a roster may have; more is a file problem and nothing is imported.</summary>
    public const int MaxRows = 50_000;

    /// <summary>The largest roster file in bytes (checked before anything else).</summary>
    public const int MaxBytes = 8 * 1024 * 1024;

    public const int MaxNameLength = 40;

    public const int MaxWorkUnitLength = 100;

    /// <summary>The columns a roster header must name.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["name", "phone", "grid", "region", "work_unit", "skills", "role"];

    private const int Name = 0, Phone = 1, Grid = 2, Region = 3, WorkUnit = 4, Skills = 5, Role = 6;

    public static RosterParseResult Parse(ReadOnlySpan<byte> content, IRosterLookup lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        if (Decode(content, MaxBytes, out var chars) is { } fileProblem)
        {
            return RosterParseResult.Failed(fileProblem);
        }

        var reader = new CsvRecordReader(chars);
        var fields = new List<string>(8);

        // The header: the first non-blank record.
        int headerLine;
        bool unclosed;
        do
        {
            if (!reader.TryRead(fields, out headerLine, out unclosed))
            {
                return RosterParseResult.Failed(new(RosterFileProblemKind.Empty));
            }
        }
        while (IsBlank(fields));

        var headerProblem = MapHeader(fields, Columns, out var index);
        if (headerProblem is not null)
        {
            return RosterParseResult.Failed(headerProblem);
        }

        var headerColumns = fields.Count;
        var checker = new RowChecker(lookup, index, headerColumns);
        var dataRows = 0;
        while (!unclosed && reader.TryRead(fields, out var line, out unclosed))
        {
            if (IsBlank(fields))
            {
                continue;
            }

            if (++dataRows > MaxRows)
            {
                return RosterParseResult.Failed(new(RosterFileProblemKind.TooManyRows, MaxRows.ToString(CultureInfo.InvariantCulture)), dataRows);
            }

            checker.Check(line, fields, unclosed);
        }

        return dataRows == 0
            ? RosterParseResult.Failed(new(RosterFileProblemKind.NoRows))
            : new RosterParseResult(checker.Valid, checker.Problems, dataRows, null, headerColumns);
    }

    /// <summary>
    /// The text of a CSV file: at most <paramref name="maxBytes"/>, an optional BOM skipped, strictly UTF-8 (an invalid
    /// byte sequence — GBK from Excel, a cut-off file — is refused, not replaced). Null when it decodes.
    /// </summary>
    internal static RosterFileProblem? Decode(ReadOnlySpan<byte> content, int maxBytes, out string text)
    {
        text = string.Empty;
        if (content.Length > maxBytes)
        {
            return new(RosterFileProblemKind.TooLarge, (maxBytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture));
        }

        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }

        var chars = new char[content.Length];
        if (Utf8.ToUtf16(content, chars, out var bytesRead, out var charsWritten, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
        {
            var line = content[..bytesRead].Count((byte)'\n') + 1;
            return new(RosterFileProblemKind.NotUtf8, line.ToString(CultureInfo.InvariantCulture));
        }

        text = new string(chars, 0, charsWritten);
        return null;
    }

    internal static bool IsBlank(List<string> fields)
    {
        foreach (var field in fields)
        {
            if (field.Length > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Where each of <paramref name="columns"/> is in the header (any order, any case, extra columns ignored).</summary>
    internal static RosterFileProblem? MapHeader(List<string> header, IReadOnlyList<string> columns, out int[] index)
    {
        var found = Enumerable.Repeat(-1, columns.Count).ToArray();
        index = found;
        var duplicates = new List<string>();
        for (var i = 0; i < header.Count; i++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                if (string.Equals(header[i], columns[c], StringComparison.OrdinalIgnoreCase))
                {
                    if (found[c] >= 0)
                    {
                        duplicates.Add(columns[c]);
                    }
                    else
                    {
                        found[c] = i;
                    }
                }
            }
        }

        if (found.All(i => i < 0))
        {
            return new(RosterFileProblemKind.NoHeader, string.Join(",", columns));
        }

        var missing = columns.Where((_, c) => found[c] < 0).ToList();
        if (missing.Count > 0)
        {
            return new(RosterFileProblemKind.MissingColumns, string.Join(", ", missing));
        }

        return duplicates.Count > 0 ? new(RosterFileProblemKind.DuplicateColumns, string.Join(", ", duplicates.Distinct())) : null;
    }

    /// <summary>Checks rows one by one, remembering phones already seen and caching grid and region look-ups.</summary>
    private sealed class RowChecker(IRosterLookup lookup, int[] index, int headerColumns)
    {
        private readonly Dictionary<string, int> _phones = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string?> _grids = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, string?> _regions = new(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _unknownSkills = [];

        public List<RosterRow> Valid { get; } = [];

        public List<RosterProblem> Problems { get; } = [];

        public void Check(int line, List<string> fields, bool unclosedQuote)
        {
            var before = Problems.Count;
            if (unclosedQuote)
            {
                Problems.Add(new(line, RosterProblemKind.UnclosedQuote, null));
            }

            if (!HasRightColumnCount(fields))
            {
                Problems.Add(new(line, RosterProblemKind.WrongColumnCount, fields.Count.ToString(CultureInfo.InvariantCulture)));
                return; // the cells cannot be trusted to be in their columns
            }

            var name = OneLine(fields[index[Name]]);
            if (name.Length == 0)
            {
                Problems.Add(new(line, RosterProblemKind.MissingName, null));
            }
            else if (name.Length > MaxNameLength && new StringInfo(name).LengthInTextElements > MaxNameLength)
            {
                Problems.Add(new(line, RosterProblemKind.NameTooLong, name));
            }

            var rawPhone = fields[index[Phone]];
            var phone = PhoneNumber.Normalize(rawPhone);
            if (phone is null)
            {
                Problems.Add(new(line, RosterProblemKind.BadPhone, rawPhone));
            }
            else if (!_phones.TryAdd(phone, line))
            {
                Problems.Add(new(line, RosterProblemKind.DuplicatePhone, _phones[phone].ToString(CultureInfo.InvariantCulture)));
            }

            var grid = Resolve(fields[index[Grid]], _grids, lookup.FindGrid, line, RosterProblemKind.UnknownGrid);
            var region = Resolve(fields[index[Region]], _regions, lookup.FindRegion, line, RosterProblemKind.UnknownRegion);

            var workUnit = OneLine(fields[index[WorkUnit]]);
            if (workUnit.Length > MaxWorkUnitLength && new StringInfo(workUnit).LengthInTextElements > MaxWorkUnitLength)
            {
                Problems.Add(new(line, RosterProblemKind.WorkUnitTooLong, workUnit));
            }

            _unknownSkills.Clear();
            var skills = SkillNames.ParseList(fields[index[Skills]], _unknownSkills);
            foreach (var token in _unknownSkills)
            {
                Problems.Add(new(line, RosterProblemKind.UnknownSkill, token));
            }

            var roleCell = fields[index[Role]];
            if (!RoleNames.TryParse(roleCell, out var role))
            {
                Problems.Add(new(line, RosterProblemKind.UnknownRole, roleCell));
            }
            else if (role.HasFlag(Roles.Convenor) && fields[index[Region]].Length == 0)
            {
                Problems.Add(new(line, RosterProblemKind.ConvenorWithoutRegion, null));
            }
            else if (role.HasFlag(Roles.Handler) && fields[index[Grid]].Length == 0)
            {
                Problems.Add(new(line, RosterProblemKind.HandlerWithoutGrid, null));
            }

            if (Problems.Count == before)
            {
                Valid.Add(new RosterRow(line, name, phone!, grid, region, workUnit.Length == 0 ? null : workUnit, skills, role));
            }
        }

        /// <summary>
        /// Exactly the header's number of cells: a row with more would put "a,b" in the wrong columns, and spreadsheets
        /// give every row (and the header) the same number of cells anyway.
        /// </summary>
        private bool HasRightColumnCount(List<string> fields) => fields.Count == headerColumns;

        private string? Resolve(string cell, Dictionary<string, string?> cache, Func<string, string?> find, int line, RosterProblemKind unknown)
        {
            if (cell.Length == 0)
            {
                return null;
            }

            if (!cache.TryGetValue(cell, out var id))
            {
                id = find(cell);
                cache[cell] = id;
            }

            if (id is null)
            {
                Problems.Add(new(line, unknown, cell));
            }

            return id;
        }
    }

    /// <summary>Line breaks and other control characters inside a cell become single spaces; the result is trimmed.</summary>
    internal static string OneLine(string cell)
    {
        if (!cell.AsSpan().ContainsAnyInRange('\0', '\u001F'))
        {
            return cell.Trim();
        }

        var sb = new StringBuilder(cell.Length);
        foreach (var c in cell)
        {
            if (char.IsControl(c))
            {
                if (sb.Length > 0 && sb[^1] != ' ')
                {
                    sb.Append(' ');
                }
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString().Trim();
    }
}
