namespace MusterBot.Host.Telegram.Types;

/// <summary>
/// A file to send: uploaded with multipart/form-data (from a stream or bytes) or referenced by the file_id of a
/// file Telegram already has. A stream is read once and is not disposed by the client.
/// </summary>
public sealed class InputFile
{
    private readonly Stream? _stream;
    private readonly ReadOnlyMemory<byte> _bytes;

    private InputFile(string? fileName, string? fileId, Stream? stream, ReadOnlyMemory<byte> bytes)
    {
        FileName = fileName;
        FileId = fileId;
        _stream = stream;
        _bytes = bytes;
    }

    /// <summary>The name Telegram shows for an upload; null for a file_id.</summary>
    public string? FileName { get; }

    /// <summary>The file_id of a file already on Telegram's servers; null for an upload.</summary>
    public string? FileId { get; }

    /// <summary>True when the file has to be uploaded as multipart/form-data.</summary>
    public bool IsUpload => FileId is null;

    public static InputFile FromStream(Stream content, string fileName)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        return new InputFile(fileName, null, content, default);
    }

    public static InputFile FromBytes(ReadOnlyMemory<byte> content, string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        return new InputFile(fileName, null, null, content);
    }

    public static InputFile FromFileId(string fileId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileId);
        return new InputFile(null, fileId, null, default);
    }

    internal HttpContent CreateContent()
    {
        HttpContent content = _stream is not null
            ? new LeaveOpenStreamContent(_stream)
            : new ReadOnlyMemoryContent(_bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        return content;
    }
}
