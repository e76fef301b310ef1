using System.Text.RegularExpressions;
using MusterBot.Flows.Admin;
using MusterBot.Flows.Events;
using MusterBot.Flows.InService;
using MusterBot.Flows.Profile;
using MusterBot.Flows.Registration;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.InService;
using MusterBot.State.Records.Org;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// Issue #15 point 3: workplace regions at a street (or the city), a member's two places (workplace region, home
/// community: 双报到), /me showing both, and a community calling on the in-service members who reported in — through
/// the real processor and flows on the in-memory store, with the organisation tree committed as records.
/// </summary>
public sealed partial class InServiceFlowTests
{
    private const long Street = DefaultTree.StreetId;
    private const long Community = DefaultTree.CommunityId;
    private const long OtherStreet = 5;
    private const long OtherCommunity = 6;

    private static readonly Sender CityAdmin = FlowHarness.Person(1, "en", "Mayor");
    private static readonly Sender StreetAdmin = FlowHarness.Person(10, "en", "Stella");
    private static readonly Sender OtherStreetAdmin = FlowHarness.Person(11, "en", "Otto");
    private static readonly Sender CommunityAdmin = FlowHarness.Person(20, "en", "Cora");
    private static readonly Sender Ann = FlowHarness.Person(5_000_000_002, "en", "Ann");
    private static readonly Sender Bob = FlowHarness.Person(3_000, "en", "Bob");
    private static readonly Sender Cai = FlowHarness.Person(3_001, "zh-CN", "蔡");

    private static string I(InServiceButton button) => InServiceButton.Codec.Encode(button);

    private static string R(RegistrationButton button) => RegistrationButton.Codec.Encode(button);

    /// <summary>
    /// The default tree (city 1 → district 2 → street 3 → community 4) plus a second street 5 with community 6; a street
    /// administrator of 3 and one of 5 (living nowhere yet), and a community administrator living in community 4.
    /// </summary>
    private static async Task<FlowHarness> NewTreeAsync()
    {
        var h = new FlowHarness(null, CityAdmin.Id);
        var now = h.Clock.GetUtcNow();
        // The harness holds the default tree already; written again here (names in Chinese), whatever was there.
        var tree = DefaultTree.Commit(DefaultTreeNames.Chinese, now);
        Assert.Equal(CommitStatus.Committed, (await h.Store.CommitAsync(tree with { Writes = [.. tree.Writes.Select(w => w with { ExpectedVersion = null })] }, CancellationToken.None)).Status);
        var district = DefaultTree.Nodes(DefaultTreeNames.Chinese, now).Single(n => n.Id == DefaultTree.DistrictId) with { Children = [Street, OtherStreet] };
        var path = new long[] { DefaultTree.CityId, DefaultTree.DistrictId };
        await CommitAsync(h, Shards.Root,
            (DocKeys.OrgNode(district.Id), district),
            (DocKeys.OrgNode(OtherStreet), new OrgNode(OtherStreet, OrgLevel.Street, DefaultTree.DistrictId, "East Street") { Path = path, Children = [OtherCommunity] }),
            (DocKeys.OrgNode(OtherCommunity), new OrgNode(OtherCommunity, OrgLevel.Community, OtherStreet, "Harbour") { Path = [.. path, OtherStreet] }),
            (DocKeys.OrgCounters, new OrgCounters(OtherCommunity)),
            (DocKeys.User(StreetAdmin.Id), new UserProfile(StreetAdmin.Id, StreetAdmin.Id, StreetAdmin.FirstName) { AdminOf = [Street], Language = Language.En }),
            (DocKeys.User(OtherStreetAdmin.Id), new UserProfile(OtherStreetAdmin.Id, OtherStreetAdmin.Id, OtherStreetAdmin.FirstName) { AdminOf = [OtherStreet], Language = Language.En }),
            (DocKeys.Home(CommunityAdmin.Id), new PersonHome(Community)));
        await CommitAsync(h, Community,
            (DocKeys.User(CommunityAdmin.Id).In(Community), new UserProfile(CommunityAdmin.Id, CommunityAdmin.Id, CommunityAdmin.FirstName)
            {
                Roles = Roles.Admin, RegisteredAt = now, Language = Language.En,
            }));
        return h;
    }

