namespace MusterBot.Flows.Events;

/// <summary>
/// Something that happened, already translated from the Bot API's update into our own terms.
/// <see cref="UserId"/> is the key of per-user ordering; <see cref="ChatId"/> where replies go.
/// </summary>
public abstract record BotEvent(long UserId, long ChatId);

/// <summary>A plain text message (not a command).</summary>
public sealed record TextReceived(Sender From, long ChatId, int MessageId, string Text) : BotEvent(From.Id, ChatId);

/// <summary>A command like <c>/start abc</c>: <see cref="Command"/> "start" (lowercase, without bot name), <see cref="Argument"/> "abc".</summary>
public sealed record CommandReceived(Sender From, long ChatId, int MessageId, string Command, string Argument) : BotEvent(From.Id, ChatId);

/// <summary>An inline button was pressed. <see cref="Data"/> is untrusted: look its meaning up and re-check rights.</summary>
public sealed record ButtonPressed(Sender From, long ChatId, int? MessageId, string CallbackQueryId, string Data) : BotEvent(From.Id, ChatId);

public sealed record ContactShared(Sender From, long ChatId, int MessageId, string PhoneNumber, long? ContactUserId) : BotEvent(From.Id, ChatId);

public sealed record LocationShared(Sender From, long ChatId, int MessageId, double Latitude, double Longitude) : BotEvent(From.Id, ChatId);

public sealed record DocumentReceived(Sender From, long ChatId, int MessageId, string FileId, string? FileName, long? FileSize, string? MimeType) : BotEvent(From.Id, ChatId);

/// <summary>A message of a kind no flow handles (sticker, voice, photo where none was asked…).</summary>
public sealed record OtherMessageReceived(Sender From, long ChatId, int MessageId, string Kind) : BotEvent(From.Id, ChatId);

/// <summary>The person blocked (<see cref="Blocked"/> true) or unblocked the bot (my_chat_member).</summary>
public sealed record BotMembershipChanged(Sender From, long ChatId, bool Blocked) : BotEvent(From.Id, ChatId);

/// <summary>A persisted timer came due.</summary>
public sealed record TimerFired(long ForUserId, string TimerId, string Payload) : BotEvent(ForUserId, ForUserId);
