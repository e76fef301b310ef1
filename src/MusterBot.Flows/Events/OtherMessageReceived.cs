namespace MusterBot.Flows.Events;

/// <summary>A message of a kind no flow handles (sticker, voice, photo where none was asked…).</summary>
public sealed record OtherMessageReceived(Sender From, long ChatId, int MessageId, string Kind) : BotEvent(From.Id, ChatId);
