using System.Globalization;
using System.Text.Json;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Households;
using MusterBot.State.Records.Org;

namespace MusterBot.Emulator.Sandbox;

/// <summary>One simulated person of the demo community, shown in the sandbox page's persona switcher.</summary>
public sealed record SandboxPersona(
    long Id,
    string Name,
    string Role,
    Roles Roles,
    string? GridId,
    string? RegionId,
    string? BuildingId,
    string Phone,
    IReadOnlyList<Skill> Skills)
{
    /// <summary>The organisation node the person belongs to: their community, or the street they administer.</summary>
    public long Node { get; init; } = DefaultTree.CommunityId;

    /// <summary>Nodes the person administers (<see cref="UserProfile.AdminOf"/>).</summary>
    public IReadOnlyList<long> AdminOf { get; init; } = [];
}

/// <summary>
/// The demo in one language: the first community's (港湾社区, node 4) grids and regions, everybody of the demo, the
/// page's own labels, and the organisation tree (a street with two communities) with the second community's grids.
/// </summary>
public sealed record SandboxCommunity(
    Language Language,
    IReadOnlyList<Grid> Grids,
    IReadOnlyList<Region> Regions,
    IReadOnlyList<SandboxPersona> People,
    IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>The tree: city 1 → district 2 → street 3 → communities 4 (the first) and 5 (新河社区).</summary>
    public IReadOnlyList<OrgNode> Nodes { get; init; } = [];

    /// <summary>The grids of each community node.</summary>
    public IReadOnlyDictionary<long, IReadOnlyList<Grid>> GridsByNode { get; init; } = new Dictionary<long, IReadOnlyList<Grid>>();

    /// <summary>The micro-wishes each community starts with (open for claims).</summary>
    public IReadOnlyDictionary<long, IReadOnlyList<SandboxWish>> WishesByNode { get; init; } = new Dictionary<long, IReadOnlyList<SandboxWish>>();

    /// <summary>The households each community's registry starts with (tagged ones for a welfare check, and one untagged).</summary>
    public IReadOnlyDictionary<long, IReadOnlyList<Household>> HouseholdsByNode { get; init; } = new Dictionary<long, IReadOnlyList<Household>>();

    /// <summary>The people who belong to a node.</summary>
    public IReadOnlyList<SandboxPersona> PeopleOf(long node) => [.. People.Where(p => p.Node == node)];

    /// <summary>Where a node sits, as the page shows it: "东城街道 · 新河社区" (the street and the node).</summary>
    public string PlaceOf(long node)
    {
        var found = Nodes.FirstOrDefault(n => n.Id == node);
        if (found is null)
        {
            return string.Empty;
        }

        var parent = found.Level == OrgLevel.Community ? Nodes.FirstOrDefault(n => n.Id == found.ParentId) : null;
        return parent is null ? found.Name : parent.Name + " · " + found.Name;
    }
}

/// <summary>A micro-wish the demo starts with: filed by a resident and approved, open for claims.</summary>
public sealed record SandboxWish(int Number, long ResidentId, string Text, long ApprovedBy);

/// <summary>
/// The demo the sandbox is seeded with: a street (东城街道, node 3) with two communities. 港湾社区 (node 4): 2 grids
/// (3 buildings), 3 regions, 21 people (李书记 its secretary, three convenors, two grid workers, members with skills and
/// residents), enough to play a muster drill, a micro-wish and a complaint through. 新河社区 (node 5): one grid, its
/// grid worker, a member, two residents and an open micro-wish. And the street's administrator 王主任, who administers
/// both. Everybody has a phone number. The structure (ids, roles, places, skills, phones, nodes) is here; the names and
/// the page's labels are in <c>demo.zh-CN.json</c> (李书记, 北片, 1号楼, 胡奶奶 …) and <c>demo.en.json</c>.
/// </summary>
public static class SandboxDemo
{
    /// <summary>The administrator's Telegram user id (added to <c>MusterBot:Admins</c> when none is configured).</summary>
    public const long AdminId = 1001;

    /// <summary>The street administrator (王主任): administers the street, so both communities.</summary>
    public const long StreetAdminId = 3001;

    /// <summary>The second community of the street (新河社区).</summary>
    public const long SecondCommunityId = 5;

    private sealed record Seat(long Id, string Kind, Roles Roles, string? GridId, string? RegionId, string? BuildingId, params Skill[] Skills)
    {
        public long Node { get; init; } = DefaultTree.CommunityId;
    }

