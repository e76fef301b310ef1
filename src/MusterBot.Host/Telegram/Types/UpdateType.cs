using System.Text.Json.Serialization;

namespace MusterBot.Host.Telegram.Types;

/// <summary>
/// The kinds of <see cref="Update"/> this client models. Any other kind (e.g. <c>message_reaction</c>)
/// deserializes fine and reports <see cref="Unknown"/>.
/// </summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<UpdateType>))]
public enum UpdateType
{
    /// <summary>An update kind this client does not model.</summary>
    Unknown = 0,
    Message,
    EditedMessage,
    CallbackQuery,
    MyChatMember,
}
