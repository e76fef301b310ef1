using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MusterBot.Emulator;

/// <summary>An update waiting to be fetched by getUpdates or delivered to the webhook.</summary>
internal sealed class PendingUpdate(long updateId, string kind, long chatKey, JsonObject json)
{
    public long UpdateId { get; } = updateId;

    public string Kind { get; } = kind;

    /// <summary>The chat the update belongs to; webhook delivery keeps one chat's updates in order.</summary>
    public long ChatKey { get; } = chatKey;

    public JsonObject Json { get; } = json;

    /// <summary>For an injected raw update: its exact text (with the assigned update_id), delivered instead of <see cref="Json"/>.</summary>
    public string? RawText { get; init; }

    /// <summary>
    /// What getUpdates delivers. An update's JSON is not changed once queued, so it is written to UTF-8 once, at its
    /// first delivery, and those bytes are what every later answer carries. A bot that confirms only what it has
    /// committed is sent the same update several times while it works (each answer starts at the oldest update it has
    /// not confirmed); writing the tree again each time was the stand-in's largest cost in a check-in burst, on a
    /// machine it shares with the bot. Called under the emulator's lock.
    /// </summary>
    public JsonNode ToDelivered() => RawText is { } raw ? new RawJson(raw).ToNode() : RawJson.Written(_written ??= Write(Json));

    private ReadOnlyMemory<byte>? _written;

    /// <summary>The encoder of the Bot API's answers (EmulatorEndpoints), so the bytes are what writing the tree there gives.</summary>
    internal static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>A thread's buffer for <see cref="Write"/>: the writer asks for 4 KB at a time, and the update keeps only its bytes.</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _scratch;

    private static ReadOnlyMemory<byte> Write(JsonObject json)
    {
        var buffer = _scratch ??= new ArrayBufferWriter<byte>(8 * 1024);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Encoder, SkipValidation = true }))
        {
            json.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The update as JSON text.</summary>
    public string ToJsonText() => RawText ?? Json.ToJsonString();

    public bool InFlight { get; set; }
}