    private static readonly Seat[] Seats =
    [
        new(AdminId, "administrator", Roles.Admin | Roles.Member, "g1", "r1", "b1"),
        new(1101, "convenor", Roles.Member | Roles.Convenor, "g1", "r1", "b1", Skill.Rescue),
        new(1102, "convenor", Roles.Member | Roles.Convenor, "g2", "r2", "b3", Skill.Logistics),
        new(1103, "convenor", Roles.Member | Roles.Convenor, "g2", "r3", "b3", Skill.Driving),
        new(1201, "handler", Roles.Handler, "g1", null, "b1"),
        new(1202, "handler", Roles.Handler, "g2", null, "b3"),
        new(1301, "member", Roles.Member, "g1", "r1", "b1", Skill.Medical, Skill.Nursing),
        new(1302, "member", Roles.Member, "g1", "r1", "b2", Skill.Electrician),
        new(1303, "member", Roles.Member, "g1", "r1", "b2", Skill.Driving, Skill.Rescue),
        new(1304, "member", Roles.Member, "g2", "r2", "b3", Skill.Plumbing),
        new(1305, "member", Roles.Member, "g2", "r2", "b3", Skill.Counselling),
        new(1306, "member", Roles.Member, "g2", "r2", "b3", Skill.IT),
        new(1307, "member", Roles.Member, "g2", "r3", "b3", Skill.Legal),
        new(1308, "member", Roles.Member, "g1", "r3", "b2", Skill.Translation),
        new(1309, "member", Roles.Member, "g1", "r3", "b1", Skill.Medical),
        new(1401, "resident", Roles.Resident, "g1", null, "b1"),
        new(1402, "resident", Roles.Resident, "g1", null, "b2"),
        new(1403, "resident", Roles.Resident, "g2", null, "b3"),
        new(1404, "resident", Roles.Resident, "g2", null, "b3"),
        new(1405, "resident", Roles.Resident, "g2", null, "b3"),
        new(1406, "resident", Roles.Resident, "g1", null, "b2"),

        // 新河社区 (node 5): its grid worker, a member and two residents. Grid and building ids are the community's own.
        new(5201, "handler", Roles.Handler, "g1", null, "b1") { Node = SecondCommunityId },
        new(5301, "member", Roles.Member, "g1", null, "b1", Skill.Plumbing) { Node = SecondCommunityId },
        new(5401, "resident", Roles.Resident, "g1", null, "b1") { Node = SecondCommunityId },
        new(5402, "resident", Roles.Resident, "g1", null, "b1") { Node = SecondCommunityId },

        // The street's administrator: lives in no community of the demo; administers the street (both communities).
        new(StreetAdminId, "street_admin", Roles.Admin, null, null, null) { Node = DefaultTree.StreetId },
    ];

    private static readonly (string Grid, string[] Buildings)[] GridLayout = [("g1", ["b1", "b2"]), ("g2", ["b3"])];

    /// <summary>The second community's grid: its ids are its own (g1, b1), named "n-g1", "n-b1" in demo.*.json.</summary>
    private static readonly (string Grid, string[] Buildings)[] SecondGridLayout = [("g1", ["b1"])];

    /// <summary>The first community's households: number, grid, building, unit, room, tags (the people are named in demo.*.json).</summary>
    private static readonly (int Number, string Grid, string Building, string? Unit, string Room, HouseholdTag[] Tags)[] HouseholdLayout =
    [
        (1, "g1", "b1", "1", "101", [HouseholdTag.LivingAlone, HouseholdTag.Aged]),
        (2, "g1", "b1", "1", "302", [HouseholdTag.Bedridden, HouseholdTag.ChronicIllness]),
        (3, "g1", "b2", "2", "201", [HouseholdTag.Pregnant]),
        (4, "g1", "b2", "2", "502", [HouseholdTag.Disabled]),
        (5, "g1", "b2", null, "601", [HouseholdTag.LeftBehindChildren]),
        (6, "g2", "b3", "1", "103", [HouseholdTag.LivingAlone, HouseholdTag.Aged]),
        (7, "g2", "b3", "1", "404", [HouseholdTag.LowIncome, HouseholdTag.ChronicIllness]),
        (8, "g2", "b3", "2", "208", []),
    ];

    private static readonly (string Region, long Convenor, long? Backup)[] RegionLayout = [("r1", 1101, 1303), ("r2", 1102, 1306), ("r3", 1103, null)];

    // Declared before the communities: static fields are initialised in this order.
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    /// <summary>李书记, 张伟 · 北片 … (the default).</summary>
    public static SandboxCommunity Chinese { get; } = Build(Language.Zh, "demo.zh-CN.json");

    /// <summary>Secretary Li, Zhang Wei · North … (<c>--Sandbox:Language=en</c>).</summary>
    public static SandboxCommunity English { get; } = Build(Language.En, "demo.en.json");

    public static SandboxCommunity For(Language language) => language == Language.En ? English : Chinese;

    /// <summary>The people of the default (Chinese) community; ids, roles and places are the same in every language.</summary>
    public static IReadOnlyList<SandboxPersona> People => Chinese.People;

