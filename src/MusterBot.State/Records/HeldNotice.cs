using MusterBot.State.Outbox;

namespace MusterBot.State.Records;

/// <summary>A normal-time notice held while the community is in emergency mode.</summary>
public sealed record HeldNotice(long ChatId, string Html, Markup? Markup, DateTimeOffset HeldAt)
{
    /// <summary>Set for a held photo (sent by file id, <see cref="Html"/> as its caption).</summary>
    public string? PhotoFileId { get; init; }

    /// <summary>The outbox tag to send it with (a card that later edits find by its tag).</summary>
    public string? Tag { get; init; }

    /// <summary>True for a held edit of a card: of the message tagged <see cref="Tag"/>, else of <see cref="MessageId"/>.</summary>
    public bool Edit { get; init; }

    public int? MessageId { get; init; }

    /// <summary>Set for a held edit aimed at a tag: the newest message of the chat with this tag gets <see cref="Html"/> and the markup.</summary>
    public string? TargetTag { get; init; }
}
