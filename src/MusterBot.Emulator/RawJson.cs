using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace MusterBot.Emulator;

/// <summary>
/// JSON text kept exactly as given and written back verbatim (no unescaping, no depth limit): an injected raw update
/// may hold what <see cref="JsonNode"/> cannot write back, such as an unpaired UTF-16 surrogate ("\ud800").
/// </summary>
internal sealed record RawJson(string Text)
{
    private static readonly JsonTypeInfo<RawJson> TypeInfo =
        JsonMetadataServices.CreateValueInfo<RawJson>(WithRawJson(new JsonSerializerOptions()), new Converter());

    /// <summary>
    /// Lets <paramref name="options"/> write a <see cref="ToNode"/> node (a node is written with its writer's options, which
    /// must then know the type). Returns the same options.
    /// </summary>
    public static JsonSerializerOptions WithRawJson(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Converters.Add(new Converter());
        options.TypeInfoResolver ??= new DefaultJsonTypeInfoResolver();
        return options;
    }

    /// <summary>A node that writes <see cref="Text"/> as it is.</summary>
    public JsonNode ToNode() => JsonValue.Create(this, TypeInfo)!;

    private sealed class Converter : JsonConverter<RawJson>
    {
        public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Raw JSON is only written.");

        public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Text, skipInputValidation: true);
    }
}
