using System.Globalization;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.State.Records.Org;

namespace MusterBot.Flows.Dashboard;

/// <summary>Who opened the dashboard, as the store knows them (never as the page claims).</summary>
public sealed record BoardViewer(long UserId, string Name, Language Language, Roles Roles, long Shard)
{
    /// <summary>Whether <see cref="Shard"/> is a community (a street's or city's administrator may live in none).</summary>
    public bool InCommunity { get; init; } = true;

    /// <summary>
    /// The street, district or city the viewer looks at when not at a community: the highest one they administer, or
    /// the one they opened below it. Null for community staff.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public OrgNode? Node { get; init; }

    /// <summary>
    /// Opened from above (a street's administrator looking into one of its communities, or a city's into a street):
    /// they see it as its administrator would, but act nowhere from here — actions belong to the node's own staff.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public OrgNode? Visiting { get; init; }
}

/// <summary>One region's bar: how many were called and where each of them stands.</summary>
public sealed record BoardRegion(
    string RegionId,
    string Name,
    string? ConvenorName,
    int Called,
    int Delivered,
    int Acknowledged,
    int OnTheWay,
    int Arrived,
    int CantCome,
    int NoAnswer,
    int Unreachable);

/// <summary>One open muster as the viewer may see it (only their regions when they are a convenor).</summary>
public sealed record BoardMuster(
    int Number,
    string Code,
    string Kind,
    string Rally,
    bool Drill,
    DateTimeOffset LaunchedAt,
    DateTimeOffset ReportBy,
    IReadOnlyList<BoardRegion> Regions)
{
    /// <summary>Per skill the muster needs: arrived with it (in the regions shown) against the number needed.</summary>
    public IReadOnlyList<SkillQuorum> Skills { get; init; } = [];

    /// <summary>A street's or city's muster: one row per child node (community or street), from the communities' tallies.</summary>
    public bool Tree { get; init; }

    /// <summary>When it was closed (opened from the close report); null while it is open.</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>The welfare check of vulnerable households, once started (null: none).</summary>
    public BoardWelfare? Welfare { get; init; }
}

/// <summary>
/// A muster's welfare check on the board: households checked / given out / total and what was found (from the sets),
/// then the requests for help (open first) and the households not checked yet, with their addresses.
/// </summary>
public sealed record BoardWelfare(int Total, int Assigned, int Checked, int Safe, int NeedsHelp, int HelpOpen, int NotHome, int Moved, int Unchecked)
{
    public IReadOnlyList<BoardHelp> Help { get; init; } = [];

    /// <summary>The households not checked yet (at most <see cref="DashboardQueries.WelfareListLength"/>), with whom they are given to.</summary>
    public IReadOnlyList<BoardVisit> Waiting { get; init; } = [];
}

/// <summary>A request for help: the household, what it needs and where it stands, in the reader's language.</summary>
public sealed record BoardHelp(string Household, string Address, string Needs, string Status, bool Open, string? TakenBy);

/// <summary>A household not checked yet and the member it is given to (null: nobody yet).</summary>
public sealed record BoardVisit(string Household, string Address, string? AssignedTo);

public sealed record Board(BoardViewer Viewer, string Scope, IReadOnlyList<BoardMuster> Musters, DateTimeOffset At)
{
    /// <summary>Whether the viewer may act on the musters (close them) from the board: an administrator of this community.</summary>
    public bool MayAct => Viewer.Roles.HasFlag(Roles.Admin) && Viewer.Visiting is null;

    /// <summary>The node opened from above (its name for the page's way back), or null at the viewer's own level.</summary>
    public string? Visiting => Viewer.Visiting?.Name;
}

/// <summary>Arrived members with a skill against what the muster needs of it.</summary>
public sealed record SkillQuorum(string Skill, string Name, int Arrived, int Needed);

/// <summary>One answer on the timeline: minutes after the launch and the answer it is now.</summary>
public sealed record TimelinePoint(double Minutes, CheckInStatus Status);

/// <summary>Where a member shared their location from, in metres east and north of the rally point.</summary>
public sealed record ArrivalSpot(double East, double North, CheckInStatus Status);

/// <summary>A called member who has not answered (phone only for those allowed to call them).</summary>
public sealed record NotAnswered(long UserId, string Name, string? Phone, bool Unreachable, bool Phoned);

