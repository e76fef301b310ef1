namespace MusterBot.State.Timers;

/// <summary>
/// A persisted timer: at <see cref="DueAt"/> the host delivers <see cref="Payload"/> (a JSON event understood by
/// the flows) for <see cref="UserId"/> into the flow engine. Same id = same timer (setting it again replaces it).
/// </summary>
public sealed record TimerEntry(string Id, DateTimeOffset DueAt, long UserId, string Payload);
