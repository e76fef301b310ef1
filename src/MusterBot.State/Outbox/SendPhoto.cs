namespace MusterBot.State.Outbox;

/// <summary>sendPhoto of a photo Telegram already has (by file id), with an HTML caption (at most 1,024 characters).</summary>
public sealed record SendPhoto(string FileId, string? CaptionHtml = null, Markup? Markup = null) : OutgoingAction;
