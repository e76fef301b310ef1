namespace MusterBot.Flows.Events;

/// <summary>A plain text message (not a command).</summary>
public sealed record TextReceived(Sender From, long ChatId, int MessageId, string Text) : BotEvent(From.Id, ChatId);
