namespace MusterBot.State.Records.Musters;

/// <summary>
/// One line of a person's append-only points ledger (积分): how many points, why, and from what (e.g. <c>M-12</c>).
/// Stored under a key derived from the source, so the same source never awards twice.
/// </summary>
public sealed record PointsEntry(long UserId, int Points, string Reason, string Source, DateTimeOffset At);
