using System.Text.Json.Serialization;

namespace MusterBot.Host.Telegram.Types;

/// <summary>Removes the custom keyboard.</summary>
public sealed record ReplyKeyboardRemove : ReplyMarkup
{
    /// <summary>Always true on the wire.</summary>
    [JsonInclude]
    public bool RemoveKeyboard => true;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Selective { get; init; }
}
