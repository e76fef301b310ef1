using MusterBot.Flows.Events;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace MusterBot.Host.Intake;

/// <summary>
/// Translates a Bot API update into a flow event. Kinds the bot does not handle (channel posts, edited messages,
/// reactions, group messages other than commands…) map to null and are dropped with a log line by the caller.
/// </summary>
public static class UpdateMapper
{
    public static BotEvent? Map(Update update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Message is { From: { IsBot: false } from, Chat.Type: ChatType.Private } message)
        {
            return MapMessage(SenderOf(from), message);
        }

        if (update.Message is { From: { IsBot: false } speaker, Chat: { Type: ChatType.Group or ChatType.Supergroup } group } inGroup)
        {
            return MapGroupMessage(SenderOf(speaker), GroupOf(group), inGroup);
        }

        if (update.MyChatMember is { Chat: { Type: ChatType.Group or ChatType.Supergroup } botGroup, From: { } adder, NewChatMember: { } bot })
        {
            // The bot's own rights: present, may post, may pin.
            var present = bot.Status is ChatMemberStatus.Member or ChatMemberStatus.Administrator or ChatMemberStatus.Creator
                || bot is ChatMemberRestricted { IsMember: true };
            var canPost = bot.Status is ChatMemberStatus.Member or ChatMemberStatus.Administrator or ChatMemberStatus.Creator
                || bot is ChatMemberRestricted { IsMember: true, CanSendMessages: true };
            var canPin = bot is ChatMemberAdministrator { CanPinMessages: true } || bot.Status == ChatMemberStatus.Creator;
            return new GroupBotStatusChanged(SenderOf(adder), GroupOf(botGroup), present, present && canPost, present && canPin);
        }

        if (update.CallbackQuery is { From: { IsBot: false } presser } query)
        {
            var chatId = query.Message?.Chat?.Id ?? presser.Id;
            return new ButtonPressed(SenderOf(presser), chatId, query.Message?.Id, query.Id, query.Data ?? string.Empty);
        }

        if (update.MyChatMember is { Chat.Type: ChatType.Private, From: { } changer, NewChatMember: { } now } member)
        {
            var blocked = now.Status is ChatMemberStatus.Kicked or ChatMemberStatus.Left;
            return new BotMembershipChanged(SenderOf(changer), member.Chat.Id, blocked);
        }

        return null;
    }

    /// <summary>The user whose updates must be handled in order (null for updates without one).</summary>
    public static long? OrderingKey(Update update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return update.Message?.From?.Id ?? update.CallbackQuery?.From?.Id ?? update.MyChatMember?.From?.Id ?? update.EditedMessage?.From?.Id;
    }

    private static GroupChat GroupOf(Chat chat) => new(chat.Id, chat.Title ?? string.Empty, chat.Type == ChatType.Supergroup);

    /// <summary>In a group only commands count (privacy mode), and the service message of a group becoming a supergroup.</summary>
    private static BotEvent? MapGroupMessage(Sender sender, GroupChat group, Message message)
    {
        if (message.MigrateToChatId is { } newId)
        {
            return new GroupMigrated(sender, group, newId);
        }

        if (message.Text is { } text && text.StartsWith('/') && ParseCommand(text) is var (command, argument) && command.Length > 0)
        {
            return new GroupCommand(sender, group, message.Id, command, argument);
        }

        return null;
    }

    /// <summary>"/link@bot north" → ("link", "north").</summary>
    private static (string Command, string Argument) ParseCommand(string text)
    {
        var space = text.IndexOfAny([' ', '\n']);
        var head = space < 0 ? text[1..] : text[1..space];
        var at = head.IndexOf('@', StringComparison.Ordinal);
        var command = (at < 0 ? head : head[..at]).ToLowerInvariant();
        var argument = space < 0 ? string.Empty : text[(space + 1)..].Trim();
        return (command, argument);
    }

    private static BotEvent MapMessage(Sender sender, Message message)
    {
        var chatId = message.Chat.Id;
        var id = message.Id;
        if (message.Text is { } text)
        {
            if (text.StartsWith('/'))
            {
                var (command, argument) = ParseCommand(text);
                if (command.Length > 0)
                {
                    return new CommandReceived(sender, chatId, id, command, argument);
                }
            }

            return new TextReceived(sender, chatId, id, text);
        }

        if (message.Contact is { } contact)
        {
            return new ContactShared(sender, chatId, id, contact.PhoneNumber, contact.UserId);
        }

        if (message.Location is { } location)
        {
            return new LocationShared(sender, chatId, id, location.Latitude, location.Longitude);
        }

        if (message.Document is { } document)
        {
            return new DocumentReceived(sender, chatId, id, document.FileId, document.FileName, document.FileSize, document.MimeType);
        }

        if (message.Photo is { Length: > 0 } sizes)
        {
            // Telegram lists the sizes smallest first: the last is the one worth keeping.
            return new PhotoReceived(sender, chatId, id, sizes[^1].FileId, message.Caption) { MediaGroupId = message.MediaGroupId };
        }

        return new OtherMessageReceived(sender, chatId, id, "other");
    }

    private static Sender SenderOf(User user) => new(user.Id, user.FirstName, user.LastName, user.Username, user.LanguageCode);
}
