using System.Text.Json;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace MusterBot.Host.BotApi;

/// <summary>Reads one update with Telegram.Bot's types; a failure names the update id (when it has one) and the reason.</summary>
public static class UpdateParser
{
    /// <summary>The update's <c>update_id</c>, read without the rest (null when missing or not an integer).</summary>
    public static int? IdOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty("update_id", out var id)
        && id.ValueKind == JsonValueKind.Number
        && id.TryGetInt32(out var value)
            ? value
            : null;

    /// <summary>Parses one update; on failure <paramref name="problem"/> says why (never the update's content).</summary>
    public static bool TryParse(JsonElement element, out Update? update, out string? problem)
    {
        update = null;
        problem = null;
        try
        {
            update = element.Deserialize<Update>(JsonBotAPI.Options);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException or FormatException or OverflowException or ArgumentException)
        {
            // JsonException messages name the JSON path and position, not the values.
            problem = ex is JsonException json ? $"{nameof(JsonException)} at {json.Path ?? "$"}" : ex.GetType().Name;
            return false;
        }

        if (update is null || IdOf(element) is null)
        {
            problem = "not an update object";
            update = null;
            return false;
        }

        return true;
    }
}
