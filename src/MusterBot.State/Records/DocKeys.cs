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
}
