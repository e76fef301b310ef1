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

    private static readonly JsonSerializerOptions TextOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private string? _text;

    /// <summary>
    /// What getUpdates delivers: the update's text, made once. An update's JSON is not changed once queued, and a batch
    /// of them used to be deep-copied (<see cref="JsonNode.DeepClone"/>) at every delivery, the stand-in's largest cost
    /// in a burst.
    /// </summary>
    public JsonNode ToDelivered() => new RawJson(ToJsonText()).ToNode();

    /// <summary>The update as JSON text (non-ASCII text as UTF-8, as Telegram sends it).</summary>
    public string ToJsonText() => RawText ?? (_text ??= Json.ToJsonString(TextOptions));

    public bool InFlight { get; set; }
}
