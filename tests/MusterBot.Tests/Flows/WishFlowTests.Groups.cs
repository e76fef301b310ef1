using MusterBot.Flows.Events;
using MusterBot.Flows.Groups;
using MusterBot.Flows.Wishes;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Groups;
using MusterBot.State.Records.Wishes;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #20 point 3: approved wishes of a grid announced in its linked group, claimed there, the resident never named.</summary>
public partial class WishFlowTests
{
    private static readonly GroupChat NorthGroup = new(-6001, "North neighbours", Supergroup: true);
    private static readonly GroupChat SouthGroup = new(-6002, "South neighbours", Supergroup: true);
    private static readonly GroupChat Block3Group = new(-6003, "Block 3", Supergroup: true);

    private static async Task LinkGridAsync(FlowHarness h, GroupChat chat, string gridId)
    {
        await h.Event(new GroupCommand(Admin, chat, 7, "link", string.Empty) { SenderIsGroupAdmin = true });
        await h.Press(Admin, GroupButton.Codec.Encode(new GroupButton.LinkTo(chat.Id, GroupTarget.Grid, gridId)));
        await h.DrainAsync();
    }

    private static Task<MusterBot.Flows.Runtime.ProcessOutcome> ClaimInGroupAsync(FlowHarness h, Sender who, GroupChat chat, int number, string queryId, long community = FlowHarness.Community) =>
        h.Event(new ButtonPressed(who, chat.Id, 60, queryId, new WishButton.GroupClaim(community, number).Encode()));

    private static string? AnswerTo(IEnumerable<OutboxMessage> messages, string queryId) =>
        messages.Select(m => m.Action).OfType<AnswerCallback>().SingleOrDefault(a => a.CallbackQueryId == queryId)?.Text;

    [Fact]
    public async Task GroupWish_AnnouncedInItsGridsGroupOnly_FirstClaimThereWins_NonMembersRefused_ResidentNeverNamed()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LinkGridAsync(h, NorthGroup, "g1");
        await LinkGridAsync(h, SouthGroup, "g2");
        await h.Event(new GroupCommand(Admin, Block3Group, 7, "link", string.Empty) { SenderIsGroupAdmin = true });
        await h.Press(Admin, GroupButton.Codec.Encode(new GroupButton.LinkTo(Block3Group.Id, GroupTarget.Building, "g1/b1")));
        await h.DrainAsync();

