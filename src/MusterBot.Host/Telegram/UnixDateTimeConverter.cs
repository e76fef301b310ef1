using System.Text.Json;
using System.Text.Json.Serialization;

namespace MusterBot.Host.Telegram;

/// <summary>Bot API dates are Unix time in seconds; they read as UTC <see cref="DateTime"/>s.</summary>
internal sealed class UnixDateTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64()).UtcDateTime;

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var utc = value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : value.ToUniversalTime();
        writer.WriteNumberValue(new DateTimeOffset(utc).ToUnixTimeSeconds());
    }
}
