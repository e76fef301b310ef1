using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace MusterBot.Tests.BotApi;

/// <summary>
/// A transport double: records every request and answers with a canned response (or whatever the
/// responder does, e.g. waiting to simulate a long poll). Not a mock of anything of ours.
/// </summary>
internal sealed class RecordingHandler(Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private readonly List<RecordedRequest> _requests = [];

    public IReadOnlyList<RecordedRequest> Requests => _requests;

    public RecordedRequest Single => Assert.Single(_requests);

    public static RecordingHandler Returning(HttpStatusCode status, string body, string mediaType = "application/json") =>
        new((_, _) => Task.FromResult(Response(status, body, mediaType)));

    public static RecordingHandler ReturningResult(string resultJson) =>
        Returning(HttpStatusCode.OK, $$"""{"ok":true,"result":{{resultJson}}}""");

    public static RecordingHandler ReturningAfter(TimeSpan delay, string resultJson, TimeProvider? timeProvider = null) =>
        new(async (_, cancellationToken) =>
        {
            await Task.Delay(delay, timeProvider ?? TimeProvider.System, cancellationToken);
            return Response(HttpStatusCode.OK, $$"""{"ok":true,"result":{{resultJson}}}""", "application/json");
        });

    public static HttpResponseMessage Response(HttpStatusCode status, string body, string mediaType) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);

        // Multipart bodies are parsed from the bytes on the wire (a stream part can be read only once).
        List<RecordedPart>? parts = null;
        if (request.Content?.Headers.ContentType is { MediaType: "multipart/form-data" } contentType)
        {
            parts = [];
            var boundary = contentType.Parameters.Single(parameter => parameter.Name == "boundary").Value!.Trim('"');
            var reader = new MultipartReader(boundary, new MemoryStream(body));
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                var disposition = ContentDispositionHeaderValue.Parse(section.ContentDisposition);
                using var text = new StreamReader(section.Body, Encoding.UTF8);
                parts.Add(new RecordedPart(
                    disposition.Name.Value!.Trim('"'),
                    disposition.FileName.Value?.Trim('"'),
                    section.ContentType is null ? null : MediaTypeHeaderValue.Parse(section.ContentType).MediaType.Value,
                    await text.ReadToEndAsync(cancellationToken)));
            }
        }

        var recorded = new RecordedRequest(request.Method, request.RequestUri!, request.Content?.Headers.ContentType?.MediaType, body, parts);
        _requests.Add(recorded);
        return await respond(recorded, cancellationToken);
    }
}
