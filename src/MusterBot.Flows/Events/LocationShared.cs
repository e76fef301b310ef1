namespace MusterBot.Flows.Events;

public sealed record LocationShared(Sender From, long ChatId, int MessageId, double Latitude, double Longitude) : BotEvent(From.Id, ChatId);
