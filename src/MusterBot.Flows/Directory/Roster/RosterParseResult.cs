namespace MusterBot.Flows.Directory.Roster;

/// <summary>
/// What <see cref="RosterParser.Parse"/> found. With a <see cref="FileProblem"/> there are no rows at all; otherwise
/// every data row is either in <see cref="Valid"/> or has one or more entries in <see cref="Problems"/> (by line).
/// </summary>
public sealed record RosterParseResult(
    IReadOnlyList<RosterRow> Valid,
    IReadOnlyList<RosterProblem> Problems,
    int DataRows,
    RosterFileProblem? FileProblem,
    int HeaderColumns = 0)
{
    /// <summary>The number of rows with at least one problem.</summary>
    public int RowsWithProblems => FileProblem is null ? DataRows - Valid.Count : 0;

    public static RosterParseResult Failed(RosterFileProblem problem, int dataRows = 0) => new([], [], dataRows, problem);
}
