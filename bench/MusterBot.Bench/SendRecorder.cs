using System.Net;
using System.Text.Json;

namespace MusterBot.Bench;

/// <summary>One sendMessage call as the bot saw it: when its answer arrived, the HTTP status and the chat_id sent.</summary>
public readonly record struct SendCall(DateTimeOffset At, int Status, long? ChatId);

/// <summary>
/// Records every sendMessage call of the bot's Telegram HttpClient. The emulator stamps only the messages it accepted
/// (<c>EmulatedMessage.Date</c>); it keeps no log of the 429s it gave, so refused calls are known only from here.
/// <see cref="SendCall.At"/> is taken when the response headers arrive over loopback, i.e. a fraction of a millisecond
/// after the emulator decided (same process, same clock as the emulator's <c>Date</c>).
/// </summary>
public sealed class SendRecorder
{
    private readonly Lock _gate = new();
    private readonly List<SendCall> _calls = new(capacity: 16_384);

    public IReadOnlyList<SendCall> Calls
    {
        get { lock (_gate) { return [.. _calls]; } }
    }

    /// <summary>A handler for the bot's HttpClient (one per handler chain; they share this recorder).</summary>
    public DelegatingHandler CreateHandler() => new Handler(this);

    private void Add(SendCall call)
    {
        lock (_gate)
        {
            _calls.Add(call);
        }
    }

    /// <summary>The top-level "chat_id" of a JSON request body, if it is a number.</summary>
    private static long? ReadChatId(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("chat_id"u8))
            {
                return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var id) ? id : null;
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= 1)
            {
                reader.Skip();
            }
        }

        return null;
    }

    private sealed class Handler(SendRecorder owner) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri?.AbsolutePath;
            if (path is null || !path.EndsWith("/sendMessage", StringComparison.OrdinalIgnoreCase))
            {
                return await base.SendAsync(request, cancellationToken);
            }

            long? chatId = null;
            if (request.Content is { } content && content.Headers.ContentType?.MediaType == "application/json")
            {
                chatId = ReadChatId(await content.ReadAsByteArrayAsync(cancellationToken));
            }

            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException)
            {
                owner.Add(new SendCall(DateTimeOffset.UtcNow, 0, chatId));
                throw;
            }

            owner.Add(new SendCall(DateTimeOffset.UtcNow, (int)response.StatusCode, chatId));
            return response;
        }
    }

    /// <summary>HTTP 429 as an int, for readers of <see cref="SendCall.Status"/>.</summary>
    public const int TooManyRequests = (int)HttpStatusCode.TooManyRequests;
}
