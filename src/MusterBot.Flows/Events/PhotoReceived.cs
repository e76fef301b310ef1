namespace MusterBot.Flows.Events;

/// <summary>
/// A photo: <see cref="FileId"/> of its largest size (kept and sent on by id; the bot never downloads photos) and the
/// caption, if any. Several photos sent together (an album) arrive as several events with the same media group id.
/// </summary>
public sealed record PhotoReceived(Sender From, long ChatId, int MessageId, string FileId, string? Caption) : BotEvent(From.Id, ChatId)
{
    public string? MediaGroupId { get; init; }
}
