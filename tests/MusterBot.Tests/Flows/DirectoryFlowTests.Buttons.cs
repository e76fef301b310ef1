using MusterBot.Flows.Admin;
using MusterBot.Flows.Events;
using MusterBot.Flows.Points;
using MusterBot.Flows.Profile;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Session;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Presses the machines of registration, the panel and the profile do not take: stale, forged, wrong role.</summary>
public partial class DirectoryFlowTests
{
    /// <summary>One payload of every type the panel's codec knows.</summary>
    private static IEnumerable<AdminButton> AdminSamples() =>
    [
        new AdminButton.Menu(), new AdminButton.Cancel(), new AdminButton.Grids(), new AdminButton.OpenGrid("g1"),
        new AdminButton.NewGrid(), new AdminButton.RenameGrid("g1"), new AdminButton.NewBuilding("g1"), new AdminButton.RenameBuilding("g1", "b1"),
        new AdminButton.Regions(), new AdminButton.OpenRegion("r1"), new AdminButton.NewRegion(), new AdminButton.RenameRegion("r1"),
        new AdminButton.ChooseConvenor(ConvenorSeat.Backup, "r1", 0), new AdminButton.PickConvenor(ConvenorSeat.Convenor, "r1", 3),
        new AdminButton.RemoveConvenor(ConvenorSeat.Convenor, "r1"), new AdminButton.Invites(), new AdminButton.RevokeInvite("abc"),
        new AdminButton.NewInvite(), new AdminButton.InviteRole(Roles.Member), new AdminButton.InviteRegion("r1"), new AdminButton.InviteGrid("g1"),
        new AdminButton.InviteAnywhere(), new AdminButton.InviteUses(10), new AdminButton.InviteDays(7), new AdminButton.People(),
        new AdminButton.PeopleFilter(PeopleFilterKind.Skill), new AdminButton.PeopleList(PeopleFilterKind.Role, "Member", 0), new AdminButton.Person(3),
        new AdminButton.MakeAdmin(3), new AdminButton.RemoveAdmin(1), new AdminButton.Roster(), new AdminButton.ImportRoster(), new AdminButton.DropRoster(),
    ];

    [Fact]
    public void AdminSamples_CoverEveryRegisteredButton()
    {
        Assert.Equal(AdminButton.Codec.Registered.Select(r => r.Type).Order(TypeNames.Instance), AdminSamples().Select(b => b.GetType()).Order(TypeNames.Instance));
    }

    [Theory]
    [InlineData("a:ivrole:Admin")]
    [InlineData("a:ivrole:None")]
    [InlineData("a:ivrole:16")]
    [InlineData("a:ivuses:2")]
    [InlineData("a:ivdays:365")]
    [InlineData("a:ivrg:r1")]
    [InlineData("a:ivdays")]
    [InlineData("a:zz:1")]
    [InlineData("a:g:g1:extra")]
    [InlineData("a:")]
    public async Task InviteWizard_ForgedOrOutOfStepPresses_AreAnsweredAsStale_AndChangeNothing(string data)
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Press(Admin, A(new AdminButton.NewInvite()));
        await h.DrainAsync();

        // In the role step only a role offered is taken: a forged role, a later step's button or a malformed one is not.
        await h.Press(Admin, data, queryId: "forged");