/// <summary>One region opened on the board: its bar, skills, timeline, arrival map and who has not answered.</summary>
public sealed record RegionDetail(
    int Number,
    string Code,
    BoardRegion Region,
    IReadOnlyList<SkillQuorum> Skills,
    IReadOnlyList<TimelinePoint> Timeline,
    bool HasRallyPoint,
    IReadOnlyList<ArrivalSpot> Spots,
    IReadOnlyList<NotAnswered> NotAnswered,
    DateTimeOffset LaunchedAt,
    DateTimeOffset At);

/// <summary>
/// The dashboard's reads (issue #18). Read-only: nothing here writes, and every answer is scoped by the viewer's role
/// as the store records it — an administrator sees every region of their community, a convenor only the regions they
/// convene (or back up), anyone else nothing.
/// </summary>
public sealed class DashboardQueries(IStateStore store, TextCatalog texts, IOptions<FlowOptions> options, TimeProvider timeProvider)
{
    /// <summary>The person with this Telegram id, or null when the bot does not know them (never registered).</summary>
    public async Task<BoardViewer?> ViewerAsync(long userId, CancellationToken cancellationToken)
    {
        var root = new DocReader(store);
        var home = await root.GetAsync<State.Records.Org.PersonHome>(DocKeys.Home(userId), cancellationToken).ConfigureAwait(false);
        var shard = home?.Shard ?? Shards.Root;
        var reader = root.For(shard);
        var profile = await reader.GetAsync<UserProfile>(DocKeys.User(userId), cancellationToken).ConfigureAwait(false);
        var configured = options.Value.Admins.Contains(userId);
        if (shard == Shards.Root && configured && await Registration.Communities.SoleAsync(reader, cancellationToken).ConfigureAwait(false) is { } sole)
        {
            // As in the chat: an administrator from configuration who lives in no community acts on the only one.
            shard = sole;
            profile ??= await reader.For(sole).GetAsync<UserProfile>(DocKeys.User(userId), cancellationToken).ConfigureAwait(false);
        }

        if (profile is null && !configured)
        {
            return null;
        }

        var roles = (profile?.Roles ?? Roles.None) | (configured ? Roles.Admin : Roles.None);
        var name = profile is null ? "#" + userId.ToString(CultureInfo.InvariantCulture) : profile.LastName is null ? profile.FirstName : profile.FirstName + " " + profile.LastName;
        var node = await root.GetAsync<OrgNode>(DocKeys.OrgNode(shard), cancellationToken).ConfigureAwait(false);
        var inCommunity = node is null || node.Level == OrgLevel.Community;

        // A street's, district's or city's administrator who lives in no community looks at the highest node they administer.
        OrgNode? top = null;
        if (!inCommunity && profile is { AdminOf.Count: > 0 })
        {
            top = (await root.GetManyAsync<OrgNode>(profile.AdminOf.Distinct().Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false))
                .OfType<OrgNode>().Where(n => n.Level != OrgLevel.Community && n.RemovedAt is null && n.Admins.Contains(userId))
                .OrderBy(n => n.Path.Count).ThenBy(n => n.Id).FirstOrDefault();
        }

        return new BoardViewer(userId, name, profile?.Language ?? Language.Zh, roles, shard) { InCommunity = inCommunity, Node = top };
    }

    /// <summary>
    /// The viewer looking at <paramref name="nodeId"/>, a node they administer or one below it (a street's administrator
    /// opening one of its communities): as that node's administrator would see it, read-only. Null when the node does not
    /// exist, was removed, or is not theirs — the two are not told apart. Their own community is simply their own view.
    /// </summary>
    public async Task<BoardViewer?> VisitAsync(BoardViewer viewer, long nodeId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        if (nodeId <= 0)
        {
            return null;
        }

        var root = new DocReader(store);
        if (await root.GetAsync<OrgNode>(DocKeys.OrgNode(nodeId), cancellationToken).ConfigureAwait(false) is not { RemovedAt: null } node)
        {
            return null;
        }

        if (node.Id == viewer.Shard && viewer.InCommunity)
        {
            return viewer;
        }

        // Theirs when they administer it or a node above it — as the profile says and as that node itself still says.
        var profile = await root.For(viewer.Shard).GetAsync<UserProfile>(DocKeys.User(viewer.UserId), cancellationToken).ConfigureAwait(false);
        if (profile is null || !Stats.OrgScope.Covers(profile, node))
        {
            return null;
        }

        var covering = node.Path.Append(node.Id).Where(profile.AdminOf.Contains).Select(DocKeys.OrgNode).ToList();
        var above = await root.GetManyAsync<OrgNode>(covering, cancellationToken).ConfigureAwait(false);
        if (!above.Any(n => n is { RemovedAt: null } && n.Admins.Contains(viewer.UserId)))
        {
            return null;
        }

        return node.Level == OrgLevel.Community
            ? viewer with { Shard = node.Id, Roles = Roles.Admin, InCommunity = true, Node = null, Visiting = node }
            : viewer with { Roles = Roles.Admin, InCommunity = false, Node = node, Visiting = node.Id == viewer.Node?.Id ? null : node };
    }

