using System.Net;

namespace MusterBot.Host.Telegram;

/// <summary>Streams a caller's stream into a request without disposing it (the caller owns it).</summary>
internal sealed class LeaveOpenStreamContent(Stream stream) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream1, TransportContext? context) =>
        stream.CopyToAsync(stream1);

    protected override Task SerializeToStreamAsync(Stream stream1, TransportContext? context, CancellationToken cancellationToken) =>
        stream.CopyToAsync(stream1, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        if (stream.CanSeek)
        {
            length = stream.Length - stream.Position;
            return true;
        }

        length = 0;
        return false;
    }
}
