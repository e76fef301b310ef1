using MusterBot.Flows.Events;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace MusterBot.Host.Intake;

/// <summary>
/// Translates a Bot API update into a flow event. Kinds the bot does not handle (channel posts, edited messages,
/// reactions, group traffic…) map to null and are dropped with a log line by the caller.
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

    private static BotEvent MapMessage(Sender sender, Message message)
    {
        var chatId = message.Chat.Id;
        var id = message.Id;
        if (message.Text is { } text)
        {
            if (text.StartsWith('/'))
            {
                var space = text.IndexOfAny([' ', '\n']);
                var head = space < 0 ? text[1..] : text[1..space];
                var at = head.IndexOf('@', StringComparison.Ordinal);
                var command = (at < 0 ? head : head[..at]).ToLowerInvariant();
                var argument = space < 0 ? string.Empty : text[(space + 1)..].Trim();
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
