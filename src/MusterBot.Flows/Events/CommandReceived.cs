namespace MusterBot.Flows.Events;

/// <summary>A command like <c>/start abc</c>: <see cref="Command"/> "start" (lowercase, without bot name), <see cref="Argument"/> "abc".</summary>
public sealed record CommandReceived(Sender From, long ChatId, int MessageId, string Command, string Argument) : BotEvent(From.Id, ChatId);
