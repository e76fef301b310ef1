using System.Text.Json.Serialization;

namespace MusterBot.Host.Telegram.Types;

/// <summary>An incoming update. Kinds not modelled here deserialize fine and report <see cref="UpdateType.Unknown"/>.</summary>
public sealed record Update
{
    [JsonPropertyName("update_id")]
    public int Id { get; init; }

    public Message? Message { get; init; }

    public Message? EditedMessage { get; init; }

    public CallbackQuery? CallbackQuery { get; init; }

    public ChatMemberUpdated? MyChatMember { get; init; }

    /// <summary>Which of the modelled fields is set, or <see cref="UpdateType.Unknown"/>.</summary>
    [JsonIgnore]
    public UpdateType Type => this switch
    {
        { Message: not null } => UpdateType.Message,
        { EditedMessage: not null } => UpdateType.EditedMessage,
        { CallbackQuery: not null } => UpdateType.CallbackQuery,
        { MyChatMember: not null } => UpdateType.MyChatMember,
        _ => UpdateType.Unknown,
    };
}
