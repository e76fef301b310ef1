using System.Text;
using System.Text.Json;

namespace MusterBot.Tests.BotApi;

/// <summary>What the transport double saw of one request. <see cref="Parts"/> is set for multipart bodies.</summary>
internal sealed record RecordedRequest(
    HttpMethod Method,
    Uri Uri,
    string? MediaType,
    byte[] Body,
    IReadOnlyList<RecordedPart>? Parts)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
    }

    public RecordedPart Part(string name) => Parts?.Single(part => part.Name == name)
        ?? throw new InvalidOperationException("The request was not multipart.");
}