        var answer = Assert.Single(await h.DrainAsync());
        Assert.Equal(new AnswerCallback("forged", "This button is no longer valid."), answer.Action);
        Assert.Equal(nameof(AdminStep.InviteRole), (await h.ConversationAsync(Admin.Id))!.Step);
        Assert.Empty(await h.Store.GetSetMembersAsync(Sets.InvitesOf(FlowHarness.Community), MusterBot.State.Documents.Shards.Root, CancellationToken.None));
    }

    [Fact]
    public async Task Panel_TextWhereAButtonIsExpected_GetsAHint_AndAFileWhereANameIsExpected_Too()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Press(Admin, A(new AdminButton.NewInvite()));
        await h.DrainAsync();

        await h.Text(Admin, "member please");
        Assert.Contains("buttons", Assert.Single(await h.DrainTextsAsync()), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(nameof(AdminStep.InviteRole), (await h.ConversationAsync(Admin.Id))!.Step);

        await h.Press(Admin, A(new AdminButton.NewGrid()));
        await h.DrainAsync();
        await h.Event(new DocumentReceived(Admin, Admin.Id, 9, "f1", "roster.csv", 10, "text/csv") { Content = "x"u8.ToArray() });
        Assert.Single(await h.DrainTextsAsync());
        Assert.Equal(nameof(AdminStep.AwaitingGridName), (await h.ConversationAsync(Admin.Id))!.Step);
        Assert.Null(await h.Store.GetAsync(DocKeys.Grid("g2").Bind(FlowHarness.Community), CancellationToken.None));
    }

    [Fact]
    public async Task Panel_ButtonOfAGoneGrid_IsStale_AndTheAdministratorStaysWhereTheyWere()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Press(Admin, A(new AdminButton.NewRegion()));
        await h.DrainAsync();

        await h.Press(Admin, A(new AdminButton.RenameGrid("g42")), queryId: "gone");
        await h.Press(Admin, A(new AdminButton.PeopleList(PeopleFilterKind.Grid, "g1", -1)), queryId: "negative");

        var answers = (await h.DrainAsync()).Select(m => m.Action).ToList();
        Assert.Equal([new AnswerCallback("gone", "This button is no longer valid."), new AnswerCallback("negative", "This button is no longer valid.")], answers);
        Assert.Equal(nameof(AdminStep.AwaitingRegionName), (await h.ConversationAsync(Admin.Id))!.Step);
    }

    [Theory]
    [InlineData("r:g:g1:extra")]
    [InlineData("r:s:Flying")]
    [InlineData("r:s:0")]
    [InlineData("r:zz")]
    [InlineData("r:noop")]
    [InlineData("r:ok")]
    public async Task Registration_ForgedOrOutOfStepPresses_AreAnswered_AndChangeNothing(string data)
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterResident);
        await h.DrainAsync();
        var before = await h.ConversationAsync(Ann.Id);

        await h.Press(Ann, data, queryId: "forged");

        var outgoing = await h.DrainAsync();
        Assert.Contains(outgoing, m => m.Action is AnswerCallback { CallbackQueryId: "forged" });
        Assert.DoesNotContain(outgoing, m => m.Action is SendText);
        var after = await h.ConversationAsync(Ann.Id);
        Assert.Equal(before!.Step, after!.Step);
        Assert.Equal(before.Data, after.Data);
        Assert.Null((await h.ProfileAsync(Ann.Id))!.RegisteredAt);
    }

    [Theory]
    [InlineData("p:av:2")]
    [InlineData("p:av:-1")]
    [InlineData("p:av")]
    [InlineData("p:leave:yes")]
    [InlineData("p:zz")]
    public async Task Profile_ForgedPresses_AreAnsweredAsStale_AndChangeNothing(string data)
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var code = await CreateInviteAsync(h, Roles.Member, new AdminButton.InviteAnywhere());
        await RegisterMemberAsync(h, Ann, code, "13800138000");
        await h.DrainAsync();
        var before = await h.ProfileAsync(Ann.Id);

        await h.Press(Ann, data, queryId: "forged");

        var answer = Assert.Single(await h.DrainAsync());
        Assert.Equal(new AnswerCallback("forged", "This button is no longer valid."), answer.Action);
        var after = await h.ProfileAsync(Ann.Id);
        Assert.Equal(RecordJson.Serialize(before! with { LastSeenAt = after!.LastSeenAt }), RecordJson.Serialize(after));
    }

    [Fact]
    public async Task Profile_AvailabilityButtons_PressedByAResident_AreRefusedAsStale()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterResident);
        await h.Press(Ann, R(new RegistrationButton.PickGrid("g1")));
        await h.Press(Ann, R(new RegistrationButton.Skip()));
        await h.Text(Ann, "Skip");
        await h.Press(Ann, R(new RegistrationButton.Confirm()));
        await h.DrainAsync();
        Assert.Equal(Roles.Resident, (await h.ProfileAsync(Ann.Id))!.Roles);

        await h.Press(Ann, P(new ProfileButton.AskAvailability()), queryId: "q1");
        await h.Press(Ann, P(new ProfileButton.SetAvailability(7)), queryId: "q2");

        var answers = (await h.DrainAsync()).Select(m => m.Action).ToList();
        Assert.Equal([new AnswerCallback("q1", "This button is no longer valid."), new AnswerCallback("q2", "This button is no longer valid.")], answers);
        Assert.Null((await h.ProfileAsync(Ann.Id))!.AwayUntil);
    }

    [Fact]
    public async Task Registration_BackOnTheFirstQuestion_AsksItAgain()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterResident);
        await h.DrainAsync();

        await h.Press(Ann, R(new RegistrationButton.Back()), queryId: "back");

        var outgoing = await h.DrainAsync();
        Assert.Contains(outgoing, m => m.Action is AnswerCallback { CallbackQueryId: "back" });
        Assert.Contains(outgoing, m => m.Action is SendText { Markup: InlineMarkup });
        Assert.Equal(nameof(RegStep.ChoosingGrid), (await h.ConversationAsync(Ann.Id))!.Step);
    }

    [Fact]
    public async Task Registration_TypedCancel_EndsRegistration_AndALaterPressOfItsButtonIsStale()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        await h.Command(Ann, "start");
        await h.Press(Ann, MainFlow.RegisterResident);
        await h.Text(Ann, "Cancel");
        await h.DrainAsync();
        Assert.Equal(MainFlow.FlowName, (await h.ConversationAsync(Ann.Id))!.Flow);

        await h.Press(Ann, R(new RegistrationButton.PickGrid("g1")), queryId: "late");

        var answer = Assert.Single(await h.DrainAsync());
        Assert.Equal(new AnswerCallback("late", "This button is no longer valid."), answer.Action);
        Assert.Null((await h.ProfileAsync(Ann.Id))!.RegisteredAt);
    }

    [Fact]
    public async Task Registration_SkipPhone_PressedByAMemberToBe_IsStale_OnlyResidentsMaySkipIt()
    {
        var h = NewHarness();
        await SetUpAsync(h);
        var code = await CreateInviteAsync(h, Roles.Member, new AdminButton.InviteAnywhere());
        await h.Command(Ann, "start", code);
        await h.DrainAsync();
        Assert.Equal(nameof(RegStep.AskingPhone), (await h.ConversationAsync(Ann.Id))!.Step);

        await h.Press(Ann, R(new RegistrationButton.Skip()), queryId: "skip");

        var answer = Assert.Single(await h.DrainAsync());
        Assert.Equal(new AnswerCallback("skip", "This button is no longer valid."), answer.Action);
        Assert.Equal(nameof(RegStep.AskingPhone), (await h.ConversationAsync(Ann.Id))!.Step);
    }

    [Fact]
    public async Task PointsRanking_PressedByANonAdministrator_IsRefused_AndAForgedPeriodIsStale()
    {
        var h = NewHarness();
        await h.Command(Bob, "start");
        await h.Command(Admin, "start");
        await h.DrainAsync();

        await h.Press(Bob, PointsButton.Codec.Encode(new PointsButton.RankAllTime()), queryId: "bob");
        await h.Press(Admin, "pt:all:extra", queryId: "forged");
        await h.Press(Admin, "pt:All", queryId: "case");

        var answers = (await h.DrainAsync()).Select(m => m.Action).ToList();
        Assert.Equal(
            [new AnswerCallback("bob", "Sorry, only administrator can use this.", true), new AnswerCallback("forged", "This button is no longer valid."), new AnswerCallback("case", "This button is no longer valid.")],
            answers);
    }

    private sealed class TypeNames : IComparer<Type>
    {
        public static readonly TypeNames Instance = new();

        public int Compare(Type? x, Type? y) => string.CompareOrdinal(x?.Name, y?.Name);
    }
}
