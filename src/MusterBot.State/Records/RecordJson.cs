using System.Text.Json;
using System.Text.Json.Serialization;

namespace MusterBot.State.Records;

/// <summary>The JSON form of stored records: camelCase, enums as strings, nulls omitted.</summary>
public static class RecordJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Stored {typeof(T).Name} is null.");

    /// <summary>As <see cref="Deserialize{T}(string)"/>, from the UTF-8 a store read (no string, no transcoding).</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize<T>(utf8, Options) ?? throw new JsonException($"Stored {typeof(T).Name} is null.");
}
