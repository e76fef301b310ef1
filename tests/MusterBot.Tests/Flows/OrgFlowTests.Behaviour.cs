using MusterBot.Flows.Admin;
using MusterBot.Flows.Org;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Org;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

public partial class OrgFlowTests
{
    private static IEnumerable<string> ButtonTexts(IEnumerable<OutboxMessage> messages) =>
        messages.Select(m => m.Action switch { SendText { Markup: InlineMarkup k } => k, EditText { Markup: { } k } => k, _ => null })
            .OfType<InlineMarkup>().SelectMany(k => k.Rows.SelectMany(r => r.Select(b => b.Text)));

    private static IEnumerable<string> ButtonData(IEnumerable<OutboxMessage> messages) =>
        messages.Select(m => m.Action switch { SendText { Markup: InlineMarkup k } => k, EditText { Markup: { } k } => k, _ => null })
            .OfType<InlineMarkup>().SelectMany(k => k.Rows.SelectMany(r => r.Select(b => b.CallbackData ?? string.Empty)));

    [Fact]
    public async Task StreetAdministratorWithoutCommunity_GetsTheSectionAsTheirAdmin_WithPathChildrenAndAdmins()
    {
        var h = await SeedAsync();
        await h.Command(ActorOf(3), "admin");
        var shown = await h.DrainAsync();
        var text = Shown(shown);
        Assert.Contains("<b>🏛 Qiaoxi</b> (street)", text, StringComparison.Ordinal);
        Assert.Contains("Ulanqab › Jining › <b>Qiaoxi</b>", text, StringComparison.Ordinal);
        Assert.Contains("Admin103, Admin203", text.Replace("Actor3", "Admin103", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains(En("org.node.children", "community", 2), text, StringComparison.Ordinal);
        var buttons = ButtonTexts(shown).ToList();
        Assert.Contains("Xincun", buttons);
        Assert.Contains("Beiyuan", buttons);
        Assert.Contains(En("org.button.new_child", "community"), buttons);
        // Renaming or removing the street is for the district; the parent is not offered (it is above).
        Assert.DoesNotContain(En("admin.button.rename"), buttons);
        Assert.DoesNotContain(En("org.button.remove"), buttons);
        Assert.DoesNotContain(buttons, b => b.StartsWith("⬆️", StringComparison.Ordinal));
        Assert.DoesNotContain(En("org.button.remove_admin", "Actor3"), buttons);
        Assert.Contains(En("org.button.remove_admin", "Admin203"), buttons);
    }

    [Fact]
    public async Task ConfiguredAdministrator_HoldsTheRoot_AndSeesTheOrganisationButtonOnTheirPanel()
    {
        var boss = FlowHarness.Person(42, "en", "Boss");
        var h = await SeedAsync(boss.Id);
        await h.Command(boss, "admin");
        var menu = await h.DrainAsync();
        Assert.Contains(En("admin.menu.org"), ButtonTexts(menu));
        await h.Press(boss, O(new OrgButton.Home()));
        var shown = await h.DrainAsync();
        Assert.Contains("<b>🏛 Ulanqab</b> (city)", Shown(shown), StringComparison.Ordinal);
        await h.Press(boss, O(new OrgButton.Open(10, 0)));
        Assert.Contains("<b>Nancun</b>", Shown(await h.DrainAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommunityPanelAdministrator_WithoutNodes_SeesNoOrganisationButton_AndIsRefusedItsPayloads()
    {
        var h = await SeedAsync();
        var old = FlowHarness.Person(77, "en", "Old");
        // A community's administrator lives in their community (here community 4), like everybody registered.
        Assert.Equal(CommitStatus.Committed, (await h.Store.CommitAsync(new Commit { Shard = 4, Writes = [new DocWrite(DocKeys.User(old.Id).In(4), RecordJson.Serialize(Profile(old.Id) with { Roles = Roles.Admin }), 0)] }, CancellationToken.None)).Status);
        Assert.Equal(CommitStatus.Committed, (await h.Store.CommitAsync(new Commit { Shard = Shards.Root, Writes = [new DocWrite(DocKeys.Home(old.Id), RecordJson.Serialize(new PersonHome(4)), 0)] }, CancellationToken.None)).Status);
        await h.Command(old, "admin");
        var menu = await h.DrainAsync();
        Assert.Contains(En("admin.menu.grids"), ButtonTexts(menu));
        Assert.DoesNotContain(En("admin.menu.org"), ButtonTexts(menu));

        var before = await TreeSnapshotAsync(h);
        await h.Press(old, O(new OrgButton.Open(3, 0)));
        await h.Press(old, O(new OrgButton.Appoint(3)));
        var answers = (await h.DrainAsync()).Select(m => m.Action).OfType<AnswerCallback>().ToList();
        Assert.Equal(2, answers.Count);
        Assert.All(answers, a => Assert.Equal(En("org.not_admin"), a.Text));
        Assert.Equal(before, await TreeSnapshotAsync(h));
    }

    [Fact]
    public async Task ForgedCallbackData_WithAnotherNodesId_IsRefusedPolitely_InChinese_AndChangesNothing()
    {
        var h = await SeedAsync();
        var street = FlowHarness.Person(103, "zh-CN", "街道管理员");
        var before = await TreeSnapshotAsync(h);
        foreach (var forged in new[] { "o:n:9:0", "o:ren:5", "o:rmok:7", "o:inv:1", "o:unadmok:8:208", "o:new:999", "o:n:-3:0" })
        {
            await h.Press(street, forged);
            var alert = AlertIn(await h.DrainAsync());
            Assert.Equal("抱歉，这个机构不在您的管理范围内。您只能管理自己所在的机构和它下面的机构。", alert?.Text);
        }

        Assert.Equal(before, await TreeSnapshotAsync(h));
        Assert.Equal([8L], (await ProfileAsync(h, 208))!.AdminOf);

        // Callback data that does not decode at all is a stale button.
        await h.Press(street, "o:n:3");
        Assert.Contains((await h.DrainAsync()).Select(m => m.Action).OfType<AnswerCallback>(), a => a.Text == "这个按钮已失效。");
    }

    [Fact]
    public async Task AdministratorInvitation_Redeemed_AddsNodeAndProfile_TellsThemWhatTheyCanDo_AndWorksOnce()
    {
        var h = await SeedAsync();
        await h.Press(ActorOf(2), O(new OrgButton.Appoint(5)));   // street A2, in the district
        var code = InviteCode().Match(Shown(await h.DrainAsync())).Groups[1].Value;
        Assert.NotEmpty(code);

        var zed = FlowHarness.Person(500, "en", "Zed");
        await h.Command(zed, "start", code);
        var welcome = await h.DrainAsync();
        Assert.Contains(welcome, m => m.ChatId == zed.Id && m.Action is SendText s && s.Html.Contains("You are now an administrator of “Qiaodong” (street)", StringComparison.Ordinal));
        Assert.Contains(welcome, m => m.ChatId == zed.Id && m.Action is SetChatCommands { Administrator: true });
        Assert.Contains(welcome, m => m.ChatId == ActorOf(2).Id && m.Action is SendText s && s.Html.Contains("Zed accepted your invitation", StringComparison.Ordinal));
        Assert.Equal([205L, zed.Id], (await NodeAsync(h, 5))!.Admins);
        var profile = (await h.ProfileAsync(zed.Id))!;
        Assert.Equal([5L], profile.AdminOf);
        Assert.NotNull(profile.RegisteredAt);
        Assert.Equal(1, RecordJson.Deserialize<Invite>((await h.Store.GetAsync(DocKeys.Invite(code).In(Shards.Root), CancellationToken.None))!.Json).Uses);

        // The new administrator's /admin is their street; beside it (street A1) is refused, below it (community 7) works.
        await h.Command(zed, "admin");
        Assert.Contains("<b>🏛 Qiaodong</b> (street)", Shown(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Press(zed, O(new OrgButton.Open(3, 0)));
        Assert.Equal(En("org.outside"), AlertIn(await h.DrainAsync())?.Text);
        await h.Press(zed, O(new OrgButton.NewChild(5)));
        await h.Text(zed, "Xiyuan");
        Assert.Equal([7L, 11L], (await NodeAsync(h, 5))!.Children);

        // A single-use link: the next person is told it is no longer valid, and nothing changes.
        var amy = FlowHarness.Person(501, "en", "Amy");
        await h.Command(amy, "start", code);
        Assert.Contains("not valid or has expired", Shown(await h.DrainAsync()), StringComparison.Ordinal);
        Assert.Equal([205L, zed.Id], (await NodeAsync(h, 5))!.Admins);
        Assert.Empty((await h.ProfileAsync(amy.Id))?.AdminOf ?? []);
    }

    [Fact]
    public async Task NodeAdministratorInvitations_AreMarked_SoACommunitysAppoints_AndAnOldUnmarkedOneForAStreetStillDoes()
    {
        var h = await SeedAsync();
        await h.Press(ActorOf(2), O(new OrgButton.Appoint(7)));   // community A2a
        var code = InviteCode().Match(Shown(await h.DrainAsync())).Groups[1].Value;
        Assert.True(RecordJson.Deserialize<Invite>((await h.Store.GetAsync(DocKeys.Invite(code).In(Shards.Root), CancellationToken.None))!.Json).AppointsNodeAdmin);

        // An appointment, not a registration: the community lists them, their profile names it, no questions are asked.
        var zed = FlowHarness.Person(500, "en", "Zed");
        await h.Command(zed, "start", code);
        var welcome = await h.DrainAsync();
        Assert.Contains(welcome, m => m.ChatId == zed.Id && m.Action is SendText s && s.Html.Contains("You are now an administrator of “Dongcun”", StringComparison.Ordinal));
        Assert.Equal([OtherAdminOf(7), zed.Id], (await NodeAsync(h, 7))!.Admins);
        Assert.Equal([7L], (await h.ProfileAsync(zed.Id))!.AdminOf);
        Assert.NotEqual(MusterBot.Flows.Registration.RegistrationFlow.FlowName, (await h.ConversationAsync(zed.Id))?.Flow);

        // An invitation written before the mark, for a street (never a community's registration), still appoints.
        var legacy = new Invite("legacy5", Roles.Admin, 1, TestClock.Start.AddDays(7)) { NodeId = 5, CreatedBy = 102, CreatedAt = TestClock.Start };
        Assert.Equal(CommitStatus.Committed, (await h.Store.CommitAsync(new Commit { Shard = Shards.Root, Writes = [new DocWrite(DocKeys.Invite("legacy5").In(Shards.Root), RecordJson.Serialize(legacy), 0)] }, CancellationToken.None)).Status);
        var amy = FlowHarness.Person(501, "en", "Amy");
        await h.Command(amy, "start", "legacy5");
        Assert.Contains("You are now an administrator of “Qiaodong” (street)", Shown(await h.DrainAsync()), StringComparison.Ordinal);
        Assert.Contains(amy.Id, (await NodeAsync(h, 5))!.Admins);
    }

    [Fact]
    public async Task Invitation_ForANodeRemovedSince_IsRefused()
    {
        var h = await SeedAsync();
        await h.Press(ActorOf(3), O(new OrgButton.Appoint(6)));
        var code = InviteCode().Match(Shown(await h.DrainAsync())).Groups[1].Value;
        await h.Press(ActorOf(3), O(new OrgButton.ConfirmRemove(6)));
        await h.DrainAsync();

        var zed = FlowHarness.Person(500, "en", "Zed");
        await h.Command(zed, "start", code);
        Assert.Contains(En("org.invite.node_gone"), Shown(await h.DrainAsync()), StringComparison.Ordinal);
        Assert.DoesNotContain(zed.Id, (await NodeAsync(h, 6))!.Admins);
    }

    [Fact]
    public async Task RemovingAnAdministratorWhoLivesInAnotherShard_WritesTheirProfileThere()
    {
        var h = await SeedAsync();
        const long liu = 600;
        await h.Store.CommitAsync(new Commit { Shard = 4, Writes = [new DocWrite(DocKeys.User(liu).In(4), RecordJson.Serialize(Profile(liu, 4)), 0)] }, CancellationToken.None);
        var node = (await NodeAsync(h, 4))!;
        var nodeVersion = (await h.Store.GetAsync(DocKeys.OrgNode(4), CancellationToken.None))!.Version;
        var seeded = await h.Store.CommitAsync(new Commit
        {
            Shard = Shards.Root,
            Writes =
            [
                new DocWrite(DocKeys.Home(liu), RecordJson.Serialize(new PersonHome(4)), 0),
                new DocWrite(DocKeys.OrgNode(4), RecordJson.Serialize(node with { Admins = [.. node.Admins, liu] }), nodeVersion),
            ],
        }, CancellationToken.None);
        Assert.Equal(CommitStatus.Committed, seeded.Status);

        await h.Press(ActorOf(3), O(new OrgButton.RemoveAdmin(4, liu)));
        Assert.Contains("Admin600", Shown(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Press(ActorOf(3), O(new OrgButton.ConfirmRemoveAdmin(4, liu)));
        var sent = await h.DrainAsync();
        Assert.Contains(sent, m => m.ChatId == liu && m.Action is SendText s && s.Html.Contains("no longer an administrator of “Xincun”", StringComparison.Ordinal));
        Assert.Contains(sent, m => m.ChatId == liu && m.Action is SetChatCommands { Administrator: false });
        Assert.DoesNotContain(liu, (await NodeAsync(h, 4))!.Admins);
        Assert.Empty((await ProfileAsync(h, liu, 4))!.AdminOf);
        Assert.Null(await ProfileAsync(h, liu, Shards.Root));
    }

    [Fact]
    public async Task SecondPressesAndStaleButtons_GetClearAnswers_AndChangeNothing()
    {
        var h = await SeedAsync();
        var street = ActorOf(3);

        // Removing a community, then pressing the confirmation again.
        await h.Press(street, O(new OrgButton.Remove(6)));
        await h.Press(street, O(new OrgButton.ConfirmRemove(6)));
        await h.DrainAsync();
        var removedAt = (await NodeAsync(h, 6))!.RemovedAt;
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.Press(street, O(new OrgButton.ConfirmRemove(6)));
        Assert.Equal(En("org.refused.removed", "Beiyuan"), AlertIn(await h.DrainAsync())?.Text);
        Assert.Equal(removedAt, (await NodeAsync(h, 6))!.RemovedAt);

        // The removed node is still shown (marked), takes no new work, and is gone from its street's list.
        await h.Press(street, O(new OrgButton.Open(6, 0)));
        Assert.Contains("⚠️ Removed on", Shown(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Press(street, O(new OrgButton.Appoint(6)));
        Assert.Equal(En("org.refused.removed", "Beiyuan"), AlertIn(await h.DrainAsync())?.Text);
        await h.Press(street, O(new OrgButton.Open(3, 0)));
        Assert.DoesNotContain("Beiyuan", ButtonTexts(await h.DrainAsync()));

        // Removing an administrator twice.
        await h.Press(street, O(new OrgButton.ConfirmRemoveAdmin(4, 204)));
        await h.DrainAsync();
        await h.Press(street, O(new OrgButton.ConfirmRemoveAdmin(4, 204)));
        Assert.Equal(En("org.admin.gone"), AlertIn(await h.DrainAsync())?.Text);

        // Removing oneself is refused.
        await h.Press(street, O(new OrgButton.ConfirmRemoveAdmin(3, street.Id)));
        Assert.Equal(En("org.admin.not_self"), AlertIn(await h.DrainAsync())?.Text);
        Assert.Contains(street.Id, (await NodeAsync(h, 3))!.Admins);

        // A name asked before the node was renamed by someone else still names the node by id: the rename applies to it.
        await h.Press(street, O(new OrgButton.Rename(4)));
        await h.Press(ActorOf(2), O(new OrgButton.Rename(4)));
        await h.Text(ActorOf(2), "Xincun East");
        await h.Text(street, "Xincun West");
        Assert.Equal("Xincun West", (await NodeAsync(h, 4))!.Name);

        // A name asked before the administrator lost their node: refused when typed.
        await h.Press(street, O(new OrgButton.NewChild(3)));
        await h.Press(ActorOf(2), O(new OrgButton.ConfirmRemoveAdmin(3, street.Id)));
        await h.DrainAsync();
        var before = await TreeSnapshotAsync(h);
        await h.Text(street, "Too late");
        Assert.Contains(En("org.not_admin"), Shown(await h.DrainAsync()), StringComparison.Ordinal);
        Assert.Equal(before, await TreeSnapshotAsync(h));
    }

    [Fact]
    public async Task AdministratorOfARemovedNode_HasNoRightsLeft()
    {
        var h = await SeedAsync();
        await h.Press(ActorOf(3), O(new OrgButton.ConfirmRemove(4)));
        await h.DrainAsync();
        await h.Press(ActorOf(4), O(new OrgButton.Open(4, 0)));
        Assert.Equal(En("org.not_admin"), AlertIn(await h.DrainAsync())?.Text);
    }

    [Fact]
    public async Task Names_AreTrimmed_OneTo30Characters_AndUniqueAmongSiblings()
    {
        var h = await SeedAsync();
        var street = ActorOf(3);
        var before = await TreeSnapshotAsync(h);
        await h.Press(street, O(new OrgButton.NewChild(3)));
        await h.Text(street, "   ");
        Assert.Contains("1 to 30 characters", Shown(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Text(street, new string('x', 31));
        Assert.Contains("1 to 30 characters", Shown(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Text(street, "BEIYUAN");
        Assert.Contains("already exists", Shown(await h.DrainAsync()), StringComparison.Ordinal);
        Assert.Equal(before, await TreeSnapshotAsync(h));
        Assert.Equal(OrgFlow.FlowName, (await h.ConversationAsync(street.Id))!.Flow);

        // A name of another street's community is fine; a photo is answered with what is expected.
        await h.Event(new MusterBot.Flows.Events.OtherMessageReceived(street, street.Id, 99, "photo"));
        Assert.Contains(En("admin.hint.text"), Shown(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Text(street, " Dongcun ");
        Assert.Equal("Dongcun", (await NodeAsync(h, 11))!.Name);

        // Renaming to a sibling's name is refused; the node's own name in other letters is fine.
        await h.Press(street, O(new OrgButton.Rename(4)));
        await h.Text(street, "beiyuan");
        Assert.Contains("already exists", Shown(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Text(street, "XINCUN");
        Assert.Equal("XINCUN", (await NodeAsync(h, 4))!.Name);

        // Cancel leaves the step and shows the node.
        await h.Press(street, O(new OrgButton.NewChild(3)));
        await h.Press(street, O(new OrgButton.Cancel()));
        Assert.Contains("<b>🏛 Qiaoxi</b>", Shown(await h.DrainAsync()), StringComparison.Ordinal);
        Assert.NotEqual(OrgFlow.FlowName, (await h.ConversationAsync(street.Id))!.Flow);
    }

    [Fact]
    public async Task RemovingANodeWithLiveChildren_IsRefused_UntilTheyAreRemoved()
    {
        var h = await SeedAsync();
        var district = ActorOf(2);
        await h.Press(district, O(new OrgButton.ConfirmRemove(5)));
        Assert.Equal(En("org.remove.has_children", "Qiaodong", 1, "community"), AlertIn(await h.DrainAsync())?.Text);
        Assert.Null((await NodeAsync(h, 5))!.RemovedAt);
        await h.Press(district, O(new OrgButton.ConfirmRemove(7)));
        await h.Press(district, O(new OrgButton.Remove(5)));
        await h.Press(district, O(new OrgButton.ConfirmRemove(5)));
        Assert.NotNull((await NodeAsync(h, 5))!.RemovedAt);
    }

    [Fact]
    public async Task AStreetWith25Communities_IsShownTenPerPage()
    {
        var h = await SeedAsync();
        var street = ActorOf(3);
        for (var i = 0; i < 23; i++)
        {
            await h.Press(street, O(new OrgButton.NewChild(3)));
            await h.Text(street, "C" + i.ToString("00", System.Globalization.CultureInfo.InvariantCulture));
        }

        await h.DrainAsync();
        Assert.Equal(25, (await NodeAsync(h, 3))!.Children.Count);
        Assert.Equal(33, RecordJson.Deserialize<OrgCounters>((await h.Store.GetAsync(DocKeys.OrgCounters, CancellationToken.None))!.Json).LastNodeId);

        await h.Press(street, O(new OrgButton.Open(3, 0)));
        var first = await h.DrainAsync();
        Assert.Contains(En("org.node.children", "community", 25), Shown(first), StringComparison.Ordinal);
        var data = ButtonData(first).ToList();
        Assert.Equal(10, data.Count(d => OrgButton.Codec.Decode(d) is OrgButton.Open { Page: 0 } o && o.NodeId != 3));
        Assert.Contains("Page 1/3", ButtonTexts(first));
        Assert.Contains(O(new OrgButton.Open(3, 1)), data);

        await h.Press(street, O(new OrgButton.Open(3, 2)));
        var last = await h.DrainAsync();
        Assert.Contains("Page 3/3", ButtonTexts(last));
        Assert.Contains("C22", ButtonTexts(last));
        Assert.Equal(5, ButtonData(last).Count(d => OrgButton.Codec.Decode(d) is OrgButton.Open { Page: 0 } o && o.NodeId != 3));

        // A page past the end (a stale pager after removals) shows the last page.
        await h.Press(street, O(new OrgButton.Open(3, 9)));
        Assert.Contains("Page 3/3", ButtonTexts(await h.DrainAsync()));
    }

    [Fact]
    public void OrgAccess_AdministeredNodes_AreTheProfilesPlusTheRootForConfiguredAdministrators_AndRemovedNodesGiveNoRights()
    {
        var profile = Profile(9, 3, 3, 9);
        Assert.Equal([3L, 9L], OrgAccess.AdministeredIds(profile, configuredAdmin: false));
        Assert.Equal([1L, 3L, 9L], OrgAccess.AdministeredIds(profile, configuredAdmin: true));

        var street = NodeOf(Tree[2]);
        var community = NodeOf(Tree[3]);
        var access = OrgAccess.From([street with { RemovedAt = TestClock.Start }, null]);
        Assert.False(access.Any);
        Assert.Equal(OrgVerdict.OutsideScope, access.Check(community, OrgAction.View));
        Assert.Equal(OrgVerdict.Allowed, OrgAccess.From([street]).Check(community, OrgAction.Remove));
        Assert.Equal(OrgVerdict.NodeRemoved, OrgAccess.From([street]).Check(community with { RemovedAt = TestClock.Start }, OrgAction.AppointAdmin));
        Assert.Equal(OrgVerdict.Allowed, OrgAccess.From([street]).Check(community with { RemovedAt = TestClock.Start }, OrgAction.View));
    }
}
