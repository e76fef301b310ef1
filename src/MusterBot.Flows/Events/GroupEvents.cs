namespace MusterBot.Flows.Events;

/// <summary>A group or supergroup the bot is in (ids are negative).</summary>
public sealed record GroupChat(long Id, string Title, bool Supergroup);

/// <summary>
/// A command sent in a group (privacy mode: the bot sees only commands and replies to it there). <see cref="SenderIsGroupAdmin"/>
/// is filled in by the host for the commands that need it (it asks Telegram with getChatMember); null when not asked.
/// </summary>
public sealed record GroupCommand(Sender From, GroupChat Chat, int MessageId, string Command, string Argument) : BotEvent(From.Id, Chat.Id)
{
    public bool? SenderIsGroupAdmin { get; init; }

    /// <summary>Whether the bot may pin messages there (asked with the sender's status; false when unknown).</summary>
    public bool BotCanPin { get; init; }
}

/// <summary>The bot's own membership in a group changed (added, removed, promoted, restricted): who did it and what it may do now.</summary>
public sealed record GroupBotStatusChanged(Sender From, GroupChat Chat, bool Present, bool CanPost, bool CanPin) : BotEvent(From.Id, Chat.Id);

/// <summary>A group became a supergroup: its id changed to <see cref="NewChatId"/>.</summary>
public sealed record GroupMigrated(Sender From, GroupChat Chat, long NewChatId) : BotEvent(From.Id, Chat.Id);
