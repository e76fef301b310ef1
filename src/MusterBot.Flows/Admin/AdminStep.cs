namespace MusterBot.Flows.Admin;

/// <summary>Steps of the administrators' panel. <see cref="Panel"/> holds what works from every step (navigation).</summary>
public enum AdminStep
{
    Panel,
    Idle,
    AwaitingGridName,
    AwaitingBuildingName,
    AwaitingRegionName,
    AwaitingRename,
    InviteRole,
    InviteScope,
    InviteUses,
    InviteExpiry,
    AwaitingRosterFile,
}
