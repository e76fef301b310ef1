using MusterBot.Flows.Events;
using MusterBot.Flows.Groups;
using MusterBot.Flows.Musters;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Groups;
using MusterBot.State.Records.Musters;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #20 point 2: a relayed order in the region's linked group, check-ins pressed there, the group's roll call.</summary>
public partial class MusterFlowTests
{
    private static readonly GroupChat PortGroup = new(-5001, "Port neighbours", Supergroup: true);
    private static readonly GroupChat HillGroup = new(-5002, "Hill neighbours", Supergroup: true);
    private static readonly GroupChat LakeGroup = new(-5003, "Lake neighbours", Supergroup: true);

    /// <summary>Links a group to a region through the group flow: /link in the group, the choice in private.</summary>
    private static async Task LinkRegionAsync(FlowHarness h, GroupChat chat, string regionId, bool canPin = true)
    {
        await h.Event(new GroupCommand(Admin, chat, 7, "link", string.Empty) { SenderIsGroupAdmin = true, BotCanPin = canPin });
        await h.Press(Admin, GroupButton.Codec.Encode(new GroupButton.LinkTo(chat.Id, GroupTarget.Region, regionId)));
        await h.DrainAsync();
    }

    private static Task<MusterBot.Flows.Runtime.ProcessOutcome> PressInGroupAsync(FlowHarness h, Sender who, GroupChat chat, string data, string? queryId = null) =>
        h.Event(new ButtonPressed(who, chat.Id, 50, queryId ?? "g" + Guid.NewGuid().ToString("N"), data));

    private static string GroupData(CheckInStatus status, long community = FlowHarness.Community) => new MusterButton.GroupCheckIn(community, 1, status).Data;

    private static string? Toast(IEnumerable<OutboxMessage> messages) => messages.Select(m => m.Action).OfType<AnswerCallback>().Select(a => a.Text).SingleOrDefault();

    [Fact]
    public async Task GroupMuster_RelayPostsOrderAndPinnedRollCall_CalledMembersCheckInThere_OthersAreRefused_NothingPrivateInTheGroup()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LinkRegionAsync(h, PortGroup, "r1");
        await LaunchAsync(h, regions: ["r1", "r2"]);
        var launched = await h.DrainAsync();
        Assert.DoesNotContain(launched, m => m.ChatId == PortGroup.Id);

        // The convenor relays: the members are told, and so is the group — the order with check-in buttons, then the roll call, pinned.
        await h.Press(Cora, new MusterButton.Relay(1, "r1").Data);
        var relayed = (await h.DrainAsync()).Where(m => m.ChatId == PortGroup.Id).ToList();
        Assert.Equal(3, relayed.Count);
        var order = (SendText)relayed[0].Action;
        Assert.Equal((Lane.Emergency, MusterFlow.GroupOrderTag(1, "r1")), (relayed[0].Lane, relayed[0].Tag));
        Assert.Contains("M-1", order.Html, StringComparison.Ordinal);
        Assert.Contains("For the members of “Port” called to this muster.", order.Html, StringComparison.Ordinal);
        Assert.Equal(
            [GroupData(CheckInStatus.Acknowledged), GroupData(CheckInStatus.OnTheWay), GroupData(CheckInStatus.Arrived), GroupData(CheckInStatus.CantCome)],
            Buttons(order.Markup));
        Assert.All(Buttons(order.Markup), d => Assert.True(System.Text.Encoding.UTF8.GetByteCount(d) <= 64));
        var rollCall = (SendText)relayed[1].Action;
        Assert.Equal(RollCall.Tag(1, PortGroup.Id, "r1"), relayed[1].Tag);
        Assert.Contains("Roll call M-1 · Port", rollCall.Html, StringComparison.Ordinal);
        Assert.Contains("3 without an answer yet · 0 can't come", rollCall.Html, StringComparison.Ordinal);
        Assert.Null(rollCall.Markup);
        Assert.Equal(new PinMessage(0) { TargetTag = RollCall.Tag(1, PortGroup.Id, "r1") }, relayed[2].Action);
        Assert.Equal([PortGroup.Id], (await MusterAsync(h)).Region("r1")!.GroupChats);

        // Ann answers in the group: only she sees the toast; what follows (the ETA question) comes to her private chat.
        await PressInGroupAsync(h, Ann, PortGroup, GroupData(CheckInStatus.OnTheWay));
        var ann = await h.DrainAsync();
        Assert.Equal(CheckInStatus.OnTheWay, (await AnswerAsync(h, Ann)).Status);
        Assert.DoesNotContain(ann, m => m.ChatId == PortGroup.Id);
        Assert.Contains("on my way", Toast(ann), StringComparison.Ordinal);
        var privateOrder = Assert.Single(ann, m => m.ChatId == Ann.Id && m.Action is SendText);
        Assert.Contains(new MusterButton.Eta(1, 10).Data, Buttons(((SendText)privateOrder.Action).Markup));

