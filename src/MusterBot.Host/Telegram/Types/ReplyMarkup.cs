using System.Text.Json.Serialization;

namespace MusterBot.Host.Telegram.Types;

/// <summary>
/// Any reply markup a message can carry. Serialized by its concrete shape (there is no discriminator on the
/// wire), so it is write-only: received messages carry <see cref="InlineKeyboardMarkup"/> directly.
/// </summary>
[JsonDerivedType(typeof(InlineKeyboardMarkup))]
[JsonDerivedType(typeof(ReplyKeyboardMarkup))]
[JsonDerivedType(typeof(ReplyKeyboardRemove))]
[JsonDerivedType(typeof(ForceReplyMarkup))]
public abstract record ReplyMarkup;
