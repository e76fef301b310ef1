namespace MusterBot.Host.Telegram.Types;

/// <summary>A general file sent as a document.</summary>
public sealed record Document
{
    public string FileId { get; init; } = string.Empty;

    public string FileUniqueId { get; init; } = string.Empty;

    public string? FileName { get; init; }

    public string? MimeType { get; init; }

    public long? FileSize { get; init; }
}
