namespace MusterBot.State.Outbox;

/// <summary>editMessageText of a message the bot sent.</summary>
public sealed record EditText(int MessageId, string Html, InlineMarkup? Markup = null) : OutgoingAction
{
    /// <summary>
    /// Edits the newest message sent to this chat with this outbox tag instead of <see cref="MessageId"/> (a live
    /// summary whose Telegram message id the deciding flow cannot know). Waits while that message is still queued.
    /// </summary>
    public string? TargetTag { get; init; }
}
