using MusterBot.State.Records;

namespace MusterBot.Flows.Directory.Roster;

/// <summary>
/// One valid roster row. <paramref name="Line"/> is the physical line in the file (the header is line 1);
/// <paramref name="Phone"/> is normalised (see <see cref="PhoneNumber.Normalize"/>).
/// </summary>
public sealed record RosterRow(
    int Line,
    string Name,
    string Phone,
    string? GridId,
    string? RegionId,
    string? WorkUnit,
    IReadOnlyList<Skill> Skills,
    Roles Role);
