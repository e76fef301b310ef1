using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Directory.Roster;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Texts;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Households;

namespace MusterBot.Flows.Households;

/// <summary>One valid household row of an import file.</summary>
public sealed record HouseholdRow(
    int Line, string GridId, string BuildingId, string? Unit, string Room, IReadOnlyList<string> People,
    IReadOnlyList<HouseholdTag> Tags, IReadOnlyList<string> CustomTags, IReadOnlyList<string> Phones, string? Notes);

/// <summary>What can be wrong with a household row; each has a text <c>hh.problem.{Kind}</c>.</summary>
public enum HouseholdProblemKind
{
    MissingGrid,
    UnknownGrid,

    /// <summary>A grid the importer does not serve, or another grid than the one the import was started from.</summary>
    OtherGrid,
    MissingBuilding,
    UnknownBuilding,
    MissingRoom,
    AddressTooLong,

    /// <summary>The same address as an earlier row (Value = that row's line).</summary>
    DuplicateAddress,
    TooManyPeople,
    PersonTooLong,
    UnknownTag,
    BadPhone,
    TooManyPhones,
    NotesTooLong,
    WrongColumnCount,
    UnclosedQuote,
}

public sealed record HouseholdProblem(int Line, HouseholdProblemKind Kind, string? Value);

/// <summary>What <see cref="HouseholdCsv.Parse"/> found (with a <see cref="FileProblem"/> there are no rows).</summary>
public sealed record HouseholdParseResult(IReadOnlyList<HouseholdRow> Valid, IReadOnlyList<HouseholdProblem> Problems, int DataRows, RosterFileProblem? FileProblem, int HeaderColumns = 0)
{
    public int RowsWithProblems => FileProblem is null ? DataRows - Valid.Count : 0;

    public static HouseholdParseResult Failed(RosterFileProblem problem, int dataRows = 0) => new([], [], dataRows, problem);
}

/// <summary>
/// The household file: CSV, UTF-8, header <c>grid,building,unit,room,people,tags,phones,notes</c> in any order (extra
/// columns ignored) — the same columns the export writes, so an exported file can be edited and sent back. A row
/// whose address (grid, building, unit, room) is already a household updates it; two rows of one address are a
/// problem. Pure: no I/O, no clock.
/// </summary>
public static class HouseholdCsv
{
    public const int MaxRows = 20_000;
    public const int MaxBytes = 4 * 1024 * 1024;

    public static IReadOnlyList<string> Columns { get; } = ["grid", "building", "unit", "room", "people", "tags", "phones", "notes"];

    private const int GridCol = 0, BuildingCol = 1, UnitCol = 2, RoomCol = 3, PeopleCol = 4, TagsCol = 5, PhonesCol = 6, NotesCol = 7;

