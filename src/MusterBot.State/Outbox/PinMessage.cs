namespace MusterBot.State.Outbox;

/// <summary>
/// pinChatMessage (silently) of a message the bot sent, or unpinChatMessage when <see cref="Unpin"/>. Like
/// <see cref="EditText"/>, <see cref="TargetTag"/> names the message by its outbox tag when the deciding flow cannot know
/// its Telegram id (a group's live roll call); it waits while that message is still queued.
/// </summary>
public sealed record PinMessage(int MessageId, bool Unpin = false) : OutgoingAction
{
    public string? TargetTag { get; init; }
}
