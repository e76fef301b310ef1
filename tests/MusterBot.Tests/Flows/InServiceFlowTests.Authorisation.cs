using MusterBot.Flows.InService;
using MusterBot.Flows.Events;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.InService;
using MusterBot.State.Records.Org;
using MusterBot.State.Documents;

namespace MusterBot.Tests.Flows;

/// <summary>Wrong roles, forged and stale buttons, second presses: a polite answer, and nothing changes.</summary>
public sealed partial class InServiceFlowTests
{
    private const string NotAllowed = "Sorry, you are not allowed to do this.";
    private const string StaleText = "This button is no longer valid.";

    [Fact]
    public async Task RegionsOfANodeOutsideTheAdminsSubtree_AreRefused_AndNothingChanges()
    {
        var h = await NewTreeAsync();
        var region = await CreateRegionAsync(h, "Education");
        var before = await h.Store.GetAsync(DocKeys.Region(region).In(Street), CancellationToken.None);

        // Forged callbacks naming street 3, pressed by the administrator of street 5.
        InServiceButton[] forged =
        [
            new InServiceButton.Node(Street), new InServiceButton.NewRegion(Street), new InServiceButton.OpenRegion(Street, region),
            new InServiceButton.RenameRegion(Street, region), new InServiceButton.InviteToRegion(Street, region, true),
            new InServiceButton.InviteToRegion(Street, region, false), new InServiceButton.Node(Shards.Root),
        ];
        foreach (var button in forged)
        {
            await h.Press(OtherStreetAdmin, I(button), queryId: "forged");
            var answer = Answer(await h.DrainAsync(), "forged");
            Assert.True(answer is { Text: NotAllowed, ShowAlert: true }, button.ToString());
        }

        Assert.Null(await h.ConversationAsync(OtherStreetAdmin.Id));
        Assert.Empty(await SetAsync(h, Sets.Invites, Street));
        Assert.Empty(await SetAsync(h, Sets.Invites, Shards.Root));
        Assert.Equal(before!.Version, (await h.Store.GetAsync(DocKeys.Region(region).In(Street), CancellationToken.None))!.Version);
        Assert.Equal(["w1"], await SetAsync(h, Sets.Regions, Street));

        // Their own street works.
        await h.Press(OtherStreetAdmin, I(new InServiceButton.NewRegion(OtherStreet)));
        await h.Text(OtherStreetAdmin, "Port");
        Assert.Equal(["w1"], await SetAsync(h, Sets.Regions, OtherStreet));
    }

    [Fact]
    public async Task PeopleWithoutAnAdministeredNode_CannotOpenWorkplaceRegions()
    {
        var h = await NewTreeAsync();
        var region = await CreateRegionAsync(h, "Education");
        await JoinAsync(h, Ann, await InviteAsync(h, region, convenor: false), "13800138000", "School");
        await h.DrainAsync();

        foreach (var button in new InServiceButton[] { new InServiceButton.Nodes(0), new InServiceButton.Node(Street), new InServiceButton.OpenRegion(Street, region) })
        {
            await h.Press(Ann, I(button), queryId: "member");
            Assert.Equal(NotAllowed, Answer(await h.DrainAsync(), "member")?.Text);
        }
    }

    [Fact]
    public async Task StaleRegionsAndNodes_AreAnsweredAsStale()
    {
        var h = await NewTreeAsync();
        foreach (var button in new InServiceButton[]
        {
            new InServiceButton.OpenRegion(Street, "w99"), new InServiceButton.InviteToRegion(Street, "w99", true),
            new InServiceButton.Node(99), new InServiceButton.Node(Community),
        })
        {
            await h.Press(StreetAdmin, I(button), queryId: "stale");
            Assert.Equal(StaleText, Answer(await h.DrainAsync(), "stale")?.Text);
        }

        await h.Press(StreetAdmin, "is:nonsense", queryId: "garbage");
        Assert.Equal(StaleText, Answer(await h.DrainAsync(), "garbage")?.Text);
        Assert.Empty(await SetAsync(h, Sets.Invites, Street));
    }

    [Fact]
    public async Task RegionName_TooLongOrNotText_IsAskedAgain()
    {
        var h = await NewTreeAsync();
        await h.Press(StreetAdmin, I(new InServiceButton.NewRegion(Street)));
        await h.Text(StreetAdmin, new string('x', 31));
        Assert.Contains("1 to 30 characters", (await h.DrainTextsAsync())[^1], StringComparison.Ordinal);
        await h.Event(new LocationShared(StreetAdmin, StreetAdmin.Id, 77, 1, 2));
        Assert.Contains("1 to 30 characters", (await h.DrainTextsAsync())[^1], StringComparison.Ordinal);
        Assert.Equal("AwaitingRegionName", (await h.ConversationAsync(StreetAdmin.Id))!.Step);
        Assert.Empty(await SetAsync(h, Sets.Regions, Street));
    }

