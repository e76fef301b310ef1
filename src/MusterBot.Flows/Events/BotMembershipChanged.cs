namespace MusterBot.Flows.Events;

/// <summary>The person blocked (<see cref="Blocked"/> true) or unblocked the bot (my_chat_member).</summary>
public sealed record BotMembershipChanged(Sender From, long ChatId, bool Blocked) : BotEvent(From.Id, ChatId);
