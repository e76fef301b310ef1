using MusterBot.State.Outbox;

namespace MusterBot.State.Records;

/// <summary>A normal-time notice held while the community is in emergency mode.</summary>
public sealed record HeldNotice(long ChatId, string Html, Markup? Markup, DateTimeOffset HeldAt)
{
    /// <summary>Set for a held photo (sent by file id, <see cref="Html"/> as its caption).</summary>
    public string? PhotoFileId { get; init; }
}