    /// <summary>Whether the viewer may see a muster board at all (administrators and convenors).</summary>
    public static bool MaySeeBoard(BoardViewer viewer)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        return (viewer.Roles & (Roles.Admin | Roles.Convenor)) != 0;
    }

    /// <summary>
    /// The open musters of the viewer's community, each with the regions the viewer may see; for a street's, district's
    /// or city's administrator the tree musters that cover their node, one row per child node. With
    /// <paramref name="only"/>: that one muster of the community, open or closed (opened from its close report).
    /// </summary>
    public async Task<Board> BoardAsync(BoardViewer viewer, Language language, CancellationToken cancellationToken, int? only = null)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        var reader = new DocReader(store, viewer.Shard);
        var admin = viewer.Roles.HasFlag(Roles.Admin);
        var musters = new List<BoardMuster>();
        if (viewer.InCommunity)
        {
            var numbers = only is { } one ? [one] : (await reader.MembersAsync(Sets.OpenMusters, cancellationToken).ConfigureAwait(false))
                .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
            var directory = await DirectorySnapshot.LoadAsync(reader, cancellationToken).ConfigureAwait(false);
            foreach (var number in numbers)
            {
                if (await MusterStore.LoadAsync(reader, number, cancellationToken).ConfigureAwait(false) is not { } muster || (only is null && !muster.IsOpen))
                {
                    continue;
                }

                if (await CommunityMusterAsync(reader, viewer, muster, directory, language, cancellationToken).ConfigureAwait(false) is { } shown)
                {
                    musters.Add(shown);
                }
            }
        }

        // A street's or city's administrator: the open musters that cover the node they look at, one row per child node.
        var roots = new List<OrgNode>();
        if (admin && only is null)
        {
            if (viewer.Visiting is { Level: not OrgLevel.Community } visited)
            {
                roots.Add(visited);
            }
            else if (viewer.Visiting is null)
            {
                // Community staff who also administer a street: that street's musters too.
                var profile = await reader.GetAsync<UserProfile>(DocKeys.User(viewer.UserId), cancellationToken).ConfigureAwait(false);
                var nodes = await reader.GetManyAsync<OrgNode>((profile?.AdminOf ?? []).Distinct().Select(DocKeys.OrgNode).ToList(), cancellationToken).ConfigureAwait(false);
                roots.AddRange(nodes.OfType<OrgNode>()
                    .Where(n => n.Level != OrgLevel.Community && n.RemovedAt is null && n.Admins.Contains(viewer.UserId))
                    .OrderBy(n => n.Path.Count).ThenBy(n => n.Id));
            }

            foreach (var root in roots)
            {
                musters.AddRange(await TreeMustersAsync(reader, root, language, cancellationToken).ConfigureAwait(false));
            }
        }

        var scope = viewer.Visiting is { } visiting ? visiting.Name
            : roots.Count > 0 ? string.Join(" · ", roots.Select(r => r.Name))
            : admin ? texts.Get(language, "dash.scope.community") : texts.Get(language, "dash.scope.region");
        return new Board(viewer, scope, musters, timeProvider.GetUtcNow());
    }

    /// <summary>One muster of the community as the viewer may see it (their regions only when a convenor), or null: none of it.</summary>
    private async Task<BoardMuster?> CommunityMusterAsync(DocReader reader, BoardViewer viewer, Muster muster, DirectorySnapshot directory, Language language, CancellationToken cancellationToken)
    {
        var admin = viewer.Roles.HasFlag(Roles.Admin);
        var regions = new List<BoardRegion>();
        foreach (var region in muster.Regions)
        {
            if (!admin && region.ConvenorId != viewer.UserId && region.BackupConvenorId != viewer.UserId)
            {
                continue;
            }

            var counts = await RollCall.CountFromSetsAsync(reader, muster, region, cancellationToken).ConfigureAwait(false);
            var convenor = region.ConvenorId is { } cid ? await reader.GetAsync<UserProfile>(DocKeys.User(cid), cancellationToken).ConfigureAwait(false) : null;
            regions.Add(new BoardRegion(
                region.RegionId,
                RegionName(directory, region, language),
                convenor?.FirstName,
                counts.Targeted,
                counts.Delivered,
                counts.Of(CheckInStatus.Acknowledged),
                counts.Of(CheckInStatus.OnTheWay),
                counts.Of(CheckInStatus.Arrived),
                counts.Of(CheckInStatus.CantCome),
                counts.Of(CheckInStatus.NoAnswer),
                counts.Unreachable));
        }

        if (regions.Count == 0)
        {
            return null;
        }

        // Each skill's quorum from the maintained "arrived with this skill" sets of the regions shown.
        var skills = new List<SkillQuorum>();
        foreach (var (skill, needed) in muster.Plan.Scope.SkillsNeeded.OrderBy(kv => kv.Key))
        {
            var arrived = 0L;
            foreach (var region in regions)
            {
                arrived += await reader.CountAsync(Sets.MusterArrivedWithSkill(muster.Number, region.RegionId, skill), cancellationToken).ConfigureAwait(false);
            }

            skills.Add(new SkillQuorum(skill.ToString(), texts.Get(language, "skill." + skill), (int)arrived, needed));
        }

        return new BoardMuster(
            muster.Number, muster.Code, MusterView.KindName(texts, language, muster.Plan), muster.Plan.RallyText, muster.Plan.Drill,
            muster.LaunchedAt, muster.ReportBy, regions)
        {
            Skills = skills,
            ClosedAt = muster.IsOpen ? null : muster.ClosedAt ?? muster.LaunchedAt,
            Welfare = muster.Welfare is null ? null : await WelfareAsync(reader, muster, directory, language, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>How many households a board lists under "requests for help" and "not checked yet".</summary>
    public const int WelfareListLength = 30;

    private async Task<BoardWelfare> WelfareAsync(DocReader reader, Muster muster, DirectorySnapshot directory, Language language, CancellationToken cancellationToken)
    {
        var counts = await Households.Welfare.CountAsync(reader, muster, cancellationToken).ConfigureAwait(false);
        var visits = await Households.Welfare.LoadAllAsync(reader, muster.Number, cancellationToken).ConfigureAwait(false);
        var people = visits.Select(v => v.AssignedTo).Concat(visits.Select(v => v.HelpTakenBy)).OfType<long>().Distinct().ToList();
        var names = (await reader.GetManyAsync<UserProfile>(people.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<UserProfile>().ToDictionary(p => p.Id, p => p.FirstName);
        var help = visits.Where(v => v.Help is not null).OrderBy(v => v.Help).ThenBy(v => v.HelpAt).Take(WelfareListLength)
            .Select(v => new BoardHelp(Households.HouseholdView.Number(v.Household), Households.Welfare.Address(v, directory), Households.Welfare.Needs(texts, language, v),
                texts.Get(language, "wf.help." + v.Help), v.Help != State.Records.Households.HelpStatus.Done, v.HelpTakenBy is { } t ? names.GetValueOrDefault(t) : null))
            .ToList();
        var waiting = visits.Where(v => v.Outcome == State.Records.Households.VisitOutcome.Unchecked).Take(WelfareListLength)
            .Select(v => new BoardVisit(Households.HouseholdView.Number(v.Household), Households.Welfare.Address(v, directory), v.AssignedTo is { } a ? names.GetValueOrDefault(a) : null))
            .ToList();
        return new BoardWelfare(counts.Total, counts.Assigned, counts.Checked, counts.Of(State.Records.Households.VisitOutcome.Safe), counts.Of(State.Records.Households.VisitOutcome.NeedsHelp),
            counts.HelpOpen, counts.Of(State.Records.Households.VisitOutcome.NotHome), counts.Of(State.Records.Households.VisitOutcome.Moved), counts.Of(State.Records.Households.VisitOutcome.Unchecked))
        {
            Help = help,
            Waiting = waiting,
        };
    }

    /// <summary>
    /// The open musters that cover <paramref name="focus"/> (launched there or at a node above it), each as one row per
    /// child node of <paramref name="focus"/> — a street's communities, a city's streets — summed from the small tally
    /// each community's part keeps (never the answers), as the chat's aggregated roll call.
    /// </summary>
    private async Task<IReadOnlyList<BoardMuster>> TreeMustersAsync(DocReader reader, OrgNode focus, Language language, CancellationToken cancellationToken)
    {
        var result = new List<BoardMuster>();
        // The nodes below the focus, read only when a muster launched above it needs its communities sorted.
        Dictionary<long, OrgNode> nodes = [];

        // The child of the focus a community is counted under: the community itself, or the street on its path.
        long? ChildOf(long communityId)
        {
            if (!nodes.TryGetValue(communityId, out var community) || community.Level != OrgLevel.Community)
            {
                return null;
            }

            if (community.ParentId == focus.Id)
            {
                return community.Id;
            }

            var at = community.Path.ToList().IndexOf(focus.Id);
            return at < 0 ? null : at + 1 < community.Path.Count ? community.Path[at + 1] : community.Id;
        }

        foreach (var launcher in focus.Path.Append(focus.Id))
        {
            foreach (var n in (await reader.MembersAsync(MusterFlow.OpenTreeMusters, launcher, cancellationToken).ConfigureAwait(false)).Order(StringComparer.Ordinal))
            {
                if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                    || await reader.GetAsync<TreeMuster>(DocKeys.TreeMuster(number).In(launcher), cancellationToken).ConfigureAwait(false) is not { IsOpen: true } tree)
                {
                    continue;
                }

                if (launcher != focus.Id && nodes.Count == 0)
                {
                    nodes = (await Stats.OrgScope.DescendantsAsync(reader, focus, cancellationToken).ConfigureAwait(false)).ToDictionary(d => d.Id);
                }

                // Launched here: the rows it was launched with. Launched above: the communities under the focus only.
                var parts = tree.Communities
                    .Select(c => (Community: c, Child: launcher == focus.Id ? c.ChildId : ChildOf(c.CommunityId)))
                    .Where(x => x.Child is not null)
                    .ToList();
                if (parts.Count == 0)
                {
                    continue;
                }

                var tallies = await reader.GetManyAsync<TreeMusterTally>(parts.Select(x => DocKeys.TreeMusterTally(tree.Number, x.Community.CommunityId).In(tree.NodeId)).ToList(), cancellationToken).ConfigureAwait(false);
                var rows = parts.Select((x, i) => (x.Community, Child: x.Child!.Value, Tally: tallies[i]))
                    .GroupBy(x => x.Child)
                    .Select(g =>
                    {
                        int Sum(Func<TreeMusterTally, int> of) => g.Sum(x => x.Tally is { } t ? of(t) : 0);
                        var first = g.First().Community;
                        var name = launcher != focus.Id && nodes.TryGetValue(g.Key, out var child) ? child.Name : string.IsNullOrEmpty(first.ChildName) ? first.Name : first.ChildName;
                        return new BoardRegion(
                            "node:" + g.Key.ToString(CultureInfo.InvariantCulture),
                            name,
                            null,
                            Sum(t => t.Targeted),
                            Sum(t => t.Delivered),
                            Sum(t => t.ByStatus.GetValueOrDefault(CheckInStatus.Acknowledged)),
                            Sum(t => t.ByStatus.GetValueOrDefault(CheckInStatus.OnTheWay)),
                            Sum(t => t.ByStatus.GetValueOrDefault(CheckInStatus.Arrived)),
                            Sum(t => t.ByStatus.GetValueOrDefault(CheckInStatus.CantCome)),
                            Sum(t => t.ByStatus.GetValueOrDefault(CheckInStatus.NoAnswer)),
                            Sum(t => t.Unreachable));
                    })
                    .ToList();
                result.Add(new BoardMuster(tree.Number, tree.Code, MusterView.KindName(texts, language, tree.Plan), tree.Plan.RallyText, tree.Plan.Drill, tree.LaunchedAt, tree.ReportBy, rows) { Tree = true });
            }
        }

        return result;
    }

    /// <summary>
    /// One region of a muster in detail (open, or closed when opened from its report), or null when the viewer may not see it (not an administrator of the
    /// community, not that region's convenor) or it does not exist — the two are not told apart. Reads every called
    /// member of the region (their answer and profile), so it is asked for one region at a time.
    /// </summary>
    public async Task<RegionDetail?> RegionAsync(BoardViewer viewer, int number, string regionId, Language language, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        if (!MaySeeBoard(viewer))
        {
            return null;
        }

        var reader = new DocReader(store, viewer.Shard);
        if (await MusterStore.LoadAsync(reader, number, cancellationToken).ConfigureAwait(false) is not { } muster
            || muster.Region(regionId) is not { } region)
        {
            return null;
        }

        var admin = viewer.Roles.HasFlag(Roles.Admin);
        var convenor = region.ConvenorId == viewer.UserId || region.BackupConvenorId == viewer.UserId;
        if (!admin && !convenor)
        {
            return null;
        }

        var entries = await RollCall.LoadRegionAsync(reader, number, regionId, cancellationToken).ConfigureAwait(false);
        var counts = RollCall.CountOf(entries);
        var directory = await DirectorySnapshot.LoadAsync(reader, cancellationToken).ConfigureAwait(false);
        var convenorProfile = region.ConvenorId is { } cid ? await reader.GetAsync<UserProfile>(DocKeys.User(cid), cancellationToken).ConfigureAwait(false) : null;
        var bar = new BoardRegion(
            region.RegionId, RegionName(directory, region, language), convenorProfile?.FirstName, counts.Targeted, counts.Delivered,
            counts.Of(CheckInStatus.Acknowledged), counts.Of(CheckInStatus.OnTheWay), counts.Of(CheckInStatus.Arrived), counts.Of(CheckInStatus.CantCome),
            counts.Of(CheckInStatus.NoAnswer), counts.Unreachable);

        var skills = muster.Plan.Scope.SkillsNeeded.OrderBy(kv => kv.Key).Select(kv => new SkillQuorum(
            kv.Key.ToString(),
            texts.Get(language, "skill." + kv.Key),
            entries.Count(e => e.Answer.Status == CheckInStatus.Arrived && e.Answer.MatchedSkills.Contains(kv.Key)),
            kv.Value)).ToList();

        var timeline = entries
            .Where(e => e.Answer.Status != CheckInStatus.NoAnswer && (e.Answer.AnsweredAt ?? e.Answer.FirstAnsweredAt) is not null)
            .Select(e => new TimelinePoint(Math.Max(0, ((e.Answer.AnsweredAt ?? e.Answer.FirstAnsweredAt)!.Value - muster.LaunchedAt).TotalMinutes), e.Answer.Status))
            .OrderBy(p => p.Minutes)
            .ToList();

        var rally = muster.Plan.Latitude is { } lat0 && muster.Plan.Longitude is { } lon0 ? (Lat: lat0, Lon: lon0) : ((double Lat, double Lon)?)null;
        var spots = rally is { } r
            ? entries.Where(e => e.Answer.Latitude is not null && e.Answer.Longitude is not null)
                .Select(e => new ArrivalSpot(
                    Math.Round((e.Answer.Longitude!.Value - r.Lon) * MetresPerDegree * Math.Cos(r.Lat * Math.PI / 180)),
                    Math.Round((e.Answer.Latitude!.Value - r.Lat) * MetresPerDegree),
                    e.Answer.Status))
                .ToList()
            : [];

        // Phones as in the chat's "not answered" list: administrators of the community and the region's convenors.
        var notAnswered = entries.Where(e => e.Answer.Status == CheckInStatus.NoAnswer)
            .Select(e => new NotAnswered(e.Answer.UserId, PlainName(e), e.Profile?.Phone, e.Unreachable, e.Answer.PhonedBy is not null))
            .OrderBy(n => n.Unreachable).ThenBy(n => n.Name, StringComparer.Ordinal)
            .ToList();

        return new RegionDetail(number, muster.Code, bar, skills, timeline, rally is not null, spots, notAnswered, muster.LaunchedAt, timeProvider.GetUtcNow());
    }

    /// <summary>The name as text (the page escapes it; the chat's <see cref="RollCall.NameOf"/> is HTML already).</summary>
    private static string PlainName(RollCall.Entry e) =>
        e.Profile is not { } p ? "#" + e.Answer.UserId.ToString(CultureInfo.InvariantCulture) : p.LastName is null ? p.FirstName : p.FirstName + " " + p.LastName;

    /// <summary>Metres per degree of latitude (and of longitude at the equator): plenty for a rally area's few kilometres.</summary>
    private const double MetresPerDegree = 111_320;

    private string RegionName(DirectorySnapshot directory, MusterRegion region, Language language) =>
        region.Workplace is not null && region.Name is { } name ? "\U0001F3E2 " + name
        : region.RegionId == Muster.NoRegion ? texts.Get(language, "mu.no_region")
        : directory.RegionName(region.RegionId);
}

/// <summary>
/// Where the dashboard Mini App is served (<c>WebApp:PublicUrl</c>, or the sandbox's own <c>/app</c>): registered by
/// the host only when there is one, and then the flows put a "📊 Dashboard" button under roll calls.
/// </summary>
public sealed record DashboardLink(string Url);
