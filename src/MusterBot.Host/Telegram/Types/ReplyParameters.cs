namespace MusterBot.Host.Telegram.Types;

/// <summary>Which message a sent message replies to.</summary>
public sealed record ReplyParameters
{
    public required int MessageId { get; init; }

    /// <summary>Only when replying to a message in another chat.</summary>
    public long? ChatId { get; init; }

    /// <summary>Send even if the message to reply to is gone.</summary>
    public bool? AllowSendingWithoutReply { get; init; }

    public string? Quote { get; init; }
}
