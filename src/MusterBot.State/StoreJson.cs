using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MusterBot.State;

/// <summary>The JSON settings used for values a store keeps as text (outbox messages, timers).</summary>
internal static class StoreJson
{
    /// <remarks>
    /// Nulls are left out: every nullable property and parameter of what is stored here defaults to null, so a missing
    /// one reads back the same, and values written with nulls before read as they did. A check-in's commit (its three
    /// outbox messages, the edited order's keyboard with a null url and web app per button) went from 3,448 to 3,217 bytes.
    /// </remarks>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