    /// <param name="content">The file's bytes.</param>
    /// <param name="community">The community's grids (to tell an unknown grid from one the importer does not serve).</param>
    /// <param name="allowed">The grids the importer may write to.</param>
    /// <param name="defaultGridId">The grid the import was started from: an empty grid cell means it, and no other grid is taken. Null = every row names its grid.</param>
    /// <param name="customTags">The community's own tags.</param>
    public static HouseholdParseResult Parse(ReadOnlySpan<byte> content, IReadOnlyList<Grid> community, IReadOnlyCollection<string> allowed, string? defaultGridId, IReadOnlyList<string> customTags, TextCatalog texts)
    {
        ArgumentNullException.ThrowIfNull(community);
        ArgumentNullException.ThrowIfNull(allowed);
        if (RosterParser.Decode(content, MaxBytes, out var text) is { } fileProblem)
        {
            return HouseholdParseResult.Failed(fileProblem);
        }

        var reader = new CsvRecordReader(text);
        var fields = new List<string>(8);
        bool unclosed;
        do
        {
            if (!reader.TryRead(fields, out _, out unclosed))
            {
                return HouseholdParseResult.Failed(new(RosterFileProblemKind.Empty));
            }
        }
        while (RosterParser.IsBlank(fields));

        if (RosterParser.MapHeader(fields, Columns, out var index) is { } headerProblem)
        {
            return HouseholdParseResult.Failed(headerProblem);
        }

        var headerColumns = fields.Count;
        var valid = new List<HouseholdRow>();
        var problems = new List<HouseholdProblem>();
        var addresses = new Dictionary<string, int>(StringComparer.Ordinal);
        var unknown = new List<string>();
        var bad = new List<string>();
        var dataRows = 0;
        while (!unclosed && reader.TryRead(fields, out var line, out unclosed))
        {
            if (RosterParser.IsBlank(fields))
            {
                continue;
            }

            if (++dataRows > MaxRows)
            {
                return HouseholdParseResult.Failed(new(RosterFileProblemKind.TooManyRows, MaxRows.ToString(CultureInfo.InvariantCulture)), dataRows);
            }

            var before = problems.Count;
            void Problem(HouseholdProblemKind kind, string? value = null) => problems.Add(new(line, kind, value));
            if (unclosed)
            {
                Problem(HouseholdProblemKind.UnclosedQuote);
            }

            if (fields.Count != headerColumns)
            {
                Problem(HouseholdProblemKind.WrongColumnCount, fields.Count.ToString(CultureInfo.InvariantCulture));
                continue;
            }

            string Cell(int column) => Unquoted(fields[index[column]]);

            // The grid: the row's, or the one the import was started from.
            Grid? grid = null;
            var gridCell = HouseholdFields.OneLine(Cell(GridCol));
            if (gridCell.Length == 0)
            {
                grid = defaultGridId is null ? null : community.FirstOrDefault(g => g.Id == defaultGridId);
                if (grid is null)
                {
                    Problem(HouseholdProblemKind.MissingGrid);
                }
            }
            else if (community.FirstOrDefault(g => string.Equals(g.Name, gridCell, StringComparison.OrdinalIgnoreCase)) is not { } named)
            {
                Problem(HouseholdProblemKind.UnknownGrid, gridCell);
            }
            else if (!allowed.Contains(named.Id) || (defaultGridId is not null && named.Id != defaultGridId))
            {
                Problem(HouseholdProblemKind.OtherGrid, gridCell);
            }
            else
            {
                grid = named;
            }

            var buildingCell = HouseholdFields.OneLine(Cell(BuildingCol));
            Building? building = null;
            if (buildingCell.Length == 0)
            {
                Problem(HouseholdProblemKind.MissingBuilding);
            }
            else if (grid is not null)
            {
                building = grid.Buildings.FirstOrDefault(b => string.Equals(b.Name, buildingCell, StringComparison.OrdinalIgnoreCase));
                if (building is null)
                {
                    Problem(HouseholdProblemKind.UnknownBuilding, buildingCell);
                }
            }

            // The unit and room are read as a typed address is ("2-301", "2 dan yuan 301 shi", or the unit in its own
            // cell), so a file and the chat give the same address the same key.
            var unitCell = HouseholdFields.OneLine(Cell(UnitCol));
            var roomCell = HouseholdFields.OneLine(Cell(RoomCol));
            string? unit = null;
            var room = string.Empty;
            if (roomCell.Length == 0)
            {
                Problem(HouseholdProblemKind.MissingRoom);
            }
            else if (!HouseholdFields.TryParseAddress(unitCell.Length == 0 ? roomCell : unitCell + "-" + roomCell, out unit, out room))
            {
                Problem(HouseholdProblemKind.AddressTooLong, unitCell.Length == 0 ? roomCell : unitCell + "-" + roomCell);
            }
            else if (grid is not null && building is not null && !addresses.TryAdd(grid.Id + "/" + HouseholdFields.AddressKey(building.Id, unit, room), line))
            {
                Problem(HouseholdProblemKind.DuplicateAddress, addresses[grid.Id + "/" + HouseholdFields.AddressKey(building.Id, unit, room)].ToString(CultureInfo.InvariantCulture));
            }

            if (!HouseholdFields.TryParsePeople(Cell(PeopleCol), out var people, out var tooLong))
            {
                Problem(tooLong is null ? HouseholdProblemKind.TooManyPeople : HouseholdProblemKind.PersonTooLong, tooLong ?? people.Count.ToString(CultureInfo.InvariantCulture));
            }

            unknown.Clear();
            var (tags, custom) = HouseholdFields.ParseTags(Cell(TagsCol), customTags, texts, unknown);
            foreach (var token in unknown)
            {
                Problem(HouseholdProblemKind.UnknownTag, token);
            }

            bad.Clear();
            var phones = HouseholdFields.ParsePhones(Cell(PhonesCol), bad);
            foreach (var token in bad)
            {
                Problem(HouseholdProblemKind.BadPhone, token);
            }

            if (phones.Count > HouseholdFields.MaxPhones)
            {
                Problem(HouseholdProblemKind.TooManyPhones, phones.Count.ToString(CultureInfo.InvariantCulture));
            }

            if (!HouseholdFields.TryParseNotes(Cell(NotesCol), out var notes))
            {
                Problem(HouseholdProblemKind.NotesTooLong);
            }

            if (problems.Count == before)
            {
                valid.Add(new HouseholdRow(line, grid!.Id, building!.Id, unit, room, people, tags, custom, phones, notes));
            }
        }

        return dataRows == 0
            ? HouseholdParseResult.Failed(new(RosterFileProblemKind.NoRows))
            : new HouseholdParseResult(valid, problems, dataRows, null, headerColumns);
    }

