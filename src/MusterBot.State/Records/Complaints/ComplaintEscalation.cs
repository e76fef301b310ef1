namespace MusterBot.State.Records.Complaints;

/// <summary>
/// One step up the tree of a complaint under supervision (督办) that was not resolved in time: the level and node it
/// went to (the community's street, then district, then city) and when.
/// </summary>
public sealed record ComplaintEscalation(Org.OrgLevel Level, long NodeId, DateTimeOffset At);
