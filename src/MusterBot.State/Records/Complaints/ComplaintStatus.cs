namespace MusterBot.State.Records.Complaints;

/// <summary>
/// 件件有着落: filed and waiting for a handler, assigned (waiting for the handler to accept), in progress, resolved
/// (waiting for the resident's feedback), closed.
/// </summary>
public enum ComplaintStatus
{
    Unassigned,
    Assigned,
    InProgress,
    Resolved,
    Closed,
}
