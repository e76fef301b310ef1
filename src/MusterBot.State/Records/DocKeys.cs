using MusterBot.State.Documents;

namespace MusterBot.State.Records;

/// <summary>Where each kind of record is stored (see docs/redis-keys.md).</summary>
/// <remarks>
/// Keys without a shard are the records of one community (or of a person who lives there): the flows' runtime puts
/// them into the shard of the decision. The organisation tree and the directory (<see cref="OrgNode"/>,
/// <see cref="Home"/>, …) are always in <see cref="Shards.Root"/>.
/// </remarks>
public static class DocKeys
{
    /// <summary>A node of the organisation tree (<see cref="Org.OrgNode"/>), in the root shard.</summary>
    public static DocKey OrgNode(long nodeId) => DocKey.ForLong("org", nodeId) with { Shard = Shards.Root };

    /// <summary>The tree's id sequence (<see cref="Org.OrgCounters"/>), in the root shard.</summary>
    public static DocKey OrgCounters { get; } = new DocKey("org", "counters") with { Shard = Shards.Root };

    /// <summary>Where a person's records live (<see cref="Org.PersonHome"/>), in the root shard.</summary>
    public static DocKey Home(long userId) => DocKey.ForLong("home", userId) with { Shard = Shards.Root };

    public static DocKey User(long userId) => DocKey.ForLong("user", userId);

    public static DocKey Conversation(long userId) => DocKey.ForLong("conv", userId);

    /// <summary>
    /// An invitation (<see cref="Directory.Invite"/>), in the root shard: a link is found whatever community made it, and
    /// its <see cref="Directory.Invite.NodeId"/> says which community the person joins.
    /// </summary>
    public static DocKey Invite(string code) => new DocKey("invite", code) with { Shard = Shards.Root };

    public static DocKey Grid(string gridId) => new("grid", gridId);

    public static DocKey Region(string regionId) => new("region", regionId);

    public static DocKey Roster(string phone) => new("roster", phone);

    /// <summary>
    /// Which community's roster holds a phone number (<see cref="Org.PersonHome"/>), in the root shard: the roster import
    /// writes it, so someone who shares their contact is found on the right community's roster.
    /// </summary>
    public static DocKey RosterHome(string phone) => new DocKey("rosterhome", phone) with { Shard = Shards.Root };

    /// <summary>The pending roster import of an administrator (validated rows waiting for confirmation).</summary>
    public static DocKey RosterImport(long adminId) => DocKey.ForLong("rosterimport", adminId);

    public static DocKey Counters { get; } = new("community", "counters");

    /// <summary>The community's complaint and wish figures (<see cref="Stats.CommunityStats"/>), for /stats up the tree.</summary>
    public static DocKey CommunityStats { get; } = new("community", "stats");

    /// <summary>Points earned in the community per person (<see cref="Stats.PointsTotals"/>), for rankings up the tree.</summary>
    public static DocKey PointsTotals { get; } = new("community", "points");

    /// <summary>Normal or emergency mode (<see cref="Musters.CommunityMode"/>).</summary>
    public static DocKey Mode { get; } = new("community", "mode");

    public static DocKey MusterTemplates { get; } = new("community", "mustertemplates");

    public static DocKey Muster(int number) => new("muster", Num(number));

    /// <summary>One region's part in a muster (<see cref="Musters.MusterRegion"/>).</summary>
    public static DocKey MusterRegion(int number, string regionId) => new("mreg", Num(number) + ":" + regionId);

    public static DocKey MusterAnswer(int number, long userId) => new("mans", Num(number) + ":" + Num(userId));

    /// <summary>A street's or city's muster over communities (<see cref="Musters.TreeMuster"/>), in the launcher's node shard.</summary>
    public static DocKey TreeMuster(int number) => new("mtree", Num(number));

    /// <summary>The marker of a community's part of a tree muster (<see cref="Musters.TreeMusterPart"/>), in the community's shard.</summary>
    public static DocKey TreeMusterPart(long originNode, int originNumber) => new("mtpart", Num(originNode) + ":" + Num(originNumber));

    /// <summary>The workplace-region members who live in a community (<see cref="Musters.TreeMusterTarget"/>), in the launcher's node shard.</summary>
    public static DocKey TreeMusterTarget(int number, long communityId) => new("mttarget", Num(number) + ":" + Num(communityId));

