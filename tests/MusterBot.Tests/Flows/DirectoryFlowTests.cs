using System.Text;
using System.Text.RegularExpressions;
using MusterBot.Flows.Admin;
using MusterBot.Flows.Events;
using MusterBot.Flows.Profile;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Session;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Registration, the administrators' panel, invitations, roster and profile, decided on the in-memory store.</summary>
public partial class DirectoryFlowTests
{
    private static readonly Sender Admin = FlowHarness.Person(1, "en", "Boss");
    private static readonly Sender Ann = FlowHarness.Person(5_000_000_002, "en", "Ann");
    private static readonly Sender Bob = FlowHarness.Person(3, "en", "Bob");

    private static FlowHarness NewHarness() => new(null, Admin.Id);

    /// <summary>The admin creates grid "North" with building "B1" and region "Port" through the panel.</summary>
    private static async Task SetUpAsync(FlowHarness h)
    {
        await h.Press(Admin, A(new AdminButton.NewGrid()));
        await h.Text(Admin, "North");
        await h.Press(Admin, A(new AdminButton.NewBuilding("g1")));
        await h.Text(Admin, "B1");
        await h.Press(Admin, A(new AdminButton.NewRegion()));
        await h.Text(Admin, "Port");
        await h.DrainAsync();
    }

    private static string A(AdminButton button) => AdminButton.Codec.Encode(button);

    private static string R(RegistrationButton button) => RegistrationButton.Codec.Encode(button);

    private static string P(ProfileButton button) => ProfileButton.Codec.Encode(button);

    private static async Task<string> CreateInviteAsync(FlowHarness h, Roles role, AdminButton scope, int uses = 1, int days = 7)
    {
        await h.Press(Admin, A(new AdminButton.NewInvite()));
        await h.Press(Admin, A(new AdminButton.InviteRole(role)));
        await h.Press(Admin, A(scope));
        await h.Press(Admin, A(new AdminButton.InviteUses(uses)));
        await h.Press(Admin, A(new AdminButton.InviteDays(days)));
        var texts = await h.DrainTextsAsync();
        var created = texts.Last(t => t.Contains("?start=", StringComparison.Ordinal));
        return InviteCode().Match(created).Groups[1].Value;
    }

    /// <summary>Registers a member by invitation: phone, grid g1, no region, no work unit, no skills, confirm.</summary>
    private static async Task RegisterMemberAsync(FlowHarness h, Sender who, string code, string phone)
    {
        await h.Command(who, "start", code);
        await h.Text(who, phone);
        await h.Press(who, R(new RegistrationButton.PickGrid("g1")));
        await h.Press(who, R(new RegistrationButton.Skip()));
        await h.Press(who, R(new RegistrationButton.Skip()));
        await h.Press(who, R(new RegistrationButton.SkillsDone()));
        await h.Press(who, R(new RegistrationButton.Confirm()));
    }

    private static async Task<string> LastTextAsync(FlowHarness h) => (await h.DrainTextsAsync()).Last(t => !t.StartsWith('[')) ;

    [Fact]
    public async Task Admin_SetsUpGridBuildingAndRegion_ThroughThePanel()
    {
        var h = NewHarness();
        await SetUpAsync(h);

        var grid = RecordJson.Deserialize<Grid>((await h.Store.GetAsync(DocKeys.Grid("g1").Bind(FlowHarness.Community), CancellationToken.None))!.Json);
        Assert.Equal("North", grid.Name);
        Assert.Equal("B1", Assert.Single(grid.Buildings).Name);
        Assert.Equal(["g1"], await h.Store.GetSetMembersAsync(Sets.Grids, FlowHarness.Community, CancellationToken.None));
        Assert.Equal(["r1"], await h.Store.GetSetMembersAsync(Sets.Regions, FlowHarness.Community, CancellationToken.None));
        Assert.Equal("Idle", (await h.ConversationAsync(Admin.Id))!.Step);
    }

