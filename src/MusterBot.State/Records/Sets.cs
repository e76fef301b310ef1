using System.Globalization;

namespace MusterBot.State.Records;

/// <summary>Names of the index sets (see docs/redis-keys.md).</summary>
public static class Sets
{
    public const string Grids = "grids";
    public const string Regions = "regions";
    public const string Invites = "invites";

    /// <summary>Codes of the invitations made for one organisation node (a root-shard set; the invitations live there too).</summary>
    public static string InvitesOf(long nodeId) => "invites:" + nodeId.ToString(CultureInfo.InvariantCulture);
    public const string People = "people";
    public const string Roster = "roster";

    public static string PeopleInGrid(string gridId) => "people:grid:" + gridId;

    /// <summary>Numbers of every notice of the community (newest are listed by /notice).</summary>
    public const string Notices = "notices";

    /// <summary>People a notice was sent to.</summary>
    public static string NoticeRecipients(int number) => "notice:" + number.ToString(CultureInfo.InvariantCulture) + ":to";

    /// <summary>Recipients who marked a notice read.</summary>
    public static string NoticeRead(int number) => "notice:" + number.ToString(CultureInfo.InvariantCulture) + ":read";

    public static string PeopleInRegion(string regionId) => "people:region:" + regionId;

    public static string PeopleWithRole(Roles role) => "people:role:" + role.ToString().ToLowerInvariant();

    public static string PeopleWithSkill(Skill skill) => "people:skill:" + skill.ToString().ToLowerInvariant();

    /// <summary>In-service members (在职党员: a workplace region at a street, district or the city) living in this community.</summary>
    public const string InServiceMembers = "people:inservice";

    /// <summary>Members an in-service call was sent to.</summary>
    public static string InServiceCalled(int number) => "iscall:" + number.ToString(CultureInfo.InvariantCulture) + ":called";

    /// <summary>Members who answered an in-service call "coming" (<paramref name="coming"/>) or "can't come".</summary>
    public static string InServiceAnswers(int number, bool coming) => "iscall:" + number.ToString(CultureInfo.InvariantCulture) + (coming ? ":coming" : ":cant");

    /// <summary>Numbers of the households of a grid.</summary>
    public static string HouseholdsInGrid(string gridId) => "hh:grid:" + gridId;

    /// <summary>The households a muster's welfare check visits (household numbers).</summary>
    public static string Visits(int muster) => "wf:" + muster.ToString(CultureInfo.InvariantCulture) + ":all";

    /// <summary>Households of a grid in a muster's welfare check that nobody has been given yet.</summary>
    public static string VisitsUnassigned(int muster, string gridId) => "wf:" + muster.ToString(CultureInfo.InvariantCulture) + ":free:" + gridId;

    /// <summary>Households a member was given in a muster's welfare check.</summary>
    public static string VisitsOf(int muster, long userId) => "wf:" + muster.ToString(CultureInfo.InvariantCulture) + ":of:" + userId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Members who were given households in a muster's welfare check.</summary>
    public static string Visitors(int muster) => "wf:" + muster.ToString(CultureInfo.InvariantCulture) + ":visitors";

    /// <summary>Households of a muster's welfare check whose latest report is <paramref name="outcome"/> (never Unchecked).</summary>
    public static string VisitsWith(int muster, Households.VisitOutcome outcome) =>
        "wf:" + muster.ToString(CultureInfo.InvariantCulture) + ":" + outcome.ToString().ToLowerInvariant();

    /// <summary>Households of a muster's welfare check with a request for help not done yet.</summary>
    public static string HelpOpen(int muster) => "wf:" + muster.ToString(CultureInfo.InvariantCulture) + ":help";

    /// <summary>The post numbers of a muster.</summary>
    public static string Posts(int muster) => "m:" + muster.ToString(CultureInfo.InvariantCulture) + ":posts";

    /// <summary>Members standing at a post of a muster.</summary>
    public static string PostMembers(int muster, int post) => "m:" + muster.ToString(CultureInfo.InvariantCulture) + ":post:" + post.ToString(CultureInfo.InvariantCulture);

