namespace MusterBot.Flows.Directory.Roster;

/// <summary>
/// A problem with the whole file: nothing of it can be imported. <paramref name="Value"/> depends on the kind
/// (the missing columns, the line of the first bad byte, the limit).
/// </summary>
public sealed record RosterFileProblem(RosterFileProblemKind Kind, string? Value = null);
