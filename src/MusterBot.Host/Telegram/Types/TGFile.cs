namespace MusterBot.Host.Telegram.Types;

/// <summary>
/// A file ready to download (the result of getFile). Named like Telegram.Bot's type so it does not clash
/// with <see cref="System.IO.File"/>.
/// </summary>
public sealed record TGFile
{
    public string FileId { get; init; } = string.Empty;

    public string FileUniqueId { get; init; } = string.Empty;

    public long? FileSize { get; init; }

    /// <summary>Pass it to <see cref="ITelegramBotClient.DownloadFile"/>; valid for at least an hour.</summary>
    public string? FilePath { get; init; }
}
