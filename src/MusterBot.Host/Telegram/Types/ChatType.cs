using System.Text.Json.Serialization;

namespace MusterBot.Host.Telegram.Types;

/// <summary>The kind of a chat. Values Telegram adds later read as <see cref="Unknown"/>.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<ChatType>))]
public enum ChatType
{
    /// <summary>A kind this client does not know.</summary>
    Unknown = 0,
    Private,
    Group,
    Supergroup,
    Channel,
    Sender,
}