    /// <summary>
    /// A cell without the apostrophe a spreadsheet (and <see cref="MusterFlow.CsvCell"/>) puts before text that starts
    /// like a formula (<c>'+86138…</c>), so an exported file reads back as it was written.
    /// </summary>
    private static string Unquoted(string cell) =>
        cell.Length > 1 && cell[0] == '\'' && cell[1] is '=' or '+' or '-' or '@' ? cell[1..] : cell;

    /// <summary>The answer to an uploaded file: a summary and one line per problem (as the roster's report).</summary>
    public static string Report(HouseholdParseResult result, Language language, TextCatalog texts, int maxLines = 30)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(texts);
        if (result.FileProblem is { } fileProblem)
        {
            return RosterReport.FileProblem(fileProblem, language, texts, "hh.file.");
        }

        var summary = texts.Format(language, "hh.report.summary", result.DataRows, result.Valid.Count, result.RowsWithProblems);
        var lines = result.Problems.OrderBy(p => p.Line).Select(p =>
        {
            var extra = p.Kind switch
            {
                HouseholdProblemKind.WrongColumnCount => result.HeaderColumns,
                HouseholdProblemKind.TooManyPeople => HouseholdFields.MaxPeople,
                HouseholdProblemKind.PersonTooLong => HouseholdFields.MaxPersonLength,
                HouseholdProblemKind.TooManyPhones => HouseholdFields.MaxPhones,
                HouseholdProblemKind.NotesTooLong => HouseholdFields.MaxNotesLength,
                _ => 0,
            };
            return texts.Format(language, "hh.problem." + p.Kind, p.Line, RosterReport.Value(p.Value), extra);
        }).ToList();
        return RosterReport.Compose(summary, lines, n => texts.Format(language, "roster.report.more", n), maxLines);
    }

    /// <summary>
    /// The households as a CSV file (UTF-8 with BOM, so Excel opens it): the import's columns, tags by their name in
    /// <paramref name="language"/>, then number and last change, which an import ignores.
    /// </summary>
    public static byte[] Export(IEnumerable<Household> households, DirectorySnapshot directory, Language language, TextCatalog texts, TimeSpan offset)
    {
        ArgumentNullException.ThrowIfNull(households);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(texts);
        var sb = new StringBuilder();
        sb.Append(string.Join(",", Columns)).Append(",number,updated_at\r\n");
        foreach (var h in households)
        {
            string[] cells =
            [
                directory.GridName(h.GridId), directory.BuildingName(h.GridId, h.BuildingId), h.Unit ?? string.Empty, h.Room,
                string.Join("\u3001", h.People), HouseholdFields.TagNames(h, language, texts, "\u3001"), string.Join("\u3001", h.Phones),
                h.Notes ?? string.Empty, HouseholdView.Number(h.Number), h.UpdatedAt.ToOffset(offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            ];
            sb.Append(string.Join(",", cells.Select(MusterFlow.CsvCell))).Append("\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(sb.ToString())];
    }
}
