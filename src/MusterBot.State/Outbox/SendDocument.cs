namespace MusterBot.State.Outbox;

/// <summary>sendDocument with the file's bytes (kept small: reports and CSV exports).</summary>
public sealed record SendDocument(string FileName, byte[] Content, string? CaptionHtml = null) : OutgoingAction;
