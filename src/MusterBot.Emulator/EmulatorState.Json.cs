using System.Text.Json.Nodes;

namespace MusterBot.Emulator;

public sealed partial class EmulatorState
{
    private JsonObject BotUserJson() => new()
    {
        ["id"] = _options.BotId,
        ["is_bot"] = true,
        ["first_name"] = _options.BotFirstName,
        ["username"] = _options.BotUsername,
    };

    private static JsonObject UserJson(EmulatedUser user)
    {
        var json = new JsonObject { ["id"] = user.Id, ["is_bot"] = false, ["first_name"] = user.FirstName };
        if (user.LastName is not null)
        {
            json["last_name"] = user.LastName;
        }

        if (user.Username is not null)
        {
            json["username"] = user.Username;
        }

        if (user.LanguageCode is not null)
        {
            json["language_code"] = user.LanguageCode;
        }

        return json;
    }

    private JsonObject ChatJson(long chatId)
    {
        if (_groups.TryGetValue(chatId, out var group))
        {
            return new JsonObject { ["id"] = chatId, ["title"] = group.Title, ["type"] = group.Type };
        }

        var json = new JsonObject { ["id"] = chatId, ["type"] = "private" };
        if (_users.TryGetValue(chatId, out var user))
        {
            json["first_name"] = user.FirstName;
            if (user.LastName is not null)
            {
                json["last_name"] = user.LastName;
            }

            if (user.Username is not null)
            {
                json["username"] = user.Username;
            }
        }

        return json;
    }

    private static long UnixTime(DateTimeOffset time) => time.ToUnixTimeSeconds();

    /// <summary>The Bot API Message object for a stored message. Call under the lock.</summary>
    private JsonObject MessageJson(EmulatedMessage message)
    {
        var json = new JsonObject
        {
            ["message_id"] = message.MessageId,
            ["from"] = message.FromBot
                ? BotUserJson()
                : _users.TryGetValue(message.FromUserId ?? 0, out var user) ? UserJson(user) : null,
            ["chat"] = ChatJson(message.ChatId),
            ["date"] = UnixTime(message.Date),
        };

        if (message.EditDate is { } editDate)
        {
            json["edit_date"] = UnixTime(editDate);
        }

        if (message.ReplyToMessageId is { } replyTo && _chats.TryGetValue(message.ChatId, out var chat)
            && chat.Find(replyTo) is { } original)
        {
            json["reply_to_message"] = new JsonObject
            {
                ["message_id"] = original.MessageId,
                ["from"] = original.FromBot
                    ? BotUserJson()
                    : _users.TryGetValue(original.FromUserId ?? 0, out var author) ? UserJson(author) : null,
                ["chat"] = ChatJson(original.ChatId),
                ["date"] = UnixTime(original.Date),
                ["text"] = original.Text,
            };
        }

        if (message.MigrateToChatId is { } migrateTo)
        {
            json["migrate_to_chat_id"] = migrateTo;
        }
        else if (message.MigrateFromChatId is { } migrateFrom)
        {
            json["migrate_from_chat_id"] = migrateFrom;
        }
        else if (message.DocumentFileId is not null && _filesById.TryGetValue(message.DocumentFileId, out var file))
        {
            json["document"] = new JsonObject
            {
                ["file_id"] = file.FileId,
                ["file_unique_id"] = file.FileUniqueId,
                ["file_name"] = file.FileName,
                ["mime_type"] = file.MimeType,
                ["file_size"] = file.Content.Length,
            };
            if (message.Text is not null)
            {
                json["caption"] = message.Text;
            }
        }
        else if (message.PhotoFileId is not null && _photosByFileId.TryGetValue(message.PhotoFileId, out var photo))
        {
            json["photo"] = new JsonArray(
                PhotoSizeJson(photo.Thumbnail, photo.ThumbnailWidth, photo.ThumbnailHeight),
                PhotoSizeJson(photo.Full, photo.Width, photo.Height));
            if (message.Text is not null)
            {
                json["caption"] = message.Text;
            }
        }
        else if (message.Latitude is { } latitude && message.Longitude is { } longitude)
        {
            json["location"] = new JsonObject { ["latitude"] = latitude, ["longitude"] = longitude };
        }
        else if (message.ContactPhoneNumber is not null)
        {
            var contact = new JsonObject
            {
                ["phone_number"] = message.ContactPhoneNumber,
                ["first_name"] = _users.TryGetValue(message.ContactUserId ?? message.FromUserId ?? 0, out var owner) ? owner.FirstName : "Contact",
            };
            if (message.ContactUserId is { } contactUserId)
            {
                contact["user_id"] = contactUserId;
            }

            json["contact"] = contact;
        }
        else if (message.Text is not null)
        {
            json["text"] = message.Text;
            if (!message.FromBot && message.Text.StartsWith('/'))
            {
                var length = message.Text.IndexOf(' ', StringComparison.Ordinal);
                json["entities"] = new JsonArray(new JsonObject
                {
                    ["type"] = "bot_command",
                    ["offset"] = 0,
                    ["length"] = length < 0 ? message.Text.Length : length,
                });
            }
        }

        if (message.MediaGroupId is not null)
        {
            json["media_group_id"] = message.MediaGroupId;
        }

        if (message.ReplyMarkupJson is not null)
        {
            json["reply_markup"] = JsonNode.Parse(message.ReplyMarkupJson);
        }

        return json;
    }

    private static JsonObject PhotoSizeJson(StoredFile file, int width, int height) => new()
    {
        ["file_id"] = file.FileId,
        ["file_unique_id"] = file.FileUniqueId,
        ["file_size"] = file.Content.Length,
        ["width"] = width,
        ["height"] = height,
    };

    /// <summary>A JSON view of a message for the control API (the Bot API object plus emulator bookkeeping).</summary>
    internal JsonObject MessageView(EmulatedMessage message)
    {
        lock (_gate)
        {
            var json = MessageJson(message);
            json["from_bot"] = message.FromBot;
            json["edit_count"] = message.EditCount;
            json["version"] = message.Version;
            if (message.Deleted)
            {
                json["deleted"] = true;
            }

            if (message.FromBot && message.RawText is not null && string.Equals(message.ParseMode, "HTML", StringComparison.OrdinalIgnoreCase))
            {
                json["html"] = message.RawText;
            }
            if (message.SentReplyMarkupJson is not null && message.ReplyMarkupJson is null)
            {
                json["sent_reply_markup"] = JsonNode.Parse(message.SentReplyMarkupJson);
            }

            return json;
        }
    }
}
