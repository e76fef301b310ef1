using System.Text.Json;
using System.Globalization;
using System.Text.Json.Nodes;

namespace MusterBot.Emulator;

public sealed partial class EmulatorState
{
    /// <summary>Creates a simulated user with a private chat (chat id = user id).</summary>
    /// <exception cref="InvalidOperationException">The id is already taken.</exception>
    public EmulatedUser CreateUser(long id, string firstName, string? languageCode = "zh-CN", string? lastName = null, string? username = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(firstName);
        if (id <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(id), "User ids are positive.");
        }

        var user = new EmulatedUser(id, firstName, lastName, username, languageCode, HasBlockedBot: false);
        lock (_gate)
        {
            if (!_users.TryAdd(id, user))
            {
                throw new InvalidOperationException($"User {id} already exists.");
            }

            _chats[id] = new ChatLog(id);
            NextVersion();
        }

        NotifyChanged();
        return user;
    }

    /// <summary>The user sends a text; a leading "/command" gets a bot_command entity. Sending unblocks a blocked bot, as in Telegram.</summary>
    public EmulatedMessage SendText(long userId, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        UnblockIfBlocked(userId);
        return AddUserMessage(userId, m => m with { Text = text });
    }

    /// <summary>The user shares a contact (their own when <paramref name="contactUserId"/> is their id).</summary>
    public EmulatedMessage ShareContact(long userId, string phoneNumber, long? contactUserId)
    {
        ArgumentException.ThrowIfNullOrEmpty(phoneNumber);
        return AddUserMessage(userId, m => m with { ContactPhoneNumber = phoneNumber, ContactUserId = contactUserId });
    }

    /// <summary>The user shares a location.</summary>
    public EmulatedMessage ShareLocation(long userId, double latitude, double longitude) =>
        AddUserMessage(userId, m => m with { Latitude = latitude, Longitude = longitude });

    /// <summary>The user uploads a document; the bot can fetch it with getFile and /file/bot{token}/{path}.</summary>
    public EmulatedMessage UploadDocument(long userId, string fileName, byte[] content, string mimeType, string? caption = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(content);
        StoredFile file;
        lock (_gate)
        {
            file = StoreFile(fileName, content, mimeType);
        }

        return AddUserMessage(userId, m => m with
        {
            Text = caption,
            DocumentFileId = file.FileId,
            DocumentFileName = file.FileName,
            DocumentMimeType = file.MimeType,
        });
    }

    /// <summary>
    /// The user sends a photo, as Telegram delivers it: a message whose <c>photo</c> lists two sizes (a thumbnail
    /// and the full size; <see cref="EmulatedMessage.PhotoFileId"/> is the full size's file id). Without
    /// <paramref name="content"/> the photo has no bytes, only file ids; with it, its PNG or JPEG header gives the
    /// size and getFile serves the bytes. Sending unblocks a blocked bot, as in Telegram.
    /// </summary>
    public EmulatedMessage SendPhoto(long userId, byte[]? content = null, string? caption = null, string? mediaGroupId = null)
    {
        UnblockIfBlocked(userId);
        StoredPhoto photo;
        lock (_gate)
        {
            RequireUser(userId);
            photo = StorePhoto(content ?? []);
        }

        return AddUserMessage(userId, m => m with { Text = caption, PhotoFileId = photo.Full.FileId, MediaGroupId = mediaGroupId });
    }

    /// <summary>
    /// The user sends <paramref name="count"/> photos at once (an album): one message each, sharing a new
    /// media_group_id; the caption, if any, is on the first, as Telegram shows an album's caption.
    /// </summary>
    public IReadOnlyList<EmulatedMessage> SendPhotoAlbum(long userId, int count, string? caption = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 10);
        string groupId;
        lock (_gate)
        {
            groupId = (_nextMediaGroupId++).ToString(CultureInfo.InvariantCulture);
        }

        return [.. Enumerable.Range(0, count).Select(i => SendPhoto(userId, caption: i == 0 ? caption : null, mediaGroupId: groupId))];
    }

    /// <summary>
    /// The user presses an inline button. Any data may be pressed, including data no longer (or never) on
    /// the message; an unknown message id gives an inaccessible message (date 0). <paramref name="chatId"/> may be a
    /// group, whose member the user must be — unless <paramref name="forged"/>: a modified client's press, which the bot
    /// gets with a real query id all the same (the bot must not trust who pressed, or where). Returns the callback query id.
    /// </summary>
    /// <exception cref="InvalidOperationException">No such user, or the chat is a group the user is not a member of.</exception>
    public string PressButton(long userId, long? chatId, int messageId, string callbackData, bool forged = false)
    {
        ArgumentNullException.ThrowIfNull(callbackData);
        var chat = chatId ?? userId;
        string queryId;
        JsonObject payload;
        lock (_gate)
        {
            var user = RequireUser(userId);
            if (!forged && _groups.TryGetValue(chat, out var group) && !group.Members.ContainsKey(userId))
            {
                throw new InvalidOperationException($"User {userId} is not a member of group {chat}.");
            }

            queryId = (_nextCallbackQueryId++).ToString(CultureInfo.InvariantCulture);
            _callbackQueries[queryId] = new CallbackQueryRecord(queryId, userId);
            var message = _chats.TryGetValue(chat, out var log) ? log.Find(messageId) : null;
            payload = new JsonObject
            {
                ["id"] = queryId,
                ["from"] = UserJson(user),
                ["message"] = message is not null
                    ? MessageJson(message)
                    : new JsonObject { ["message_id"] = messageId, ["chat"] = ChatJson(chat), ["date"] = 0 },
                ["chat_instance"] = chat.ToString(CultureInfo.InvariantCulture),
                ["data"] = callbackData,
            };
        }

        AddUpdate("callback_query", chat, payload);
        return queryId;
    }

    /// <summary>Presses the inline button with the given text on the message's current keyboard.</summary>
    /// <exception cref="InvalidOperationException">No such button.</exception>
    public string PressButtonByText(long userId, int messageId, string buttonText)
    {
        var data = FindMessage(userId, messageId)?.FindCallbackData(buttonText)
            ?? throw new InvalidOperationException($"Message {messageId} in chat {userId} has no button \"{buttonText}\".");
        return PressButton(userId, userId, messageId, data);
    }

    /// <summary>The user blocks the bot: a my_chat_member update (kicked) and 403 on later sends.</summary>
    public void BlockBot(long userId) => SetBlocked(userId, blocked: true);

    /// <summary>The user unblocks the bot: a my_chat_member update (member).</summary>
    public void UnblockBot(long userId) => SetBlocked(userId, blocked: false);

    /// <summary>
    /// Enqueues an update of any kind, exactly as given; only its <c>update_id</c> is assigned by the emulator (see
    /// <see cref="InjectRawUpdate(string)"/>, which also takes what a <see cref="JsonObject"/> cannot hold). Returns the id.
    /// </summary>
    public long InjectRawUpdate(JsonObject update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return InjectRawUpdate(update.ToJsonString());
    }

    /// <summary>
    /// Enqueues an update given as JSON text, delivered byte for byte as written (any property, wrong types, numbers
    /// beyond 64 bits, unpaired surrogates, any depth); only a top-level <c>update_id</c> is replaced by the emulator's.
    /// The kind is the first property other than <c>update_id</c> ("" when there is none; getUpdates with
    /// allowed_updates then drops it, as Telegram does). Returns the id.
    /// </summary>
    /// <exception cref="ArgumentException">The text is not a JSON object.</exception>
    public long InjectRawUpdate(string updateJson)
    {
        ArgumentNullException.ThrowIfNull(updateJson);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(updateJson, new JsonDocumentOptions { MaxDepth = int.MaxValue });
        }
        catch (JsonException ex)
        {
            throw new ArgumentException("The update is not JSON: " + ex.Message, nameof(updateJson), ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("A JSON object is expected.", nameof(updateJson));
            }

            var kind = string.Empty;
            JsonElement? payload = null;
            var properties = new List<string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("update_id"))
                {
                    continue;
                }

                if (payload is null)
                {
                    kind = property.Name;
                    payload = property.Value;
                }

                properties.Add(JsonSerializer.Serialize(property.Name) + ":" + property.Value.GetRawText());
            }

            var chatKey = IdAt(payload, "chat", "id") ?? IdAt(payload, "message", "chat", "id") ?? IdAt(payload, "from", "id") ?? 0;
            return AddRawUpdate(kind, chatKey, id => "{\"update_id\":" + id.ToString(System.Globalization.CultureInfo.InvariantCulture) + string.Concat(properties.Select(p => "," + p)) + "}");
        }
    }

    /// <summary>The 64-bit integer at a path of objects, or null when any step is missing, not an object or not such a number.</summary>
    private static long? IdAt(JsonElement? element, params string[] path)
    {
        foreach (var name in path)
        {
            element = element is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty(name, out var next) ? next : null;
        }

        return element is { ValueKind: JsonValueKind.Number } number && number.TryGetInt64(out var id) ? id : null;
    }

    private void UnblockIfBlocked(long userId)
    {
        bool blocked;
        lock (_gate)
        {
            blocked = RequireUser(userId).HasBlockedBot;
        }

        if (blocked)
        {
            SetBlocked(userId, blocked: false);
        }
    }

    private void SetBlocked(long userId, bool blocked)
    {
        JsonObject payload;
        lock (_gate)
        {
            var user = RequireUser(userId);
            if (user.HasBlockedBot == blocked)
            {
                return;
            }

            _users[userId] = user with { HasBlockedBot = blocked };
            var oldMember = new JsonObject { ["status"] = blocked ? "member" : "kicked", ["user"] = BotUserJson() };
            var newMember = new JsonObject { ["status"] = blocked ? "kicked" : "member", ["user"] = BotUserJson() };
            (blocked ? newMember : oldMember)["until_date"] = 0;
            payload = new JsonObject
            {
                ["chat"] = ChatJson(userId),
                ["from"] = UserJson(user),
                ["date"] = UnixTime(Now),
                ["old_chat_member"] = oldMember,
                ["new_chat_member"] = newMember,
            };
            NextVersion();
        }

        AddUpdate("my_chat_member", userId, payload);
    }

    private EmulatedUser RequireUser(long userId) =>
        _users.TryGetValue(userId, out var user) ? user : throw new InvalidOperationException($"User {userId} does not exist.");

    private EmulatedMessage AddUserMessage(long userId, Func<EmulatedMessage, EmulatedMessage> fill)
    {
        EmulatedMessage message;
        JsonObject payload;
        lock (_gate)
        {
            RequireUser(userId);
            var chat = _chats[userId];
            message = fill(new EmulatedMessage
            {
                ChatId = userId,
                MessageId = chat.NextMessageId,
                FromBot = false,
                FromUserId = userId,
                Date = Now,
                Version = NextVersion(),
            });
            chat.Messages.Add(message);
            payload = MessageJson(message);
        }

        AddUpdate("message", userId, payload);
        return message;
    }

    /// <summary>Stores a file. Call under the lock.</summary>
    private StoredFile StoreFile(string fileName, byte[] content, string? mimeType)
    {
        var number = _nextFileNumber++;
        var id = "BQACAgIAAx0E" + number.ToString("D8", CultureInfo.InvariantCulture);
        var extension = Path.GetExtension(fileName);
        var file = new StoredFile(
            id,
            "AgAD" + number.ToString(CultureInfo.InvariantCulture),
            $"documents/file_{number}{extension}",
            fileName,
            string.IsNullOrEmpty(mimeType) ? "application/octet-stream" : mimeType,
            content);
        _filesById[file.FileId] = file;
        _filesByPath[file.FilePath] = file;
        return file;
    }

    /// <summary>Stores a photo in two sizes (same bytes, different file ids). Call under the lock.</summary>
    private StoredPhoto StorePhoto(byte[] content)
    {
        var (width, height) = ImageSize.Read(content);
        const int thumbnailSide = 90;
        var scale = Math.Min(1.0, thumbnailSide / (double)Math.Max(width, height));
        var thumbnailWidth = Math.Max(1, (int)Math.Round(width * scale));
        var thumbnailHeight = Math.Max(1, (int)Math.Round(height * scale));
        var photo = new StoredPhoto(PhotoFile(content), thumbnailWidth, thumbnailHeight, PhotoFile(content), width, height);
        _photosByFileId[photo.Thumbnail.FileId] = photo;
        _photosByFileId[photo.Full.FileId] = photo;
        return photo;

        StoredFile PhotoFile(byte[] bytes)
        {
            var number = _nextFileNumber++;
            var file = new StoredFile(
                "AgACAgIAAxkBAAE" + number.ToString("D8", CultureInfo.InvariantCulture),
                "AQAD" + number.ToString(CultureInfo.InvariantCulture),
                $"photos/file_{number}.jpg",
                $"file_{number}.jpg",
                "image/jpeg",
                bytes);
            _filesById[file.FileId] = file;
            _filesByPath[file.FilePath] = file;
            return file;
        }
    }

    /// <summary>A stored file by its path under /file/bot{token}/, or null.</summary>
    internal StoredFile? FindFileByPath(string path)
    {
        lock (_gate)
        {
            return _filesByPath.GetValueOrDefault(path);
        }
    }
}
