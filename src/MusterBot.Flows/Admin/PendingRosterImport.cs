using MusterBot.Flows.Directory.Roster;

namespace MusterBot.Flows.Admin;

/// <summary>Validated roster rows waiting for the administrator's confirmation (kept one hour).</summary>
public sealed record PendingRosterImport(IReadOnlyList<RosterRow> Rows);
