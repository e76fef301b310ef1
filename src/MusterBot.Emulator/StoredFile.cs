namespace MusterBot.Emulator;

/// <summary>A file kept by the emulator (uploaded by a simulated user or sent by the bot).</summary>
internal sealed record StoredFile(string FileId, string FileUniqueId, string FilePath, string FileName, string MimeType, byte[] Content);