        // The same answer pressed again there: said so, to her alone; nothing recorded twice.
        var history = (await AnswerAsync(h, Ann)).History.Count;
        await PressInGroupAsync(h, Ann, PortGroup, GroupData(CheckInStatus.OnTheWay), "again");
        var again = await h.DrainAsync();
        Assert.Equal("Already recorded: 🏃 on my way", Toast(again));
        Assert.DoesNotContain(again, m => m.Action is not AnswerCallback);
        Assert.Equal(history, (await AnswerAsync(h, Ann)).History.Count);

        // Amy can't come: the reasons are asked in private, and her reason never reaches the group.
        await PressInGroupAsync(h, Amy, PortGroup, GroupData(CheckInStatus.CantCome));
        var amy = await h.DrainAsync();
        Assert.Contains(new MusterButton.Reason(1, CantComeReason.Ill).Data, Buttons(((SendText)Assert.Single(amy, m => m.ChatId == Amy.Id && m.Action is SendText).Action).Markup));
        await h.Press(Amy, new MusterButton.Reason(1, CantComeReason.Ill).Data);
        await h.DrainAsync();
        Assert.Equal((CheckInStatus.CantCome, CantComeReason.Ill), ((await AnswerAsync(h, Amy)).Status, (await AnswerAsync(h, Amy)).Reason));

        // Ben is called in Hill: a member of this muster, his answer counts (in his own region) wherever he presses.
        await PressInGroupAsync(h, Ben, PortGroup, GroupData(CheckInStatus.Arrived));
        await h.DrainAsync();
        Assert.Equal((CheckInStatus.Arrived, "r2"), ((await AnswerAsync(h, Ben)).Status, (await AnswerAsync(h, Ben)).RegionId));

        // Not called, never started the bot, another community's order, a forged status, a private button in the group:
        // each gets a polite answer for them alone, and nothing changes.
        var stranger = FlowHarness.Person(9999, "zh-CN", "Wang");
        await PressInGroupAsync(h, Rita, PortGroup, GroupData(CheckInStatus.Arrived), "rita");
        await PressInGroupAsync(h, stranger, PortGroup, GroupData(CheckInStatus.Arrived), "stranger");
        await PressInGroupAsync(h, Ann, PortGroup, GroupData(CheckInStatus.Arrived, community: 77), "elsewhere");
        await PressInGroupAsync(h, Ann, PortGroup, GroupData(CheckInStatus.NoAnswer), "forged");
        await PressInGroupAsync(h, Ann, PortGroup, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, "private");
        var refused = await h.DrainAsync();
        Assert.All(refused, m => Assert.IsType<AnswerCallback>(m.Action));
        string? To(string id) => refused.Select(m => m.Action).OfType<AnswerCallback>().Single(a => a.CallbackQueryId == id).Text;
        Assert.Equal("This muster order is not for you: you were not called to it. Thank you all the same!", To("rita"));
        Assert.Equal("这个集结令不是发给您的：您不在名单中。仍然谢谢您！", To("stranger"));
        Assert.Equal("This muster order is not for you: you were not called to it. Thank you all the same!", To("elsewhere"));
        Assert.Equal("This button is no longer valid.", To("forged"));
        Assert.Equal("This button is not for you.", To("private"));
        Assert.Null(await GetAsync<MusterAnswer>(h, DocKeys.MusterAnswer(1, Rita.Id)));
        Assert.Null(await GetAsync<MusterAnswer>(h, DocKeys.MusterAnswer(1, stranger.Id)));
        Assert.Equal(CheckInStatus.OnTheWay, (await AnswerAsync(h, Ann)).Status);

        // The group's roll call is edited in place: names of those who answered, counts of the rest; no phone, no reason.
        h.Clock.Advance(TimeSpan.FromSeconds(30));
        await h.FireDueTimersAsync();
        var refreshed = (await h.DrainAsync()).Where(m => m.ChatId == PortGroup.Id).ToList();
        var edit = (EditText)Assert.Single(refreshed).Action;
        Assert.Equal(RollCall.Tag(1, PortGroup.Id, "r1"), edit.TargetTag);
        Assert.Contains("Ann", edit.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Amy", edit.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Ben", edit.Html, StringComparison.Ordinal);
        Assert.Contains("1 without an answer yet · 1 can't come", edit.Html, StringComparison.Ordinal);
        foreach (var secret in new[] { "+86138", "· ill", "unreachable", "ETA" })
        {
            Assert.False(edit.Html.Contains(secret, StringComparison.OrdinalIgnoreCase), secret + " in: " + edit.Html);
        }