    private static async Task CommitAsync(FlowHarness h, long shard, params (DocKey Key, object Record)[] docs)
    {
        var result = await h.Store.CommitAsync(new Commit
        {
            Shard = shard,
            Writes = docs.Select(d => new DocWrite(d.Key.Bind(shard), RecordJson.Serialize(d.Record), null)).ToList(),
        }, CancellationToken.None);
        Assert.Equal(CommitStatus.Committed, result.Status);
    }

    /// <summary>The street administrator creates a workplace region of the street through the panel.</summary>
    private static async Task<string> CreateRegionAsync(FlowHarness h, string name)
    {
        await h.Press(StreetAdmin, I(new InServiceButton.NewRegion(Street)));
        await h.Text(StreetAdmin, name);
        await h.DrainAsync();
        var ids = await h.Store.GetSetMembersAsync(Sets.Regions, Street, CancellationToken.None);
        foreach (var id in ids)
        {
            if ((await RegionAsync(h, id))?.Name == name)
            {
                return id;
            }
        }

        throw new InvalidOperationException("The region was not created.");
    }

    private static async Task<Region?> RegionAsync(FlowHarness h, string id, long node = Street)
    {
        var doc = await h.Store.GetAsync(DocKeys.Region(id).In(node), CancellationToken.None);
        return doc is null ? null : RecordJson.Deserialize<Region>(doc.Json);
    }

    private static async Task<string> InviteAsync(FlowHarness h, string regionId, bool convenor)
    {
        await h.Press(StreetAdmin, I(new InServiceButton.InviteToRegion(Street, regionId, convenor)));
        var texts = await h.DrainTextsAsync();
        return InviteCode().Match(texts.Last(t => t.Contains("?start=", StringComparison.Ordinal))).Groups[1].Value;
    }

    /// <summary>A visitor joins by a workplace invitation: phone, work unit, no skills, confirm (no grid: they live nowhere yet).</summary>
    private static async Task JoinAsync(FlowHarness h, Sender who, string code, string phone, string workUnit)
    {
        await h.Command(who, "start", code);
        await h.Text(who, phone);
        Assert.Equal("AskingWorkUnit", (await h.ConversationAsync(who.Id))!.Step);
        await h.Text(who, workUnit);
        await h.Press(who, R(new RegistrationButton.SkillsDone()));
        await h.Press(who, R(new RegistrationButton.Confirm()));
    }

    private static async Task ReportInAsync(FlowHarness h, Sender who, long community)
    {
        await h.Press(who, I(new InServiceButton.ReportIn(0)));
        await h.Press(who, I(new InServiceButton.Street(Street)));
        await h.Press(who, I(new InServiceButton.PickCommunity(community)));
        await h.Press(who, I(new InServiceButton.ConfirmReport(community)));
    }

    private static async Task<UserProfile?> ProfileInAsync(FlowHarness h, long userId, long shard)
    {
        var doc = await h.Store.GetAsync(DocKeys.User(userId).In(shard), CancellationToken.None);
        return doc is null ? null : RecordJson.Deserialize<UserProfile>(doc.Json);
    }

    private static async Task<T?> DocAsync<T>(FlowHarness h, DocKey key)
        where T : class
    {
        var doc = await h.Store.GetAsync(key, CancellationToken.None);
        return doc is null ? null : RecordJson.Deserialize<T>(doc.Json);
    }

    private static Task<IReadOnlyList<string>> SetAsync(FlowHarness h, string set, long shard) => h.Store.GetSetMembersAsync(set, shard, CancellationToken.None);

    private static AnswerCallback? Answer(IEnumerable<OutboxMessage> messages, string queryId) =>
        messages.Select(m => m.Action).OfType<AnswerCallback>().FirstOrDefault(a => a.CallbackQueryId == queryId);

    [GeneratedRegex(@"\?start=([A-Za-z0-9]+)")]
    private static partial Regex InviteCode();

