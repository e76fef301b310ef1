namespace MusterBot.Flows.Events;

public sealed record DocumentReceived(Sender From, long ChatId, int MessageId, string FileId, string? FileName, long? FileSize, string? MimeType) : BotEvent(From.Id, ChatId);
