using System.Net.Http.Headers;

namespace MusterBot.Host.BotApi;

/// <summary>
/// Gives an uploaded file the media type its outbox action names (e.g. a CSV report as <c>text/csv; charset=utf-8</c>,
/// so spreadsheet programs open it as UTF-8). Telegram.Bot sends every upload as <c>application/octet-stream</c> and
/// takes no media type: the sender sets <see cref="Use"/> around the call, and this handler rewrites the file parts of
/// that one multipart request. Calls without it are left alone.
/// </summary>
public sealed class UploadContentTypeHandler : DelegatingHandler
{
    private static readonly AsyncLocal<MediaTypeHeaderValue?> Current = new();

    /// <summary>Uploads made by this async flow until the scope is disposed carry <paramref name="contentType"/> (null or invalid: unchanged).</summary>
    public static IDisposable Use(string? contentType)
    {
        var previous = Current.Value;
        Current.Value = contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed : null;
        return new Scope(previous);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Current.Value is { } mediaType && request.Content is MultipartFormDataContent multipart)
        {
            foreach (var part in multipart.Where(p => p.Headers.ContentDisposition?.FileName is not null || p.Headers.ContentDisposition?.FileNameStar is not null))
            {
                part.Headers.ContentType = new MediaTypeHeaderValue(mediaType.MediaType!) { CharSet = mediaType.CharSet };
            }
        }

        return base.SendAsync(request, cancellationToken);
    }

    private sealed class Scope(MediaTypeHeaderValue? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
