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
    /// What getUpdates delivers. An update's JSON is not changed once queued, so it is written where it stands; it used
    /// to be deep-copied (<see cref="JsonNode.DeepClone"/>) at every delivery, the stand-in's largest cost in a burst.
    /// </summary>
    public JsonNode ToDelivered() => RawText is { } raw ? new RawJson(raw).ToNode() : RawJson.Shared(Json);

    /// <summary>The update as JSON text.</summary>
    public string ToJsonText() => RawText ?? Json.ToJsonString();

    public bool InFlight { get; set; }
}
