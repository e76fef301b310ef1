using System.Text.Json.Serialization;

namespace MusterBot.Host.Telegram.Types;

/// <summary>How Telegram parses entities in a text. <see cref="None"/> sends plain text.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ParseMode>))]
public enum ParseMode
{
    /// <summary>No parse mode: the text is sent as is (the field is omitted).</summary>
    None = 0,

    [JsonStringEnumMemberName("HTML")]
    Html,

    [JsonStringEnumMemberName("Markdown")]
    Markdown,

    [JsonStringEnumMemberName("MarkdownV2")]
    MarkdownV2,
}
