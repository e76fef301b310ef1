using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;

namespace MusterBot.Flows.Session;

/// <summary>
/// The commands the bot has now, the source of /help, the main menu and the lists published with setMyCommands.
/// A command appears here only once it works.
/// </summary>
public static class CommandCatalog
{
    public static IReadOnlyList<BotCommandInfo> All { get; } =
    [
        new("start", Roles.None, "cmd.start"),
        new("help", Roles.None, "cmd.help", "menu.help"),
        new("me", Roles.None, "cmd.me", "menu.me"),
        new("lang", Roles.None, "cmd.lang", "menu.lang"),
        new("cancel", Roles.None, "cmd.cancel"),
        new("my", Roles.None, "cmd.my", "menu.my"),
        new("wish", Roles.None, "cmd.wish", "menu.wish"),
        new("wishes", Roles.Member | Roles.Convenor | Roles.Admin, "cmd.wishes", "menu.wishes"),
        new("points", Roles.Member | Roles.Convenor | Roles.Admin, "cmd.points", "menu.points"),
        new("complain", Roles.None, "cmd.complain", "menu.complain"),
        new("stats", Roles.Admin, "cmd.stats"),
        new("rollcall", Roles.Convenor | Roles.Admin, "cmd.rollcall", "menu.rollcall"),
        new("muster", Roles.Admin, "cmd.muster", "menu.muster"),
        new("mode", Roles.Admin, "cmd.mode"),
        new("households", Roles.Handler | Roles.Admin, "cmd.households", "menu.households"),
        new("notice", Roles.Handler | Roles.Admin, "cmd.notice"),
        new("groups", Roles.Admin, "cmd.groups"),
        new("admin", Roles.Admin, "cmd.admin", "menu.admin"),
    ];

    /// <summary>Menu labels shown only in emergency mode, and the command each stands for.</summary>
    private static readonly (string Key, string Command)[] EmergencyLabels = [("menu.em.muster", "my"), ("menu.em.notice", "my"), ("menu.em.hazard", "complain hazard")];

    public static IReadOnlyList<BotCommandInfo> For(Roles roles) => All.Where(c => c.IsAllowed(roles)).ToList();

    /// <summary>The command a main-menu button label stands for, in either language; null if none.</summary>
    public static string? CommandForMenuLabel(string text, TextCatalog texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var trimmed = text.Trim();
        foreach (var command in All)
        {
            if (command.MenuKey is { } key
                && (string.Equals(trimmed, texts.Get(Language.Zh, key), StringComparison.Ordinal)
                    || string.Equals(trimmed, texts.Get(Language.En, key), StringComparison.Ordinal)))
            {
                return command.Name;
            }
        }

        foreach (var (key, name) in EmergencyLabels)
        {
            if (string.Equals(trimmed, texts.Get(Language.Zh, key), StringComparison.Ordinal)
                || string.Equals(trimmed, texts.Get(Language.En, key), StringComparison.Ordinal))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>
    /// The role-aware main menu: a reply keyboard, two buttons a row. In emergency mode the first button is the
    /// emergency one: members see their muster and check-in, everyone else the emergency notice.
    /// </summary>
    public static ReplyKeyboard Menu(Roles roles, Language language, TextCatalog texts, bool emergency = false)
    {
        ArgumentNullException.ThrowIfNull(texts);
        // A menu depends only on these four, and a check-in sends one: made once per combination, not per update.
        return MenuCache.GetOrCreateValue(texts).GetOrAdd((roles, language, emergency), static (key, texts) => BuildMenu(key.Roles, key.Language, texts, key.Emergency), texts);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TextCatalog, System.Collections.Concurrent.ConcurrentDictionary<(Roles Roles, Language Language, bool Emergency), ReplyKeyboard>> MenuCache = new();

    private static ReplyKeyboard BuildMenu(Roles roles, Language language, TextCatalog texts, bool emergency)
    {
        var buttons = For(roles).Where(c => c.MenuKey is not null && !(emergency && c.Name == "my")).Select(c => new ReplyButton(texts.Get(language, c.MenuKey!))).ToList();
        if (emergency)
        {
            var member = (roles & (Roles.Member | Roles.Convenor)) != 0;
            buttons.Insert(0, new ReplyButton(texts.Get(language, member ? "menu.em.muster" : "menu.em.notice")));
            if (!member)
            {
                // Residents report a hazard with one tap: an urgent public-safety complaint.
                buttons.Insert(1, new ReplyButton(texts.Get(language, "menu.em.hazard")));
            }
            if (member)
            {
                // Sends the member's location with one tap; it is attached to their check-in.
                buttons.Insert(1, new ReplyButton(texts.Get(language, "menu.em.location"), RequestLocation: true));
            }
        }

        var rows = buttons.Chunk(2).Select(r => (IReadOnlyList<ReplyButton>)r).ToList();
        return new ReplyKeyboard(rows) { Placeholder = texts.Get(language, "menu.placeholder") };
    }

    /// <summary>The role names of <paramref name="roles"/>, joined, in the person's language.</summary>
    public static string RoleNames(Roles roles, Language language, TextCatalog texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (roles == Roles.None)
        {
            return texts.Get(language, "role.none");
        }

        var names = Enum.GetValues<Roles>().Where(r => r != Roles.None && roles.HasFlag(r))
            .Select(r => texts.Get(language, "role." + r.ToString().ToLowerInvariant()));
        return string.Join(texts.Get(language, "role.separator"), names);
    }
}
