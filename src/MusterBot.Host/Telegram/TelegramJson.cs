using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace MusterBot.Host.Telegram;

/// <summary>
/// The JSON settings of the Bot API: snake_case names, nulls omitted on write, unknown fields ignored, dates as
/// Unix seconds. Use them to read webhook bodies into <see cref="Types.Update"/>.
/// </summary>
public static class TelegramJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new UnixDateTimeConverter());
        options.MakeReadOnly();
        return options;
    }
}
