using System.Globalization;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Org;

namespace MusterBot.Bench.City;

/// <summary>
/// A synthetic city shaped like Ulanqab (issue #15): city 1 → districts → streets → communities, grids with buildings
/// spread over the communities, members living in the communities, workplace regions at street and city nodes with a
/// convenor and a backup convenor each. Deterministic (a fixed seed): every run seeds the same city.
/// </summary>
/// <remarks>
/// Node ids: the city is 1, then the districts, the streets and the communities in that order. Grid ids ("g1", …) and
/// building ids ("b1", …) count per community, as the admin flow numbers them; workplace region ids ("w1", …) are
/// city-wide. Members have Telegram-like ids from <see cref="FirstMember"/> on.
/// </remarks>
public sealed class CityModel
{
    public const long FirstMember = 7_000_000_001;
    public const int BuildingsPerGrid = 8;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private CityModel(BenchOptions options, DateTimeOffset now)
    {
        Now = now;
        var random = new Random(15);
        var districts = options.Districts;
        var streets = options.Streets;
        var communities = options.Communities;

        var nodes = new List<OrgNode>(1 + districts + streets + communities);
        long next = 1;
        var city = new OrgNode(next++, OrgLevel.City, null, "乌兰察布市") { CreatedAt = now };
        var districtNodes = Enumerable.Range(0, districts)
            .Select(d => new OrgNode(next++, OrgLevel.District, city.Id, "区县" + (d + 1).ToString(Inv)) { Path = [city.Id], CreatedAt = now })
            .ToList();
        var streetNodes = Enumerable.Range(0, streets)
            .Select(s =>
            {
                var parent = districtNodes[s * districts / streets];
                return new OrgNode(next++, OrgLevel.Street, parent.Id, "街道" + (s + 1).ToString(Inv)) { Path = [city.Id, parent.Id], CreatedAt = now };
            })
            .ToList();
        var communityNodes = Enumerable.Range(0, communities)
            .Select(c =>
            {
                var parent = streetNodes[c * streets / communities];
                return new OrgNode(next++, OrgLevel.Community, parent.Id, "社区" + (c + 1).ToString(Inv)) { Path = [.. parent.Path, parent.Id], CreatedAt = now };
            })
            .ToList();
        city = city with { Children = [.. districtNodes.Select(d => d.Id)] };
        districtNodes = [.. districtNodes.Select(d => d with { Children = [.. streetNodes.Where(s => s.ParentId == d.Id).Select(s => s.Id)] })];
        streetNodes = [.. streetNodes.Select(s => s with { Children = [.. communityNodes.Where(c => c.ParentId == s.Id).Select(c => c.Id)] })];
        nodes.Add(city);
        nodes.AddRange(districtNodes);
        nodes.AddRange(streetNodes);
        nodes.AddRange(communityNodes);
        Nodes = nodes;
        Communities = communityNodes;
        LastNodeId = next - 1;

        // Grids: as evenly as possible over the communities (1,530 and 7,508: 4 or 5 each), 8 buildings each.
        var grids = new Dictionary<long, List<Grid>>();
        for (var c = 0; c < communities; c++)
        {
            var count = (options.Grids * (c + 1) / communities) - (options.Grids * c / communities);
            var list = new List<Grid>(count);
            for (var g = 0; g < count; g++)
            {
                var buildings = Enumerable.Range(0, BuildingsPerGrid)
                    .Select(b => new Building("b" + ((g * BuildingsPerGrid) + b + 1).ToString(Inv), (b + 1).ToString(Inv) + "号楼"))
                    .ToList();
                list.Add(new Grid("g" + (g + 1).ToString(Inv), "第" + (g + 1).ToString(Inv) + "网格") { Buildings = buildings });
            }

            grids[communityNodes[c].Id] = list;
        }

        Grids = grids;

        // Members: as evenly as possible over the communities; each in a grid and building of their community.
        var members = new List<CityMember>(options.Members);
        for (var c = 0; c < communities; c++)
        {
            var community = communityNodes[c];
            var from = (long)options.Members * c / communities;
            var to = (long)options.Members * (c + 1) / communities;
            var communityGrids = grids[community.Id];
            for (var i = from; i < to; i++)
            {
                var grid = communityGrids[(int)(i % communityGrids.Count)];
                var building = grid.Buildings[random.Next(grid.Buildings.Count)];
                members.Add(new CityMember(FirstMember + i, community.Id, community.ParentId!.Value, grid.Id, building.Id));
            }
        }

        // Workplace regions: one in six at the city node, the rest on the streets in turn (500 streets' and 100 city's
        // of 600). A member works in a region of their street (or of the city when their street has none); the
        // region's convenor and backup are two of its members.
        var regionNodes = new List<(string Id, long Node)>(options.Regions);
        for (var r = 0; r < options.Regions; r++)
        {
            var node = r % 6 == 5 ? city.Id : streetNodes[(r - (r / 6)) % streets].Id;
            regionNodes.Add(("w" + (r + 1).ToString(Inv), node));
        }

        var byStreet = regionNodes.Where(r => r.Node != city.Id).GroupBy(r => r.Node).ToDictionary(g => g.Key, g => g.Select(r => r.Id).ToList());
        var cityRegions = regionNodes.Where(r => r.Node == city.Id).Select(r => r.Id).ToList();
        var allRegions = regionNodes.Select(r => r.Id).ToList();
        var regionMembers = allRegions.ToDictionary(r => r, _ => new List<CityMember>(), StringComparer.Ordinal);
        for (var i = 0; i < members.Count; i++)
        {
            var member = members[i];
            var pool = byStreet.TryGetValue(member.StreetId, out var own) && (cityRegions.Count == 0 || random.Next(6) != 0)
                ? own
                : cityRegions.Count > 0 ? cityRegions : allRegions;
            var region = pool[random.Next(pool.Count)];
            var skills = random.Next(10) switch
            {
                0 => new[] { (Skill)random.Next(11) },
                1 => [(Skill)random.Next(11), Skill.Driving],
                _ => [],
            };
            members[i] = member with { RegionId = region, Skills = skills.Distinct().ToArray() };
            regionMembers[region].Add(members[i]);
        }

        // A region nobody drew (only with a very small --members) takes two members from the largest.
        foreach (var (id, list) in regionMembers.Where(kv => kv.Value.Count < 2).ToList())
        {
            var donor = regionMembers.MaxBy(kv => kv.Value.Count).Value;
            while (list.Count < 2)
            {
                var moved = donor[^1] with { RegionId = id };
                donor.RemoveAt(donor.Count - 1);
                members[(int)(moved.Id - FirstMember)] = moved;
                list.Add(moved);
            }
        }

        var regions = new List<CityRegion>(options.Regions);
        foreach (var (id, node) in regionNodes)
        {
            var list = regionMembers[id];
            var convenor = list[0].Id;
            var backup = list[1].Id;
            regions.Add(new CityRegion(new Region(id, "工作片区" + id[1..]) { ConvenorId = convenor, BackupConvenorId = backup }, node));
            foreach (var who in new[] { convenor, backup })
            {
                var index = (int)(who - FirstMember);
                members[index] = members[index] with { Roles = Roles.Member | Roles.Convenor };
            }
        }

        Members = members;
        Regions = regions;
        _regionNodes = regions.ToDictionary(r => r.Region.Id, r => r.NodeId, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, long> _regionNodes;

    public DateTimeOffset Now { get; }

    /// <summary>Every node: the city, the districts, the streets, the communities.</summary>
    public IReadOnlyList<OrgNode> Nodes { get; }

    public IReadOnlyList<OrgNode> Communities { get; }

    public long LastNodeId { get; }

    /// <summary>Grids by community node id.</summary>
    public IReadOnlyDictionary<long, List<Grid>> Grids { get; }

    /// <summary>Members in id order (index = id − <see cref="FirstMember"/>), grouped by community.</summary>
    public IReadOnlyList<CityMember> Members { get; }

    public IReadOnlyList<CityRegion> Regions { get; }

    public static CityModel Generate(BenchOptions options, DateTimeOffset now) => new(options, now);

    /// <summary>The member's registered profile (what registration and the roster import leave behind).</summary>
    public UserProfile Profile(CityMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var index = member.Id - FirstMember;
        return new UserProfile(member.Id, member.Id, "成员" + index.ToString(Inv))
        {
            Language = Language.Zh,
            LanguageChosen = false,
            Roles = member.Roles,
            FirstSeenAt = Now,
            LastSeenAt = Now,
            RegisteredAt = Now,
            Phone = "+86138" + (index % 100_000_000).ToString("00000000", Inv),
            GridId = member.GridId,
            BuildingId = member.BuildingId,
            RegionId = member.RegionId,
            // A workplace region lives in its street's or the city's shard (the profile names that node, as InService does).
            WorkNodeId = _regionNodes.TryGetValue(member.RegionId, out var node) ? node : null,
            WorkUnit = "单位" + (index % 2_000).ToString(Inv),
            Skills = member.Skills,
            Fixed = ProfileFields.Phone,
        };
    }
}

/// <summary>One member of the synthetic city: where they live and work.</summary>
public sealed record CityMember(long Id, long CommunityId, long StreetId, string GridId, string BuildingId)
{
    public string RegionId { get; init; } = "";

    public Roles Roles { get; init; } = Roles.Member;

    public IReadOnlyList<Skill> Skills { get; init; } = [];
}

/// <summary>A workplace region and the node (street or city) whose shard holds it.</summary>
public sealed record CityRegion(Region Region, long NodeId);
