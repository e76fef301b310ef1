using System.Text.Json.Nodes;

namespace MusterBot.Emulator;

public sealed partial class EmulatorState
{
    private const string NoPinRights = "not enough rights to manage pinned messages in the chat";

    /// <summary>Whether the bot may use a group: upgraded, kicked, never added, restricted, per-group limit. Under the lock.</summary>
    private BotApiResult? CheckGroup(GroupChat group, string? sendKind, bool limited)
    {
        if (group.MigratedTo is { } newId)
        {
            return BotApiResult.BadRequest("group chat was upgraded to a supergroup chat") with { MigrateToChatId = newId };
        }

        var kind = group.Supergroup ? "supergroup chat" : "group chat";
        switch (group.BotStatus)
        {
            case BotGroupStatus.Kicked:
                return BotApiResult.Error(403, "Forbidden: bot was kicked from the " + kind);
            case BotGroupStatus.Left:
                return BotApiResult.Error(403, "Forbidden: bot is not a member of the " + kind);
            case BotGroupStatus.Restricted when sendKind is not null:
                return BotApiResult.BadRequest($"not enough rights to send {sendKind} to the chat");
        }

        return limited ? GroupRateLimit(group) : null;
    }

    /// <summary>429 when the bot already sent or edited <see cref="EmulatorOptions.GroupMessagesPerMinute"/> times in the last 60 s. Under the lock.</summary>
    private BotApiResult? GroupRateLimit(GroupChat group)
    {
        if (_options.GroupMessagesPerMinute is not { } limit)
        {
            return null;
        }

        var now = _time.GetTimestamp();
        var window = _time.TimestampFrequency * 60;
        while (group.RecentSends.TryPeek(out var sent) && now - sent >= window)
        {
            group.RecentSends.Dequeue();
        }

        if (group.RecentSends.Count < limit)
        {
            return null;
        }

        var wait = (int)Math.Ceiling((group.RecentSends.Peek() + window - now) / (double)_time.TimestampFrequency);
        return TooManyRequests(Math.Max(1, wait));
    }

    /// <summary>Counts a successful send or edit toward the optional per-group limit. Under the lock.</summary>
    private void CountGroupSend(long chatId)
    {
        if (_options.GroupMessagesPerMinute is not null && _groups.TryGetValue(chatId, out var group))
        {
            group.RecentSends.Enqueue(_time.GetTimestamp());
        }
    }

    /// <summary>getChat: the ChatFullInfo of a private chat or group (id, type, names or title, the pinned message).</summary>
    private BotApiResult GetChat(BotApiParameters p)
    {
        var chatId = ParseChatId(p);
        lock (_gate)
        {
            if (CheckChat(chatId, out var chat) is { } error)
            {
                return error;
            }

            var json = ChatJson(chat.ChatId);
            json["accent_color_id"] = 0;
            json["max_reaction_count"] = 11;
            json["accepted_gift_types"] = new JsonObject
            {
                ["unlimited_gifts"] = false,
                ["limited_gifts"] = false,
                ["unique_gifts"] = false,
                ["premium_subscription"] = false,
            };
            if (chat.Pinned.Count > 0 && chat.Find(chat.Pinned[^1]) is { } pinned)
            {
                json["pinned_message"] = MessageJson(pinned);
            }

            return BotApiResult.Ok(json);
        }
    }

