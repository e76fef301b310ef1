namespace MusterBot.Flows.Events;

/// <summary>
/// A document. Flows do no I/O, and a document is downloaded only when a flow needs it: the first decision sees no
/// <see cref="Content"/>; a flow that wants the bytes (an administrator's roster) calls
/// <see cref="Runtime.FlowContext.RequestDocumentContent"/>, nothing is committed, and the host downloads the file (at
/// most <see cref="MaxDownloadBytes"/>) and decides again with <see cref="ContentFetched"/> set.
/// </summary>
public sealed record DocumentReceived(Sender From, long ChatId, int MessageId, string FileId, string? FileName, long? FileSize, string? MimeType) : BotEvent(From.Id, ChatId)
{
    public const int MaxDownloadBytes = 8 * 1024 * 1024;

#pragma warning disable CA1819 // The bytes of one uploaded file, passed once to one decision.
    public byte[]? Content { get; init; }
#pragma warning restore CA1819

    /// <summary>True once the host tried to download the file (<see cref="Content"/> still null: the download failed or it was too large).</summary>
    public bool ContentFetched { get; init; }

    /// <summary>True when the host may still download the content for a decision (not tried yet, not too large).</summary>
    public bool CanFetchContent => Content is null && !ContentFetched && FileSize is not > MaxDownloadBytes;
}
