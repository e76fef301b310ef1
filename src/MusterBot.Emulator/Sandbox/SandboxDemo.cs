using System.Globalization;
using System.Text.Json;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;

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
    IReadOnlyList<Skill> Skills);

/// <summary>The demo community in one language: its grids, regions and people, and the page's own labels.</summary>
public sealed record SandboxCommunity(
    Language Language,
    IReadOnlyList<Grid> Grids,
    IReadOnlyList<Region> Regions,
    IReadOnlyList<SandboxPersona> People,
    IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// The demo community the sandbox is seeded with: 2 grids (3 buildings), 3 regions, 21 people (an administrator, three
/// convenors, two grid workers, members with skills and residents), all with phone numbers, enough to play a muster
/// drill, a micro-wish and a complaint through. The structure (ids, roles, places, skills, phones) is here; the names
/// and the page's labels are in <c>demo.zh-CN.json</c> (李书记, 北片, 1号楼, 胡奶奶 …) and <c>demo.en.json</c>.
/// </summary>
public static class SandboxDemo
{
    /// <summary>The administrator's Telegram user id (added to <c>MusterBot:Admins</c> when none is configured).</summary>
    public const long AdminId = 1001;

    private sealed record Seat(long Id, string Kind, Roles Roles, string? GridId, string? RegionId, string? BuildingId, params Skill[] Skills);

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
    ];

    private static readonly (string Grid, string[] Buildings)[] GridLayout = [("g1", ["b1", "b2"]), ("g2", ["b3"])];

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
        var people = Seats.Select(s =>
        {
            // Where a person belongs, as the page shows it: convenors and members by region, grid workers and residents by grid.
            var place = s.Kind switch
            {
                "convenor" or "member" => names.Regions[s.RegionId!],
                "handler" => names.Grids[s.GridId!],
                "resident" => names.Grids[s.GridId!] + " " + names.Buildings[s.BuildingId!],
                _ => null,
            };
            var role = names.Roles[s.Kind] + (place is null ? string.Empty : " · " + place);
            var phone = "+861390000" + s.Id.ToString(CultureInfo.InvariantCulture);
            return new SandboxPersona(s.Id, names.People[s.Id.ToString(CultureInfo.InvariantCulture)], role, s.Roles, s.GridId, s.RegionId, s.BuildingId, phone, s.Skills);
        }).ToList();
        return new SandboxCommunity(language, grids, regions, people, names.Page);
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
        Dictionary<string, string> Page);
}