    [Fact]
    public async Task StreetAdmin_CreatesAndRenamesWorkplaceRegions_InTheStreetsShard()
    {
        var h = await NewTreeAsync();
        await h.Press(StreetAdmin, I(new InServiceButton.Nodes(0)));
        Assert.Contains("本街道", string.Join("\n", (await h.DrainAsync()).Select(m => m.Action).OfType<EditText>().SelectMany(e => e.Markup!.Rows.SelectMany(r => r)).Select(b => b.Text)), StringComparison.Ordinal);

        var education = await CreateRegionAsync(h, "教育系统");
        var offices = await CreateRegionAsync(h, "市直机关一片");

        Assert.Equal(("w1", "w2"), (education, offices));
        Assert.Equal(["w1", "w2"], (await SetAsync(h, Sets.Regions, Street)).Order());
        Assert.Empty(await SetAsync(h, Sets.Regions, Shards.Root));
        Assert.Empty(await SetAsync(h, Sets.Regions, Community));

        // A name taken in the node (any case) is asked again; a rename keeps the id.
        await h.Press(StreetAdmin, I(new InServiceButton.NewRegion(Street)));
        await h.Text(StreetAdmin, "教育系统");
        Assert.Contains("already exists", (await h.DrainTextsAsync())[^1], StringComparison.Ordinal);
        await h.Press(StreetAdmin, I(new InServiceButton.Cancel()));
        await h.Press(StreetAdmin, I(new InServiceButton.RenameRegion(Street, offices)));
        await h.Text(StreetAdmin, "市直机关二片");
        await h.DrainAsync();
        Assert.Equal("市直机关二片", (await RegionAsync(h, offices))!.Name);
        Assert.Equal(2, (await SetAsync(h, Sets.Regions, Street)).Count);
        Assert.Equal("Idle", (await h.ConversationAsync(StreetAdmin.Id))!.Step);
    }

    [Fact]
    public async Task CityAdmin_ManagesTheCitysOwnRegions_AndEveryStreetBelow()
    {
        var h = await NewTreeAsync();
        await h.Press(CityAdmin, I(new InServiceButton.NewRegion(Shards.Root)));
        await h.Text(CityAdmin, "市直机关");
        await h.Press(CityAdmin, I(new InServiceButton.NewRegion(OtherStreet)));
        await h.Text(CityAdmin, "港口");
        await h.DrainAsync();

        Assert.Equal(["w1"], await SetAsync(h, Sets.Regions, Shards.Root));
        Assert.Equal("市直机关", (await RegionAsync(h, "w1", Shards.Root))!.Name);
        Assert.Equal("港口", (await RegionAsync(h, "w1", OtherStreet))!.Name);
    }

