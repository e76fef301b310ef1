namespace MusterBot.Flows.Events;

/// <summary>
/// A persisted timer came due. <paramref name="Shard"/> is the shard it lives in (the shard of the commit that set it):
/// the decision that consumes it writes that shard.
/// </summary>
public sealed record TimerFired(long ForUserId, string TimerId, string Payload, long Shard = State.Documents.Shards.Root) : BotEvent(ForUserId, ForUserId);
