namespace MusterBot.Emulator;

/// <summary>The messages of one chat; message ids start at 1 and are contiguous, so the list index is id - 1.</summary>
internal sealed class ChatLog(long chatId)
{
    public long ChatId { get; } = chatId;

    public List<EmulatedMessage> Messages { get; } = [];

    public int NextMessageId => Messages.Count + 1;

    public EmulatedMessage? Find(long messageId) =>
        messageId >= 1 && messageId <= Messages.Count ? Messages[(int)messageId - 1] : null;

    public void Replace(EmulatedMessage message) => Messages[message.MessageId - 1] = message;
}