    [Fact]
    public async Task MemberJoinsAWorkplaceRegion_ReportsInToTheirCommunity_AndMeShowsBoth()
    {
        var h = await NewTreeAsync();
        var region = await CreateRegionAsync(h, "Education");
        var code = await InviteAsync(h, region, convenor: false);

        await JoinAsync(h, Ann, code, "13800138000", "No. 1 Middle School");
        var joined = (await h.ProfileAsync(Ann.Id))!;
        Assert.Equal((Roles.Member, region, (long?)Street, "No. 1 Middle School"), (joined.Roles, joined.RegionId, joined.WorkNodeId, joined.WorkUnit));
        Assert.True(joined.Fixed.HasFlag(ProfileFields.Region));
        Assert.Contains(Sets.Member(Ann.Id), await SetAsync(h, Sets.PeopleInRegion(region), Street));
        Assert.DoesNotContain(Sets.Member(Ann.Id), await SetAsync(h, Sets.PeopleInRegion(region), Shards.Root));
        var afterJoin = await h.DrainTextsAsync();
        Assert.Contains(afterJoin, t => t.Contains("Please report in to the community where you live", StringComparison.Ordinal));

        await h.Command(Ann, "me");
        var card = (await h.DrainTextsAsync())[^1];
        Assert.Contains("Workplace region: Education (本街道)", card, StringComparison.Ordinal);
        Assert.Contains("Community reported in to: not yet", card, StringComparison.Ordinal);

        await ReportInAsync(h, Ann, Community);

        Assert.Equal(Community, (await DocAsync<PersonHome>(h, DocKeys.Home(Ann.Id)))!.Shard);
        Assert.Null(await ProfileInAsync(h, Ann.Id, Shards.Root));
        var moved = (await ProfileInAsync(h, Ann.Id, Community))!;
        Assert.Equal((region, (long?)Street), (moved.RegionId, moved.WorkNodeId));
        Assert.Equal([Sets.Member(Ann.Id)], await SetAsync(h, Sets.InServiceMembers, Community));
        Assert.Empty(await SetAsync(h, Sets.InServiceMembers, Shards.Root));
        Assert.Contains(Sets.Member(Ann.Id), await SetAsync(h, Sets.People, Community));

        // The workplace region's set (a third shard) is left and joined again in one commit: she stays in it.
        Assert.Equal([Sets.Member(Ann.Id)], await SetAsync(h, Sets.PeopleInRegion(region), Street));

        await h.DrainAsync();
        await h.Command(Ann, "me");
        card = (await h.DrainTextsAsync())[^1];
        Assert.Contains("Workplace region: Education (本街道)", card, StringComparison.Ordinal);
        Assert.Contains("Community reported in to: 本社区", card, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MeInChinese_ShowsTheWorkplaceRegionAndTheCommunity()
    {
        var h = await NewTreeAsync();
        var region = await CreateRegionAsync(h, "教育系统");
        var code = await InviteAsync(h, region, convenor: false);
        await JoinAsync(h, Cai, code, "13700137000", "第一中学");
        await ReportInAsync(h, Cai, Community);
        await h.DrainAsync();

        await h.Command(Cai, "me");

        var card = (await h.DrainTextsAsync())[^1];
        Assert.Contains("工作单位片区：教育系统（本街道）", card, StringComparison.Ordinal);
        Assert.Contains("报到社区：本社区", card, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConvenorInvitation_AppointsTheConvenorThenTheBackup_OfTheWorkplaceRegion()
    {
        var h = await NewTreeAsync();
        var region = await CreateRegionAsync(h, "Education");
        await JoinAsync(h, Ann, await InviteAsync(h, region, convenor: true), "13800138000", "School");
        await JoinAsync(h, Bob, await InviteAsync(h, region, convenor: true), "13900139000", "College");

        var stored = (await RegionAsync(h, region))!;
        Assert.Equal((Ann.Id, Bob.Id), (stored.ConvenorId, stored.BackupConvenorId));
        Assert.Equal(Roles.Member | Roles.Convenor, (await h.ProfileAsync(Ann.Id))!.Roles);
        Assert.Equal((long?)Street, (await h.ProfileAsync(Bob.Id))!.WorkNodeId);
        Assert.Empty(await SetAsync(h, Sets.Regions, Shards.Root));

        // The region's page shows both.
        await h.Press(StreetAdmin, I(new InServiceButton.OpenRegion(Street, region)));
        var page = (await h.DrainTextsAsync())[^1];
        Assert.Contains("Convenor: Ann +8613800138000", page, StringComparison.Ordinal);
        Assert.Contains("Backup convenor: Bob +8613900139000", page, StringComparison.Ordinal);
        Assert.Contains("Members: 2", page, StringComparison.Ordinal);

        // Leaving empties her seat in the street's region.
        await h.Press(Ann, ProfileButton.Codec.Encode(new ProfileButton.ConfirmLeave()));
        Assert.Null((await RegionAsync(h, region))!.ConvenorId);
        Assert.DoesNotContain(Sets.Member(Ann.Id), await SetAsync(h, Sets.PeopleInRegion(region), Street));
    }

    [Fact]
    public async Task CommunitySeesReportedInMembers_CallsOnThem_AndTheCountUpdatesInPlace()
    {
        var h = await NewTreeAsync();
        var region = await CreateRegionAsync(h, "Education");
        var code = await InviteAsync(h, region, convenor: false);
        await JoinAsync(h, Ann, code, "13800138000", "No. 1 Middle School");
        await ReportInAsync(h, Ann, Community);
        await JoinAsync(h, Bob, code, "13900139000", "Bank");
        await ReportInAsync(h, Bob, Community);
        await JoinAsync(h, Cai, code, "13700137000", "Port");
        await ReportInAsync(h, Cai, OtherCommunity);
        await h.DrainAsync();

        // The community's administrators find the section in /admin.
        await h.Command(CommunityAdmin, "admin");
        var menu = (await h.DrainAsync()).Select(m => m.Action).OfType<SendText>().Last();
        Assert.Contains(((InlineMarkup)menu.Markup!).Rows.SelectMany(r => r), b => b.CallbackData == I(new InServiceButton.Members(0)));

        await h.Press(CommunityAdmin, I(new InServiceButton.Members(0)));
        var list = (await h.DrainTextsAsync())[^1];
        Assert.Contains("In-service members who reported in</b>: 2", list, StringComparison.Ordinal);
        Assert.Contains("Ann — No. 1 Middle School; region: Education (本街道)", list, StringComparison.Ordinal);
        Assert.Contains("Bob — Bank", list, StringComparison.Ordinal);
        Assert.DoesNotContain("蔡", list, StringComparison.Ordinal);

        await h.Press(CommunityAdmin, I(new InServiceButton.StartCall()));
        await h.Press(CommunityAdmin, I(new InServiceButton.CallAudience(null)));
        await h.Text(CommunityAdmin, "Sandbags at the east gate, 15:00");
        Assert.Contains("It goes to 2 people.", (await h.DrainTextsAsync())[^1], StringComparison.Ordinal);
        await h.Press(CommunityAdmin, I(new InServiceButton.SendCall()));

        var sent = await h.DrainAsync();
        var toAnn = sent.Single(m => m.ChatId == Ann.Id && m.Action is SendText);
        Assert.Contains("Sandbags at the east gate, 15:00", ((SendText)toAnn.Action).Html, StringComparison.Ordinal);
        Assert.Contains(((InlineMarkup)((SendText)toAnn.Action).Markup!).Rows.SelectMany(r => r), b => b.CallbackData == I(new InServiceButton.Answer(1, true)));
        Assert.Single(sent, m => m.ChatId == Bob.Id && m.Action is SendText);
        Assert.DoesNotContain(sent, m => m.ChatId == Cai.Id);
        var panel = sent.Single(m => m.ChatId == CommunityAdmin.Id && m.Action is SendText);
        Assert.Equal(InServiceFlow.PanelTag(Community, 1), panel.Tag);
        Assert.Equal(2, (await DocAsync<InServiceCall>(h, DocKeys.InServiceCall(1).In(Community)))!.Called);

        await h.Press(Ann, I(new InServiceButton.Answer(1, true)));
        var edits = await h.DrainAsync();
        var count = edits.Select(m => m.Action).OfType<EditText>().Single(e => e.TargetTag == InServiceFlow.PanelTag(Community, 1));
        Assert.Contains("🏃 on my way: 1", count.Html, StringComparison.Ordinal);
        Assert.Contains("⏳ no answer: 1", count.Html, StringComparison.Ordinal);
        Assert.Contains(edits, m => m.ChatId == Ann.Id && m.Action is EditText e && e.Html.Contains("Your answer: 🏃 on my way", StringComparison.Ordinal));

        await h.Press(Bob, I(new InServiceButton.Answer(1, false)));
        count = (await h.DrainAsync()).Select(m => m.Action).OfType<EditText>().Single(e => e.TargetTag is not null);
        Assert.Contains("🏃 on my way: 1", count.Html, StringComparison.Ordinal);
        Assert.Contains("❌ can't come: 1", count.Html, StringComparison.Ordinal);
        Assert.Contains("⏳ no answer: 0", count.Html, StringComparison.Ordinal);

        // Changing one's mind moves the answer; the call's records stay in the community's shard.
        await h.Press(Bob, I(new InServiceButton.Answer(1, true)));
        Assert.Equal(2, (await SetAsync(h, Sets.InServiceAnswers(1, true), Community)).Count);
        Assert.Empty(await SetAsync(h, Sets.InServiceAnswers(1, false), Community));
        Assert.True((await DocAsync<InServiceAnswer>(h, DocKeys.InServiceAnswer(1, Bob.Id).In(Community)))!.Coming);
    }

    [Fact]
    public async Task CallBySkill_ReachesOnlyTheMembersWithIt()
    {
        var h = await NewTreeAsync();
        var region = await CreateRegionAsync(h, "Education");
        var code = await InviteAsync(h, region, convenor: false);
        await h.Command(Ann, "start", code);
        await h.Text(Ann, "13800138000");
        await h.Text(Ann, "Hospital");
        await h.Press(Ann, R(new RegistrationButton.ToggleSkill(Skill.Medical)));
        await h.Press(Ann, R(new RegistrationButton.SkillsDone()));
        await h.Press(Ann, R(new RegistrationButton.Confirm()));
        await ReportInAsync(h, Ann, Community);
        await JoinAsync(h, Bob, code, "13900139000", "Bank");
        await ReportInAsync(h, Bob, Community);
        await h.DrainAsync();

        await h.Press(CommunityAdmin, I(new InServiceButton.CallAudience(Skill.Medical)));
        await h.Text(CommunityAdmin, "First aid post at the school");
        await h.Press(CommunityAdmin, I(new InServiceButton.SendCall()));

        var sent = await h.DrainAsync();
        Assert.Single(sent, m => m.ChatId == Ann.Id && m.Action is SendText);
        Assert.DoesNotContain(sent, m => m.ChatId == Bob.Id);
        Assert.Equal(Skill.Medical, (await DocAsync<InServiceCall>(h, DocKeys.InServiceCall(1).In(Community)))!.Skill);
    }
}
