namespace MusterBot.State.Records.Complaints;

/// <summary>
/// 件件有着落: filed and waiting for a handler, assigned (waiting for the handler to accept), in progress, resolved
/// (waiting for the resident's feedback), under supervision (督办: the resident was dissatisfied a second time; an
/// administrator reassigns it or the handler reports a new result), closed.
/// </summary>
public enum ComplaintStatus
{
    Unassigned,
    Assigned,
    InProgress,
    Resolved,
    Supervised,
    Closed,
}
