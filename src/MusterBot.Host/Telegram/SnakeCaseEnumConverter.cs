using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MusterBot.Host.Telegram;

/// <summary>
/// Reads and writes an enum as its snake_case name. A name it does not know reads as the enum's zero value
/// (Unknown), so new values Telegram introduces never break deserialization.
/// </summary>
internal sealed class SnakeCaseEnumConverter<TEnum> : JsonConverter<TEnum>
    where TEnum : struct, Enum
{
    private static readonly FrozenDictionary<string, TEnum> ByName =
        Enum.GetValues<TEnum>().ToFrozenDictionary(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()), StringComparer.Ordinal);

    private static readonly FrozenDictionary<TEnum, string> ByValue =
        ByName.ToFrozenDictionary(pair => pair.Value, pair => pair.Key);

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return default;
        }

        return ByName.TryGetValue(reader.GetString()!, out var value) ? value : default;
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(ByValue.TryGetValue(value, out var name) ? name : throw new JsonException($"{typeof(TEnum).Name} value {value} has no wire name."));
    }
}
