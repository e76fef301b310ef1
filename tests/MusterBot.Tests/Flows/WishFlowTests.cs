using MusterBot.State.Redis;
using MusterBot.Tests.State;
using MusterBot.Flows.Events;
using MusterBot.Flows.Wishes;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Wishes;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Micro-wishes (issue #6), decided on the in-memory store with a fake clock.</summary>
public partial class WishFlowTests
{
    // ---- 1. filing ----

    [Fact]
    public async Task Filing_TextOnly_StoresPendingWish_GivesW0001_AndReviewersOfTheGridGetTheCard()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Command(Rita, "wish");
        Assert.Contains("File a micro-wish", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Text(Rita, "  Please fix the <tap> in my kitchen  ");
        var photoAsk = await h.DrainAsync();
        Assert.Contains("Add a photo?", AllTo(photoAsk, Rita), StringComparison.Ordinal);
        Assert.Contains(new WishButton.SkipPhoto().Encode(), ButtonsTo(photoAsk, Rita));
        await h.Press(Rita, new WishButton.SkipPhoto().Encode());
        var categories = await h.DrainAsync();
        Assert.Contains("Please choose a category", AllTo(categories, Rita), StringComparison.Ordinal);
        Assert.Equal(
            [new WishButton.PickCategory(WishCategory.Study).Encode(), new WishButton.PickCategory(WishCategory.DailyLife).Encode(), new WishButton.PickCategory(WishCategory.ElderlyCare).Encode(), new WishButton.PickCategory(WishCategory.Health).Encode(), new WishButton.PickCategory(WishCategory.Repairs).Encode(), new WishButton.PickCategory(WishCategory.Other).Encode(), new WishButton.CancelFiling().Encode()],
            ButtonsTo(categories, Rita));
        await h.Press(Rita, new WishButton.PickCategory(WishCategory.Repairs).Encode());
        Assert.Contains(new WishButton.PickDate(WantedBy.Week).Encode(), ButtonsTo(await h.DrainAsync(), Rita));
        await h.Press(Rita, new WishButton.PickDate(WantedBy.Week).Encode());
        var preview = AllTo(await h.DrainAsync(), Rita);
        Assert.Contains("Please check your wish", preview, StringComparison.Ordinal);
        Assert.Contains("W-?", preview, StringComparison.Ordinal);
        Assert.Contains("Please fix the &lt;tap&gt; in my kitchen", preview, StringComparison.Ordinal);
        Assert.Contains("Wanted by 2025-03-08", preview, StringComparison.Ordinal);
        Assert.Empty(await StatusSetAsync(h, WishStatus.Pending));

        await h.Press(Rita, new WishButton.Submit().Encode());
        var filed = await h.DrainAsync();
        NoErrors(filed);
        Assert.Contains("Your micro-wish <b>W-0001</b> was received", AllTo(filed, Rita), StringComparison.Ordinal);
        Assert.Contains(new WishButton.Withdraw(1).Encode(), ButtonsTo(filed, Rita));

        var wish = await WishAsync(h);
        Assert.Equal((1, Rita.Id, "Please fix the <tap> in my kitchen", WishCategory.Repairs, WishStatus.Pending, "g1"), (wish.Number, wish.ResidentId, wish.Text, wish.Category, wish.Status, wish.GridId));
        Assert.Equal(new DateOnly(2025, 3, 8), wish.WantedBy);
        Assert.Null(wish.PhotoFileId);
        Assert.Equal("W-0001", wish.Code);
        Assert.Equal(["1"], await StatusSetAsync(h, WishStatus.Pending));
        Assert.Equal(["1"], await SetAsync(h, Sets.WishesOf(Rita.Id)));
        Assert.Equal(1, (await CountersAsync(h)).Wishes);
        Assert.Equal("Idle", (await h.ConversationAsync(Rita.Id))!.Step);

        // The administrator and g1's grid worker get the card with everything; g2's worker and members get nothing.
        foreach (var reviewer in new[] { Admin, Hank })
        {
            var card = Assert.Single(SentTo(filed, reviewer));
            Assert.Contains("New micro-wish to review", card.Html, StringComparison.Ordinal);
            Assert.Contains("Rita", card.Html, StringComparison.Ordinal);
            Assert.Contains(RitaPhone, card.Html, StringComparison.Ordinal);
            Assert.Contains("Block 3", card.Html, StringComparison.Ordinal);
            Assert.Equal([new WishButton.Approve(1).Encode(), new WishButton.ApproveSkilled(1).Encode(), new WishButton.ShowCategories(1).Encode(), new WishButton.Reject(1).Encode(), new WishButton.MarkDuplicate(1).Encode()], Buttons(card.Markup));
        }

        Assert.DoesNotContain(filed, m => m.ChatId is 21 or 100 or 101 or 102 or 200 or 201 or 501);

        // A second wish is W-0002.
        await FileAsync(h, Ray, "Help me with my phone", category: WishCategory.Study);
        var second = await h.DrainAsync();
        Assert.Contains("<b>W-0002</b>", AllTo(second, Ray), StringComparison.Ordinal);
        Assert.Single(SentTo(second, Hugo));
        Assert.Empty(SentTo(second, Hank));
    }

    [Fact]
    public async Task Filing_WithPhoto_StoresThePhoto_ReviewersGetIt_AndAPhotoWhereTextWasAsked_IsRefused()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Command(Rita, "wish");
        await h.Event(new PhotoReceived(Rita, Rita.Id, 5, "photo-early", "my tap"));
        Assert.Contains("Please write the wish as text first", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("Text", (await h.ConversationAsync(Rita.Id))!.Step);

        await h.Text(Rita, "The tap drips");
        await h.Event(new PhotoReceived(Rita, Rita.Id, 6, "photo-1", null));
        var saved = AllTo(await h.DrainAsync(), Rita);
        Assert.Contains("Photo received.", saved, StringComparison.Ordinal);
        Assert.Contains("Please choose a category", saved, StringComparison.Ordinal);
        await h.Press(Rita, new WishButton.PickCategory(WishCategory.Repairs).Encode());
        await h.Press(Rita, new WishButton.PickDate(WantedBy.None).Encode());
        Assert.Contains("Photo attached", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Press(Rita, new WishButton.Submit().Encode());
        var filed = await h.DrainAsync();
        NoErrors(filed);

        var wish = await WishAsync(h);
        Assert.Equal(("photo-1", (DateOnly?)null), (wish.PhotoFileId, wish.WantedBy));
        Assert.Contains("W-0001", AllTo(filed, Rita), StringComparison.Ordinal);
        foreach (var reviewer in new[] { Admin, Hank })
        {
            Assert.Contains(filed, m => m.ChatId == reviewer.Id && m.Action is SendPhoto { FileId: "photo-1" });
        }
    }

    [Fact]
    public async Task Filing_BadInput_EmptyAndTooLong_PastAndBadDates_TextWhereButtonsExpected_EachAnsweredAndNothingFiled()
    {
        var h = NewHarness();
        await SeedAsync(h);

        // Not registered: told to register first.
        await h.Command(Uma, "wish");
        Assert.Contains("Please register first", AllTo(await h.DrainAsync(), Uma), StringComparison.Ordinal);

        await h.Command(Rita, "wish");
        await h.DrainAsync();
        await h.Text(Rita, "   ");
        Assert.Contains("Please write 1–500 characters (this was 0).", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Text(Rita, new string('x', 10_000));
        Assert.Contains("Please write 1–500 characters (this was 10000).", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("Text", (await h.ConversationAsync(Rita.Id))!.Step);
        await h.Text(Rita, new string('y', 500));
        Assert.Equal("Photo", (await h.ConversationAsync(Rita.Id))!.Step);

        // Text where a photo or buttons are expected.
        await h.Text(Rita, "no photo sorry");
        Assert.Contains("Please send a photo, or tap", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Press(Rita, new WishButton.SkipPhoto().Encode());
        await h.Text(Rita, "repairs");
        Assert.Contains("Please tap a category above.", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Press(Rita, "wi:f:cat:Bogus");
        await h.Press(Rita, new WishButton.PickDate(WantedBy.Week).Encode());
        Assert.Equal("Category", (await h.ConversationAsync(Rita.Id))!.Step);
        await h.Press(Rita, new WishButton.PickCategory(WishCategory.DailyLife).Encode());

        // Dates: a past one, nonsense, then a typed future date.
        await h.Text(Rita, "2025-02-01");
        Assert.Contains("That date has passed", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Text(Rita, "2025-02-30");
        Assert.Contains("Please tap a button, or type a date like", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Text(Rita, "someday");
        Assert.Contains("Please tap a button, or type a date like", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("Date", (await h.ConversationAsync(Rita.Id))!.Step);
        await h.Text(Rita, "2025年3月20日");
        Assert.Contains("Wanted by 2025-03-20", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("Confirm", (await h.ConversationAsync(Rita.Id))!.Step);
        await h.Text(Rita, "yes");
        Assert.Contains("Please tap “Submit” or “Cancel”.", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);

        // Nothing was filed while asking; cancel leaves nothing behind.
        Assert.Null(await GetAsync<Wish>(h, DocKeys.Wish(1)));
        await h.Press(Rita, new WishButton.CancelFiling().Encode());
        Assert.Contains("Cancelled; the wish was not filed.", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("Idle", (await h.ConversationAsync(Rita.Id))!.Step);
        Assert.Null(await GetAsync<Wish>(h, DocKeys.Wish(1)));
        Assert.Equal(0, (await CountersAsync(h)).Wishes);

        // The stale "submit" of the cancelled wizard files nothing.
        await h.Press(Rita, new WishButton.Submit().Encode(), queryId: "stale-ok");
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { CallbackQueryId: "stale-ok", Text: "This button has expired. Please send the command again." });
        Assert.Null(await GetAsync<Wish>(h, DocKeys.Wish(1)));

        // A 500-character wish with a typed date is filed as typed.
        await h.Command(Rita, "wish");
        await h.Text(Rita, new string('y', 500));
        await h.Press(Rita, new WishButton.SkipPhoto().Encode());
        await h.Press(Rita, new WishButton.PickCategory(WishCategory.DailyLife).Encode());
        await h.Text(Rita, "3-20");
        await h.Press(Rita, new WishButton.Submit().Encode());
        NoErrors(await h.DrainAsync());
        var wish = await WishAsync(h);
        Assert.Equal((500, new DateOnly(2025, 3, 20), WishCategory.DailyLife), (wish.Text.Length, wish.WantedBy!.Value, wish.Category));
    }

    [Fact]
    public async Task Withdraw_WhilePending_ThenNotAfterAClaim()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h);
        await h.DrainAsync();

        await h.Press(Ray, new WishButton.Withdraw(1).Encode());
        Assert.Equal("This wish is not yours.", Answer(await h.DrainAsync(), Ray)!.Text);
        await h.Press(Rita, new WishButton.Withdraw(1).Encode());
        Assert.Contains("Micro-wish W-0001 was withdrawn.", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal(WishStatus.Withdrawn, (await WishAsync(h)).Status);
        Assert.Equal(["1"], await StatusSetAsync(h, WishStatus.Withdrawn));
        Assert.Empty(await StatusSetAsync(h, WishStatus.Pending));

        // The administrator's review card is stale now.
        await h.Press(Admin, new WishButton.Approve(1).Encode());
        Assert.Equal("W-0001 was already handled (withdrawn).", Answer(await h.DrainAsync(), Admin)!.Text);

        var claimed = await ClaimedWishAsync(h);
        await h.Press(Rita, new WishButton.Withdraw(claimed).Encode());
        Assert.Equal("W-0002 cannot be withdrawn now (claimed).", Answer(await h.DrainAsync(), Rita)!.Text);
        Assert.Equal(WishStatus.Claimed, (await WishAsync(h, claimed)).Status);
    }

    // ---- 2. review ----

    [Fact]
    public async Task Review_TheGridsWorkerApproves_AnotherGridsWorkerAndMembersAreRefused()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h);
        await h.DrainAsync();

        foreach (var who in new[] { Hugo, Ann })
        {
            foreach (var data in new[] { new WishButton.Approve(1).Encode(), new WishButton.ApproveSkilled(1).Encode(), new WishButton.ShowCategories(1).Encode(), new WishButton.SetCategory(1, WishCategory.Health).Encode(), new WishButton.Reject(1).Encode(), new WishButton.MarkDuplicate(1).Encode(), new WishButton.AssignList(1, 0).Encode(), new WishButton.Assign(1, 100).Encode() })
            {
                await h.Press(who, data);
                var answer = Answer(await h.DrainAsync(), who);
                Assert.Equal(("Sorry, only administrators and this grid's workers can do this.", true), (answer!.Text, answer.ShowAlert));
            }
        }

        var untouched = await WishAsync(h);
        Assert.Equal((WishStatus.Pending, WishCategory.Repairs, 1), (untouched.Status, untouched.Category, untouched.History.Count));
        Assert.Equal("Idle", (await h.ConversationAsync(Hugo.Id))?.Step ?? "Idle");

        await h.Press(Hank, new WishButton.Approve(1).Encode());
        var approved = await h.DrainAsync();
        NoErrors(approved);
        Assert.Equal("Approved; members told: 3.", Answer(approved, Hank)!.Text);
        var wish = await WishAsync(h);
        Assert.Equal((WishStatus.Open, (long?)Hank.Id), (wish.Status, wish.ReviewedBy));
        Assert.Equal(["1"], await StatusSetAsync(h, WishStatus.Open));
        Assert.Empty(await StatusSetAsync(h, WishStatus.Pending));
        Assert.Contains("Status: open for claims", AllTo(approved, Hank), StringComparison.Ordinal);
        Assert.Contains(new WishButton.AssignList(1, 0).Encode(), ButtonsTo(approved, Hank));
    }

    [Fact]
    public async Task Approve_AnnouncesToTheGridsMembersOnly_NeverTheResident_WithoutNameOrPhone_ThenWidensAfterTheWait()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h);
        await h.DrainAsync();

        await h.Press(Admin, new WishButton.Approve(1).Encode());
        var approved = await h.DrainAsync();
        NoErrors(approved);

        foreach (var member in new[] { Ann, Amy, Carl })
        {
            var notice = Assert.Single(SentTo(approved, member));
            Assert.Contains("A new micro-wish in your grid", notice.Html, StringComparison.Ordinal);
            Assert.Contains("W-0001", notice.Html, StringComparison.Ordinal);
            Assert.Contains("North", notice.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("Rita", notice.Html, StringComparison.Ordinal);
            Assert.DoesNotContain(RitaPhone, notice.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("Block 3", notice.Html, StringComparison.Ordinal);
            Assert.Equal([new WishButton.Claim(1).Encode()], Buttons(notice.Markup));
        }

        Assert.Empty(SentTo(approved, Ben));
        Assert.Empty(SentTo(approved, Bob));
        var told = Assert.Single(SentTo(approved, Rita));
        Assert.Contains("was approved and is waiting for a member", told.Html, StringComparison.Ordinal);
        Assert.Empty(Buttons(told.Markup));
        var widen = (await h.Store.GetTimerAsync("wi:widen:1", 4, Ct))!;
        Assert.Equal(h.Clock.GetUtcNow() + Options.WidenAfter, widen.DueAt);

        // Nobody claimed it in time: the rest of the community is told, once; g1's members not again.
        h.Clock.Advance(Options.WidenAfter - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await h.FireDueTimersAsync());
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await h.FireDueTimersAsync());
        var widened = await h.DrainAsync();
        NoErrors(widened);
        foreach (var member in new[] { Ben, Bob })
        {
            var notice = Assert.Single(SentTo(widened, member));
            Assert.Contains("This micro-wish still needs someone", notice.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("Rita", notice.Html, StringComparison.Ordinal);
            Assert.Equal([new WishButton.Claim(1).Encode()], Buttons(notice.Markup));
        }

        Assert.DoesNotContain(widened, m => m.ChatId is 100 or 101 or 102 or 500);
        Assert.NotNull((await WishAsync(h)).WidenedAt);
        Assert.Null(await h.Store.GetTimerAsync("wi:widen:1", 4, Ct));

        // Ben (another grid) can claim it now.
        await h.Press(Ben, new WishButton.Claim(1).Encode());
        NoErrors(await h.DrainAsync());
        Assert.Equal((long?)Ben.Id, (await WishAsync(h)).ClaimedBy);
    }

    [Fact]
    public async Task Approve_SkilledOnly_TellsOnlyMembersWithAMatchingSkill_AndCategoryCanBeChangedFirst()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h, category: WishCategory.Other);
        var filed = await h.DrainAsync();
        Assert.DoesNotContain(new WishButton.ApproveSkilled(1).Encode(), ButtonsTo(filed, Admin));

        await h.Press(Admin, new WishButton.ShowCategories(1).Encode());
        var picker = await h.DrainAsync();
        Assert.Contains("Choose the new category of W-0001", AllTo(picker, Admin), StringComparison.Ordinal);
        Assert.Contains(new WishButton.SetCategory(1, WishCategory.Repairs).Encode(), ButtonsTo(picker, Admin));
        await h.Press(Admin, "wi:setcat:1:Nonsense");
        Assert.Equal("This button is no longer valid.", Answer(await h.DrainAsync(), Admin)!.Text);
        await h.Press(Admin, new WishButton.SetCategory(1, WishCategory.Repairs).Encode());
        var set = await h.DrainAsync();
        Assert.Equal("Category set to: repairs", Answer(set, Admin)!.Text);
        Assert.Contains(new WishButton.ApproveSkilled(1).Encode(), ButtonsTo(set, Admin));
        var wish = await WishAsync(h);
        Assert.Equal((WishCategory.Repairs, WishStatus.Pending), (wish.Category, wish.Status));
        Assert.Contains(wish.History, e => e.What == "category" && e.Detail == "Repairs");

        await h.Press(Admin, new WishButton.ApproveSkilled(1).Encode());
        var approved = await h.DrainAsync();
        NoErrors(approved);
        Assert.Equal("Approved; members told: 1.", Answer(approved, Admin)!.Text);
        Assert.Equal([Skill.Electrician, Skill.Plumbing], (await WishAsync(h)).Skills);
        Assert.Single(SentTo(approved, Ann));
        Assert.Empty(SentTo(approved, Amy));
        Assert.Empty(SentTo(approved, Carl));

        // Widening keeps to the skilled: Bob (electrician) in g2, not Ben.
        h.Clock.Advance(Options.WidenAfter + TimeSpan.FromMinutes(1));
        await h.FireDueTimersAsync();
        var widened = await h.DrainAsync();
        Assert.Single(SentTo(widened, Bob));
        Assert.Empty(SentTo(widened, Ben));
    }

    [Fact]
    public async Task SkilledOnlyWish_AMemberWithoutTheSkill_CannotClaimIt_NorSeeItInWishes_ButASkilledOneCan()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h, category: WishCategory.Repairs);
        await h.Press(Admin, new WishButton.ApproveSkilled(1).Encode());
        await h.DrainAsync();

        // Amy has none of the repair skills: a forged or remembered Claim press is refused and changes nothing.
        await h.Press(Amy, new WishButton.Claim(1).Encode());
        var refused = Answer(await h.DrainAsync(), Amy)!;
        Assert.True(refused.ShowAlert);
        Assert.Contains("for members with these skills", refused.Text, StringComparison.Ordinal);
        Assert.Equal(WishStatus.Open, (await WishAsync(h)).Status);
        await h.Command(Amy, "wishes");
        Assert.DoesNotContain("W-0001", AllTo(await h.DrainAsync(), Amy), StringComparison.Ordinal);

        await h.Press(Ann, new WishButton.Claim(1).Encode());
        await h.DrainAsync();
        Assert.Equal((long?)Ann.Id, (await WishAsync(h)).ClaimedBy);
    }

    [Fact]
    public async Task Reject_WithATypedReason_TellsTheResident_AndAClaimOnTheRejectedWishChangesNothing()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h);
        await h.DrainAsync();

        await h.Press(Admin, new WishButton.Reject(1).Encode());
        Assert.Contains("Please write why W-0001 is rejected", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);
        Assert.Equal("RejectReason", (await h.ConversationAsync(Admin.Id))!.Step);
        await h.Text(Admin, new string('r', 201));
        Assert.Contains("Please write 1–200 characters", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);
        Assert.Equal(WishStatus.Pending, (await WishAsync(h)).Status);
        await h.Text(Admin, "Outside <our> community");
        var rejected = await h.DrainAsync();
        NoErrors(rejected);

        var wish = await WishAsync(h);
        Assert.Equal((WishStatus.Rejected, "Outside <our> community", (long?)Admin.Id), (wish.Status, wish.RejectReason, wish.ReviewedBy));
        Assert.Equal(["1"], await StatusSetAsync(h, WishStatus.Rejected));
        Assert.Empty(await StatusSetAsync(h, WishStatus.Pending));
        Assert.Contains("Your micro-wish W-0001 was not approved. Reason: Outside &lt;our&gt; community", AllTo(rejected, Rita), StringComparison.Ordinal);
        Assert.Contains("W-0001 was rejected; the resident was told.", AllTo(rejected, Admin), StringComparison.Ordinal);
        Assert.Equal("Idle", (await h.ConversationAsync(Admin.Id))!.Step);
        Assert.Empty(SentTo(rejected, Ann));

        // A member presses an old claim button (forged or stale): a clear answer, nothing changes.
        var version = (await h.Store.GetAsync(DocKeys.Wish(1).Bind(FlowHarness.Community), Ct))!.Version;
        await h.Press(Ann, new WishButton.Claim(1).Encode());
        var answer = Answer(await h.DrainAsync(), Ann)!;
        Assert.Equal(("W-0001 is not open for claims (rejected).", true), (answer.Text, answer.ShowAlert));
        Assert.Equal(version, (await h.Store.GetAsync(DocKeys.Wish(1).Bind(FlowHarness.Community), Ct))!.Version);
        Assert.Empty(await SetAsync(h, Sets.WishesClaimedBy(Ann.Id)));

        // The review buttons are stale now.
        await h.Press(Hank, new WishButton.Approve(1).Encode());
        Assert.Equal("W-0001 was already handled (rejected).", Answer(await h.DrainAsync(), Hank)!.Text);
        await h.Press(Hank, new WishButton.Reject(1).Encode());
        Assert.Equal("W-0001 was already handled (rejected).", Answer(await h.DrainAsync(), Hank)!.Text);
    }

    [Fact]
    public async Task Duplicate_TypedNumber_MustBeAnotherExistingWish_ThenTheResidentIsTold()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h);
        await FileAsync(h, text: "The kitchen tap still drips");
        await h.DrainAsync();

        await h.Press(Admin, new WishButton.MarkDuplicate(2).Encode());
        Assert.Contains("Which wish is W-0002 a duplicate of?", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);
        foreach (var bad in new[] { "W-0099", "W-0002", "no idea" })
        {
            await h.Text(Admin, bad);
            Assert.Contains("No other wish has that number", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);
        }

        Assert.Equal(WishStatus.Pending, (await WishAsync(h, 2)).Status);
        await h.Text(Admin, "W-0001");
        var marked = await h.DrainAsync();
        NoErrors(marked);
        var wish = await WishAsync(h, 2);
        Assert.Equal((WishStatus.Duplicate, (int?)1), (wish.Status, wish.DuplicateOf));
        Assert.Equal(["2"], await StatusSetAsync(h, WishStatus.Duplicate));
        Assert.Contains("Your micro-wish W-0002 is the same as W-0001", AllTo(marked, Rita), StringComparison.Ordinal);
        Assert.Contains("W-0002 was marked as a duplicate of W-0001", AllTo(marked, Admin), StringComparison.Ordinal);
        Assert.Equal(WishStatus.Pending, (await WishAsync(h, 1)).Status);

        // Cancel of a typed input: wi:x leaves the step, nothing changes.
        await h.Press(Admin, new WishButton.Reject(1).Encode());
        await h.Press(Admin, new WishButton.CancelInput().Encode());
        Assert.Contains("[edit] Cancelled.", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);
        Assert.Equal("Idle", (await h.ConversationAsync(Admin.Id))!.Step);
        await h.Text(Admin, "this is not a reason");
        await h.DrainAsync();
        Assert.Equal(WishStatus.Pending, (await WishAsync(h, 1)).Status);
    }

    // ---- 3. dispatch: /wishes, assignment ----

    [Fact]
    public async Task Wishes_ListsOpenWishesPageByPage_PublicViewOnly_OwnGridFirst_NotForResidents()
    {
        var h = NewHarness();
        await SeedAsync(h);
        for (var i = 0; i < 6; i++)
        {
            await OpenWishAsync(h);
        }

        await OpenWishAsync(h, Ray);
        await FileAsync(h);
        await h.DrainAsync();

        await h.Command(Ann, "wishes");
        var first = await h.DrainAsync();
        var page1 = Assert.Single(SentTo(first, Ann));
        Assert.Contains("Open micro-wishes</b> (7, page 1/2)", page1.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Rita", page1.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(RitaPhone, page1.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("W-0008", page1.Html, StringComparison.Ordinal);
        Assert.Equal([new WishButton.Claim(1).Encode(), new WishButton.Claim(2).Encode(), new WishButton.Claim(3).Encode(), new WishButton.Claim(4).Encode(), new WishButton.Claim(5).Encode(), new WishButton.ListPage(1).Encode()], Buttons(page1.Markup));

        await h.Press(Ann, new WishButton.ListPage(1).Encode(), messageId: 42);
        var second = await h.DrainAsync();
        var page2 = second.Select(m => m.Action).OfType<EditText>().Single();
        Assert.Equal(42, page2.MessageId);
        Assert.Contains("(7, page 2/2)", page2.Html, StringComparison.Ordinal);
        Assert.Contains("South", page2.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Ray", page2.Html, StringComparison.Ordinal);
        Assert.Equal([new WishButton.Claim(6).Encode(), new WishButton.Claim(7).Encode(), new WishButton.ListPage(0).Encode()], Buttons(page2.Markup));

        // Ben of g2 sees Ray's (g2) wish first; a page beyond the end shows the last one.
        await h.Command(Ben, "wishes");
        Assert.Equal(new WishButton.Claim(7).Encode(), Buttons(Assert.Single(SentTo(await h.DrainAsync(), Ben)).Markup).First());
        await h.Press(Ann, new WishButton.ListPage(9).Encode());
        Assert.Contains("(7, page 2/2)", (await h.DrainAsync()).Select(m => m.Action).OfType<EditText>().Single().Html, StringComparison.Ordinal);

        await h.Command(Rita, "wishes");
        Assert.Contains("Sorry, only members can use this.", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);

        // Once claimed, a wish leaves the list.
        await h.Press(Amy, new WishButton.Claim(1).Encode());
        await h.DrainAsync();
        await h.Command(Ann, "wishes");
        Assert.Contains("(6, page 1/2)", AllTo(await h.DrainAsync(), Ann), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wishes_NoneOpen_SaysSo()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await h.Command(Ann, "wishes");
        Assert.Contains("There are no open micro-wishes right now.", AllTo(await h.DrainAsync(), Ann), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assign_ByTheAdministrator_GivesTheMemberTheContact_AndForgedAssignmentsAreRefused()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await OpenWishAsync(h);

        await h.Press(Ann, new WishButton.AssignList(n, 0).Encode());
        Assert.Equal("Sorry, only administrators and this grid's workers can do this.", Answer(await h.DrainAsync(), Ann)!.Text);

        await h.Press(Admin, new WishButton.AssignList(n, 0).Encode());
        var list = await h.DrainAsync();
        Assert.Contains("Assign W-0001 to whom?", AllTo(list, Admin), StringComparison.Ordinal);
        Assert.Equal([new WishButton.Assign(n, 100).Encode(), new WishButton.Assign(n, 101).Encode(), new WishButton.Assign(n, 102).Encode()], ButtonsTo(list, Admin));

        // A forged assignment to a resident, or to nobody known, is refused and changes nothing.
        await h.Press(Admin, new WishButton.Assign(n, 501).Encode());
        Assert.Equal("This button is no longer valid.", Answer(await h.DrainAsync(), Admin)!.Text);
        await h.Press(Admin, new WishButton.Assign(n, 999).Encode());
        Assert.Equal("This button is no longer valid.", Answer(await h.DrainAsync(), Admin)!.Text);
        Assert.Equal(WishStatus.Open, (await WishAsync(h, n)).Status);

        await h.Press(Admin, new WishButton.Assign(n, 101).Encode());
        var assigned = await h.DrainAsync();
        NoErrors(assigned);
        Assert.Equal("W-0001 was assigned to Amy.", Answer(assigned, Admin)!.Text);
        var wish = await WishAsync(h, n);
        Assert.Equal((WishStatus.Claimed, (long?)Amy.Id, (long?)Admin.Id), (wish.Status, wish.ClaimedBy, wish.AssignedBy));
        Assert.Equal(["1"], await SetAsync(h, Sets.WishesClaimedBy(Amy.Id)));
        var toAmy = Assert.Single(SentTo(assigned, Amy));
        Assert.Contains("An administrator assigned W-0001 to you", toAmy.Html, StringComparison.Ordinal);
        Assert.Contains("Rita", toAmy.Html, StringComparison.Ordinal);
        Assert.Contains(RitaPhone, toAmy.Html, StringComparison.Ordinal);
        Assert.Contains("Block 3", toAmy.Html, StringComparison.Ordinal);
        Assert.Equal([new WishButton.MarkDone(1).Encode(), new WishButton.Release(1).Encode()], Buttons(toAmy.Markup));
        Assert.Contains("taken on by member Amy", AllTo(assigned, Rita), StringComparison.Ordinal);
        Assert.Contains("Claimed by: Amy", AllTo(assigned, Admin), StringComparison.Ordinal);

        // The assignment list is stale now.
        await h.Press(Admin, new WishButton.Assign(n, 100).Encode());
        Assert.Contains("already been taken", Answer(await h.DrainAsync(), Admin)!.Text, StringComparison.Ordinal);
        Assert.Equal((long?)Amy.Id, (await WishAsync(h, n)).ClaimedBy);
    }

    // ---- 4. claim, race, release, stale ----

    [Fact]
    public async Task Claim_GivesTheClaimerNameAndPhoneAndBuilding_TellsTheResident_LaterPressesAreTold()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await OpenWishAsync(h);

        await h.Press(Ann, new WishButton.Claim(1).Encode(), messageId: 9);
        var claimed = await h.DrainAsync();
        NoErrors(claimed);
        Assert.Equal("You claimed W-0001", Answer(claimed, Ann)!.Text);
        var card = claimed.Where(m => m.ChatId == Ann.Id).Select(m => m.Action).OfType<EditText>().Single();
        Assert.Equal(9, card.MessageId);
        Assert.Contains("You claimed W-0001", card.Html, StringComparison.Ordinal);
        Assert.Contains("Contact: Rita", card.Html, StringComparison.Ordinal);
        Assert.Contains(RitaPhone, card.Html, StringComparison.Ordinal);
        Assert.Contains("Building: Block 3", card.Html, StringComparison.Ordinal);
        Assert.Equal([new WishButton.MarkDone(1).Encode(), new WishButton.Release(1).Encode()], Buttons(card.Markup));
        Assert.Contains("taken on by member Ann, who will contact you", AllTo(claimed, Rita), StringComparison.Ordinal);
        Assert.DoesNotContain(RitaPhone, AllTo(claimed, Rita), StringComparison.Ordinal);

        var wish = await WishAsync(h);
        Assert.Equal((WishStatus.Claimed, (long?)Ann.Id, (long?)null), (wish.Status, wish.ClaimedBy, wish.AssignedBy));
        Assert.Equal(["1"], await StatusSetAsync(h, WishStatus.Claimed));
        Assert.Empty(await StatusSetAsync(h, WishStatus.Open));
        Assert.Equal(["1"], await SetAsync(h, Sets.WishesClaimedBy(Ann.Id)));
        Assert.Null(await h.Store.GetTimerAsync("wi:widen:1", 4, Ct));
        Assert.Equal(h.Clock.GetUtcNow() + Options.StaleAfter, (await h.Store.GetTimerAsync("wi:stale:1", 4, Ct))!.DueAt);

        await h.Press(Amy, new WishButton.Claim(1).Encode(), messageId: 4);
        var late = await h.DrainAsync();
        Assert.Equal(("Sorry, W-0001 has already been taken. Thank you!", true), (Answer(late, Amy)!.Text, Answer(late, Amy)!.ShowAlert));
        Assert.Contains(late, m => m.ChatId == Amy.Id && m.Action is EditMarkup { MessageId: 4, Markup: null });
        Assert.DoesNotContain(RitaPhone, AllTo(late, Amy), StringComparison.Ordinal);
        await h.Press(Ann, new WishButton.Claim(1).Encode());
        Assert.Equal("You have already claimed W-0001 (claimed).", Answer(await h.DrainAsync(), Ann)!.Text);

        // A resident cannot claim; nor a member their own wish.
        await OpenWishAsync(h);
        await h.Press(Ray, new WishButton.Claim(2).Encode());
        Assert.Equal("Only members can claim wishes.", Answer(await h.DrainAsync(), Ray)!.Text);
        await FileAsync(h, Carl);
        await h.Press(Admin, new WishButton.Approve(3).Encode());
        var carlsOwn = await h.DrainAsync();
        Assert.DoesNotContain(SentTo(carlsOwn, Carl), s => s.Html.Contains("A new micro-wish", StringComparison.Ordinal));
        await h.Press(Carl, new WishButton.Claim(3).Encode());
        Assert.Equal("This is your own wish; you cannot claim it.", Answer(await h.DrainAsync(), Carl)!.Text);
        Assert.Equal(WishStatus.Open, (await WishAsync(h, 3)).Status);
    }

    [Fact]
    public async Task Claim_TwoMembersRacing_ExactlyOneWins_TheOtherIsToldItIsTaken() => await RaceAsync(NewHarness());

    /// <summary>The same race on a real redis-server: the version check in the Lua commit decides the winner.</summary>
    [Collection("redis")]
    public sealed class OnRedis(RedisServerFixture redis)
    {
        [Fact]
        public async Task Claim_TwoMembersRacing_OnRedis_ExactlyOneWins()
        {
            await using var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"wrace{Guid.NewGuid():N}:" }, new FakeTimeProvider(TestClock.Start), Ct);
            await RaceAsync(NewHarness(store));
        }

        /// <summary>The restart in the middle of every step, on a real redis-server.</summary>
        [Fact]
        public async Task Restart_InTheMiddleOfEveryStep_OnRedis()
        {
            var clock = new FakeTimeProvider(TestClock.Start);
            await using var store = await RedisStateStore.ConnectAsync(new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"wrestart{Guid.NewGuid():N}:" }, clock, Ct);
            await RestartEveryStepAsync(new Restartable(store, clock));
        }
    }

    private static async Task RaceAsync(FlowHarness h)
    {
        await SeedAsync(h);
        const int Rounds = 8;
        for (var i = 0; i < Rounds; i++)
        {
            await OpenWishAsync(h);
        }

        var winners = new List<long>();
        for (var n = 1; n <= Rounds; n++)
        {
            var ann = "race-ann-" + n;
            var amy = "race-amy-" + n;
            await Task.WhenAll(
                Task.Run(() => h.Press(Ann, new WishButton.Claim(n).Encode(), queryId: ann)),
                Task.Run(() => h.Press(Amy, new WishButton.Claim(n).Encode(), queryId: amy)));
            var messages = await h.DrainAsync();
            NoErrors(messages);
            var answers = messages.Select(m => m.Action).OfType<AnswerCallback>().Where(a => a.CallbackQueryId == ann || a.CallbackQueryId == amy).ToList();
            Assert.Equal(2, answers.Count);
            var won = Assert.Single(answers, a => a.Text == $"You claimed W-{n:0000}");
            Assert.Single(answers, a => a.Text == $"Sorry, W-{n:0000} has already been taken. Thank you!");
            var winner = won.CallbackQueryId == ann ? Ann : Amy;
            var wish = await WishAsync(h, n);
            Assert.Equal((WishStatus.Claimed, (long?)winner.Id), (wish.Status, wish.ClaimedBy));
            Assert.Single(wish.History, e => e.What == "claimed");
            Assert.Single(SentTo(messages, Rita));
            winners.Add(winner.Id);
        }

        Assert.Equal(Rounds, (await StatusSetAsync(h, WishStatus.Claimed)).Length);
        var annClaims = (await SetAsync(h, Sets.WishesClaimedBy(Ann.Id))).Count;
        var amyClaims = (await SetAsync(h, Sets.WishesClaimedBy(Amy.Id))).Count;
        Assert.Equal((winners.Count(w => w == Ann.Id), winners.Count(w => w == Amy.Id)), (annClaims, amyClaims));
    }

    [Fact]
    public async Task Release_WithAReason_ReopensAndAnnouncesAgain_TellsTheStaff()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await ClaimedWishAsync(h);

        await h.Press(Amy, new WishButton.Release(1).Encode());
        Assert.Equal("This wish is not yours.", Answer(await h.DrainAsync(), Amy)!.Text);
        await h.Press(Ann, new WishButton.Release(1).Encode());
        Assert.Contains("Please write why you give W-0001 back", AllTo(await h.DrainAsync(), Ann), StringComparison.Ordinal);
        await h.Text(Ann, "   ");
        Assert.Contains("Please write 1–200 characters", AllTo(await h.DrainAsync(), Ann), StringComparison.Ordinal);
        await h.Text(Ann, "I am ill this week");
        var released = await h.DrainAsync();
        NoErrors(released);

        var wish = await WishAsync(h);
        Assert.Equal((WishStatus.Open, (long?)null), (wish.Status, wish.ClaimedBy));
        var release = Assert.Single(wish.Releases);
        Assert.Equal((Ann.Id, "I am ill this week"), (release.MemberId, release.Reason));
        Assert.Equal(["1"], await StatusSetAsync(h, WishStatus.Open));
        Assert.Empty(await StatusSetAsync(h, WishStatus.Claimed));
        Assert.Null(await h.Store.GetTimerAsync("wi:stale:1", 4, Ct));
        Assert.NotNull(await h.Store.GetTimerAsync("wi:widen:1", 4, Ct));
        Assert.Contains("You gave W-0001 back", AllTo(released, Ann), StringComparison.Ordinal);
        Assert.Contains("W-0001: Ann gave it back. Reason: I am ill this week.", AllTo(released, Admin), StringComparison.Ordinal);
        Assert.Contains("A new micro-wish in your grid", AllTo(released, Amy), StringComparison.Ordinal);
        Assert.DoesNotContain("A new micro-wish", AllTo(released, Ann), StringComparison.Ordinal);
        Assert.Contains(new WishButton.Claim(1).Encode(), ButtonsTo(released, Amy));
        Assert.Empty(SentTo(released, Ben));

        // The old "done" / "release" buttons of Ann are stale now; Amy can claim it.
        await h.Press(Ann, new WishButton.DoneWithoutNote(1).Encode());
        Assert.Equal("This wish is not yours.", Answer(await h.DrainAsync(), Ann)!.Text);
        await h.Press(Ann, new WishButton.Release(1).Encode());
        Assert.Equal("This wish is not yours.", Answer(await h.DrainAsync(), Ann)!.Text);
        await h.Press(Amy, new WishButton.Claim(1).Encode());
        await h.DrainAsync();
        Assert.Equal((WishStatus.Claimed, (long?)Amy.Id), ((await WishAsync(h)).Status, (await WishAsync(h)).ClaimedBy));
    }

    [Fact]
    public async Task Stale_AClaimWithoutProgress_RemindsTheMember_ThenTheAdministrators()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await ClaimedWishAsync(h);

        h.Clock.Advance(Options.StaleAfter + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await h.FireDueTimersAsync());
        var first = await h.DrainAsync();
        NoErrors(first);
        var reminder = Assert.Single(SentTo(first, Ann));
        Assert.Contains("You claimed W-0001 3 days ago. Is it done?", reminder.Html, StringComparison.Ordinal);
        Assert.Equal([new WishButton.MarkDone(1).Encode(), new WishButton.Release(1).Encode()], Buttons(reminder.Markup));
        Assert.Empty(SentTo(first, Admin));
        Assert.Equal(1, (await WishAsync(h)).StaleReminders);

        h.Clock.Advance(Options.StaleAfter);
        Assert.Equal(1, await h.FireDueTimersAsync());
        var second = await h.DrainAsync();
        Assert.Contains("W-0001 was claimed by Ann 6 days ago and is still not done", AllTo(second, Admin), StringComparison.Ordinal);
        Assert.Empty(SentTo(second, Ann));
        Assert.Equal(2, (await WishAsync(h)).StaleReminders);

        h.Clock.Advance(Options.StaleAfter * 3);
        Assert.Equal(0, await h.FireDueTimersAsync());

        // Marking it done after the reminders is still possible.
        await h.Press(Ann, new WishButton.DoneWithoutNote(1).Encode());
        NoErrors(await h.DrainAsync());
        Assert.Equal(WishStatus.Done, (await WishAsync(h)).Status);
    }

    // ---- 5. done, rate, auto-close ----

    [Fact]
    public async Task Done_WithATypedNote_TellsTheResidentWithRatingButtons()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await ClaimedWishAsync(h);

        await h.Press(Amy, new WishButton.MarkDone(1).Encode());
        Assert.Equal("This wish is not yours.", Answer(await h.DrainAsync(), Amy)!.Text);
        await h.Press(Ann, new WishButton.MarkDone(1).Encode());
        var ask = await h.DrainAsync();
        Assert.Contains("Is W-0001 done?", AllTo(ask, Ann), StringComparison.Ordinal);
        Assert.Equal([new WishButton.DoneWithoutNote(1).Encode(), new WishButton.CancelInput().Encode()], ButtonsTo(ask, Ann));
        await h.Text(Ann, new string('n', 501));
        Assert.Contains("Please write 1–500 characters", AllTo(await h.DrainAsync(), Ann), StringComparison.Ordinal);
        await h.Text(Ann, "Replaced the <washer>");
        var done = await h.DrainAsync();
        NoErrors(done);

        var wish = await WishAsync(h);
        Assert.Equal((WishStatus.Done, "Replaced the <washer>", (string?)null), (wish.Status, wish.DoneNote, wish.DonePhotoFileId));
        Assert.Equal(["1"], await StatusSetAsync(h, WishStatus.Done));
        Assert.Null(await h.Store.GetTimerAsync("wi:stale:1", 4, Ct));
        Assert.Equal(h.Clock.GetUtcNow() + Options.ConfirmWithin, (await h.Store.GetTimerAsync("wi:auto:1", 4, Ct))!.DueAt);
        Assert.Contains("W-0001 is marked done", AllTo(done, Ann), StringComparison.Ordinal);
        var toRita = Assert.Single(SentTo(done, Rita));
        Assert.Contains("Member Ann says your micro-wish W-0001 is done.", toRita.Html, StringComparison.Ordinal);
        Assert.Contains("Note: Replaced the &lt;washer&gt;", toRita.Html, StringComparison.Ordinal);
        Assert.Equal([new WishButton.Rate(1, 1).Encode(), new WishButton.Rate(1, 2).Encode(), new WishButton.Rate(1, 3).Encode(), new WishButton.Rate(1, 4).Encode(), new WishButton.Rate(1, 5).Encode(), new WishButton.NotDone(1).Encode()], Buttons(toRita.Markup));
        Assert.Equal("Idle", (await h.ConversationAsync(Ann.Id))!.Step);

        // Done again (a stale button): told, nothing changes.
        await h.Press(Ann, new WishButton.DoneWithoutNote(1).Encode());
        Assert.Equal("W-0001 is not claimed by you now (done, waiting for confirmation).", Answer(await h.DrainAsync(), Ann)!.Text);
    }

    [Fact]
    public async Task Done_WithAPhoto_StoresItAndSendsItToTheResident()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await ClaimedWishAsync(h);

        await h.Press(Ann, new WishButton.MarkDone(1).Encode());
        await h.DrainAsync();
        await h.Event(new PhotoReceived(Ann, Ann.Id, 30, "done-photo", "All fixed"));
        var done = await h.DrainAsync();
        NoErrors(done);
        var wish = await WishAsync(h);
        Assert.Equal((WishStatus.Done, "All fixed", "done-photo"), (wish.Status, wish.DoneNote, wish.DonePhotoFileId));
        Assert.Contains(done, m => m.ChatId == Rita.Id && m.Action is SendPhoto { FileId: "done-photo" });
        Assert.Contains("Note: All fixed", AllTo(done, Rita), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Done_NoNoteButton_WhileTheNoteIsAsked_LeavesTheStep()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await ClaimedWishAsync(h);

        await h.Press(Ann, new WishButton.MarkDone(1).Encode());
        await h.Press(Ann, new WishButton.DoneWithoutNote(1).Encode());
        NoErrors(await h.DrainAsync());
        Assert.Equal((WishStatus.Done, (string?)null), ((await WishAsync(h)).Status, (await WishAsync(h)).DoneNote));
        Assert.Equal("Idle", (await h.ConversationAsync(Ann.Id))!.Step);
    }

    [Fact]
    public async Task Rate_FiveStars_ClosesAndAwardsThePointsAndTheBonus_ThenAComment_AndASecondRatingIsRefused()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await DoneWishAsync(h);

        await h.Press(Rita, new WishButton.Rate(1, 5).Encode(), messageId: 12);
        var rated = await h.DrainAsync();
        NoErrors(rated);
        var wish = await WishAsync(h);
        Assert.Equal((WishStatus.Closed, (int?)5), (wish.Status, wish.Rating));
        Assert.Equal(["1"], await StatusSetAsync(h, WishStatus.Closed));
        Assert.Empty(await StatusSetAsync(h, WishStatus.Done));
        Assert.Null(await h.Store.GetTimerAsync("wi:auto:1", 4, Ct));
        Assert.Equal((10, "wish.fulfilled"), ((await PointsAsync(h, Ann, "W-0001"))!.Points, (await PointsAsync(h, Ann, "W-0001"))!.Reason));
        Assert.Equal((5, "wish.five_stars"), ((await PointsAsync(h, Ann, "W-0001:5star"))!.Points, (await PointsAsync(h, Ann, "W-0001:5star"))!.Reason));
        Assert.Contains("The resident rated W-0001 ⭐⭐⭐⭐⭐; you earned 15 points.", AllTo(rated, Ann), StringComparison.Ordinal);
        Assert.Empty(SentTo(rated, Admin));
        var edit = rated.Where(m => m.ChatId == Rita.Id).Select(m => m.Action).OfType<EditText>().Single();
        Assert.Equal(12, edit.MessageId);
        Assert.Contains("Thank you for your rating: ⭐⭐⭐⭐⭐", edit.Html, StringComparison.Ordinal);
        Assert.Equal([new WishButton.NoComment(1).Encode()], Buttons(edit.Markup));
        Assert.Equal("RatingComment", (await h.ConversationAsync(Rita.Id))!.Step);

        await h.Text(Rita, "Very <kind>, thank you");
        NoErrors(await h.DrainAsync());
        Assert.Equal("Very <kind>, thank you", (await WishAsync(h)).RatingComment);
        Assert.Equal("Idle", (await h.ConversationAsync(Rita.Id))!.Step);

        // Rating again (the old buttons): refused, the rating and the points stay.
        await h.Press(Rita, new WishButton.Rate(1, 1).Encode(), messageId: 12);
        var again = await h.DrainAsync();
        Assert.Equal(("You have already rated it: ⭐⭐⭐⭐⭐", true), (Answer(again, Rita)!.Text, Answer(again, Rita)!.ShowAlert));
        Assert.Contains(again, m => m.ChatId == Rita.Id && m.Action is EditMarkup { MessageId: 12, Markup: null });
        Assert.Empty(SentTo(again, Admin));
        Assert.Equal(5, (await WishAsync(h)).Rating);
        Assert.Equal(2, (await SetAsync(h, Sets.PointsOf(Ann.Id))).Count);
    }

    [Fact]
    public async Task Rate_TwoOrLess_AlertsTheAdministrators_NoBonus_AndTheCommentReachesThemToo()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await DoneWishAsync(h);

        await h.Press(Rita, new WishButton.Rate(1, 2).Encode());
        var rated = await h.DrainAsync();
        NoErrors(rated);
        Assert.Contains("W-0001 was rated ⭐⭐ (member Ann); please follow up.", AllTo(rated, Admin), StringComparison.Ordinal);
        Assert.Equal(10, (await PointsAsync(h, Ann, "W-0001"))!.Points);
        Assert.Null(await PointsAsync(h, Ann, "W-0001:5star"));
        Assert.Contains("you earned 10 points", AllTo(rated, Ann), StringComparison.Ordinal);

        await h.Text(Rita, "Nobody came for two days");
        Assert.Contains("Comment on W-0001: Nobody came for two days", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);

        // A rating of 3 does not alert; "no comment" ends the question.
        var h2 = NewHarness();
        await SeedAsync(h2);
        await DoneWishAsync(h2);
        await h2.Press(Rita, new WishButton.Rate(1, 3).Encode());
        Assert.Empty(SentTo(await h2.DrainAsync(), Admin));
        await h2.Press(Rita, new WishButton.NoComment(1).Encode());
        Assert.Contains("[edit] Thank you!", AllTo(await h2.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("Idle", (await h2.ConversationAsync(Rita.Id))!.Step);
    }

    [Fact]
    public async Task Rate_SomeoneElsesWish_OutOfRange_OrBeforeItIsDone_IsRefused_AndChangesNothing()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await ClaimedWishAsync(h);

        // Before it is done.
        await h.Press(Rita, new WishButton.Rate(1, 5).Encode());
        Assert.Equal("This button is no longer valid.", Answer(await h.DrainAsync(), Rita)!.Text);
        Assert.Equal(WishStatus.Claimed, (await WishAsync(h)).Status);

        await h.Press(Ann, new WishButton.DoneWithoutNote(1).Encode());
        await h.DrainAsync();
        var version = (await h.Store.GetAsync(DocKeys.Wish(1).Bind(FlowHarness.Community), Ct))!.Version;

        foreach (var (who, data, expected) in new[]
                 {
                     (Ray, new WishButton.Rate(1, 5).Encode(), "This wish is not yours."),
                     (Ann, new WishButton.Rate(1, 5).Encode(), "This wish is not yours."),
                     (Admin, new WishButton.Rate(1, 1).Encode(), "This wish is not yours."),
                     (Rita, "wi:rt:1:9", "Please choose 1 to 5 stars."),
                     (Rita, "wi:rt:1:0", "Please choose 1 to 5 stars."),
                     (Rita, "wi:rt:1:-1", "Please choose 1 to 5 stars."),
                     // Malformed (no stars at all): the codec does not decode it, so it is a stale button.
                     (Rita, "wi:rt:1:", "This button is no longer valid."),
                     (Rita, "wi:rt:99:5", "This button is no longer valid."),
                 })
        {
            await h.Press(who, data);
            var messages = await h.DrainAsync();
            NoErrors(messages);
            Assert.Equal(expected, Answer(messages, who)!.Text);
            Assert.Empty(SentTo(messages, Admin));
            Assert.Empty(SentTo(messages, Ann));
        }

        var wish = await WishAsync(h);
        Assert.Equal((WishStatus.Done, (int?)null), (wish.Status, wish.Rating));
        Assert.Equal(version, (await h.Store.GetAsync(DocKeys.Wish(1).Bind(FlowHarness.Community), Ct))!.Version);
        Assert.Empty(await SetAsync(h, Sets.PointsOf(Ann.Id)));
    }

    [Fact]
    public async Task AutoClose_AfterConfirmWithin_ClosesUnrated_AndAwardsThePointsOnce()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await DoneWishAsync(h);

        h.Clock.Advance(Options.ConfirmWithin - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await h.FireDueTimersAsync());
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await h.FireDueTimersAsync());
        var closed = await h.DrainAsync();
        NoErrors(closed);

        var wish = await WishAsync(h);
        Assert.Equal((WishStatus.Closed, (int?)null), (wish.Status, wish.Rating));
        Assert.Equal(["1"], await StatusSetAsync(h, WishStatus.Closed));
        Assert.Equal(10, (await PointsAsync(h, Ann, "W-0001"))!.Points);
        Assert.Null(await PointsAsync(h, Ann, "W-0001:5star"));
        Assert.Contains("W-0001 was closed as done; you earned 10 points.", AllTo(closed, Ann), StringComparison.Ordinal);
        Assert.Contains("Your micro-wish W-0001 was closed as done", AllTo(closed, Rita), StringComparison.Ordinal);

        // A late rating is refused; a replayed timer does nothing.
        await h.Press(Rita, new WishButton.Rate(1, 5).Encode());
        Assert.Equal("W-0001 is already closed.", Answer(await h.DrainAsync(), Rita)!.Text);
        await h.Processor.ProcessAsync(null, new TimerFired(0, "wi:auto:1", "wi:auto:1", FlowHarness.Community), Ct);
        Assert.Empty(await h.DrainAsync());
        Assert.Single(await SetAsync(h, Sets.PointsOf(Ann.Id)));
        Assert.Null((await WishAsync(h)).Rating);
    }

    // ---- 6. points ----

    [Fact]
    public async Task Points_BalanceAndHistory_ForTheMember_RankingByPeriodForAdministrators()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Command(Ann, "points");
        var none = AllTo(await h.DrainAsync(), Ann);
        Assert.Contains("My points: 0", none, StringComparison.Ordinal);
        Assert.Contains("No points yet.", none, StringComparison.Ordinal);

        await DoneWishAsync(h);
        await h.Press(Rita, new WishButton.Rate(1, 5).Encode());
        await h.Press(Rita, new WishButton.NoComment(1).Encode());
        // Amy fulfils one too (an older one, 40 days ago).
        h.Clock.Advance(TimeSpan.FromDays(40));
        var second = await ClaimedWishAsync(h, Amy);
        await h.Press(Amy, new WishButton.DoneWithoutNote(second).Encode());
        await h.Press(Rita, new WishButton.Rate(second, 4).Encode());
        await h.DrainAsync();

        await h.Command(Ann, "points");
        var mine = Assert.Single(SentTo(await h.DrainAsync(), Ann));
        Assert.Contains("My points: 15", mine.Html, StringComparison.Ordinal);
        Assert.Contains("+10 micro-wish fulfilled · W-0001", mine.Html, StringComparison.Ordinal);
        Assert.Contains("+5 five-star bonus · W-0001", mine.Html, StringComparison.Ordinal);
        Assert.Empty(Buttons(mine.Markup));

        // Members cannot open the ranking, even with a forged button.
        await h.Press(Ann, "pt:all");
        Assert.True(Answer(await h.DrainAsync(), Ann)!.ShowAlert);

        await h.Command(Admin, "points");
        var adminPoints = Assert.Single(SentTo(await h.DrainAsync(), Admin));
        Assert.Equal(["pt:month", "pt:30", "pt:all"], Buttons(adminPoints.Markup));

        await h.Press(Admin, "pt:all", messageId: 70);
        var all = (await h.DrainAsync()).Select(m => m.Action).OfType<EditText>().Single();
        Assert.Contains("Points ranking</b> (All time)", all.Html, StringComparison.Ordinal);
        Assert.Contains("1. Ann — 15\n2. Amy — 10", all.Html, StringComparison.Ordinal);

        await h.Press(Admin, "pt:30");
        var last30 = (await h.DrainAsync()).Select(m => m.Action).OfType<EditText>().Single();
        Assert.Contains("1. Amy — 10", last30.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Ann", last30.Html, StringComparison.Ordinal);

        await h.Press(Admin, "pt:month");
        Assert.Contains("This month", (await h.DrainAsync()).Select(m => m.Action).OfType<EditText>().Single().Html, StringComparison.Ordinal);

        await h.Press(Admin, "pt:year");
        Assert.Equal("This button is no longer valid.", Answer(await h.DrainAsync(), Admin)!.Text);
    }

    // ---- 8. /my ----

    [Fact]
    public async Task My_ShowsTheResidentHerWishes_AndTheMemberTheClaimedOnes()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Command(Rita, "my");
        Assert.Contains("You have nothing going on right now.", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);

        await DoneWishAsync(h);
        await ClaimedWishAsync(h);
        await FileAsync(h, text: "A <new> wish that is much longer than thirty characters in all");
        await h.DrainAsync();

        await h.Command(Rita, "my");
        var rita = SentTo(await h.DrainAsync(), Rita);
        var list = rita[0].Html;
        Assert.Contains("My micro-wishes", list, StringComparison.Ordinal);
        Assert.Contains("<b>W-0003</b> waiting for review · A &lt;new&gt; wish that is much long…", list, StringComparison.Ordinal);
        Assert.Contains("<b>W-0002</b> claimed", list, StringComparison.Ordinal);
        Assert.Contains("<b>W-0001</b> done, waiting for confirmation", list, StringComparison.Ordinal);
        var rate = Assert.Single(rita, s => s.Html.Contains("W-0001 is done; please confirm and rate it", StringComparison.Ordinal));
        Assert.Equal([new WishButton.Rate(1, 1).Encode(), new WishButton.Rate(1, 2).Encode(), new WishButton.Rate(1, 3).Encode(), new WishButton.Rate(1, 4).Encode(), new WishButton.Rate(1, 5).Encode(), new WishButton.NotDone(1).Encode()], Buttons(rate.Markup));

        await h.Command(Ann, "my");
        var ann = SentTo(await h.DrainAsync(), Ann);
        var claimed = Assert.Single(ann, s => s.Html.Contains("Claimed by me: W-0002", StringComparison.Ordinal));
        Assert.Contains(RitaPhone, claimed.Html, StringComparison.Ordinal);
        Assert.Equal([new WishButton.MarkDone(2).Encode(), new WishButton.Release(2).Encode()], Buttons(claimed.Markup));
        var done = Assert.Single(ann, s => s.Html.Contains("Claimed by me: W-0001", StringComparison.Ordinal));
        Assert.Empty(Buttons(done.Markup));

        // Rated: Rita's list shows the stars; Ann no longer sees W-0001.
        await h.Press(Rita, new WishButton.Rate(1, 4).Encode());
        await h.Press(Rita, new WishButton.NoComment(1).Encode());
        await h.DrainAsync();
        await h.Command(Rita, "my");
        Assert.Contains("<b>W-0001</b> closed ⭐⭐⭐⭐", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Command(Ann, "my");
        Assert.DoesNotContain("W-0001", AllTo(await h.DrainAsync(), Ann), StringComparison.Ordinal);
    }

    // ---- 9. stale buttons ----

    [Fact]
    public async Task StaleAndForgedButtons_GetAKindAnswer_AndChangeNothing()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await ClaimedWishAsync(h);
        var version = (await h.Store.GetAsync(DocKeys.Wish(1).Bind(FlowHarness.Community), Ct))!.Version;

        foreach (var (who, data, expected) in new[]
                 {
                     (Admin, new WishButton.Approve(1).Encode(), "W-0001 was already handled (claimed)."),
                     (Hank, new WishButton.ApproveSkilled(1).Encode(), "W-0001 was already handled (claimed)."),
                     (Admin, new WishButton.ShowCategories(1).Encode(), "W-0001 was already handled (claimed)."),
                     (Admin, new WishButton.SetCategory(1, WishCategory.Health).Encode(), "W-0001 was already handled (claimed)."),
                     (Admin, new WishButton.Reject(1).Encode(), "W-0001 was already handled (claimed)."),
                     (Admin, new WishButton.MarkDuplicate(1).Encode(), "W-0001 was already handled (claimed)."),
                     (Admin, new WishButton.AssignList(1, 0).Encode(), "W-0001 was already handled (claimed)."),
                     (Admin, new WishButton.Approve(42).Encode(), "This button is no longer valid."),
                     (Admin, "wi:ap:x", "This button is no longer valid."),
                     (Admin, "wi:zz:1", "This button is no longer valid."),
                     (Ann, new WishButton.PickCategory(WishCategory.Health).Encode(), "This button has expired. Please send the command again."),
                     (Ann, new WishButton.NoComment(1).Encode(), "This button is no longer valid."),
                 })
        {
            await h.Press(who, data);
            var messages = await h.DrainAsync();
            NoErrors(messages);
            Assert.Equal(expected, Answer(messages, who)!.Text);
        }

        Assert.Equal(version, (await h.Store.GetAsync(DocKeys.Wish(1).Bind(FlowHarness.Community), Ct))!.Version);
    }

    [Fact]
    public async Task ForgedRawCallbackData_GetsTheStaleAnswer_AndChangesNothing()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await ClaimedWishAsync(h);
        await FileAsync(h);
        await h.DrainAsync();
        var versions = (await h.Store.GetAsync(DocKeys.Wish(1).Bind(FlowHarness.Community), Ct))!.Version + "/" + (await h.Store.GetAsync(DocKeys.Wish(2).Bind(FlowHarness.Community), Ct))!.Version;

        foreach (var (who, data) in new[]
                 {
                     (Ann, "wi:dn0"),             // malformed: no wish number
                     (Ann, "wi:dn0:1:extra"),     // wrong field count
                     (Ann, "wi:zz:1"),            // unknown tag
                     (Ann, "wi:dn0:01"),          // not a canonical number
                     (Ann, "wi:dn0:2"),           // another wish: not Ann's claim
                     (Ann, "wi:dn0:99999999999"), // a number out of range
                     (Admin, "wi:setcat:2:Bogus"), // an unknown category
                     (Admin, "wi:as:2:x"),         // a page that is not a number
                     (Rita, "wi:f:ok"),             // the filing buttons' old form
                 })
        {
            await h.Press(who, data);
            var messages = await h.DrainAsync();
            NoErrors(messages);
            var expected = data == "wi:dn0:2" ? "This wish is not yours." : "This button is no longer valid.";
            Assert.Equal(expected, Answer(messages, who)!.Text);
            Assert.Empty(SentTo(messages, Rita));
        }

        Assert.Equal(versions, (await h.Store.GetAsync(DocKeys.Wish(1).Bind(FlowHarness.Community), Ct))!.Version + "/" + (await h.Store.GetAsync(DocKeys.Wish(2).Bind(FlowHarness.Community), Ct))!.Version);
        Assert.Equal(WishStatus.Claimed, (await WishAsync(h, 1)).Status);
        Assert.Equal(WishStatus.Pending, (await WishAsync(h, 2)).Status);
    }

    [Fact]
    public async Task UnhandledTriggers_AreAnsweredKindly_TheStepStays()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await h.Command(Rita, "wish");
        await h.Text(Rita, "Please fix the tap in my kitchen");
        await h.DrainAsync();
        Assert.Equal("Photo", (await h.ConversationAsync(Rita.Id))!.Step);

        // A button of another step (the wizard's own buttons, pressed out of order): stale, the step stays.
        foreach (var data in new[] { new WishButton.Submit().Encode(), new WishButton.PickDate(WantedBy.Week).Encode(), new WishButton.NoComment(1).Encode() })
        {
            await h.Press(Rita, data);
            var messages = await h.DrainAsync();
            NoErrors(messages);
            Assert.Equal("This button is no longer valid.", Answer(messages, Rita)!.Text);
            Assert.Equal("Photo", (await h.ConversationAsync(Rita.Id))!.Step);
        }

        // Text where a photo (or "No photo") is expected: a hint with the step's buttons.
        await h.Text(Rita, "here is no photo");
        var hint = await h.DrainAsync();
        Assert.Equal("Please send a photo, or tap “No photo”.", TextsTo(hint, Rita).Single());
        Assert.Contains(new WishButton.SkipPhoto().Encode(), ButtonsTo(hint, Rita));
        Assert.Equal("Photo", (await h.ConversationAsync(Rita.Id))!.Step);

        // After the wizard ends, its buttons have expired; the cancel of a typed input just says so.
        await h.Press(Rita, new WishButton.CancelFiling().Encode());
        await h.DrainAsync();
        Assert.NotEqual("wish", (await h.ConversationAsync(Rita.Id))?.Flow);
        await h.Press(Rita, new WishButton.SkipPhoto().Encode());
        Assert.Equal("This button has expired. Please send the command again.", Answer(await h.DrainAsync(), Rita)!.Text);
        await h.Press(Rita, new WishButton.CancelInput().Encode());
        var cancelled = await h.DrainAsync();
        NoErrors(cancelled);
        Assert.NotNull(Answer(cancelled, Rita));
        Assert.NotEqual("wish", (await h.ConversationAsync(Rita.Id))?.Flow);
        Assert.Equal(0, (await CountersAsync(h)).Wishes);
    }

    [Fact]
    public async Task ACommandLeavesATypedInput_TheNextTextIsNotTakenAsTheReason()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await ClaimedWishAsync(h);

        await h.Press(Ann, new WishButton.Release(1).Encode());
        await h.Command(Ann, "points");
        await h.Text(Ann, "hello");
        await h.DrainAsync();
        Assert.Equal(WishStatus.Claimed, (await WishAsync(h)).Status);
    }

    // ---- emergency mode holds wish notices ----

    [Fact]
    public async Task EmergencyMode_HoldsWishNotices_AndSwitchingBackReleasesThem()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await SetEmergencyAsync(h);

        await FileAsync(h);
        var filed = await h.DrainAsync();
        NoErrors(filed);
        // The resident's own confirmation is a reply, not a notice; the reviewers' cards wait.
        Assert.Contains("W-0001", AllTo(filed, Rita), StringComparison.Ordinal);
        Assert.Empty(SentTo(filed, Admin));
        Assert.Empty(SentTo(filed, Hank));
        var held = (await SetAsync(h, Sets.HeldNotices)).Count;
        Assert.Equal(2, held);

        await h.Press(Admin, new WishButton.Approve(1).Encode());
        var approved = await h.DrainAsync();
        NoErrors(approved);
        Assert.Empty(SentTo(approved, Ann));
        Assert.Empty(SentTo(approved, Rita));
        Assert.Equal(WishStatus.Open, (await WishAsync(h)).Status);
        // Held too: the edit of Hank's review card (it must no longer offer "approve"); it follows the card.
        Assert.Equal(2 + 3 + 1 + 1, (await SetAsync(h, Sets.HeldNotices)).Count);

        await h.Command(Admin, "mode");
        await h.Press(Admin, MusterBot.Flows.Musters.MusterButton.Codec.Encode(new MusterBot.Flows.Musters.MusterButton.AskNormal()));
        await h.Press(Admin, MusterBot.Flows.Musters.MusterButton.Codec.Encode(new MusterBot.Flows.Musters.MusterButton.ConfirmNormal()));
        var released = await h.DrainAsync();
        NoErrors(released);
        Assert.Empty(await SetAsync(h, Sets.HeldNotices));
        Assert.Contains("New micro-wish to review", AllTo(released, Hank), StringComparison.Ordinal);
        var hanks = released.Where(m => m.ChatId == Hank.Id).ToList();
        var cardEdit = hanks.FindIndex(m => m.Action is EditText { TargetTag: "wish:1:review" });
        Assert.True(cardEdit > hanks.FindIndex(m => m.Tag == "wish:1:review" && m.Action is SendText), "the held edit is queued after the held card");
        Assert.Contains("Status: open for claims", ((EditText)hanks[cardEdit].Action).Html, StringComparison.Ordinal);
        var announce = SentTo(released, Ann).Single(s => s.Html.Contains("A new micro-wish in your grid", StringComparison.Ordinal));
        Assert.Equal([new WishButton.Claim(1).Encode()], Buttons(announce.Markup));
        Assert.Contains("was approved", AllTo(released, Rita), StringComparison.Ordinal);
        Assert.DoesNotContain(SentTo(released, Ben), s => s.Html.Contains("W-0001", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EmergencyMode_HoldsAWishPhotoWithItsCard_AndSwitchingBackSendsIt()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await SetEmergencyAsync(h);

        await FileAsync(h, photo: "photo-1");
        var filed = await h.DrainAsync();
        NoErrors(filed);
        Assert.DoesNotContain(filed, m => m.Action is SendPhoto);

        await h.Command(Admin, "mode");
        await h.Press(Admin, MusterBot.Flows.Musters.MusterButton.Codec.Encode(new MusterBot.Flows.Musters.MusterButton.AskNormal()));
        await h.Press(Admin, MusterBot.Flows.Musters.MusterButton.Codec.Encode(new MusterBot.Flows.Musters.MusterButton.ConfirmNormal()));
        var released = await h.DrainAsync();
        NoErrors(released);
        var photo = Assert.Single(released, m => m.ChatId == Hank.Id && m.Action is SendPhoto);
        Assert.Equal(new SendPhoto("photo-1", "W-0001"), photo.Action);
        Assert.Contains(released, m => m.ChatId == Admin.Id && m.Action is SendPhoto { FileId: "photo-1" });
    }
}
