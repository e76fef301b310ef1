namespace MusterBot.Emulator;

/// <summary>The bot's membership in an emulated group, as Telegram's ChatMember statuses name it.</summary>
internal enum BotGroupStatus
{
    Left = 0,
    Member,
    Administrator,
    Restricted,
    Kicked,
}

/// <summary>A simulated group or supergroup: its members, its administrators and the bot's rights. Guarded by the state's lock.</summary>
internal sealed class GroupChat(long id, string title, bool supergroup)
{
    public long Id { get; } = id;

    public string Title { get; } = title;

    public bool Supergroup { get; } = supergroup;

    /// <summary>The members by user id, in joining order; the value is true for administrators.</summary>
    public Dictionary<long, bool> Members { get; } = [];

    /// <summary>The first administrator added, shown with status "creator".</summary>
    public long? CreatorId { get; set; }

    public BotGroupStatus BotStatus { get; set; }

    public bool BotCanPin { get; set; }

    /// <summary>The supergroup this group was upgraded to; sending here is then refused.</summary>
    public long? MigratedTo { get; set; }

    /// <summary>When the bot's recent sends and edits happened, oldest first (the optional per-group limit).</summary>
    public Queue<long> RecentSends { get; } = new();

    public string Type => Supergroup ? "supergroup" : "group";

    /// <summary>True while the bot is in the chat (it receives updates and, unless restricted, may send).</summary>
    public bool BotPresent => BotStatus is BotGroupStatus.Member or BotGroupStatus.Administrator or BotGroupStatus.Restricted;

    public bool IsAdmin(long userId) => Members.TryGetValue(userId, out var admin) && admin;
}
