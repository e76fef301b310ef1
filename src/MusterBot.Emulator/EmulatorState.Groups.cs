using System.Text.Json.Nodes;

namespace MusterBot.Emulator;

public sealed partial class EmulatorState
{
    /// <summary>
    /// Creates an empty group (or supergroup) chat without the bot. Group ids are negative, like Telegram's
    /// (e.g. -1001 for a group, -100123 for a supergroup); add members with <see cref="AddGroupMember"/> and the bot
    /// with <see cref="AddBotToGroup"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not negative.</exception>
    /// <exception cref="InvalidOperationException">The id is already taken.</exception>
    public void CreateGroup(long chatId, string title, bool supergroup = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(title);
        if (chatId >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(chatId), "Group ids are negative.");
        }

        lock (_gate)
        {
            if (_chats.ContainsKey(chatId))
            {
                throw new InvalidOperationException($"Chat {chatId} already exists.");
            }

            _groups[chatId] = new GroupChat(chatId, title, supergroup);
            _chats[chatId] = new ChatLog(chatId);
            NextVersion();
        }

        NotifyChanged();
    }

    /// <summary>
    /// Adds an existing user (see <see cref="CreateUser"/>) to a group, optionally as an administrator; the first
    /// administrator added is the group's creator (status "creator"). No update is sent.
    /// </summary>
    /// <exception cref="InvalidOperationException">No such group or user, the group was upgraded, or the user is already a member.</exception>
    public void AddGroupMember(long chatId, long userId, bool admin = false)
    {
        lock (_gate)
        {
            var group = RequireGroup(chatId);
            RequireUser(userId);
            if (!group.Members.TryAdd(userId, admin))
            {
                throw new InvalidOperationException($"User {userId} is already a member of group {chatId}.");
            }

            if (admin)
            {
                group.CreatorId ??= userId;
            }

            NextVersion();
        }

        NotifyChanged();
    }

    /// <summary>Promotes a member to administrator or demotes them (the creator cannot be demoted). No update is sent.</summary>
    /// <exception cref="InvalidOperationException">No such group or member, or the member is the creator.</exception>
    public void SetGroupAdmin(long chatId, long userId, bool admin)
    {
        lock (_gate)
        {
            var group = RequireGroup(chatId);
            RequireMember(group, userId, admin: false);
            if (!admin && group.CreatorId == userId)
            {
                throw new InvalidOperationException($"User {userId} created group {chatId} and stays an administrator.");
            }

            group.Members[userId] = admin;
            if (admin)
            {
                group.CreatorId ??= userId;
            }

            NextVersion();
        }

        NotifyChanged();
    }

    /// <summary>
    /// A member (an administrator, to add the bot as one) adds the bot to the group: a <c>my_chat_member</c> update from
    /// the bot's current status ("left", or "kicked" after <see cref="RemoveBotFromGroup"/>) to "member", or to
    /// "administrator" with <c>can_pin_messages</c> = <paramref name="canPin"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No such group or member, the member lacks the rights, or the bot is already there.</exception>
    public void AddBotToGroup(long chatId, long byUserId, bool asAdmin = false, bool canPin = false)
    {
        JsonObject payload;
        lock (_gate)
        {
            var group = RequireGroup(chatId);
            var by = RequireMember(group, byUserId, admin: asAdmin);
            if (group.BotPresent)
            {
                throw new InvalidOperationException($"The bot is already in group {chatId}.");
            }

            var old = BotMemberJson(group);
            group.BotStatus = asAdmin ? BotGroupStatus.Administrator : BotGroupStatus.Member;
            group.BotCanPin = asAdmin && canPin;
            payload = ChatMemberUpdatedJson(group, by, old);
            NextVersion();
        }

        AddUpdate("my_chat_member", chatId, payload);
    }

    /// <summary>
    /// An administrator changes the bot's rights: administrator (with or without <c>can_pin_messages</c>), member, or,
    /// when <paramref name="canSend"/> is false and not <paramref name="admin"/>, "restricted" (is_member true,
    /// can_send_messages false; supergroups only, as in Telegram). A <c>my_chat_member</c> update from the old status to
    /// the new one is sent when something changed.
    /// </summary>
    /// <exception cref="InvalidOperationException">No such group or administrator, the bot is not there, or a basic group would restrict.</exception>
    public void SetBotRights(long chatId, long byUserId, bool admin, bool canPin, bool canSend = true)
    {
        JsonObject payload;
        lock (_gate)
        {
            var group = RequireGroup(chatId);
            var by = RequireMember(group, byUserId, admin: true);
            if (!group.BotPresent)
            {
                throw new InvalidOperationException($"The bot is not in group {chatId}.");
            }

            var status = admin ? BotGroupStatus.Administrator : canSend ? BotGroupStatus.Member : BotGroupStatus.Restricted;
            if (status == BotGroupStatus.Restricted && !group.Supergroup)
            {
                throw new InvalidOperationException($"Group {chatId} is a basic group: members can be restricted in supergroups only.");
            }

            if (status == group.BotStatus && group.BotCanPin == (admin && canPin))
            {
                return;
            }

            var old = BotMemberJson(group);
            group.BotStatus = status;
            group.BotCanPin = admin && canPin;
            payload = ChatMemberUpdatedJson(group, by, old);
            NextVersion();
        }

        AddUpdate("my_chat_member", chatId, payload);
    }

    /// <summary>
    /// An administrator removes the bot: a <c>my_chat_member</c> update to "kicked" (until_date 0); afterwards every
    /// sending method to the chat is answered 403 "Forbidden: bot was kicked from the group chat".
    /// </summary>
    /// <exception cref="InvalidOperationException">No such group or administrator, or the bot is not there.</exception>
    public void RemoveBotFromGroup(long chatId, long byUserId)
    {
        JsonObject payload;
        lock (_gate)
        {
            var group = RequireGroup(chatId);
            var by = RequireMember(group, byUserId, admin: true);
            if (!group.BotPresent)
            {
                throw new InvalidOperationException($"The bot is not in group {chatId}.");
            }

            var old = BotMemberJson(group);
            group.BotStatus = BotGroupStatus.Kicked;
            group.BotCanPin = false;
            payload = ChatMemberUpdatedJson(group, by, old);
            NextVersion();
        }

        AddUpdate("my_chat_member", chatId, payload);
    }

    /// <summary>
    /// An administrator upgrades a basic group to a supergroup with a new id: same title, members, administrators and
    /// bot status. Two service messages are stored and, when the bot is in the group, delivered as <c>message</c>
    /// updates: one in the old chat with <c>migrate_to_chat_id</c>, one in the new chat with <c>migrate_from_chat_id</c>.
    /// Sending to the old id is then answered 400 "Bad Request: group chat was upgraded to a supergroup chat" with
    /// <c>parameters.migrate_to_chat_id</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The new id is not negative.</exception>
    /// <exception cref="InvalidOperationException">No such group or administrator, it is already a supergroup, or the new id is taken.</exception>
    public void MigrateToSupergroup(long chatId, long newChatId, long byUserId)
    {
        if (newChatId >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(newChatId), "Group ids are negative.");
        }

        JsonObject toPayload;
        JsonObject fromPayload;
        bool deliver;
        lock (_gate)
        {
            var group = RequireGroup(chatId);
            RequireMember(group, byUserId, admin: true);
            if (group.Supergroup)
            {
                throw new InvalidOperationException($"Chat {chatId} is already a supergroup.");
            }

            if (_chats.ContainsKey(newChatId))
            {
                throw new InvalidOperationException($"Chat {newChatId} already exists.");
            }

            var upgraded = new GroupChat(newChatId, group.Title, supergroup: true)
            {
                CreatorId = group.CreatorId,
                BotStatus = group.BotStatus,
                BotCanPin = group.BotCanPin,
            };
            foreach (var (userId, admin) in group.Members)
            {
                upgraded.Members[userId] = admin;
            }

            group.MigratedTo = newChatId;
            _groups[newChatId] = upgraded;
            _chats[newChatId] = new ChatLog(newChatId);
            toPayload = MessageJson(AddServiceMessage(chatId, byUserId, m => m with { MigrateToChatId = newChatId }));
            fromPayload = MessageJson(AddServiceMessage(newChatId, byUserId, m => m with { MigrateFromChatId = chatId }));
            deliver = group.BotPresent;
        }

        if (deliver)
        {
            AddUpdate("message", chatId, toPayload);
            AddUpdate("message", newChatId, fromPayload);
        }
        else
        {
            NotifyChanged();
        }
    }

    /// <summary>
    /// A member posts a text in a group; it is stored in the group's log. Privacy mode: the bot receives it as a
    /// <c>message</c> update (with a bot_command entity for a leading "/command") only when it is a command (not
    /// addressed to another bot with "@name") or a reply to one of the bot's messages — or any message when the bot
    /// is an administrator and <see cref="EmulatorOptions.AdminBotsReceiveAllGroupMessages"/> is set.
    /// </summary>
    /// <exception cref="InvalidOperationException">No such group or member, the group was upgraded, or no message to reply to.</exception>
    public EmulatedMessage SendGroupText(long chatId, long userId, string text, int? replyToMessageId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        EmulatedMessage message;
        JsonObject? payload = null;
        lock (_gate)
        {
            var group = RequireGroup(chatId);
            RequireMember(group, userId, admin: false);
            var log = _chats[chatId];
            var original = replyToMessageId is { } replyTo
                ? log.Find(replyTo) ?? throw new InvalidOperationException($"Group {chatId} has no message {replyTo}.")
                : null;
            message = new EmulatedMessage
            {
                ChatId = chatId,
                MessageId = log.NextMessageId,
                FromBot = false,
                FromUserId = userId,
                Text = text,
                ReplyToMessageId = replyToMessageId,
                Date = Now,
                Version = NextVersion(),
            };
            log.Messages.Add(message);
            var seesAll = _options.AdminBotsReceiveAllGroupMessages && group.BotStatus == BotGroupStatus.Administrator;
            if (group.BotPresent && (seesAll || IsCommandForBot(text) || original?.FromBot == true))
            {
                payload = MessageJson(message);
            }
        }

        if (payload is not null)
        {
            AddUpdate("message", chatId, payload);
        }
        else
        {
            NotifyChanged();
        }

        return message;
    }

    /// <summary>The chat's pinned message (the most recently pinned one still pinned), or null.</summary>
    public EmulatedMessage? PinnedMessage(long chatId)
    {
        lock (_gate)
        {
            return _chats.TryGetValue(chatId, out var chat) && chat.Pinned.Count > 0 ? chat.Find(chat.Pinned[^1]) : null;
        }
    }

    /// <summary>True for "/command" and "/command@this_bot"; false for a command addressed to another bot.</summary>
    private bool IsCommandForBot(string text)
    {
        if (!text.StartsWith('/'))
        {
            return false;
        }

        var end = text.IndexOfAny([' ', '\n']);
        var command = end < 0 ? text : text[..end];
        var at = command.IndexOf('@', StringComparison.Ordinal);
        return at < 0 || string.Equals(command[(at + 1)..], _options.BotUsername, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A group that was not upgraded. Call under the lock.</summary>
    private GroupChat RequireGroup(long chatId)
    {
        if (!_groups.TryGetValue(chatId, out var group))
        {
            throw new InvalidOperationException($"Group {chatId} does not exist.");
        }

        return group.MigratedTo is { } newId
            ? throw new InvalidOperationException($"Group {chatId} was upgraded to supergroup {newId}.")
            : group;
    }

    /// <summary>A member of the group (an administrator when <paramref name="admin"/>). Call under the lock.</summary>
    private EmulatedUser RequireMember(GroupChat group, long userId, bool admin)
    {
        var user = RequireUser(userId);
        if (!group.Members.ContainsKey(userId))
        {
            throw new InvalidOperationException($"User {userId} is not a member of group {group.Id}.");
        }

        return admin && !group.IsAdmin(userId)
            ? throw new InvalidOperationException($"User {userId} is not an administrator of group {group.Id}.")
            : user;
    }

    /// <summary>Stores a service message sent by a user. Call under the lock.</summary>
    private EmulatedMessage AddServiceMessage(long chatId, long userId, Func<EmulatedMessage, EmulatedMessage> fill)
    {
        var log = _chats[chatId];
        var message = fill(new EmulatedMessage
        {
            ChatId = chatId,
            MessageId = log.NextMessageId,
            FromBot = false,
            FromUserId = userId,
            Date = Now,
            Version = NextVersion(),
        });
        log.Messages.Add(message);
        return message;
    }

    private JsonObject ChatMemberUpdatedJson(GroupChat group, EmulatedUser by, JsonObject oldMember) => new()
    {
        ["chat"] = ChatJson(group.Id),
        ["from"] = UserJson(by),
        ["date"] = UnixTime(Now),
        ["old_chat_member"] = oldMember,
        ["new_chat_member"] = BotMemberJson(group),
    };

    /// <summary>The bot's ChatMember object in a group. Call under the lock.</summary>
    private JsonObject BotMemberJson(GroupChat group)
    {
        var bot = BotUserJson();
        return group.BotStatus switch
        {
            BotGroupStatus.Member => new JsonObject { ["status"] = "member", ["user"] = bot },
            BotGroupStatus.Administrator => AdministratorJson(bot, fullRights: false, canPin: group.BotCanPin),
            BotGroupStatus.Restricted => RestrictedJson(bot),
            BotGroupStatus.Kicked => new JsonObject { ["status"] = "kicked", ["user"] = bot, ["until_date"] = 0 },
            _ => new JsonObject { ["status"] = "left", ["user"] = bot },
        };
    }

    /// <summary>A user's ChatMember object in a group. Call under the lock.</summary>
    private static JsonObject UserMemberJson(GroupChat group, EmulatedUser user)
    {
        var json = UserJson(user);
        if (group.CreatorId == user.Id)
        {
            return new JsonObject { ["status"] = "creator", ["user"] = json, ["is_anonymous"] = false };
        }

        if (group.IsAdmin(user.Id))
        {
            return AdministratorJson(json, fullRights: true, canPin: true);
        }

        return new JsonObject { ["status"] = group.Members.ContainsKey(user.Id) ? "member" : "left", ["user"] = json };
    }

    /// <summary>ChatMemberAdministrator with every field Telegram always sends (stories and promotion only with <paramref name="fullRights"/>).</summary>
    private static JsonObject AdministratorJson(JsonObject user, bool fullRights, bool canPin) => new()
    {
        ["status"] = "administrator",
        ["user"] = user,
        ["can_be_edited"] = false,
        ["is_anonymous"] = false,
        ["can_manage_chat"] = true,
        ["can_delete_messages"] = true,
        ["can_manage_video_chats"] = true,
        ["can_restrict_members"] = true,
        ["can_promote_members"] = fullRights,
        ["can_change_info"] = true,
        ["can_invite_users"] = true,
        ["can_post_stories"] = fullRights,
        ["can_edit_stories"] = fullRights,
        ["can_delete_stories"] = fullRights,
        ["can_pin_messages"] = canPin,
    };

    /// <summary>ChatMemberRestricted for a member who may send nothing (restrictions forever: until_date 0).</summary>
    private static JsonObject RestrictedJson(JsonObject user) => new()
    {
        ["status"] = "restricted",
        ["user"] = user,
        ["is_member"] = true,
        ["can_send_messages"] = false,
        ["can_send_audios"] = false,
        ["can_send_documents"] = false,
        ["can_send_photos"] = false,
        ["can_send_videos"] = false,
        ["can_send_video_notes"] = false,
        ["can_send_voice_notes"] = false,
        ["can_send_polls"] = false,
        ["can_send_other_messages"] = false,
        ["can_add_web_page_previews"] = false,
        ["can_react_to_messages"] = false,
        ["can_edit_tag"] = false,
        ["can_change_info"] = false,
        ["can_invite_users"] = false,
        ["can_pin_messages"] = false,
        ["can_manage_topics"] = false,
        ["until_date"] = 0,
    };
}
