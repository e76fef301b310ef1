using System.Text.Json.Serialization;

namespace MusterBot.Host.Telegram.Types;

/// <summary>A message. Only the fields MusterBot uses are modelled; others are ignored.</summary>
public sealed record Message
{
    [JsonPropertyName("message_id")]
    public int Id { get; init; }

    public User? From { get; init; }

    public Chat Chat { get; init; } = null!;

    /// <summary>When the message was sent (UTC). The epoch for an inaccessible message.</summary>
    public DateTime Date { get; init; }

    public Message? ReplyToMessage { get; init; }

    public string? Text { get; init; }

    public IReadOnlyList<MessageEntity>? Entities { get; init; }

    public string? Caption { get; init; }

    /// <summary>Shared by the messages of one album (several photos or documents sent together).</summary>
    public string? MediaGroupId { get; init; }

    public Contact? Contact { get; init; }

    public Location? Location { get; init; }

    public Document? Document { get; init; }

    /// <summary>The available sizes of a photo, smallest first.</summary>
    public IReadOnlyList<PhotoSize>? Photo { get; init; }

    public InlineKeyboardMarkup? ReplyMarkup { get; init; }
}