    /// <summary>A workplace region's share of a tree muster (<see cref="Musters.TreeWorkplace"/>), in the launcher's node shard.</summary>
    public static DocKey TreeWorkplace(int number, string key) => new("mtwp", Num(number) + ":" + key);

    /// <summary>A community part's counts (<see cref="Musters.TreeMusterTally"/>), in the launcher's node shard.</summary>
    public static DocKey TreeMusterTally(int number, long communityId) => new("mttally", Num(number) + ":" + Num(communityId));

    /// <summary>A live roll call in a chat: of one region, or of the whole muster (<paramref name="regionId"/> null).</summary>
    public static DocKey RollCallPanel(int number, long chatId, string? regionId) => new("mpanel", Num(number) + ":" + Num(chatId) + ":" + (regionId ?? "all"));

    public static DocKey ChangeMarker(int number, string regionId) => new("mdirty", Num(number) + ":" + regionId);

    /// <summary>One points ledger line; the id names the source, so a source awards at most once.</summary>
    public static DocKey Points(long userId, string source) => new("pts", Num(userId) + ":" + source);

    public static DocKey HeldNotice(string id) => new("held", id);

    public static DocKey Wish(int number) => new("wish", Num(number));

    /// <summary>An ordinary notice (N-1, …).</summary>
    public static DocKey Notice(int number) => new("notice", Num(number));

    public static DocKey Complaint(int number) => new("complaint", Num(number));

    /// <summary>A community's call to its reported-in in-service members (<see cref="InService.InServiceCall"/>).</summary>
    public static DocKey InServiceCall(int number) => new("iscall", Num(number));

    /// <summary>The last in-service call number of a community (<see cref="InService.InServiceCallCounter"/>).</summary>
    public static DocKey InServiceCallCounter { get; } = new("iscall", "counter");

    /// <summary>One member's answer to an in-service call (<see cref="InService.InServiceAnswer"/>).</summary>
    public static DocKey InServiceAnswer(int number, long userId) => new("isans", Num(number) + ":" + Num(userId));

    /// <summary>A household of the community (<see cref="Households.Household"/>).</summary>
    public static DocKey Household(int number) => new("hh", Num(number));

    /// <summary>The community's own household tags (<see cref="Households.HouseholdTagList"/>).</summary>
    public static DocKey HouseholdTags { get; } = new("community", "hhtags");

    /// <summary>The pending household import of a grid worker or administrator (validated rows waiting for confirmation).</summary>
    public static DocKey HouseholdImport(long userId) => DocKey.ForLong("hhimport", userId);

    /// <summary>A household's visit in a muster's welfare check (<see cref="Households.HouseholdVisit"/>).</summary>
    public static DocKey Visit(int muster, int household) => new("visit", Num(muster) + ":" + Num(household));

    /// <summary>A front-line post of a muster (<see cref="Musters.MusterPost"/>).</summary>
    public static DocKey Post(int muster, int post) => new("mpost", Num(muster) + ":" + Num(post));

    /// <summary>The last post number of a muster (<see cref="Musters.PostCounter"/>).</summary>
    public static DocKey PostCounter(int muster) => new("mpostc", Num(muster));

    /// <summary>Where a member stands in a muster (<see cref="Musters.PostSeat"/>).</summary>
    public static DocKey PostSeat(int muster, long userId) => new("mseat", Num(muster) + ":" + Num(userId));

    /// <summary>A temporary party branch of a muster (<see cref="Musters.TempBranch"/>).</summary>
    public static DocKey Branch(int muster, int branch) => new("mbranch", Num(muster) + ":" + Num(branch));

    /// <summary>The temporary branch a member belongs to in a muster (<see cref="Musters.BranchSeat"/>).</summary>
    public static DocKey BranchSeat(int muster, long userId) => new("mbseat", Num(muster) + ":" + Num(userId));

    /// <summary>A linked group (<see cref="Groups.GroupLink"/>), by chat id; kept in the root shard.</summary>
    public static DocKey Group(long chatId) => DocKey.ForLong("grp", chatId).In(Documents.Shards.Root);

    /// <summary>A "/link" waiting for its target (<see cref="Groups.PendingGroupLink"/>), by chat id; root shard, short TTL.</summary>
    public static DocKey PendingGroup(long chatId) => DocKey.ForLong("grppend", chatId).In(Documents.Shards.Root);

    private static string Num(long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
