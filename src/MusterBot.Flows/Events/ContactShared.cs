namespace MusterBot.Flows.Events;

public sealed record ContactShared(Sender From, long ChatId, int MessageId, string PhoneNumber, long? ContactUserId) : BotEvent(From.Id, ChatId);