    /// <summary>getChatMember: creator, administrator, member or left for a user; the bot's own status for the bot.</summary>
    private BotApiResult GetChatMember(BotApiParameters p)
    {
        var chatId = ParseChatId(p);
        var userId = p.GetLong("user_id");
        lock (_gate)
        {
            if (CheckChat(chatId, out var chat) is { } error)
            {
                return error;
            }

            if (userId is not { } id)
            {
                return BotApiResult.BadRequest("invalid user_id specified");
            }

            _groups.TryGetValue(chat.ChatId, out var group);
            if (id == _options.BotId)
            {
                return BotApiResult.Ok(group is null ? new JsonObject { ["status"] = "member", ["user"] = BotUserJson() } : BotMemberJson(group));
            }

            if (!_users.TryGetValue(id, out var user))
            {
                return BotApiResult.BadRequest("user not found");
            }

            return BotApiResult.Ok(group is not null
                ? UserMemberJson(group, user)
                : new JsonObject { ["status"] = id == chat.ChatId ? "member" : "left", ["user"] = UserJson(user) });
        }
    }

    /// <summary>getChatAdministrators: the creator, the other administrators, and the bot when it is one.</summary>
    private BotApiResult GetChatAdministrators(BotApiParameters p)
    {
        var chatId = ParseChatId(p);
        lock (_gate)
        {
            if (CheckChat(chatId, out var chat) is { } error)
            {
                return error;
            }

            if (!_groups.TryGetValue(chat.ChatId, out var group))
            {
                return BotApiResult.BadRequest("there are no administrators in the private chat");
            }

            var admins = new JsonArray();
            var ids = group.Members.Where(m => m.Value).Select(m => m.Key).OrderBy(id => id == group.CreatorId ? 0 : 1);
            foreach (var id in ids)
            {
                admins.Add(UserMemberJson(group, _users[id]));
            }

            if (group.BotStatus == BotGroupStatus.Administrator)
            {
                admins.Add(BotMemberJson(group));
            }

            return BotApiResult.Ok(admins);
        }
    }

    /// <summary>
    /// pinChatMessage / unpinChatMessage: in a group the bot must be an administrator with can_pin_messages. Unpinning
    /// without message_id unpins the most recently pinned message.
    /// </summary>
    private BotApiResult PinChatMessage(BotApiParameters p, bool pin)
    {
        var chatId = ParseChatId(p);
        var messageId = p.GetLong("message_id");
        lock (_gate)
        {
            if (CheckChat(chatId, out var chat) is { } error)
            {
                return error;
            }

            if (_groups.TryGetValue(chat.ChatId, out var group)
                && (group.BotStatus != BotGroupStatus.Administrator || !group.BotCanPin))
            {
                return BotApiResult.BadRequest(NoPinRights);
            }

            if (pin || messageId is not null)
            {
                if (messageId is not { } id || chat.Find(id) is null)
                {
                    return BotApiResult.BadRequest(pin ? "message to pin not found" : "message to unpin not found");
                }

                chat.Pinned.Remove((int)id);
                if (pin)
                {
                    chat.Pinned.Add((int)id);
                }
            }
            else if (chat.Pinned.Count > 0)
            {
                chat.Pinned.RemoveAt(chat.Pinned.Count - 1);
            }

            NextVersion();
        }

        NotifyChanged();
        return BotApiResult.True();
    }

    /// <summary>
    /// deleteMessage: the message is marked <see cref="EmulatedMessage.Deleted"/>. In a group the bot deletes its own
    /// messages, and other members' only as an administrator.
    /// </summary>
    private BotApiResult DeleteMessage(BotApiParameters p)
    {
        var chatId = ParseChatId(p);
        var messageId = p.GetLong("message_id");
        lock (_gate)
        {
            if (CheckChat(chatId, out var chat) is { } error)
            {
                return error;
            }

            if (messageId is not { } id || chat.Find(id) is not { } message)
            {
                return BotApiResult.BadRequest("message to delete not found");
            }

            if (!message.FromBot && _groups.TryGetValue(chat.ChatId, out var group) && group.BotStatus != BotGroupStatus.Administrator)
            {
                return BotApiResult.BadRequest("message can't be deleted");
            }

            chat.Replace(message with { Deleted = true, Version = NextVersion() });
            chat.Pinned.Remove(message.MessageId);
        }

        NotifyChanged();
        return BotApiResult.True();
    }
}
