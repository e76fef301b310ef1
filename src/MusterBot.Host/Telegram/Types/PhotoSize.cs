namespace MusterBot.Host.Telegram.Types;

/// <summary>One size of a photo.</summary>
public sealed record PhotoSize
{
    public string FileId { get; init; } = string.Empty;

    public string FileUniqueId { get; init; } = string.Empty;

    public int Width { get; init; }

    public int Height { get; init; }

    public long? FileSize { get; init; }
}
