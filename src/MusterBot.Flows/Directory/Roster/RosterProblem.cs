namespace MusterBot.Flows.Directory.Roster;

/// <summary>
/// One problem of one row. <paramref name="Value"/> is what was wrong (the cell, the unknown skill, or for
/// <see cref="RosterProblemKind.DuplicatePhone"/> the line of the earlier row; for
/// <see cref="RosterProblemKind.WrongColumnCount"/> the number of cells found).
/// </summary>
public sealed record RosterProblem(int Line, RosterProblemKind Kind, string? Value);
