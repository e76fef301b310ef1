using System.Text.Json.Serialization;

namespace MusterBot.Host.Telegram.Types;

/// <summary>Shows the user a reply interface, as if they had pressed "Reply" (the Bot API's ForceReply).</summary>
public sealed record ForceReplyMarkup : ReplyMarkup
{
    /// <summary>Always true on the wire.</summary>
    [JsonInclude]
    public bool ForceReply => true;

    public string? InputFieldPlaceholder { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Selective { get; init; }
}
