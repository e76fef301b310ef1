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
    /// <summary>UTF-8 JSON written as it is, in place of <see cref="Text"/>.</summary>
    public ReadOnlyMemory<byte>? Utf8 { get; private init; }

    /// <summary>A value that writes <paramref name="utf8"/> (complete, valid JSON) verbatim.</summary>
    public static JsonNode Written(ReadOnlyMemory<byte> utf8) => new RawJson(string.Empty) { Utf8 = utf8 }.ToNode();

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

        public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options)
        {
            if (value.Utf8 is { } utf8)
            {
                writer.WriteRawValue(utf8.Span, skipInputValidation: true);
            }
            else
            {
                writer.WriteRawValue(value.Text, skipInputValidation: true);
            }
        }
    }
}
