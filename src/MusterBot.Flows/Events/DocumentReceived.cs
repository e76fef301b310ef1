namespace MusterBot.Flows.Events;

/// <summary>
/// A document. The host downloads small documents before the flows see them (flows do no I/O): <see cref="Content"/>
/// holds the bytes when the file is at most <see cref="MaxDownloadBytes"/>, else null.
/// </summary>
public sealed record DocumentReceived(Sender From, long ChatId, int MessageId, string FileId, string? FileName, long? FileSize, string? MimeType) : BotEvent(From.Id, ChatId)
{
    public const int MaxDownloadBytes = 8 * 1024 * 1024;

#pragma warning disable CA1819 // The bytes of one uploaded file, passed once to one decision.
    public byte[]? Content { get; init; }
#pragma warning restore CA1819
}
