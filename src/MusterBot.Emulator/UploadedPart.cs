namespace MusterBot.Emulator;

/// <summary>A file part of a multipart request.</summary>
internal sealed record UploadedPart(string FileName, string ContentType, byte[] Content);
