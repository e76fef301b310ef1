using MusterBot.State.Records;
using MusterBot.State.Records.Directory;

namespace MusterBot.Emulator.Sandbox;

/// <summary>One simulated person of the demo community, shown in the sandbox page's persona switcher.</summary>
public sealed record SandboxPersona(long Id, string Name, string Role, Roles Roles, string? GridId, string? RegionId, string Phone, IReadOnlyList<Skill> Skills);

/// <summary>
/// The demo community the sandbox is seeded with: 2 grids, 3 regions, 21 people (an administrator, three convenors,
/// two handlers, members with skills and residents), all with phone numbers, enough to play a muster drill, a
/// micro-wish and a complaint through.
/// </summary>
public static class SandboxDemo
{
    /// <summary>The administrator's Telegram user id (added to <c>MusterBot:Admins</c> when none is configured).</summary>
    public const long AdminId = 1001;

    public static IReadOnlyList<Grid> Grids { get; } =
    [
        new("g1", "Harbour Grid") { Buildings = [new("b1", "Building 1"), new("b2", "Building 2")] },
        new("g2", "Riverside Grid") { Buildings = [new("b3", "Building 3")] },
    ];

    public static IReadOnlyList<Region> Regions { get; } =
    [
        new("r1", "North") { ConvenorId = 1101, BackupConvenorId = 1303 },
        new("r2", "Centre") { ConvenorId = 1102, BackupConvenorId = 1306 },
        new("r3", "South") { ConvenorId = 1103 },
    ];

    public static IReadOnlyList<SandboxPersona> People { get; } =
    [
        new(AdminId, "Secretary Li", "administrator", Roles.Admin | Roles.Member, "g1", "r1", "+8613900001001", []),
        new(1101, "Zhang Wei", "convenor · North", Roles.Member | Roles.Convenor, "g1", "r1", "+8613900001101", [Skill.Rescue]),
        new(1102, "Chen Jing", "convenor · Centre", Roles.Member | Roles.Convenor, "g2", "r2", "+8613900001102", [Skill.Logistics]),
        new(1103, "Liu Yang", "convenor · South", Roles.Member | Roles.Convenor, "g2", "r3", "+8613900001103", [Skill.Driving]),
        new(1201, "Zhao Min", "handler · Harbour Grid", Roles.Handler, "g1", null, "+8613900001201", []),
        new(1202, "Sun Lei", "handler · Riverside Grid", Roles.Handler, "g2", null, "+8613900001202", []),
        new(1301, "Wang Fang", "member · North", Roles.Member, "g1", "r1", "+8613900001301", [Skill.Medical, Skill.Nursing]),
        new(1302, "Li Na", "member · North", Roles.Member, "g1", "r1", "+8613900001302", [Skill.Electrician]),
        new(1303, "Yang Tao", "member · North", Roles.Member, "g1", "r1", "+8613900001303", [Skill.Driving, Skill.Rescue]),
        new(1304, "Huang Li", "member · Centre", Roles.Member, "g2", "r2", "+8613900001304", [Skill.Plumbing]),
        new(1305, "Zhou Jie", "member · Centre", Roles.Member, "g2", "r2", "+8613900001305", [Skill.Counselling]),
        new(1306, "Wu Qiang", "member · Centre", Roles.Member, "g2", "r2", "+8613900001306", [Skill.IT]),
        new(1307, "Xu Ming", "member · South", Roles.Member, "g2", "r3", "+8613900001307", [Skill.Legal]),
        new(1308, "Ma Lin", "member · South", Roles.Member, "g1", "r3", "+8613900001308", [Skill.Translation]),
        new(1309, "Zhu Hong", "member · South", Roles.Member, "g1", "r3", "+8613900001309", [Skill.Medical]),
        new(1401, "Grandma Hu", "resident · Harbour Grid", Roles.Resident, "g1", null, "+8613900001401", []),
        new(1402, "Guo Ping", "resident · Harbour Grid", Roles.Resident, "g1", null, "+8613900001402", []),
        new(1403, "He Xia", "resident · Riverside Grid", Roles.Resident, "g2", null, "+8613900001403", []),
        new(1404, "Lin Bo", "resident · Riverside Grid", Roles.Resident, "g2", null, "+8613900001404", []),
        new(1405, "Luo Yan", "resident · Riverside Grid", Roles.Resident, "g2", null, "+8613900001405", []),
        new(1406, "Song Kai", "resident · Harbour Grid", Roles.Resident, "g1", null, "+8613900001406", []),
    ];
}