        // Rita (grid North, Block 3) files; the administrator approves: North's group and Block 3's get the public view
        // with a claim button.
        var number = await FileAndApproveAsync(h);
        Assert.Equal(((SendText)Assert.Single(Sent, m => m.ChatId == Block3Group.Id).Action).Html, ((SendText)Assert.Single(Sent, m => m.ChatId == NorthGroup.Id).Action).Html);
        var announced = Assert.Single(Sent, m => m.ChatId == NorthGroup.Id);
        var card = (SendText)announced.Action;
        Assert.Equal((Lane.Normal, "wish:1:group"), (announced.Lane, announced.Tag));
        Assert.Contains("A new micro-wish in your grid", card.Html, StringComparison.Ordinal);
        Assert.Contains("Please fix the tap in my kitchen", card.Html, StringComparison.Ordinal);
        Assert.Equal([new WishButton.GroupClaim(FlowHarness.Community, number).Encode()], Buttons(card.Markup));
        foreach (var secret in new[] { "Rita", RitaPhone, "Block 3" })
        {
            Assert.DoesNotContain(secret, card.Html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Sent, m => m.ChatId == SouthGroup.Id);
        Assert.Contains((await WishAsync(h, number)).Cards, c => c.ChatId == NorthGroup.Id && c.Kind == "group");

        // A resident, someone who never started the bot, a forged community: refused, for them alone; the wish stays open.
        var stranger = FlowHarness.Person(9999, "zh-CN", "Wang");
        await ClaimInGroupAsync(h, Rita, NorthGroup, number, "rita");
        await ClaimInGroupAsync(h, stranger, NorthGroup, number, "stranger");
        await ClaimInGroupAsync(h, Amy, NorthGroup, number, "forged", community: 77);
        await ClaimInGroupAsync(h, Amy, NorthGroup, 999, "nowish");
        var refused = await h.DrainAsync();
        Assert.All(refused, m => Assert.IsType<AnswerCallback>(m.Action));
        Assert.Equal("Only the community's registered members can claim a micro-wish. To register, talk to me privately.", AnswerTo(refused, "rita"));
        Assert.Equal("只有本社区已登记的党员可以认领微心愿。如需登记，请私聊我。", AnswerTo(refused, "stranger"));
        Assert.Equal("Only the community's registered members can claim a micro-wish. To register, talk to me privately.", AnswerTo(refused, "forged"));
        Assert.Equal("This button is no longer valid.", AnswerTo(refused, "nowish"));
        Assert.Equal(WishStatus.Open, (await WishAsync(h, number)).Status);

        // Ben (grid South) may claim it, as in private; the first claim wins. The contact comes to him privately; the group
        // card says it is taken, without his name; the resident is told.
        await ClaimInGroupAsync(h, Ben, NorthGroup, number, "ben");
        await ClaimInGroupAsync(h, Amy, NorthGroup, number, "amy");
        var claimed = await h.DrainAsync();
        Assert.Equal((WishStatus.Claimed, (long?)Ben.Id), ((await WishAsync(h, number)).Status, (await WishAsync(h, number)).ClaimedBy));
        Assert.Equal("You claimed W-0001", AnswerTo(claimed, "ben"));
        Assert.Equal("Sorry, W-0001 has already been taken. Thank you!", AnswerTo(claimed, "amy"));
        Assert.Contains(RitaPhone, AllTo(claimed, Ben), StringComparison.Ordinal);
        Assert.Single(claimed, m => m.ChatId == Block3Group.Id && m.Action is EditText);
        var taken = Assert.Single(claimed, m => m.ChatId == NorthGroup.Id);
        var edit = (EditText)taken.Action;
        Assert.Equal(("wish:1:group", null), (edit.TargetTag, edit.Markup));
        Assert.Contains("A member has taken this on.", edit.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Ben", edit.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(claimed, m => m.Action is EditMarkup);
        Assert.Contains("Ben", AllTo(claimed, Rita), StringComparison.Ordinal);

        // Ben gives it back: the group's card offers the claim again.
        await h.Press(Ben, new WishButton.Release(number).Encode());
        await h.Text(Ben, "I am away this week");
        var reopened = (EditText)Assert.Single(await h.DrainAsync(), m => m.ChatId == NorthGroup.Id).Action;
        Assert.Equal([new WishButton.GroupClaim(FlowHarness.Community, number).Encode()], Buttons(reopened.Markup));
    }

    [Fact]
    public async Task GroupWish_HeldInEmergencyMode_NotPostedWhereTheBotMayNotPost()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LinkGridAsync(h, NorthGroup, "g1");
        await LinkGridAsync(h, SouthGroup, "g2");

        // The bot may not post in North's group: nothing is sent there, and no card is kept for it.
        await h.Event(new GroupBotStatusChanged(Admin, NorthGroup, Present: true, CanPost: false, CanPin: false));
        await h.DrainAsync();
        await FileAndApproveAsync(h);
        Assert.DoesNotContain(Sent, m => m.ChatId == NorthGroup.Id);
        Assert.DoesNotContain((await WishAsync(h)).Cards, c => c.ChatId == NorthGroup.Id);

        // In emergency mode the announcement in South's group is held like any normal-time notice.
        await SetEmergencyAsync(h);
        var held = (await SetAsync(h, Sets.HeldNotices)).Count;
        await FileAsync(h, Ray);
        await h.DrainAsync();
        await h.Press(Admin, new WishButton.Approve(2).Encode());
        Assert.DoesNotContain(await h.DrainAsync(), m => m.ChatId == SouthGroup.Id);
        Assert.Contains((await WishAsync(h, 2)).Cards, c => c.ChatId == SouthGroup.Id && c.Kind == "group");
        Assert.True((await SetAsync(h, Sets.HeldNotices)).Count > held);
    }

    private IReadOnlyList<OutboxMessage> Sent { get; set; } = [];

    private async Task<int> FileAndApproveAsync(FlowHarness h)
    {
        await FileAsync(h);
        await h.DrainAsync();
        var number = (await CountersAsync(h)).Wishes;
        await h.Press(Admin, new WishButton.Approve(number).Encode());
        Sent = await h.DrainAsync();
        NoErrors(Sent);
        return number;
    }
}