    /// <summary>Chat ids of the groups linked in a community (root shard: "groups:{community}").</summary>
    public static string GroupsOf(long community) => "groups:" + community.ToString(CultureInfo.InvariantCulture);

    /// <summary>The chat id of the group linked to a grid, building or region (root shard: "groups:{community}:{target}:{id}", one member).</summary>
    public static string GroupFor(long community, Groups.GroupTarget target, string id) =>
        "groups:" + community.ToString(CultureInfo.InvariantCulture) + ":" + target.ToString().ToLowerInvariant() + ":" + id;

    /// <summary>The temporary party branch numbers of a muster.</summary>
    public static string Branches(int muster) => "m:" + muster.ToString(CultureInfo.InvariantCulture) + ":branches";

    /// <summary>Numbers of the musters that are open.</summary>
    public const string OpenMusters = "musters:open";

    /// <summary>Wish numbers by status (<c>wishes:open</c>, <c>wishes:pending</c>, …).</summary>
    public static string WishesWithStatus(Wishes.WishStatus status) => "wishes:" + status.ToString().ToLowerInvariant();

    /// <summary>Wishes a resident filed.</summary>
    public static string WishesOf(long residentId) => "wishes:of:" + residentId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Wishes a member has claimed (current and past).</summary>
    public static string WishesClaimedBy(long memberId) => "wishes:claimedby:" + memberId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Every complaint number, and the open ones by grid and category (for the duplicate check).</summary>
    public const string Complaints = "complaints";

    public static string OpenComplaints(string? gridId, Complaints.ComplaintCategory category) =>
        $"complaints:open:{gridId ?? "none"}:{category.ToString().ToLowerInvariant()}";

    /// <summary>Complaints a resident filed or joined / a handler is assigned.</summary>
    public static string ComplaintsOf(long userId) => "complaints:of:" + userId.ToString(CultureInfo.InvariantCulture);

    public static string ComplaintsHandledBy(long userId) => "complaints:handler:" + userId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Ids of normal-time notices held during emergency mode.</summary>
    public const string HeldNotices = "notices:held";

    /// <summary>Every muster number (open and closed).</summary>
    public const string AllMusters = "musters";

    /// <summary>Members a muster calls in one region (<see cref="Musters.Muster.NoRegion"/> for those without one).</summary>
    public static string MusterTargets(int number, string regionId) => $"m:{number.ToString(CultureInfo.InvariantCulture)}:{regionId}:targets";

    /// <summary>Members of a muster region whose current answer is <paramref name="status"/> (never NoAnswer).</summary>
    public static string MusterAnswers(int number, string regionId, Musters.CheckInStatus status) =>
        $"m:{number.ToString(CultureInfo.InvariantCulture)}:{regionId}:{status.ToString().ToLowerInvariant()}";

    /// <summary>
    /// Members of a muster region who arrived and bring <paramref name="skill"/> the muster asked for (kept with the
    /// answer sets, so a skill's quorum is counted without reading the answers).
    /// </summary>
    public static string MusterArrivedWithSkill(int number, string regionId, Skill skill) =>
        $"m:{number.ToString(CultureInfo.InvariantCulture)}:{regionId}:arrived:{skill.ToString().ToLowerInvariant()}";

    /// <summary>Members of a muster region a convenor reached by phone.</summary>
    public static string MusterPhoned(int number, string regionId) => $"m:{number.ToString(CultureInfo.InvariantCulture)}:{regionId}:phoned";

    /// <summary>Musters a person was called to (their emergency record).</summary>
    public static string MustersOf(long userId) => "musters:of:" + userId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Sources of a person's points ledger lines.</summary>
    public static string PointsOf(long userId) => "pts:" + userId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Shards (communities) holding ledger lines of a person (in the root shard): their points across communities.</summary>
    public static string PointsShardsOf(long userId) => "pts:shards:" + userId.ToString(CultureInfo.InvariantCulture);

    public static string Member(long userId) => userId.ToString(CultureInfo.InvariantCulture);
}
