using MusterBot.Flows.Events;
using MusterBot.State.Outbox;
using MusterBot.State.Records.Wishes;

namespace MusterBot.Tests.Flows;

/// <summary>
/// Issue #14: every card about a wish in someone else's chat follows the wish (no "waiting for review" with approve
/// buttons after a grid worker approved it); the resident can say "not done yet"; the resident's words reach the member;
/// an album is answered once; a resident's free text can be filed as a wish or a complaint. Buttons are written as
/// raw callback data here, as Telegram delivers them.
/// </summary>
public partial class WishFlowTests
{
    /// <summary>Edits aimed at a card of W-0001 of this kind in this chat.</summary>
    private static List<EditText> CardEdits(IEnumerable<OutboxMessage> messages, Sender who, string kind) =>
        messages.Where(m => m.ChatId == who.Id).Select(m => m.Action).OfType<EditText>().Where(e => e.TargetTag == "wish:1:" + kind).ToList();

    [Fact]
    public async Task Cards_FollowTheWish_InEveryChat_ReviewCardsAnnouncementsAndTheClaimersCard()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h);
        NoErrors(await h.DrainAsync());

        // Hank (the grid's worker) approves on his card: his card is edited in place, the administrator's follows.
        await h.Press(Hank, "wi:ap:1", messageId: 5);
        var approved = await h.DrainAsync();
        NoErrors(approved);
        Assert.Empty(CardEdits(approved, Hank, "review"));
        Assert.Contains(approved, m => m.ChatId == Hank.Id && m.Action is EditText { MessageId: 5 });
        var adminCard = Assert.Single(CardEdits(approved, Admin, "review"));
        Assert.Contains("Status: open for claims", adminCard.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("New micro-wish to review", adminCard.Html, StringComparison.Ordinal);
        Assert.Equal(["wi:as:1:0"], Buttons(adminCard.Markup));

        // Ann claims on her announcement: the other members' announcements lose the claim button.
        await h.Press(Ann, "wi:cl:1", messageId: 9);
        var claimed = await h.DrainAsync();
        NoErrors(claimed);
        Assert.Equal(9, claimed.Where(m => m.ChatId == Ann.Id).Select(m => m.Action).OfType<EditText>().Single().MessageId);
        foreach (var other in new[] { Amy, Carl })
        {
            var announcement = Assert.Single(CardEdits(claimed, other, "announce"));
            Assert.Contains("A member has taken this on", announcement.Html, StringComparison.Ordinal);
            Assert.Null(announcement.Markup);
            Assert.DoesNotContain(RitaPhone, announcement.Html, StringComparison.Ordinal);
        }

        foreach (var staff in new[] { Admin, Hank })
        {
            var card = Assert.Single(CardEdits(claimed, staff, "review"));
            Assert.Contains("Status: claimed", card.Html, StringComparison.Ordinal);
            Assert.Contains("Claimed by: Ann", card.Html, StringComparison.Ordinal);
            Assert.Null(card.Markup);
        }

        // Done: staff cards and the claimer's card follow; the announcements ("taken") do not change, so no edit.
        await h.Press(Ann, "wi:dn0:1");
        var done = await h.DrainAsync();
        NoErrors(done);
        Assert.Contains("Status: done, waiting for confirmation", Assert.Single(CardEdits(done, Hank, "review")).Html, StringComparison.Ordinal);
        Assert.Empty(CardEdits(done, Amy, "announce"));
        Assert.Empty(CardEdits(done, Carl, "announce"));
        var annCard = Assert.Single(CardEdits(done, Ann, "claimer"));
        Assert.Null(annCard.Markup);
        Assert.Contains("done, waiting for confirmation", annCard.Html, StringComparison.Ordinal);

        // Rated: "closed" with the stars everywhere, no buttons left.
        await h.Press(Rita, "wi:rt:1:5", messageId: 12);
        var rated = await h.DrainAsync();
        NoErrors(rated);
        foreach (var staff in new[] { Admin, Hank })
        {
            var card = Assert.Single(CardEdits(rated, staff, "review"));
            Assert.Contains("Status: closed", card.Html, StringComparison.Ordinal);
            Assert.Contains("⭐⭐⭐⭐⭐", card.Html, StringComparison.Ordinal);
            Assert.Null(card.Markup);
        }

        Assert.Contains("⭐⭐⭐⭐⭐", Assert.Single(CardEdits(rated, Ann, "claimer")).Html, StringComparison.Ordinal);
        Assert.Empty(CardEdits(rated, Rita, "done"));
        Assert.Equal(12, rated.Where(m => m.ChatId == Rita.Id).Select(m => m.Action).OfType<EditText>().Single().MessageId);
        Assert.Empty(CardEdits(rated, Amy, "announce"));
    }

    [Fact]
    public async Task Cards_ResidentsConfirmationLosesWithdraw_OnceClaimed_AndAGivenBackWishOffersTheClaimAgain()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await ClaimedWishAsync(h);
        var wish = await WishAsync(h);
        Assert.Contains(wish.Cards, c => c.ChatId == Rita.Id && c.Kind == "filed");
        Assert.Contains(wish.Cards, c => c.ChatId == Amy.Id && c.Kind == "announce");

        await h.Press(Ann, "wi:rl:1");
        await h.Text(Ann, "I am ill this week");
        var released = await h.DrainAsync();
        NoErrors(released);
        var annCard = Assert.Single(CardEdits(released, Ann, "claimer"));
        Assert.Null(annCard.Markup);
        Assert.Contains("You gave this wish back", annCard.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(RitaPhone, annCard.Html, StringComparison.Ordinal);
        Assert.Equal(["wi:as:1:0"], Buttons(Assert.Single(CardEdits(released, Admin, "review")).Markup));
        // Amy gets the wish announced again (a new card with the claim button), not also an edit of the old one.
        Assert.Equal(["wi:cl:1"], Buttons(SentTo(released, Amy).Single(s => s.Html.Contains("W-0001", StringComparison.Ordinal)).Markup));
        Assert.Empty(CardEdits(released, Amy, "announce"));

        // Withdrawn while open: the announcements say so and lose the claim button.
        await h.Press(Rita, "wi:wd:1");
        var withdrawn = await h.DrainAsync();
        NoErrors(withdrawn);
        var amys = Assert.Single(CardEdits(withdrawn, Amy, "announce"));
        Assert.Null(amys.Markup);
        Assert.Contains("withdrawn", amys.Html, StringComparison.Ordinal);
        Assert.Empty(CardEdits(withdrawn, Rita, "filed"));
    }

    [Fact]
    public async Task NotDoneYet_GoesBackToTheMemberWithTheResidentsWords_AndTheWishIsInProgressAgain()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await DoneWishAsync(h);

        // Only the resident; others are told politely.
        await h.Press(Amy, "wi:nd:1");
        Assert.Equal("This wish is not yours.", Answer(await h.DrainAsync(), Amy)!.Text);

        await h.Press(Rita, "wi:nd:1", messageId: 12);
        var ask = await h.DrainAsync();
        NoErrors(ask);
        Assert.Contains("what is still missing for W-0001", AllTo(ask, Rita), StringComparison.Ordinal);
        Assert.Equal("NotDoneReason", (await h.ConversationAsync(Rita.Id))!.Step);

        await h.Text(Rita, "The tap <still> drips");
        var back = await h.DrainAsync();
        NoErrors(back);
        var wish = await WishAsync(h);
        Assert.Equal((WishStatus.Claimed, (long?)Ann.Id, (string?)null), (wish.Status, wish.ClaimedBy, wish.DoneNote));
        Assert.Equal(["1"], await StatusSetAsync(h, WishStatus.Claimed));
        Assert.Empty(await StatusSetAsync(h, WishStatus.Done));
        Assert.Null(await h.Store.GetTimerAsync("wi:auto:1", 4, Ct));
        Assert.NotNull(await h.Store.GetTimerAsync("wi:stale:1", 4, Ct));
        var toAnn = Assert.Single(SentTo(back, Ann));
        Assert.Contains("not done yet", toAnn.Html, StringComparison.Ordinal);
        Assert.Contains("The tap &lt;still&gt; drips", toAnn.Html, StringComparison.Ordinal);
        Assert.Equal(["wi:dn:1", "wi:rl:1"], Buttons(toAnn.Markup));
        Assert.Contains(RitaPhone, toAnn.Html, StringComparison.Ordinal);
        Assert.Contains("we passed your words on to member Ann", AllTo(back, Rita), StringComparison.Ordinal);
        var ritasCard = Assert.Single(CardEdits(back, Rita, "done"));
        Assert.Null(ritasCard.Markup);
        Assert.Equal("Idle", (await h.ConversationAsync(Rita.Id))!.Step);

        // The old rating buttons are refused now; Ann finishes it and Rita can rate the new message.
        await h.Press(Rita, "wi:rt:1:5", messageId: 12);
        NoErrors(await h.DrainAsync());
        Assert.Equal(WishStatus.Claimed, (await WishAsync(h)).Status);
        await h.Press(Ann, "wi:dn0:1");
        var doneAgain = await h.DrainAsync();
        Assert.Contains("wi:rt:1:5", ButtonsTo(doneAgain, Rita));
        await h.Press(Rita, "wi:rt:1:4");
        NoErrors(await h.DrainAsync());
        Assert.Equal((WishStatus.Closed, (int?)4), ((await WishAsync(h)).Status, (await WishAsync(h)).Rating));

        // "Not done" after the rating: told it is closed, nothing changes.
        await h.Press(Rita, "wi:nd:1");
        Assert.Equal("W-0001 is already closed.", Answer(await h.DrainAsync(), Rita)!.Text);
        Assert.Equal(WishStatus.Closed, (await WishAsync(h)).Status);
    }

    [Fact]
    public async Task ThankYouComment_ReachesTheMember()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await DoneWishAsync(h);
        await h.Press(Rita, "wi:rt:1:5");
        NoErrors(await h.DrainAsync());

        await h.Text(Rita, "Thank you <so> much, Ann!");
        var thanked = await h.DrainAsync();
        NoErrors(thanked);
        Assert.Contains("Thank you &lt;so&gt; much, Ann!", AllTo(thanked, Ann), StringComparison.Ordinal);
        // The rating message no longer offers "No comment".
        var ritas = Assert.Single(thanked.Where(m => m.ChatId == Rita.Id).Select(m => m.Action).OfType<EditText>());
        Assert.Equal(("wish:1:done", (InlineMarkup?)null), (ritas.TargetTag, ritas.Markup));
        Assert.Contains("⭐⭐⭐⭐⭐", ritas.Html, StringComparison.Ordinal);
        Assert.Contains("W-0001", AllTo(thanked, Ann), StringComparison.Ordinal);
        Assert.Empty(SentTo(thanked, Admin));
    }

    [Fact]
    public async Task Album_WhileFiling_AndAsTheDoneNote_GetsOneAnswer()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await h.Command(Rita, "wish");
        await h.Text(Rita, "Please fix the tap");
        await h.DrainAsync();
        for (var i = 0; i < 3; i++)
        {
            await h.Event(new PhotoReceived(Rita, Rita.Id, 40 + i, "album-" + i, null) { MediaGroupId = "rita-album" });
        }

        var filing = await h.DrainAsync();
        NoErrors(filing);
        Assert.Contains("Photo received.", Assert.Single(TextsTo(filing, Rita)), StringComparison.Ordinal);
        var conversation = (await h.ConversationAsync(Rita.Id))!;
        Assert.Equal(("Category", "album-0"), (conversation.Step, conversation.Data["photo"]));

        // A photo of another album (or none) is answered again, kindly.
        await h.Event(new PhotoReceived(Rita, Rita.Id, 50, "other", null) { MediaGroupId = "second-album" });
        Assert.Single(TextsTo(await h.DrainAsync(), Rita));

        var member = NewHarness();
        await SeedAsync(member);
        await ClaimedWishAsync(member);
        await member.Press(Ann, "wi:dn:1");
        await member.DrainAsync();
        for (var i = 0; i < 4; i++)
        {
            await member.Event(new PhotoReceived(Ann, Ann.Id, 60 + i, "done-" + i, i == 0 ? "Fixed" : null) { MediaGroupId = "ann-album" });
        }

        var done = await member.DrainAsync();
        NoErrors(done);
        Assert.Contains("W-0001 is marked done", Assert.Single(SentTo(done, Ann)).Html, StringComparison.Ordinal);
        Assert.DoesNotContain("only handle text", AllTo(done, Ann), StringComparison.Ordinal);
        Assert.Equal((WishStatus.Done, "done-0"), ((await WishAsync(member)).Status, (await WishAsync(member)).DonePhotoFileId));
    }

    [Fact]
    public async Task FreeText_FromAResident_OffersToFileItAsAComplaintOrAWish_PreFilled()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Text(Rita, "帮我找一下物业电话");
        var offer = await h.DrainAsync();
        var reply = Assert.Single(SentTo(offer, Rita));
        Assert.Contains("帮我找一下物业电话", reply.Html, StringComparison.Ordinal);
        Assert.Equal(["cp:ftxt", "wi:ftxt"], Buttons(reply.Markup));

        // As a wish: the text is the wish's text, the wizard goes on at the photo.
        await h.Press(Rita, "wi:ftxt", messageId: 70);
        var wish = await h.DrainAsync();
        NoErrors(wish);
        Assert.Contains(wish, m => m.ChatId == Rita.Id && m.Action is EditMarkup { MessageId: 70, Markup: null });
        Assert.Contains("Add a photo?", AllTo(wish, Rita), StringComparison.Ordinal);
        var conversation = (await h.ConversationAsync(Rita.Id))!;
        Assert.Equal(("wish", "Photo", "帮我找一下物业电话"), (conversation.Flow, conversation.Step, conversation.Data["text"]));
        await h.Press(Rita, "wi:fskip");
        await h.Press(Rita, "wi:fcat:Other");
        await h.Press(Rita, "wi:fdate:None");
        await h.Press(Rita, "wi:fok");
        NoErrors(await h.DrainAsync());
        Assert.Equal("帮我找一下物业电话", (await WishAsync(h)).Text);

        // As a complaint: the text is the description; after the category, on to the photos.
        await h.Text(Rita, "The street lamp at gate 2 is broken");
        await h.DrainAsync();
        await h.Press(Rita, "cp:ftxt");
        NoErrors(await h.DrainAsync());
        Assert.Equal(("complaint", "Category"), ((await h.ConversationAsync(Rita.Id))!.Flow, (await h.ConversationAsync(Rita.Id))!.Step));
        await h.Press(Rita, "cp:fcat:PublicSafety");
        NoErrors(await h.DrainAsync());
        conversation = (await h.ConversationAsync(Rita.Id))!;
        Assert.Equal(("Photos", "The street lamp at gate 2 is broken"), (conversation.Step, conversation.Data["text"]));

        // The buttons once the text is gone (another step since): the expired hint, nothing starts.
        await h.Command(Rita, "cancel");
        await h.DrainAsync();
        await h.Press(Rita, "wi:ftxt");
        Assert.Equal("This button has expired. Please send the command again.", Answer(await h.DrainAsync(), Rita)!.Text);
        Assert.Equal("main", (await h.ConversationAsync(Rita.Id))!.Flow);

        // A member gets a helpful answer with the menu, not the filing choice.
        await h.Text(Ann, "where is the meeting tonight?");
        var toAnn = Assert.Single(SentTo(await h.DrainAsync(), Ann));
        Assert.Contains("/help", toAnn.Html, StringComparison.Ordinal);
        Assert.IsType<ReplyKeyboard>(toAnn.Markup);
    }
}
