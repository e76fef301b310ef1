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

    public bool InFlight { get; set; }
}
