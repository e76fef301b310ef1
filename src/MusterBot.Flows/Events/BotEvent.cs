namespace MusterBot.Flows.Events;

/// <summary>
/// Something that happened, already translated from the Bot API's update into our own terms.
/// <see cref="UserId"/> is the key of per-user ordering; <see cref="ChatId"/> where replies go.
/// </summary>
public abstract record BotEvent(long UserId, long ChatId);