    public static IReadOnlyList<Grid> Grids => Chinese.Grids;

    public static IReadOnlyList<Region> Regions => Chinese.Regions;

    private static SandboxCommunity Build(Language language, string resource)
    {
        var names = Load(resource);
        var grids = GridLayout.Select(g => new Grid(g.Grid, names.Grids[g.Grid])
        {
            Buildings = [.. g.Buildings.Select(b => new Building(b, names.Buildings[b]))],
        }).ToList();
        var regions = RegionLayout.Select(r => new Region(r.Region, names.Regions[r.Region]) { ConvenorId = r.Convenor, BackupConvenorId = r.Backup }).ToList();
        var secondGrids = SecondGridLayout.Select(g => new Grid(g.Grid, names.Grids["n-" + g.Grid])
        {
            Buildings = [.. g.Buildings.Select(b => new Building(b, names.Buildings["n-" + b]))],
        }).ToList();
        var people = Seats.Select(s =>
        {
            // The second community's grids and buildings are named with an "n-" key (their ids repeat the first's).
            var key = s.Node == SecondCommunityId ? "n-" : string.Empty;
            // Where a person belongs, as the page shows it: convenors and members by region (or grid), grid workers and
            // residents by grid, the street's administrator by the street.
            var place = s.Kind switch
            {
                "convenor" or "member" when s.RegionId is not null => names.Regions[s.RegionId],
                "member" or "handler" => names.Grids[key + s.GridId],
                "resident" => names.Grids[key + s.GridId] + " " + names.Buildings[key + s.BuildingId],
                "street_admin" => names.Tree["3"],
                _ => null,
            };
            var role = names.Roles[s.Kind] + (place is null ? string.Empty : " · " + place);
            var phone = "+861390000" + s.Id.ToString(CultureInfo.InvariantCulture);
            return new SandboxPersona(s.Id, names.People[s.Id.ToString(CultureInfo.InvariantCulture)], role, s.Roles, s.GridId, s.RegionId, s.BuildingId, phone, s.Skills)
            {
                Node = s.Node,
                AdminOf = s.Id == AdminId ? [DefaultTree.CommunityId] : s.Id == StreetAdminId ? [DefaultTree.StreetId] : [],
            };
        }).ToList();
        var tree = names.Tree;
        var nodes = new List<OrgNode>(DefaultTree.Nodes(new DefaultTreeNames(tree["1"], tree["2"], tree["3"], tree["4"]), default))
        {
            new(SecondCommunityId, OrgLevel.Community, DefaultTree.StreetId, tree["5"]) { Path = [DefaultTree.CityId, DefaultTree.DistrictId, DefaultTree.StreetId] },
        };
        nodes[2] = nodes[2] with { Children = [DefaultTree.CommunityId, SecondCommunityId], Admins = [StreetAdminId] };
        nodes[3] = nodes[3] with { Admins = [AdminId] };
        return new SandboxCommunity(language, grids, regions, people, names.Page)
        {
            Nodes = nodes,
            GridsByNode = new Dictionary<long, IReadOnlyList<Grid>> { [DefaultTree.CommunityId] = grids, [SecondCommunityId] = secondGrids },
            HouseholdsByNode = new Dictionary<long, IReadOnlyList<Household>>
            {
                [DefaultTree.CommunityId] = [.. HouseholdLayout.Select(h => new Household(h.Number, h.Grid, h.Building, h.Room)
                {
                    Unit = h.Unit,
                    Tags = h.Tags,
                    People = [.. names.Households[h.Number.ToString(CultureInfo.InvariantCulture)].Split('\u3001')],
                    Phones = ["+861380000" + (1000 + h.Number).ToString(CultureInfo.InvariantCulture)],
                })],
            },
            WishesByNode = new Dictionary<long, IReadOnlyList<SandboxWish>>
            {
                [SecondCommunityId] = [new SandboxWish(1, 5401, names.Wishes["n-1"], StreetAdminId)],
            },
        };
    }

    private static DemoNames Load(string resource)
    {
        var name = "MusterBot.Emulator.Sandbox." + resource;
        using var stream = typeof(SandboxDemo).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The sandbox resource {name} is not embedded.");
        return JsonSerializer.Deserialize<DemoNames>(stream, JsonOptions)
            ?? throw new InvalidOperationException($"The sandbox resource {name} is empty.");
    }

    private sealed record DemoNames(
        Dictionary<string, string> Grids,
        Dictionary<string, string> Buildings,
        Dictionary<string, string> Regions,
        Dictionary<string, string> Roles,
        Dictionary<string, string> People,
        Dictionary<string, string> Tree,
        Dictionary<string, string> Wishes,
        Dictionary<string, string> Households,
        Dictionary<string, string> Page);
}