    [Fact]
    public async Task Admin_DuplicateOrOverlongName_IsAskedAgain_AndNothingIsCreated()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Press(Admin, A(new AdminButton.NewGrid()));
        await h.Text(Admin, "north");
        Assert.Contains("already exists", await LastTextAsync(h), StringComparison.Ordinal);
        await h.Text(Admin, new string('x', 31));
        Assert.Contains("1 to 30 characters", await LastTextAsync(h), StringComparison.Ordinal);
        await h.Command(Admin, "cancel");
        Assert.Single(await h.Store.GetSetMembersAsync(Sets.Grids, FlowHarness.Community, CancellationToken.None));
    }

    [Fact]
    public async Task MemberJoinsByInvite_PhoneGridRegionWorkUnitSkills_AndTheInviteIsUsedUp()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var code = await CreateInviteAsync(h, Roles.Member, new AdminButton.InviteRegion("r1"));

        await h.Command(Ann, "start", code);
        await h.Text(Ann, "138 0013 8000");
        await h.Press(Ann, R(new RegistrationButton.PickGrid("g1")));
        await h.Text(Ann, "City Hospital");
        await h.Press(Ann, R(new RegistrationButton.ToggleSkill(Skill.Medical)));
        await h.Press(Ann, R(new RegistrationButton.ToggleSkill(Skill.Driving)));
        await h.Press(Ann, R(new RegistrationButton.ToggleSkill(Skill.Driving)));
        await h.Press(Ann, R(new RegistrationButton.SkillsDone()));
        Assert.Contains("Please check your details", await LastTextAsync(h), StringComparison.Ordinal);
        await h.Press(Ann, R(new RegistrationButton.Confirm()));

        var profile = (await h.ProfileAsync(Ann.Id))!;
        Assert.Equal(Roles.Member, profile.Roles);
        Assert.Equal("+8613800138000", profile.Phone);
        Assert.Equal(("g1", "r1", "City Hospital"), (profile.GridId, profile.RegionId, profile.WorkUnit));
        Assert.Equal([Skill.Medical], profile.Skills);
        Assert.Contains(Sets.Member(Ann.Id), await h.Store.GetSetMembersAsync(Sets.PeopleWithSkill(Skill.Medical), FlowHarness.Community, CancellationToken.None));
        Assert.Contains(Sets.Member(Ann.Id), await h.Store.GetSetMembersAsync(Sets.PeopleInRegion("r1"), FlowHarness.Community, CancellationToken.None));
        var invite = RecordJson.Deserialize<Invite>((await h.Store.GetAsync(DocKeys.Invite(code).Bind(FlowHarness.Community), CancellationToken.None))!.Json);
        Assert.Equal(1, invite.Uses);

        // A single-use invitation cannot be used a second time. (Bob, not yet in a community, is answered from the root
        // shard's outbox: across shards the drain order is by shard, so his answer is looked for among all.)
        await h.DrainTextsAsync();
        await h.Command(Bob, "start", code);
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("not valid or has expired", StringComparison.Ordinal));
        Assert.Null((await h.ProfileAsync(Bob.Id))!.RegisteredAt);
    }

    [Fact]
    public async Task SecondPresses_OfConfirmAndImport_ChangeNothing()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var code = await CreateInviteAsync(h, Roles.Member, new AdminButton.InviteAnywhere(), uses: 10);
        await RegisterMemberAsync(h, Ann, code, "13800138000");
        await h.DrainAsync();
        await h.Press(Ann, R(new RegistrationButton.Confirm()), queryId: "again");
        Assert.Contains((await h.DrainAsync()), m => m.Action is AnswerCallback { CallbackQueryId: "again", Text: "This button is no longer valid." });
        Assert.Equal(1, RecordJson.Deserialize<Invite>((await h.Store.GetAsync(DocKeys.Invite(code).Bind(FlowHarness.Community), CancellationToken.None))!.Json).Uses);

        var csv = "name,phone,grid,region,work_unit,skills,role\nBob,13900139000,,,,,\n";
        await h.Press(Admin, A(new AdminButton.Roster()));
        await h.Event(new DocumentReceived(Admin, Admin.Id, 50, "f1", "roster.csv", csv.Length, "text/csv") { Content = Encoding.UTF8.GetBytes(csv) });
        await h.Press(Admin, A(new AdminButton.ImportRoster()));
        await h.DrainAsync();
        await h.Press(Admin, A(new AdminButton.ImportRoster()), queryId: "twice");
        Assert.Contains((await h.DrainAsync()), m => m.Action is AnswerCallback { CallbackQueryId: "twice", Text: "This import has expired. Please send the file again." });
        Assert.Single(await h.Store.GetSetMembersAsync(Sets.Roster, FlowHarness.Community, CancellationToken.None));
    }

    [Fact]
    public async Task ExpiredInvite_IsRefused()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var code = await CreateInviteAsync(h, Roles.Member, new AdminButton.InviteAnywhere(), days: 1);
        h.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));

        await h.Command(Ann, "start", code);

        Assert.Contains("not valid or has expired", await LastTextAsync(h), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InviteRevokedDuringRegistration_IsRefusedAtTheEnd_AndNothingIsRegistered()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var code = await CreateInviteAsync(h, Roles.Handler, new AdminButton.InviteGrid("g1"));
        await h.Command(Bob, "start", code);
        await h.Text(Bob, "13900139000");
        await h.Press(Admin, A(new AdminButton.RevokeInvite(code)));
        await h.DrainAsync();

        await h.Press(Bob, R(new RegistrationButton.Confirm()));

        Assert.Contains("not valid or has expired", await LastTextAsync(h), StringComparison.Ordinal);
        Assert.Null((await h.ProfileAsync(Bob.Id))!.RegisteredAt);
    }

    [Fact]
    public async Task ConvenorInvite_MakesThePersonConvenorOfTheRegion_ThenBackup()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var code = await CreateInviteAsync(h, Roles.Convenor, new AdminButton.InviteRegion("r1"), uses: 10);
        foreach (var who in new[] { Ann, Bob })
        {
            await h.Command(who, "start", code);
            await h.Text(who, who == Ann ? "13800138000" : "13900139000");
            await h.Press(who, R(new RegistrationButton.PickGrid("g1")));
            await h.Press(who, R(new RegistrationButton.Skip()));
            await h.Press(who, R(new RegistrationButton.SkillsDone()));
            await h.Press(who, R(new RegistrationButton.Confirm()));
        }

        var region = RecordJson.Deserialize<Region>((await h.Store.GetAsync(DocKeys.Region("r1").Bind(FlowHarness.Community), CancellationToken.None))!.Json);
        Assert.Equal((Ann.Id, Bob.Id), (region.ConvenorId, region.BackupConvenorId));
        Assert.Equal(Roles.Member | Roles.Convenor, (await h.ProfileAsync(Ann.Id))!.Roles);
    }

    [Fact]
    public async Task Resident_Registers_WithBackAndSkip_AndOddInputIsAskedAgain()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterResident);
        await h.Text(Ann, "the blue one");
        Assert.Contains("tap one of the buttons", await LastTextAsync(h), StringComparison.Ordinal);
        await h.Press(Ann, R(new RegistrationButton.PickGrid("g1")));
        await h.Press(Ann, R(new RegistrationButton.Back()));
        Assert.Equal("ChoosingGrid", (await h.ConversationAsync(Ann.Id))!.Step);
        await h.Press(Ann, R(new RegistrationButton.PickGrid("g1")));
        await h.Press(Ann, R(new RegistrationButton.PickBuilding("b1")));
        await h.Text(Ann, "not a phone");
        Assert.Contains("does not look like a phone number", await LastTextAsync(h), StringComparison.Ordinal);
        await h.Text(Ann, "Skip");
        await h.Press(Ann, R(new RegistrationButton.Confirm()));

        var profile = (await h.ProfileAsync(Ann.Id))!;
        Assert.Equal((Roles.Resident, "g1", "b1", (string?)null), (profile.Roles, profile.GridId, profile.BuildingId, profile.Phone));
    }

    [Fact]
    public async Task ResidentWhoJoinsAsMember_KeepsTheirBuilding()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterResident);
        await h.Press(Ann, R(new RegistrationButton.PickGrid("g1")));
        await h.Press(Ann, R(new RegistrationButton.PickBuilding("b1")));
        await h.Text(Ann, "Skip");
        await h.Press(Ann, R(new RegistrationButton.Confirm()));
        var code = await CreateInviteAsync(h, Roles.Member, new AdminButton.InviteAnywhere());

        await RegisterMemberAsync(h, Ann, code, "13800138000");

        var profile = (await h.ProfileAsync(Ann.Id))!;
        Assert.Equal((Roles.Resident | Roles.Member, "b1"), (profile.Roles, profile.BuildingId));
    }

    [Fact]
    public async Task BlockingTheBotDuringRegistration_IsRecorded_AndTheConversationIsKept()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterResident);
        await h.DrainAsync();

        await h.Event(new BotMembershipChanged(Ann, Ann.Id, Blocked: true));

        Assert.Empty(await h.DrainAsync());
        Assert.True((await h.ProfileAsync(Ann.Id))!.BlockedBot);
        Assert.Equal(("register", "ChoosingGrid"), ((await h.ConversationAsync(Ann.Id))!.Flow, (await h.ConversationAsync(Ann.Id))!.Step));
    }

    [Fact]
    public async Task LanguageButton_WhileAnAdministratorTypesAName_StillChangesTheLanguage()
    {
        var h = NewHarness();
        await h.Press(Admin, A(new AdminButton.NewGrid()));
        await h.Press(Admin, MainFlow.PickChinese);
        Assert.Equal(Language.Zh, (await h.ProfileAsync(Admin.Id))!.Language);
        await h.Press(Admin, R(new RegistrationButton.PickGrid("g1")), queryId: "foreign");
        Assert.Contains((await h.DrainAsync()), m => m.Action is AnswerCallback { CallbackQueryId: "foreign" });
    }

    [Fact]
    public async Task ACommandDuringRegistration_LeavesIt_AndLaterTextIsNotTakenAsAnAnswer()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterResident);
        Assert.Equal("register", (await h.ConversationAsync(Ann.Id))!.Flow);

        await h.Command(Ann, "me");
        Assert.Equal(("main", "Idle"), ((await h.ConversationAsync(Ann.Id))!.Flow, (await h.ConversationAsync(Ann.Id))!.Step));
        await h.DrainAsync();
        await h.Text(Ann, "hello");
        Assert.Contains("did not understand", await LastTextAsync(h), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registration_StaleOrForgedButton_IsAnsweredAndChangesNothing()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterResident);
        await h.DrainAsync();

        await h.Press(Ann, R(new RegistrationButton.PickBuilding("b1")), queryId: "q-stale");
        await h.Press(Ann, R(new RegistrationButton.PickGrid("g99")), queryId: "q-forged");

        var answers = (await h.DrainAsync()).Select(m => m.Action).OfType<AnswerCallback>().ToList();
        Assert.All(answers, a => Assert.Equal("This button is no longer valid.", a.Text));
        Assert.Equal(2, answers.Count);
        Assert.Equal("ChoosingGrid", (await h.ConversationAsync(Ann.Id))!.Step);
    }

    [Fact]
    public async Task Registration_AfterRestart_ContinuesWhereThePersonWas()
    {
        var first = NewHarness();
        await SetUpAsync(first);
        await first.Command(Ann, "start");
        await first.Press(Ann, MainFlow.RegisterResident);
        await first.Press(Ann, R(new RegistrationButton.PickGrid("g1")));

        var second = new FlowHarness(first.Store, Admin.Id);
        await second.Press(Ann, R(new RegistrationButton.Skip()));
        await second.Text(Ann, "13800138000");
        await second.Press(Ann, R(new RegistrationButton.Confirm()));

        Assert.Equal(Roles.Resident, (await second.ProfileAsync(Ann.Id))!.Roles);
    }

    [Fact]
    public async Task Roster_ImportThenJoinByOwnContact_NotByAnothersContact()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var csv = "name,phone,grid,region,work_unit,skills,role\nAnn Li,13800138000,North,Port,Clinic,医疗;Driving,党员\nBob,13900139000,,,,,\n";
        await h.Press(Admin, A(new AdminButton.Roster()));
        await h.Event(new DocumentReceived(Admin, Admin.Id, 50, "f1", "roster.csv", csv.Length, "text/csv") { Content = Encoding.UTF8.GetBytes(csv) });
        Assert.Contains("2 valid", await LastTextAsync(h), StringComparison.Ordinal);
        await h.Press(Admin, A(new AdminButton.ImportRoster()));
        Assert.Contains("2 people (2 new, 0 updated;", await LastTextAsync(h), StringComparison.Ordinal);

        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterRoster);
        await h.Event(new ContactShared(Ann, Ann.Id, 60, "8613800138000", Bob.Id));
        Assert.Contains("your own phone number", await LastTextAsync(h), StringComparison.Ordinal);
        await h.Event(new ContactShared(Ann, Ann.Id, 61, "8613800138000", Ann.Id));
        Assert.Contains("Found you: Ann Li", string.Join('\n', await h.DrainTextsAsync()), StringComparison.Ordinal);
        Assert.Equal("ChoosingSkills", (await h.ConversationAsync(Ann.Id))!.Step);
        await h.Press(Ann, R(new RegistrationButton.SkillsDone()));
        await h.Press(Ann, R(new RegistrationButton.Confirm()));

        var profile = (await h.ProfileAsync(Ann.Id))!;
        Assert.Equal((Roles.Member, "g1", "r1", "Clinic"), (profile.Roles, profile.GridId, profile.RegionId, profile.WorkUnit));
        Assert.Equal([Skill.Medical, Skill.Driving], profile.Skills.Order());
        var entry = RecordJson.Deserialize<RosterEntry>((await h.Store.GetAsync(DocKeys.Roster("+8613800138000").Bind(FlowHarness.Community), CancellationToken.None))!.Json);
        Assert.Equal(Ann.Id, entry.JoinedUserId);

        // Re-importing updates by phone number instead of duplicating, and keeps who joined.
        await h.Press(Admin, A(new AdminButton.Roster()));
        await h.Event(new DocumentReceived(Admin, Admin.Id, 51, "f2", "roster.csv", csv.Length, "text/csv") { Content = Encoding.UTF8.GetBytes(csv.Replace("Clinic", "Hospital", StringComparison.Ordinal)) });
        await h.Press(Admin, A(new AdminButton.ImportRoster()));
        Assert.Contains("(0 new, 2 updated; 1 registered members' profiles updated)", await LastTextAsync(h), StringComparison.Ordinal);
        Assert.Equal(2, (await h.Store.GetSetMembersAsync(Sets.Roster, FlowHarness.Community, CancellationToken.None)).Count);
        Assert.Equal("Hospital", (await h.ProfileAsync(Ann.Id))!.WorkUnit);
        entry = RecordJson.Deserialize<RosterEntry>((await h.Store.GetAsync(DocKeys.Roster("+8613800138000").Bind(FlowHarness.Community), CancellationToken.None))!.Json);
        Assert.Equal(("Hospital", (long?)Ann.Id), (entry.WorkUnit, entry.JoinedUserId));
    }

    [Theory]
    [InlineData("name,phone,grid,region,work_unit,skills,role\nAnn,12345,,,,,\nBob,13900139000,,,,,\n")]
    [InlineData("name,phone,grid,region,work_unit,skills,role\nAnn,13800138000,Nowhere,,,,\nBob,13900139000,,,,,\n")]
    [InlineData("name,phone,grid,region,work_unit,skills,role\nAnn,13800138000,,,,,\nBob,13800138000,,,,,\n")]
    public async Task Roster_WithBadRows_IsReportedRowByRow_AndImportsNothingUntilConfirmed(string csv)
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Press(Admin, A(new AdminButton.Roster()));
        await h.Event(new DocumentReceived(Admin, Admin.Id, 50, "f1", "roster.csv", csv.Length, "text/csv") { Content = Encoding.UTF8.GetBytes(csv) });
        var report = await LastTextAsync(h);
        Assert.Matches("(line|Line) 2|(line|Line) 3", report);
        Assert.Empty(await h.Store.GetSetMembersAsync(Sets.Roster, FlowHarness.Community, CancellationToken.None));

        await h.Press(Admin, A(new AdminButton.DropRoster()));
        Assert.Empty(await h.Store.GetSetMembersAsync(Sets.Roster, FlowHarness.Community, CancellationToken.None));
        await h.Press(Admin, A(new AdminButton.ImportRoster()));
        Assert.Empty(await h.Store.GetSetMembersAsync(Sets.Roster, FlowHarness.Community, CancellationToken.None));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xD5, 0xC5, 0xC8, 0xFD, 0x2C, 0x31, 0x0A })]
    public async Task Roster_EmptyOrNotUtf8File_IsRefusedWhole(byte[] content)
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Press(Admin, A(new AdminButton.Roster()));
        await h.Event(new DocumentReceived(Admin, Admin.Id, 50, "f1", "roster.csv", content.Length, "text/csv") { Content = content });
        Assert.Contains("Nobody was imported", await LastTextAsync(h), StringComparison.Ordinal);
        Assert.Equal("Idle", (await h.ConversationAsync(Admin.Id))!.Step);
    }

    [Fact]
    public async Task Roster_TenMegabyteFile_IsRefusedWithoutDownload()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Press(Admin, A(new AdminButton.Roster()));
        await h.Event(new DocumentReceived(Admin, Admin.Id, 50, "f1", "roster.csv", 10 * 1024 * 1024, "text/csv"));
        Assert.Contains("Nobody was imported", await LastTextAsync(h), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Panel_AppointAndRemoveConvenor_KeepsRolesAndIndexInStep()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var code = await CreateInviteAsync(h, Roles.Member, new AdminButton.InviteAnywhere());
        await RegisterMemberAsync(h, Ann, code, "13800138000");
        await h.DrainAsync();

        await h.Press(Admin, A(new AdminButton.PickConvenor(ConvenorSeat.Convenor, "r1", Ann.Id)));
        Assert.Equal(Roles.Member | Roles.Convenor, (await h.ProfileAsync(Ann.Id))!.Roles);
        Assert.Contains(Sets.Member(Ann.Id), await h.Store.GetSetMembersAsync(Sets.PeopleWithRole(Roles.Convenor), FlowHarness.Community, CancellationToken.None));
        Assert.Contains((await h.DrainAsync()), m => m.ChatId == Ann.Id && m.Action is SendText s && s.Html.Contains("appointed convenor of Port", StringComparison.Ordinal));

        await h.Press(Admin, A(new AdminButton.RemoveConvenor(ConvenorSeat.Convenor, "r1")));
        Assert.Equal(Roles.Member, (await h.ProfileAsync(Ann.Id))!.Roles);
        Assert.Empty(await h.Store.GetSetMembersAsync(Sets.PeopleWithRole(Roles.Convenor), FlowHarness.Community, CancellationToken.None));
    }

    [Fact]
    public async Task GridWorker_RedeemingAMemberInvitation_AndPickingAnotherGrid_StaysTheWorkerOfTheirOwnGrid()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Press(Admin, A(new AdminButton.NewGrid()));
        await h.Text(Admin, "South");
        var handlerCode = await CreateInviteAsync(h, Roles.Handler, new AdminButton.InviteGrid("g1"));
        await h.Command(Bob, "start", handlerCode);
        await h.Text(Bob, "13900139000");
        await h.Press(Bob, R(new RegistrationButton.Confirm()));
        Assert.Equal("g1", (await h.ProfileAsync(Bob.Id))!.GridId);

        // The member invitation is open to any grid; Bob tries to pick the other one.
        var memberCode = await CreateInviteAsync(h, Roles.Member, new AdminButton.InviteAnywhere());
        await h.Command(Bob, "start", memberCode);
        await h.Text(Bob, "13900139000");
        await h.Press(Bob, R(new RegistrationButton.PickGrid("g2")));
        await h.Press(Bob, R(new RegistrationButton.Skip()));
        await h.Press(Bob, R(new RegistrationButton.Skip()));
        await h.Press(Bob, R(new RegistrationButton.SkillsDone()));
        await h.Press(Bob, R(new RegistrationButton.Confirm()));

        var profile = (await h.ProfileAsync(Bob.Id))!;
        Assert.True(profile.Roles.HasFlag(Roles.Member), profile.Roles.ToString());
        Assert.True(profile.Roles.HasFlag(Roles.Handler));
        Assert.Equal("g1", profile.GridId);
        Assert.DoesNotContain(Sets.Member(Bob.Id), await h.Store.GetSetMembersAsync(Sets.PeopleInGrid("g2"), FlowHarness.Community, CancellationToken.None));
    }

    [Fact]
    public async Task HandlerInvite_ForAGrid_RegistersAGridWorker()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var code = await CreateInviteAsync(h, Roles.Handler, new AdminButton.InviteGrid("g1"));
        await h.Command(Bob, "start", code);
        await h.Text(Bob, "13900139000");
        Assert.Contains("Please check your details", await LastTextAsync(h), StringComparison.Ordinal);
        await h.Press(Bob, R(new RegistrationButton.Confirm()));

        var profile = (await h.ProfileAsync(Bob.Id))!;
        Assert.Equal((Roles.Handler, "g1"), (profile.Roles, profile.GridId));
        Assert.Contains(Sets.Member(Bob.Id), await h.Store.GetSetMembersAsync(Sets.PeopleWithRole(Roles.Handler), FlowHarness.Community, CancellationToken.None));
    }

    [Fact]
    public async Task ProfileEdit_AsksThePreFilledQuestionsAgain_AndKeepsTheRegistration()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var code = await CreateInviteAsync(h, Roles.Member, new AdminButton.InviteAnywhere());
        await RegisterMemberAsync(h, Ann, code, "13800138000");
        var registeredAt = (await h.ProfileAsync(Ann.Id))!.RegisteredAt;
        h.Clock.Advance(TimeSpan.FromDays(2));

        await h.Press(Ann, P(new ProfileButton.Edit()));
        await h.Text(Ann, "13700137000");
        await h.Press(Ann, R(new RegistrationButton.PickGrid("g1")));
        await h.Press(Ann, R(new RegistrationButton.PickRegion("r1")));
        await h.Text(Ann, "Fire Station");
        await h.Press(Ann, R(new RegistrationButton.ToggleSkill(Skill.Rescue)));
        await h.Press(Ann, R(new RegistrationButton.SkillsDone()));
        await h.Press(Ann, R(new RegistrationButton.Confirm()));

        var profile = (await h.ProfileAsync(Ann.Id))!;
        Assert.Equal(("+8613700137000", "r1", "Fire Station", Roles.Member), (profile.Phone, profile.RegionId, profile.WorkUnit, profile.Roles));
        Assert.Equal([Skill.Rescue], profile.Skills);
        Assert.Equal(registeredAt, profile.RegisteredAt);
    }

    [Fact]
    public async Task Panel_RenamesABuilding()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Press(Admin, A(new AdminButton.RenameBuilding("g1", "b1")));
        await h.Text(Admin, "Block 1");
        var grid = RecordJson.Deserialize<Grid>((await h.Store.GetAsync(DocKeys.Grid("g1").Bind(FlowHarness.Community), CancellationToken.None))!.Json);
        Assert.Equal("Block 1", Assert.Single(grid.Buildings).Name);
    }

    [Fact]
    public async Task Panel_AdministratorAppointsAnother_WhoCanThenUseAdmin_AndCanBeRemoved()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Command(Bob, "start");
        await h.Press(Bob, MainFlow.RegisterResident);
        await h.Press(Bob, R(new RegistrationButton.PickGrid("g1")));
        await h.Press(Bob, R(new RegistrationButton.Skip()));
        await h.Text(Bob, "Skip");
        await h.Press(Bob, R(new RegistrationButton.Confirm()));
        await h.Command(Bob, "admin");
        Assert.Contains("only administrator", await LastTextAsync(h), StringComparison.Ordinal);

        await h.Press(Admin, A(new AdminButton.MakeAdmin(Bob.Id)));
        var appointed = await h.DrainAsync();
        Assert.Contains(appointed, m => m.ChatId == Bob.Id && m.Action is SendText s && s.Html.Contains("You are now an administrator", StringComparison.Ordinal));
        Assert.Contains(appointed, m => m.ChatId == Bob.Id && m.Action is SetChatCommands { Administrator: true });
        await h.Command(Bob, "admin");
        Assert.Contains("What would you like to manage?", await LastTextAsync(h), StringComparison.Ordinal);
        Assert.Contains(Sets.Member(Bob.Id), await h.Store.GetSetMembersAsync(Sets.PeopleWithRole(Roles.Admin), FlowHarness.Community, CancellationToken.None));

        await h.Press(Admin, A(new AdminButton.RemoveAdmin(Bob.Id)));
        Assert.Contains((await h.DrainAsync()), m => m.ChatId == Bob.Id && m.Action is SetChatCommands { Administrator: false });
        await h.Command(Bob, "admin");
        Assert.Contains("only administrator", await LastTextAsync(h), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Panel_PeopleList_IsPaged()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var code = await CreateInviteAsync(h, Roles.Resident, new AdminButton.InviteGrid("g1"), uses: 50);
        for (var i = 0; i < 12; i++)
        {
            var person = FlowHarness.Person(100 + i, "en", "P" + i);
            await h.Command(person, "start", code);
            await h.Press(person, R(new RegistrationButton.Skip()));
            await h.Press(person, R(new RegistrationButton.Skip()));
            await h.Press(person, R(new RegistrationButton.Confirm()));
        }

        await h.DrainAsync();
        await h.Press(Admin, A(new AdminButton.PeopleList(PeopleFilterKind.Grid, "g1", 1)), messageId: 7);
        var page = (await h.DrainAsync()).Select(m => m.Action).OfType<EditText>().Single();
        Assert.StartsWith("12 people:", page.Html, StringComparison.Ordinal);
        Assert.Equal(2, page.Html.Split('\n').Count(l => l.StartsWith('•')));
        Assert.Contains(page.Markup!.Rows.SelectMany(r => r), b => b.Text == "Page 2/2");
    }

    [Fact]
    public async Task ProfileLeave_DeletesPersonalData_KeepsAnAnonymisedCount()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterResident);
        await h.Press(Ann, R(new RegistrationButton.PickGrid("g1")));
        await h.Press(Ann, R(new RegistrationButton.Skip()));
        await h.Text(Ann, "13800138000");
        await h.Press(Ann, R(new RegistrationButton.Confirm()));

        await h.Press(Ann, P(new ProfileButton.AskLeave()));
        Assert.NotNull(await h.ProfileAsync(Ann.Id));
        await h.Press(Ann, P(new ProfileButton.ConfirmLeave()));

        Assert.Null(await h.ProfileAsync(Ann.Id));
        Assert.Empty(await h.Store.GetSetMembersAsync(Sets.PeopleInGrid("g1"), FlowHarness.Community, CancellationToken.None));
        var counters = RecordJson.Deserialize<CommunityCounters>((await h.Store.GetAsync(DocKeys.Counters.Bind(FlowHarness.Community), CancellationToken.None))!.Json);
        Assert.Equal(1, counters.Left["Resident"]);
        var all = string.Join('\n', (await h.Store.GetManyAsync([DocKeys.Counters.Bind(FlowHarness.Community)], CancellationToken.None)).Select(d => d!.Json));
        Assert.DoesNotContain("13800138000", all, StringComparison.Ordinal);

        // A second press of the old confirmation: kindly refused, nothing counted twice.
        await h.DrainAsync();
        await h.Press(Ann, P(new ProfileButton.ConfirmLeave()), queryId: "again");
        Assert.Contains((await h.DrainAsync()), m => m.Action is AnswerCallback { CallbackQueryId: "again", Text: "This button is no longer valid." });
        counters = RecordJson.Deserialize<CommunityCounters>((await h.Store.GetAsync(DocKeys.Counters.Bind(FlowHarness.Community), CancellationToken.None))!.Json);
        Assert.Equal(1, counters.Left["Resident"]);
    }

    [Fact]
    public async Task ProfileAvailability_MemberSetsAwayThenAvailable()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var code = await CreateInviteAsync(h, Roles.Member, new AdminButton.InviteAnywhere());
        await RegisterMemberAsync(h, Ann, code, "13800138000");

        await h.Press(Ann, P(new ProfileButton.SetAvailability(7)));
        Assert.Equal(DateOnly.FromDateTime(h.Clock.GetUtcNow().UtcDateTime).AddDays(7), (await h.ProfileAsync(Ann.Id))!.AwayUntil);
        await h.Press(Ann, P(new ProfileButton.SetAvailability(0)));
        Assert.Null((await h.ProfileAsync(Ann.Id))!.AwayUntil);
        await h.Press(Ann, P(new ProfileButton.SetAvailability(999)), queryId: "bad");
        Assert.Contains((await h.DrainAsync()), m => m.Action is AnswerCallback { CallbackQueryId: "bad", Text: "This button is no longer valid." });
    }

    [Fact]
    public async Task ButtonOfAnotherPersonsChat_IsRefused_AndChangesNothing()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Command(Ann, "start");
        await h.DrainAsync();

        // Bob presses a button of a message in Ann's chat.
        await h.Event(new ButtonPressed(Bob, Ann.Id, 5, "foreign", MainFlow.RegisterResident));

        var answer = Assert.Single(await h.DrainAsync());
        Assert.Equal(new AnswerCallback("foreign", "This button is not for you.", true), answer.Action);
        Assert.Equal("Idle", (await h.ConversationAsync(Ann.Id))?.Step ?? "Idle");
        Assert.Equal("Idle", (await h.ConversationAsync(Bob.Id))?.Step ?? "Idle");
    }

    public static TheoryData<string, Roles, bool> CommandsByRole()
    {
        var data = new TheoryData<string, Roles, bool>();
        foreach (var command in CommandCatalog.All.Select(c => c.Name).Append("unknowncmd"))
        {
            foreach (var roles in new[] { Roles.None, Roles.Resident, Roles.Member, Roles.Member | Roles.Convenor, Roles.Handler, Roles.Admin })
            {
                var allowed = command switch
                {
                    "admin" or "muster" or "mode" or "stats" => roles.HasFlag(Roles.Admin),
                    "wishes" => (roles & (Roles.Admin | Roles.Member | Roles.Convenor)) != 0,
                    "rollcall" => (roles & (Roles.Admin | Roles.Convenor)) != 0,
                    "households" or "notice" => (roles & (Roles.Admin | Roles.Handler)) != 0,
                    _ => true,
                };
                data.Add(command, roles, allowed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CommandsByRole))]
    public async Task EveryCommand_ForEveryRole_IsAnsweredOrRefusedPolitely(string command, Roles roles, bool allowed)
    {
        var h = NewHarness();
        var who = roles.HasFlag(Roles.Admin) ? Admin : Bob;
        await h.Command(who, "help");
        if (roles != Roles.None && !roles.HasFlag(Roles.Admin))
        {
            var p = (await h.ProfileAsync(who.Id))!;
            await h.Store.SeedCommunityAsync(new MusterBot.State.Commits.Commit { Writes = [new(DocKeys.User(who.Id), RecordJson.Serialize(p with { Roles = roles, RegisteredAt = h.Clock.GetUtcNow() }), null)] }, CancellationToken.None);
        }

        await h.DrainAsync();
        await h.Command(who, command);

        var replies = await h.DrainTextsAsync();
        Assert.NotEmpty(replies);
        var refused = replies.Any(r => r.Contains("Sorry, only", StringComparison.Ordinal));
        Assert.Equal(!allowed, refused);
    }

    /// <summary>One press of every kind of the panel's buttons, plus forged ones (unknown tag, wrong field count).</summary>
    public static TheoryData<string> AdminPresses()
    {
        var data = new TheoryData<string>();
        foreach (var button in AdminSamples())
        {
            data.Add(A(button));
        }

        data.Add("a:iv:member");
        data.Add("a:pick:c:r1:3");
        data.Add("a:rimp:extra");
        return data;
    }

    [Theory]
    [MemberData(nameof(AdminPresses))]
    public async Task EveryAdminButton_PressedByANonAdministrator_IsRefused_AndChangesNothing(string data)
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var before = await h.Store.GetManyAsync([DocKeys.Grid("g1").Bind(FlowHarness.Community), DocKeys.Region("r1").Bind(FlowHarness.Community), DocKeys.Counters.Bind(FlowHarness.Community)], CancellationToken.None);

        await h.Press(Bob, data, queryId: "q");

        var answer = Assert.Single(await h.DrainAsync());
        Assert.Equal(new AnswerCallback("q", "Sorry, only administrator can use this.", true), answer.Action);
        Assert.Equal(before, await h.Store.GetManyAsync([DocKeys.Grid("g1").Bind(FlowHarness.Community), DocKeys.Region("r1").Bind(FlowHarness.Community), DocKeys.Counters.Bind(FlowHarness.Community)], CancellationToken.None));
        Assert.Equal("Idle", (await h.ConversationAsync(Bob.Id))?.Step ?? "Idle");
    }

    [GeneratedRegex(@"\?start=([A-Za-z0-9_-]+)")]
    private static partial Regex InviteCode();
}