        // The close: the final roll call, the order without buttons, the roll call unpinned; a later press is told it closed.
        await h.Press(Admin, new MusterButton.ConfirmClose(1).Data);
        var closed = (await h.DrainAsync()).Where(m => m.ChatId == PortGroup.Id).ToList();
        Assert.Contains(closed, m => m.Action is EditText { TargetTag: var t, Markup: null, Html: var html } && t == RollCall.Tag(1, PortGroup.Id, "r1") && html.Contains("Closed", StringComparison.Ordinal));
        Assert.Contains(closed, m => m.Action is EditText { TargetTag: var t, Markup: null, Html: var html } && t == MusterFlow.GroupOrderTag(1, "r1") && html.Contains("This muster is closed.", StringComparison.Ordinal));
        Assert.Contains(closed, m => m.Action is PinMessage { Unpin: true, TargetTag: var t } && t == RollCall.Tag(1, PortGroup.Id, "r1"));
        await PressInGroupAsync(h, Ann, PortGroup, GroupData(CheckInStatus.Arrived));
        var late = await h.DrainAsync();
        Assert.Equal("Muster M-1 is closed.", Toast(late));
        Assert.DoesNotContain(late, m => m.Action is EditMarkup);
    }

    [Fact]
    public async Task GroupMuster_TheGroupBecomesASupergroup_OrUnlinked_TheOrderAndRollCallFollow()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LinkRegionAsync(h, PortGroup with { Supergroup = false }, "r1");
        await LaunchAsync(h, regions: ["r1"]);
        await h.Press(Cora, new MusterButton.Relay(1, "r1").Data);
        await h.DrainAsync();

        // The group becomes a supergroup: the open muster's order and roll call are posted again at the new id, pinned.
        const long newId = -1009005001;
        await h.Event(new GroupMigrated(Admin, PortGroup with { Supergroup = false }, newId));
        await h.DrainAsync();
        await h.FireDueTimersAsync();
        var moved = (await h.DrainAsync()).Where(m => m.ChatId is < 0).ToList();
        Assert.Equal([newId, newId, newId], moved.Select(m => m.ChatId));
        Assert.Contains("For the members of “Port” called to this muster.", ((SendText)moved[0].Action).Html, StringComparison.Ordinal);
        Assert.Equal(RollCall.Tag(1, newId, "r1"), moved[1].Tag);
        Assert.IsType<PinMessage>(moved[2].Action);
        Assert.Equal([newId], (await MusterAsync(h)).Region("r1")!.GroupChats);
        Assert.Null(await GetAsync<RollCallPanel>(h, DocKeys.RollCallPanel(1, PortGroup.Id, "r1")));

        // Check-ins there count, and the new roll call is the one edited.
        await h.Event(new ButtonPressed(Ann, newId, 3, "a", GroupData(CheckInStatus.Arrived)));
        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(30));
        await h.FireDueTimersAsync();
        var edit = Assert.Single(await h.DrainAsync(), m => m.ChatId < 0);
        Assert.Equal((newId, RollCall.Tag(1, newId, "r1")), (edit.ChatId, ((EditText)edit.Action).TargetTag));

        // Unlinked: the group is dropped from the muster, nothing more is sent there.
        await h.Event(new GroupCommand(Admin, PortGroup with { Id = newId }, 9, "unlink", string.Empty) { SenderIsGroupAdmin = true });
        await h.DrainAsync();
        await h.Event(new ButtonPressed(Amy, newId, 3, "b", GroupData(CheckInStatus.Arrived)));
        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(30));
        await h.FireDueTimersAsync();
        Assert.DoesNotContain(await h.DrainAsync(), m => m.ChatId < 0);
        Assert.Empty((await MusterAsync(h)).Region("r1")!.GroupChats);
    }

    [Fact]
    public async Task GroupMuster_DirectRegionAtLaunch_EscalationToo_NotWhereTheBotMayNotPost_NorPinWithoutTheRight()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LinkRegionAsync(h, LakeGroup, "r3", canPin: false);
        await LinkRegionAsync(h, HillGroup, "r2");
        await LinkRegionAsync(h, PortGroup, "r1");

        // The bot may no longer post in Hill's group.
        await h.Event(new GroupBotStatusChanged(Admin, HillGroup, Present: true, CanPost: false, CanPin: false));
        await h.DrainAsync();

        // Lake has no convenor: its members and its group are told at the launch (no pin without the right).
        await LaunchAsync(h);
        var launched = (await h.DrainAsync()).Where(m => m.ChatId < 0).ToList();
        Assert.Equal([LakeGroup.Id, LakeGroup.Id], launched.Select(m => m.ChatId));
        Assert.DoesNotContain(launched, m => m.Action is PinMessage);
        Assert.Equal([LakeGroup.Id], (await MusterAsync(h)).Region("r3")!.GroupChats);

        // Nobody acknowledges: at T1 the members are told directly, and Port's group with them; Hill's group is skipped.
        h.Clock.Advance(TimeSpan.FromMinutes(3));
        await h.FireDueTimersAsync();
        var escalated = (await h.DrainAsync()).Where(m => m.ChatId < 0 && m.Action is SendText or PinMessage).ToList();
        Assert.Equal([PortGroup.Id, PortGroup.Id, PortGroup.Id], escalated.Select(m => m.ChatId));
        var muster = await MusterAsync(h);
        Assert.Equal([PortGroup.Id], muster.Region("r1")!.GroupChats);
        Assert.Empty(muster.Region("r2")!.GroupChats);

        // A relay after the escalation posts nothing twice.
        await h.Press(Cora, new MusterButton.Relay(1, "r1").Data);
        Assert.DoesNotContain(await h.DrainAsync(), m => m.ChatId == PortGroup.Id && m.Action is SendText);
    }
}
