namespace MusterBot.Flows.Events;

/// <summary>An inline button was pressed. <see cref="Data"/> is untrusted: look its meaning up and re-check rights.</summary>
public sealed record ButtonPressed(Sender From, long ChatId, int? MessageId, string CallbackQueryId, string Data) : BotEvent(From.Id, ChatId);
