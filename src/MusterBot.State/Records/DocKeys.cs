using MusterBot.State.Documents;

namespace MusterBot.State.Records;

/// <summary>Where each kind of record is stored (see docs/redis-keys.md).</summary>
public static class DocKeys
{
    public static DocKey User(long userId) => DocKey.ForLong("user", userId);

    public static DocKey Conversation(long userId) => DocKey.ForLong("conv", userId);

    public static DocKey Invite(string code) => new("invite", code);

    public static DocKey Grid(string gridId) => new("grid", gridId);

    public static DocKey Region(string regionId) => new("region", regionId);

    public static DocKey Roster(string phone) => new("roster", phone);

    /// <summary>The pending roster import of an administrator (validated rows waiting for confirmation).</summary>
    public static DocKey RosterImport(long adminId) => DocKey.ForLong("rosterimport", adminId);

    public static DocKey Counters { get; } = new("community", "counters");

    /// <summary>Normal or emergency mode (<see cref="Musters.CommunityMode"/>).</summary>
    public static DocKey Mode { get; } = new("community", "mode");

    public static DocKey MusterTemplates { get; } = new("community", "mustertemplates");

    public static DocKey Muster(int number) => new("muster", Num(number));

    /// <summary>One region's part in a muster (<see cref="Musters.MusterRegion"/>).</summary>
    public static DocKey MusterRegion(int number, string regionId) => new("mreg", Num(number) + ":" + regionId);

    public static DocKey MusterAnswer(int number, long userId) => new("mans", Num(number) + ":" + Num(userId));

    /// <summary>A live roll call in a chat: of one region, or of the whole muster (<paramref name="regionId"/> null).</summary>
    public static DocKey RollCallPanel(int number, long chatId, string? regionId) => new("mpanel", Num(number) + ":" + Num(chatId) + ":" + (regionId ?? "all"));

    public static DocKey ChangeMarker(int number, string regionId) => new("mdirty", Num(number) + ":" + regionId);

    /// <summary>One points ledger line; the id names the source, so a source awards at most once.</summary>
    public static DocKey Points(long userId, string source) => new("pts", Num(userId) + ":" + source);

    public static DocKey HeldNotice(string id) => new("held", id);

    public static DocKey Wish(int number) => new("wish", Num(number));

    public static DocKey Complaint(int number) => new("complaint", Num(number));

    private static string Num(long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
