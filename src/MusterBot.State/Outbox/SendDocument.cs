namespace MusterBot.State.Outbox;

/// <summary>sendDocument with the file's bytes (kept small: reports and CSV exports).</summary>
public sealed record SendDocument(string FileName, byte[] Content, string? CaptionHtml = null) : OutgoingAction
{
    /// <summary>The media type of the upload (e.g. <c>text/csv; charset=utf-8</c>); null: left to the Bot API.</summary>
    public string? ContentType { get; init; }
}
