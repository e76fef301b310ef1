namespace MusterBot.Flows.Events;

/// <summary>A persisted timer came due.</summary>
public sealed record TimerFired(long ForUserId, string TimerId, string Payload) : BotEvent(ForUserId, ForUserId);
