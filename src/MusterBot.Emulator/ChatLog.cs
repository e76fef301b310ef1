namespace MusterBot.Emulator;

/// <summary>The messages of one chat; message ids start at 1 and are contiguous, so the list index is id - 1.</summary>
internal sealed class ChatLog(long chatId)
{
    public long ChatId { get; } = chatId;

    public List<EmulatedMessage> Messages { get; } = [];

    /// <summary>The pinned message ids, the most recently pinned last.</summary>
    public List<int> Pinned { get; } = [];

    public int NextMessageId => Messages.Count + 1;

    /// <summary>A message that exists and was not deleted, or null.</summary>
    public EmulatedMessage? Find(long messageId) => FindAny(messageId) is { Deleted: false } message ? message : null;

    /// <summary>A message by id, deleted or not, or null.</summary>
    public EmulatedMessage? FindAny(long messageId) =>
        messageId >= 1 && messageId <= Messages.Count ? Messages[(int)messageId - 1] : null;

    public void Replace(EmulatedMessage message) => Messages[message.MessageId - 1] = message;
}