    [Fact]
    public async Task CommunityPages_AreForItsAdministratorsOnly()
    {
        var h = await NewTreeAsync();
        var region = await CreateRegionAsync(h, "Education");
        await JoinAsync(h, Ann, await InviteAsync(h, region, convenor: false), "13800138000", "School");
        await ReportInAsync(h, Ann, Community);
        await h.DrainAsync();

        foreach (var button in new InServiceButton[] { new InServiceButton.Members(0), new InServiceButton.StartCall(), new InServiceButton.CallAudience(null), new InServiceButton.CallPanel(1) })
        {
            await h.Press(Ann, I(button), queryId: "member");
            Assert.Equal(NotAllowed, Answer(await h.DrainAsync(), "member")?.Text);
        }

        // "Send" outside a confirmed preview is a stale button for anyone.
        await h.Press(Ann, I(new InServiceButton.SendCall()), queryId: "send");
        Assert.Equal(StaleText, Answer(await h.DrainAsync(), "send")?.Text);

        Assert.Null(await h.Store.GetAsync(DocKeys.InServiceCallCounter.In(Community), CancellationToken.None));

        // The administrator of street 3 administers community 4 (it is below the street) but lives nowhere: they see
        // the in-service members of where they live (none), never an error.
        await h.Press(StreetAdmin, I(new InServiceButton.Members(0)), queryId: "street");
        Assert.Equal(NotAllowed, Answer(await h.DrainAsync(), "street")?.Text);
    }

    [Fact]
    public async Task Answers_OnlyFromTheCalled_OnceEach_AndSendingTwiceSendsOnce()
    {
        var h = await NewTreeAsync();
        var region = await CreateRegionAsync(h, "Education");
        var code = await InviteAsync(h, region, convenor: false);
        await JoinAsync(h, Ann, code, "13800138000", "School");
        await ReportInAsync(h, Ann, Community);
        await h.Press(CommunityAdmin, I(new InServiceButton.CallAudience(null)));
        await h.Text(CommunityAdmin, "Help at the flood wall");
        await h.Press(CommunityAdmin, I(new InServiceButton.SendCall()));
        await h.Press(CommunityAdmin, I(new InServiceButton.SendCall()), queryId: "again");
        Assert.Equal(StaleText, Answer(await h.DrainAsync(), "again")?.Text);
        Assert.Equal(1, (await DocAsync<InServiceCallCounter>(h, DocKeys.InServiceCallCounter.In(Community)))!.Last);
        Assert.Single(await SetAsync(h, Sets.InServiceCalled(1), Community));

        await h.Press(Ann, I(new InServiceButton.Answer(1, true)));
        await h.DrainAsync();
        var version = (await h.Store.GetAsync(DocKeys.InServiceAnswer(1, Ann.Id).In(Community), CancellationToken.None))!.Version;
        await h.Press(Ann, I(new InServiceButton.Answer(1, true)), queryId: "twice");
        var twice = await h.DrainAsync();
        Assert.Equal("Your answer is recorded.", Answer(twice, "twice")?.Text);
        Assert.DoesNotContain(twice, m => m.Action is EditText);
        Assert.Equal(version, (await h.Store.GetAsync(DocKeys.InServiceAnswer(1, Ann.Id).In(Community), CancellationToken.None))!.Version);

        // Bob reported in after the call: it was not sent to him, so his (forged) answer is refused.
        await JoinAsync(h, Bob, code, "13900139000", "Bank");
        await ReportInAsync(h, Bob, Community);
        await h.DrainAsync();
        await h.Press(Bob, I(new InServiceButton.Answer(1, true)), queryId: "bob");
        Assert.Equal(NotAllowed, Answer(await h.DrainAsync(), "bob")?.Text);
        Assert.Equal([Sets.Member(Ann.Id)], await SetAsync(h, Sets.InServiceAnswers(1, true), Community));

        await h.Press(Ann, I(new InServiceButton.Answer(9, true)), queryId: "nine");
        Assert.Equal(StaleText, Answer(await h.DrainAsync(), "nine")?.Text);
    }

    [Fact]
    public async Task ReportingIn_SecondPress_ForgedTarget_AndPeopleWithoutAWorkplaceRegion_ChangeNothing()
    {
        var h = await NewTreeAsync();
        var region = await CreateRegionAsync(h, "Education");
        await JoinAsync(h, Ann, await InviteAsync(h, region, convenor: false), "13800138000", "School");
        await h.DrainAsync();

        // A street is not a community: nobody moves there.
        await h.Press(Ann, I(new InServiceButton.ConfirmReport(Street)), queryId: "street");
        Assert.Equal(StaleText, Answer(await h.DrainAsync(), "street")?.Text);
        Assert.Null(await DocAsync<PersonHome>(h, DocKeys.Home(Ann.Id)));

        await ReportInAsync(h, Ann, Community);
        await h.DrainAsync();
        await h.Press(Ann, I(new InServiceButton.ConfirmReport(OtherCommunity)), queryId: "again");
        var again = Answer(await h.DrainAsync(), "again");
        Assert.Equal(("You have reported in to 本社区.", true), (again?.Text, again?.ShowAlert ?? false));
        Assert.Equal(Community, (await DocAsync<PersonHome>(h, DocKeys.Home(Ann.Id)))!.Shard);

        // The community's administrator has no workplace region: there is nothing to report in.
        await h.Press(CommunityAdmin, I(new InServiceButton.ReportIn(0)), queryId: "admin");
        Assert.Equal(NotAllowed, Answer(await h.DrainAsync(), "admin")?.Text);
        Assert.Equal(Community, (await DocAsync<PersonHome>(h, DocKeys.Home(CommunityAdmin.Id)))!.Shard);
    }
}
