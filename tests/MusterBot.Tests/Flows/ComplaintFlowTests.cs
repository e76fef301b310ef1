using System.Text;
using MusterBot.Flows.Complaints;
using MusterBot.Flows.Events;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Complaints and appeals (诉求, issue #7), decided on the in-memory store with a fake clock.</summary>
public partial class ComplaintFlowTests
{
    // ---- 1. filing ----

    [Fact]
    public async Task Filing_WithAnAlbumOf20Photos_AndALocation_Keeps9_RefusesAFarLocation_GivesC0001AndTheResponseTime()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Command(Rita, "complain");
        var ask = await h.DrainAsync();
        Assert.Contains("File a complaint", AllTo(ask, Rita), StringComparison.Ordinal);
        Assert.Equal(
            [new ComplaintButton.PickCategory(ComplaintCategory.Sanitation).Encode(), new ComplaintButton.PickCategory(ComplaintCategory.Property).Encode(), new ComplaintButton.PickCategory(ComplaintCategory.Neighbours).Encode(), new ComplaintButton.PickCategory(ComplaintCategory.PublicSafety).Encode(), new ComplaintButton.PickCategory(ComplaintCategory.Traffic).Encode(), new ComplaintButton.PickCategory(ComplaintCategory.Noise).Encode(), new ComplaintButton.PickCategory(ComplaintCategory.Services).Encode(), new ComplaintButton.PickCategory(ComplaintCategory.Other).Encode(), new ComplaintButton.CancelFiling().Encode()],
            ButtonsTo(ask, Rita));
        await h.Press(Rita, new ComplaintButton.PickCategory(ComplaintCategory.Sanitation).Encode());
        Assert.Contains("Category: environment and sanitation", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Text(Rita, "  The bins at <Block 3> overflow  ");
        var photoAsk = await h.DrainAsync();
        Assert.Contains("You may send photos (at most 9)", AllTo(photoAsk, Rita), StringComparison.Ordinal);
        Assert.Contains(new ComplaintButton.PhotosDone().Encode(), ButtonsTo(photoAsk, Rita));

        // An album of 20: the first 9 are kept, one acknowledgement for the album, one kind answer for the rest (not eleven).
        for (var i = 0; i < 20; i++)
        {
            await h.Event(new PhotoReceived(Rita, Rita.Id, 10 + i, "ph-" + i, null) { MediaGroupId = "album" });
        }

        var album = TextsTo(await h.DrainAsync(), Rita);
        Assert.Equal(["Your photos were received (at most 9). Tap “Photos done” when finished.", "At most 9 photos; the rest were not kept. Please tap “Photos done”."], album);
        // One more single photo: refused again, still 9.
        await h.Event(new PhotoReceived(Rita, Rita.Id, 40, "ph-extra", null));
        Assert.Equal(["At most 9 photos; the rest were not kept. Please tap “Photos done”."], TextsTo(await h.DrainAsync(), Rita));
        Assert.Equal(string.Join(",", Enumerable.Range(0, 9).Select(i => "ph-" + i)), (await h.ConversationAsync(Rita.Id))!.Data["photos"]);

        await h.Press(Rita, new ComplaintButton.PhotosDone().Encode());
        Assert.Contains("You may send the location", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);

        // Beijing is far outside the community: refused, still asked for the location.
        await h.Event(new LocationShared(Rita, Rita.Id, 41, 39.9042, 116.4074));
        Assert.Contains("That location is outside the community (more than 3 km away)", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("Location", (await h.ConversationAsync(Rita.Id))!.Step);
        await h.Event(new LocationShared(Rita, Rita.Id, 42, 31.2310, 121.4750));
        Assert.Contains("Anonymous?", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Press(Rita, new ComplaintButton.ChooseAnonymous(false).Encode());
        var preview = AllTo(await h.DrainAsync(), Rita);
        Assert.Contains("Please check your complaint", preview, StringComparison.Ordinal);
        Assert.Contains("C-?", preview, StringComparison.Ordinal);
        Assert.Contains("The bins at &lt;Block 3&gt; overflow", preview, StringComparison.Ordinal);
        Assert.Contains("9 photos", preview, StringComparison.Ordinal);
        Assert.Contains("Location: 31.23100, 121.47500", preview, StringComparison.Ordinal);
        Assert.Empty(await SetAsync(h, Sets.Complaints));

        await h.Press(Rita, new ComplaintButton.Submit().Encode());
        var filed = await h.DrainAsync();
        NoErrors(filed);
        // The acknowledgement: the number and the expected response time (24 h; 16:00 local on the next day).
        Assert.Contains("Your complaint <b>C-0001</b> was received. You will get a response by <b>03-02 16:00</b>.", AllTo(filed, Rita), StringComparison.Ordinal);

        var c = await ComplaintAsync(h);
        var now = h.Clock.GetUtcNow();
        Assert.Equal((1, Rita.Id, ComplaintCategory.Sanitation, "The bins at <Block 3> overflow", "g1", ComplaintStatus.Assigned, (long?)Hank.Id),
            (c.Number, c.FiledBy, c.Category, c.Description, c.GridId, c.Status, c.HandlerId));
        Assert.Equal(Enumerable.Range(0, 9).Select(i => "ph-" + i), c.PhotoFileIds);
        Assert.Equal((31.2310, 121.4750), (c.Latitude!.Value, c.Longitude!.Value));
        Assert.Equal((now.AddHours(24), now.AddDays(3), false, false), (c.RespondBy, c.ResolveBy, c.Anonymous, c.Urgent));
        Assert.Equal(["filed", "assigned"], What(c));
        Assert.Equal((0L, "20 (grid default)"), (c.History[1].By, c.History[1].Detail));
        Assert.Equal(["1"], await SetAsync(h, Sets.Complaints));
        Assert.Equal(["1"], await SetAsync(h, Sets.OpenComplaints("g1", ComplaintCategory.Sanitation)));
        Assert.Equal(["1"], await SetAsync(h, Sets.ComplaintsOf(Rita.Id)));
        Assert.Equal(["1"], await SetAsync(h, Sets.ComplaintsHandledBy(Hank.Id)));
        Assert.Empty(await SetAsync(h, Sets.ComplaintsHandledBy(Hal.Id)));
        Assert.Equal("Idle", (await h.ConversationAsync(Rita.Id))!.Step);

        // The administrator gets the card with the filer; the grid's default handler (lowest id) the card, buttons and
        // the first three photos; nobody else hears of it.
        var adminCard = Assert.Single(SentTo(filed, Admin));
        Assert.Contains("New complaint", adminCard.Html, StringComparison.Ordinal);
        Assert.Contains(RitaPhone, adminCard.Html, StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.AssignList(1).Encode(), new ComplaintButton.ExtendChoices(1).Encode()], Buttons(adminCard.Markup));
        var handlerCard = Assert.Single(SentTo(filed, Hank));
        Assert.Contains("A complaint assigned to you", handlerCard.Html, StringComparison.Ordinal);
        Assert.Contains("Complaint C-0001</b> · environment and sanitation · North", handlerCard.Html, StringComparison.Ordinal);
        Assert.Contains("Respond by 03-02 16:00 · resolve by 03-04 16:00", handlerCard.Html, StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.Accept(1).Encode(), new ComplaintButton.GiveBack(1).Encode()], Buttons(handlerCard.Markup));
        Assert.Equal(["ph-0", "ph-1", "ph-2"], filed.Where(m => m.ChatId == Hank.Id).Select(m => m.Action).OfType<SendPhoto>().Select(p => p.FileId));
        Assert.DoesNotContain(filed, m => m.ChatId is 21 or 22 or 100 or 501 or 502);

        // The timers: a warning (a fifth of the window before) and the overdue check, for both deadlines.
        Assert.Equal<DateTimeOffset?>(
            [now.AddHours(24) - TimeSpan.FromMinutes(288), now.AddHours(24), now.AddDays(3) - TimeSpan.FromHours(14.4), now.AddDays(3)],
            [await DueAsync(h, "cp:wresp:1"), await DueAsync(h, "cp:dresp:1"), await DueAsync(h, "cp:wres:1"), await DueAsync(h, "cp:dres:1")]);

        // The next one is C-0002, to g2's handler.
        Assert.Equal(2, await FileAsync(h, Ray, ComplaintCategory.Noise));
        var second = await h.DrainAsync();
        Assert.Contains("<b>C-0002</b>", AllTo(second, Ray), StringComparison.Ordinal);
        Assert.Single(SentTo(second, Hugo));
        Assert.Empty(SentTo(second, Hank));
    }

    [Fact]
    public async Task Filing_BadInput_EmptyAndTooLongDescription_WrongKindsOfMessage_StaleButtons_Cancel_NothingFiled()
    {
        var h = NewHarness();
        await SeedAsync(h);

        // Not registered: told to register first.
        await h.Command(Uma, "complain");
        Assert.Contains("Please register first", string.Join("\n", await h.DrainTextsAsync()), StringComparison.Ordinal);

        await h.Command(Rita, "complain");
        await h.Text(Rita, "Noise");
        Assert.Contains("Please tap a category above.", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Press(Rita, "cp:f:cat:Bogus");
        Assert.Equal("This button is no longer valid.", Answer(await h.DrainAsync(), Rita)!.Text);
        await h.Press(Rita, new ComplaintButton.PickCategory(ComplaintCategory.Noise).Encode());
        await h.DrainAsync();

        // An empty (blank) description, one over 1000 characters and a photo: each answered, still asking.
        await h.Text(Rita, "   ");
        Assert.Contains("Please write 1–1000 characters (this was 0).", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Text(Rita, new string('x', 1001));
        Assert.Contains("Please write 1–1000 characters (this was 1001).", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Event(new PhotoReceived(Rita, Rita.Id, 5, "early", null));
        Assert.Contains("Please describe it as text", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("Description", (await h.ConversationAsync(Rita.Id))!.Step);

        await h.Text(Rita, "Loud music every night");
        await h.Text(Rita, "and more");
        Assert.Contains("Please send a photo, or tap a button below to go on.", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Press(Rita, new ComplaintButton.PhotosDone().Encode());
        await h.Text(Rita, "Block 3");
        Assert.Contains("Please send a location, or tap “No location”.", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Press(Rita, new ComplaintButton.Submit().Encode());
        Assert.Equal("This button is no longer valid.", Answer(await h.DrainAsync(), Rita)!.Text);
        Assert.Equal("Location", (await h.ConversationAsync(Rita.Id))!.Step);

        // Cancel: nothing filed; a later press of the wizard's buttons is told it expired.
        await h.Press(Rita, new ComplaintButton.CancelFiling().Encode());
        Assert.Contains("Cancelled; the complaint was not filed.", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("main", (await h.ConversationAsync(Rita.Id))!.Flow);
        await h.Press(Rita, new ComplaintButton.Submit().Encode());
        Assert.Equal("This button has expired. Please send the command again.", Answer(await h.DrainAsync(), Rita)!.Text);
        Assert.Equal(0, (await CountersAsync(h)).Complaints);
        Assert.Empty(await SetAsync(h, Sets.Complaints));
        Assert.Empty(await SetAsync(h, Sets.ComplaintsOf(Rita.Id)));
    }

    [Fact]
    public async Task Anonymous_HiddenFromTheHandler_VisibleToTheAdministrator()
    {
        var h = NewHarness();
        await SeedAsync(h);

        var n = await FileAsync(h, Rita, anonymous: true);
        var filed = await h.DrainAsync();
        NoErrors(filed);
        Assert.True((await ComplaintAsync(h, n)).Anonymous);

        var handler = Assert.Single(SentTo(filed, Hank)).Html;
        Assert.Contains("Filed by: anonymous", handler, StringComparison.Ordinal);
        Assert.DoesNotContain("Rita", handler, StringComparison.Ordinal);
        Assert.DoesNotContain(RitaPhone, handler, StringComparison.Ordinal);
        var admin = Assert.Single(SentTo(filed, Admin)).Html;
        Assert.Contains("Filed by: Rita <code>" + RitaPhone + "</code> (anonymous: hidden from the handler)", admin, StringComparison.Ordinal);

        // Nor on anything else the handler sees: accepting, /my, a reassignment to Hal.
        await h.Press(Hank, new ComplaintButton.Accept(1).Encode());
        await h.Command(Hank, "my");
        await h.Press(Admin, new ComplaintButton.Assign(1, 22).Encode());
        var later = await h.DrainAsync();
        NoErrors(later);
        foreach (var who in new[] { Hank, Hal })
        {
            Assert.Contains("Filed by: anonymous", AllTo(later, who), StringComparison.Ordinal);
            Assert.DoesNotContain("Rita", AllTo(later, who), StringComparison.Ordinal);
            Assert.DoesNotContain(RitaPhone, AllTo(later, who), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Hazard_OutsideEmergencyMode_IsAnOrdinaryComplaint_StartingWithTheCategory()
    {
        var h = NewHarness();
        await SeedAsync(h);

        await h.Command(Rita, "complain", "hazard");
        Assert.Contains("Please choose a category", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("Category", (await h.ConversationAsync(Rita.Id))!.Step);
    }

    [Fact]
    public async Task Hazard_InEmergencyMode_TheMenuLabelFilesAnUrgentPublicSafetyComplaint_30MinutesToRespond_OnTheEmergencyLane()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await SetEmergencyAsync(h);

        await h.Text(Rita, "⚠️ Report a hazard");
        Assert.Contains("Report a hazard", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("Description", (await h.ConversationAsync(Rita.Id))!.Step);
        await h.Text(Rita, "A power line is down by the gate of Block 3");
        await h.Press(Rita, new ComplaintButton.PhotosDone().Encode());
        await h.Event(new LocationShared(Rita, Rita.Id, 9, CenterLat, CenterLon));
        // No anonymity question and no duplicate offer: straight to the preview.
        var preview = AllTo(await h.DrainAsync(), Rita);
        Assert.DoesNotContain("Anonymous?", preview, StringComparison.Ordinal);
        Assert.Contains("URGENT", preview, StringComparison.Ordinal);
        Assert.Equal("Confirm", (await h.ConversationAsync(Rita.Id))!.Step);
        await h.Press(Rita, new ComplaintButton.Submit().Encode());
        var filed = await h.DrainAsync();
        NoErrors(filed);
        Assert.Contains("<b>C-0001</b> was received. You will get a response by <b>03-01 16:30</b>", AllTo(filed, Rita), StringComparison.Ordinal);

        var c = await ComplaintAsync(h);
        Assert.Equal((ComplaintCategory.PublicSafety, true, false, h.Clock.GetUtcNow().AddMinutes(30), (long?)Hank.Id),
            (c.Category, c.Urgent, c.Anonymous, c.RespondBy, c.HandlerId));
        foreach (var who in new[] { Admin, Hank })
        {
            var card = Assert.Single(filed, m => m.ChatId == who.Id && m.Action is SendText);
            Assert.Equal(Lane.Emergency, card.Lane);
            Assert.Contains("URGENT", ((SendText)card.Action).Html, StringComparison.Ordinal);
        }

        // Not held like normal-time notices: the resident hears of the acceptance at once.
        await h.Press(Hank, new ComplaintButton.Accept(1).Encode());
        var accepted = await h.DrainAsync();
        Assert.Contains(accepted, m => m.ChatId == Rita.Id && m.Lane == Lane.Emergency && m.Action is SendText { Html: var t } && t.Contains("was accepted", StringComparison.Ordinal));
        Assert.Empty(await SetAsync(h, Sets.HeldNotices));
    }

    // ---- 2. duplicates ----

    [Fact]
    public async Task Duplicate_ASimilarOpenComplaintIsOffered_JoiningFilesNothing_AndTheJoinerGetsEveryUpdate()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h, Rita);
        await h.DrainAsync();

        // Rosa, same grid and category: offered C-0001.
        await h.Command(Rosa, "complain");
        await h.Press(Rosa, new ComplaintButton.PickCategory(ComplaintCategory.Sanitation).Encode());
        await h.Text(Rosa, "Rubbish everywhere near Block 3");
        await h.Press(Rosa, new ComplaintButton.PhotosDone().Encode());
        await h.Press(Rosa, new ComplaintButton.NoLocation().Encode());
        await h.DrainAsync();
        await h.Press(Rosa, new ComplaintButton.ChooseAnonymous(false).Encode());
        var offer = await h.DrainAsync();
        Assert.Contains("Similar complaints in your grid", AllTo(offer, Rosa), StringComparison.Ordinal);
        // Only the number, category, grid and age: never another resident's words.
        Assert.Contains("<b>C-0001</b> · environment and sanitation · North · today", AllTo(offer, Rosa), StringComparison.Ordinal);
        Assert.DoesNotContain("The bins", AllTo(offer, Rosa), StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.JoinSimilar(1).Encode(), new ComplaintButton.FileAnyway().Encode(), new ComplaintButton.CancelFiling().Encode()], ButtonsTo(offer, Rosa));

        // A crafted join of a complaint that was not offered (another grid) changes nothing.
        await FileAsync(h, Ray);
        await h.DrainAsync();
        await h.Press(Rosa, new ComplaintButton.JoinSimilar(2).Encode());
        var foreign = await h.DrainAsync();
        Assert.DoesNotContain(Rosa.Id, (await ComplaintAsync(h, 2)).Followers);
        Assert.Empty(await SetAsync(h, Sets.ComplaintsOf(Rosa.Id)));
        Assert.Equal("Sorry, C-0002 is not in your grid now, so you cannot join it. Please file a new complaint if you need to.", Answer(foreign, Rosa)!.Text);

        await h.Press(Rosa, new ComplaintButton.JoinSimilar(1).Encode());
        var joined = await h.DrainAsync();
        NoErrors(joined);
        Assert.Contains("You joined complaint C-0001", AllTo(joined, Rosa), StringComparison.Ordinal);
        Assert.Equal(2, (await CountersAsync(h)).Complaints);
        var c = await ComplaintAsync(h);
        Assert.Equal([Rosa.Id], c.Followers);
        Assert.Equal(["filed", "assigned", "joined"], What(c));
        Assert.Equal(["1"], await SetAsync(h, Sets.ComplaintsOf(Rosa.Id)));
        Assert.Equal("main", (await h.ConversationAsync(Rosa.Id))!.Flow);

        // Ray (g2) is not offered g1's complaint; Rita is not offered her own.
        await h.Command(Eve, "complain");
        await h.Press(Eve, new ComplaintButton.PickCategory(ComplaintCategory.Sanitation).Encode());
        await h.Text(Eve, "Bins");
        await h.Press(Eve, new ComplaintButton.PhotosDone().Encode());
        await h.Press(Eve, new ComplaintButton.NoLocation().Encode());
        await h.Press(Eve, new ComplaintButton.ChooseAnonymous(false).Encode());
        Assert.Equal("Confirm", (await h.ConversationAsync(Eve.Id))!.Step);

        // Every update reaches the filer and the joiner; only the filer gets the feedback buttons.
        await h.Press(Hank, new ComplaintButton.Accept(1).Encode());
        var accepted = await h.DrainAsync();
        foreach (var who in new[] { Rita, Rosa })
        {
            Assert.Contains("Your complaint C-0001 was accepted", AllTo(accepted, who), StringComparison.Ordinal);
        }

        await h.Press(Hank, new ComplaintButton.Progress(1).Encode());
        await h.Text(Hank, "The truck comes <tomorrow>");
        var progress = await h.DrainAsync();
        foreach (var who in new[] { Rita, Rosa })
        {
            Assert.Contains("Progress on complaint C-0001: The truck comes &lt;tomorrow&gt;", AllTo(progress, who), StringComparison.Ordinal);
        }

        await h.Press(Hank, new ComplaintButton.Resolve(1).Encode());
        await h.Text(Hank, "Bins emptied and cleaned");
        var resolved = await h.DrainAsync();
        foreach (var who in new[] { Rita, Rosa })
        {
            Assert.Contains("Complaint C-0001 is resolved: Bins emptied and cleaned", AllTo(resolved, who), StringComparison.Ordinal);
        }

        Assert.Equal([new ComplaintButton.Feedback(1, Satisfaction.Satisfied).Encode(), new ComplaintButton.Feedback(1, Satisfaction.BasicallySatisfied).Encode(), new ComplaintButton.Feedback(1, Satisfaction.Dissatisfied).Encode()], ButtonsTo(resolved, Rita));
        Assert.Empty(ButtonsTo(resolved, Rosa));

        // A joiner cannot rate it, and joining a closed complaint is refused.
        await h.Press(Rosa, new ComplaintButton.Feedback(1, Satisfaction.Satisfied).Encode());
        Assert.Equal("This is not your complaint.", Answer(await h.DrainAsync(), Rosa)!.Text);
        Assert.Null((await ComplaintAsync(h)).Feedback);
        await h.Press(Rita, new ComplaintButton.Feedback(1, Satisfaction.Satisfied).Encode());
        await h.DrainAsync();
        Assert.Equal(ComplaintStatus.Closed, (await ComplaintAsync(h)).Status);
        Assert.Empty(await SetAsync(h, Sets.OpenComplaints("g1", ComplaintCategory.Sanitation)));
    }

    // ---- 3. assignment ----

    [Fact]
    public async Task Assignment_NoGridWorker_WaitsForAnAdministrator_WhoAssigns_ThenReassigns_AndTheHandlerReturnsWithAReason()
    {
        var h = NewHarness();
        await SeedAsync(h);

        // Eve's grid has no grid worker: unassigned, the administrator is asked to assign it.
        var n = await FileAsync(h, Eve);
        var filed = await h.DrainAsync();
        var c = await ComplaintAsync(h, n);
        Assert.Equal((ComplaintStatus.Unassigned, (long?)null), (c.Status, c.HandlerId));
        Assert.Equal([new ComplaintButton.AssignList(1).Encode(), new ComplaintButton.ExtendChoices(1).Encode()], Buttons(Assert.Single(SentTo(filed, Admin)).Markup));

        await h.Press(Admin, new ComplaintButton.AssignList(1).Encode());
        var list = await h.DrainAsync();
        Assert.Contains("Assign C-0001 to whom?", AllTo(list, Admin), StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.Assign(1, 20).Encode(), new ComplaintButton.Assign(1, 21).Encode(), new ComplaintButton.Assign(1, 22).Encode()], ButtonsTo(list, Admin));
        await h.Press(Admin, new ComplaintButton.Assign(1, 21).Encode());
        var assigned = await h.DrainAsync();
        NoErrors(assigned);
        Assert.Contains("C-0001 was assigned to Hugo.", AllTo(assigned, Admin), StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.Accept(1).Encode(), new ComplaintButton.GiveBack(1).Encode()], Buttons(Assert.Single(SentTo(assigned, Hugo)).Markup));
        c = await ComplaintAsync(h, n);
        Assert.Equal((ComplaintStatus.Assigned, (long?)Hugo.Id), (c.Status, c.HandlerId));
        Assert.Equal(("assigned", Admin.Id, "21"), (c.History[^1].What, c.History[^1].By, c.History[^1].Detail));
        Assert.Equal(["1"], await SetAsync(h, Sets.ComplaintsHandledBy(Hugo.Id)));

        // Assigning someone who is not a grid worker, or the same one again: nothing changes.
        await h.Press(Admin, new ComplaintButton.Assign(1, 100).Encode());
        Assert.Equal("This button is no longer valid.", Answer(await h.DrainAsync(), Admin)!.Text);
        await h.Press(Admin, new ComplaintButton.Assign(1, 21).Encode());
        Assert.Equal("C-0001 is already assigned to Hugo.", Answer(await h.DrainAsync(), Admin)!.Text);
        Assert.Equal(Json(c), Json(await ComplaintAsync(h, n)));

        // Hugo accepts; the administrator reassigns to Hal, who must accept in turn; Hugo no longer can act.
        await h.Press(Hugo, new ComplaintButton.Accept(1).Encode());
        await h.DrainAsync();
        await h.Press(Admin, new ComplaintButton.Assign(1, 22).Encode());
        var reassigned = await h.DrainAsync();
        Assert.Single(SentTo(reassigned, Hal));
        c = await ComplaintAsync(h, n);
        Assert.Equal((ComplaintStatus.Assigned, (long?)Hal.Id), (c.Status, c.HandlerId));
        Assert.Empty(await SetAsync(h, Sets.ComplaintsHandledBy(Hugo.Id)));
        Assert.Equal(["1"], await SetAsync(h, Sets.ComplaintsHandledBy(Hal.Id)));
        await h.Press(Hugo, new ComplaintButton.Progress(1).Encode());
        Assert.Equal("This complaint is not assigned to you.", Answer(await h.DrainAsync(), Hugo)!.Text);
        Assert.NotEqual("complaint", (await h.ConversationAsync(Hugo.Id))?.Flow);

        // Hal returns it with a reason: unassigned again, the administrator is told why.
        await h.Press(Hal, new ComplaintButton.GiveBack(1).Encode());
        Assert.Contains("Why do you return C-0001?", AllTo(await h.DrainAsync(), Hal), StringComparison.Ordinal);
        await h.Text(Hal, "  ");
        Assert.Contains("Please write 1–500 characters", AllTo(await h.DrainAsync(), Hal), StringComparison.Ordinal);
        await h.Text(Hal, "Not in my grid <East>");
        var returned = await h.DrainAsync();
        NoErrors(returned);
        Assert.Contains("You returned C-0001", AllTo(returned, Hal), StringComparison.Ordinal);
        Assert.Contains("C-0001 was returned by Hal. Reason: Not in my grid &lt;East&gt;.", AllTo(returned, Admin), StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.AssignList(1).Encode(), new ComplaintButton.ExtendChoices(1).Encode()], Buttons(Assert.Single(SentTo(returned, Admin)).Markup));
        c = await ComplaintAsync(h, n);
        Assert.Equal((ComplaintStatus.Unassigned, (long?)null), (c.Status, c.HandlerId));
        Assert.Equal(("returned", Hal.Id, "Not in my grid <East>"), (c.History[^1].What, c.History[^1].By, c.History[^1].Detail));
        Assert.Empty(await SetAsync(h, Sets.ComplaintsHandledBy(Hal.Id)));
        Assert.Equal(["filed", "assigned", "accepted", "assigned", "returned"], What(c));
    }

    // ---- 5. progress and result ----

    [Fact]
    public async Task ProgressAndResult_NotesReachTheResident_TheResultWithAPhoto_ResolvesIt()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await FileAsync(h, Rita);
        await h.DrainAsync();

        // Progress and result only once accepted.
        await h.Press(Hank, new ComplaintButton.Progress(1).Encode());
        Assert.Contains("is now “assigned, waiting for the handler”", Answer(await h.DrainAsync(), Hank)!.Text, StringComparison.Ordinal);
        await h.Press(Hank, new ComplaintButton.Accept(1).Encode());
        var accepted = await h.DrainAsync();
        Assert.Contains("Your complaint C-0001 was accepted; it should be resolved by 03-04 16:00.", AllTo(accepted, Rita), StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.Progress(1).Encode(), new ComplaintButton.Resolve(1).Encode()], ButtonsTo(accepted, Hank));
        var c = await ComplaintAsync(h, n);
        Assert.Equal(h.Clock.GetUtcNow(), c.FirstResponseAt);
        Assert.Null(await DueAsync(h, "cp:wresp:1"));
        Assert.Null(await DueAsync(h, "cp:dresp:1"));
        await h.Press(Hank, new ComplaintButton.Accept(1).Encode());
        Assert.Contains("is now “in progress”", Answer(await h.DrainAsync(), Hank)!.Text, StringComparison.Ordinal);

        h.Clock.Advance(TimeSpan.FromHours(2));
        await h.Press(Hank, new ComplaintButton.Progress(1).Encode());
        await h.Text(Hank, "Ordered a bigger bin");
        var note = await h.DrainAsync();
        Assert.Contains("Progress on complaint C-0001: Ordered a bigger bin", AllTo(note, Rita), StringComparison.Ordinal);
        Assert.Contains("Progress on C-0001 was sent to the residents.", AllTo(note, Hank), StringComparison.Ordinal);
        Assert.Equal(("progress", "Ordered a bigger bin"), ((await ComplaintAsync(h, n)).History[^1].What, (await ComplaintAsync(h, n)).History[^1].Detail));

        // Cancel a typed input: nothing posted.
        await h.Press(Hank, new ComplaintButton.Progress(1).Encode());
        await h.Press(Hank, new ComplaintButton.CancelInput().Encode());
        Assert.Equal("main", (await h.ConversationAsync(Hank.Id))!.Flow);
        await h.Text(Hank, "stray text");
        Assert.DoesNotContain("Progress on complaint", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);

        await h.Press(Hank, new ComplaintButton.Resolve(1).Encode());
        await h.Event(new PhotoReceived(Hank, Hank.Id, 50, "after-photo", "New bin in place"));
        var resolved = await h.DrainAsync();
        NoErrors(resolved);
        Assert.Contains("Complaint C-0001 is resolved: New bin in place\nAre you satisfied?", AllTo(resolved, Rita), StringComparison.Ordinal);
        Assert.Contains(resolved, m => m.ChatId == Rita.Id && m.Action is SendPhoto { FileId: "after-photo" });
        c = await ComplaintAsync(h, n);
        Assert.Equal((ComplaintStatus.Resolved, "New bin in place", "after-photo", h.Clock.GetUtcNow()), (c.Status, c.Result, c.ResultPhotoFileId, c.ResolvedAt));
        Assert.Null(await DueAsync(h, "cp:dres:1"));
        Assert.Equal(h.Clock.GetUtcNow().AddDays(7), await DueAsync(h, "cp:fb:1"));
        Assert.Equal(["filed", "assigned", "accepted", "progress", "resolved"], What(c));
        // Still open until the resident's feedback.
        Assert.Equal(["1"], await SetAsync(h, Sets.OpenComplaints("g1", ComplaintCategory.Sanitation)));
    }

    // ---- 6. feedback ----

    [Fact]
    public async Task Feedback_Satisfied_Closes_AndRatingTwiceIsRefused()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await ResolvedAsync(h, Rita, Hank);

        await h.Press(Rita, new ComplaintButton.Feedback(1, Satisfaction.BasicallySatisfied).Encode());
        var rated = await h.DrainAsync();
        Assert.Contains("Complaint C-0001 is closed. Your feedback: 🙂 Basically satisfied", AllTo(rated, Rita), StringComparison.Ordinal);
        var c = await ComplaintAsync(h, n);
        Assert.Equal((ComplaintStatus.Closed, (Satisfaction?)Satisfaction.BasicallySatisfied, h.Clock.GetUtcNow()), (c.Status, c.Feedback, c.ClosedAt));
        Assert.Equal(("feedback", "BasicallySatisfied"), (c.History[^1].What, c.History[^1].Detail));
        Assert.Empty(await SetAsync(h, Sets.OpenComplaints("g1", ComplaintCategory.Sanitation)));
        Assert.Null(await DueAsync(h, "cp:fb:1"));

        await h.Press(Rita, new ComplaintButton.Feedback(1, Satisfaction.Dissatisfied).Encode());
        Assert.Equal("You already gave feedback: 🙂 Basically satisfied", Answer(await h.DrainAsync(), Rita)!.Text);
        Assert.Equal(Json(c), Json(await ComplaintAsync(h, n)));
        await h.Press(Rita, new ComplaintButton.Reopen(1).Encode());
        Assert.Contains("does not apply", Answer(await h.DrainAsync(), Rita)!.Text, StringComparison.Ordinal);
        Assert.Equal(Json(c), Json(await ComplaintAsync(h, n)));
    }

    [Fact]
    public async Task Feedback_Dissatisfied_ReopensWithAComment_BackToTheHandler_ASecondDissatisfactionGoesToTheAdministrators()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await ResolvedAsync(h, Rita, Hank);

        h.Clock.Advance(TimeSpan.FromDays(1));
        await h.Press(Rita, new ComplaintButton.Feedback(1, Satisfaction.Dissatisfied).Encode());
        var offer = await h.DrainAsync();
        Assert.Contains("To have C-0001 handled again, tap “🔄 Reopen” above.", AllTo(offer, Rita), StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.Reopen(1).Encode()], ButtonsTo(offer, Rita));
        Assert.Equal((1, (Satisfaction?)Satisfaction.Dissatisfied), ((await ComplaintAsync(h, n)).Dissatisfactions, (await ComplaintAsync(h, n)).Feedback));

        await h.Press(Rita, new ComplaintButton.Reopen(1).Encode());
        await h.Text(Rita, "Still smells <bad>");
        var reopened = await h.DrainAsync();
        NoErrors(reopened);
        var now = h.Clock.GetUtcNow();
        Assert.Contains("C-0001 is being handled again; new deadline 03-05 16:00.", AllTo(reopened, Rita), StringComparison.Ordinal);
        Assert.Contains("C-0001 was reopened</b>. The resident says: Still smells &lt;bad&gt;", AllTo(reopened, Hank), StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.Progress(1).Encode(), new ComplaintButton.Resolve(1).Encode()], Buttons(Assert.Single(SentTo(reopened, Hank)).Markup));
        var c = await ComplaintAsync(h, n);
        Assert.Equal((ComplaintStatus.InProgress, 1, (DateTimeOffset?)null, (Satisfaction?)null, now.AddDays(3)), (c.Status, c.Reopens, c.ResolvedAt, c.Feedback, c.ResolveBy));
        Assert.Equal(("reopened", "Still smells <bad>"), (c.History[^1].What, c.History[^1].Detail));
        Assert.Null(await DueAsync(h, "cp:fb:1"));
        Assert.Equal(now.AddDays(3), await DueAsync(h, "cp:dres:1"));
        Assert.Null(await DueAsync(h, "cp:dresp:1"));

        // Resolved again, dissatisfied again: escalated to the administrators (督办), recorded.
        await ResolveAsync(h, n, Hank, "Washed the bins");
        await h.Press(Rita, new ComplaintButton.Feedback(1, Satisfaction.Dissatisfied).Encode());
        var second = await h.DrainAsync();
        Assert.Contains("was unsatisfactory again and was escalated to the administrators", AllTo(second, Rita), StringComparison.Ordinal);
        Assert.Contains("residents are dissatisfied with C-0001 for the second time", AllTo(second, Admin), StringComparison.Ordinal);
        c = await ComplaintAsync(h, n);
        Assert.Equal((2, true), (c.Dissatisfactions, c.Supervised.Contains("dissatisfied")));
        Assert.Equal(("supervision", "dissatisfied twice"), (c.History[^1].What, c.History[^1].Detail));
    }

    [Fact]
    public async Task Feedback_ReopenAfterTheWindow_IsRefused_AndChangesNothing()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await ResolvedAsync(h, Rita, Hank);

        // Dissatisfied within the window, but the reopen pressed after it.
        h.Clock.Advance(TimeSpan.FromDays(2));
        await h.Press(Rita, new ComplaintButton.Feedback(1, Satisfaction.Dissatisfied).Encode());
        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        var before = await ComplaintAsync(h, n);
        await h.Press(Rita, new ComplaintButton.Reopen(1).Encode());
        Assert.Equal("C-0001 was resolved more than 3 days ago and cannot be reopened; please file a new complaint.", Answer(await h.DrainAsync(), Rita)!.Text);
        Assert.Equal(Json(before), Json(await ComplaintAsync(h, n)));
        Assert.Equal("main", (await h.ConversationAsync(Rita.Id))!.Flow);

        // The comment typed after the window (asked in time): refused too.
        var h2 = NewHarness();
        await SeedAsync(h2);
        await ResolvedAsync(h2, Rita, Hank);
        await h2.Press(Rita, new ComplaintButton.Feedback(1, Satisfaction.Dissatisfied).Encode());
        await h2.Press(Rita, new ComplaintButton.Reopen(1).Encode());
        h2.Clock.Advance(TimeSpan.FromDays(4));
        before = await ComplaintAsync(h2, 1);
        await h2.Text(Rita, "Still bad");
        Assert.Contains("cannot be reopened", AllTo(await h2.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal(Json(before), Json(await ComplaintAsync(h2, 1)));

        // Dissatisfied only after the window: noted, no reopen offered.
        var h3 = NewHarness();
        await SeedAsync(h3);
        await ResolvedAsync(h3, Rita, Hank);
        h3.Clock.Advance(TimeSpan.FromDays(4));
        await h3.Press(Rita, new ComplaintButton.Feedback(1, Satisfaction.Dissatisfied).Encode());
        var noted = await h3.DrainAsync();
        Assert.Contains("Your feedback on C-0001 was noted.", AllTo(noted, Rita), StringComparison.Ordinal);
        Assert.Empty(ButtonsTo(noted, Rita));
    }

    [Fact]
    public async Task Feedback_None_ClosesAfterFeedbackWithin_AndTheResidentsAreTold()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await ResolvedAsync(h, Rita, Hank);

        h.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await h.FireDueTimersAsync());
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await h.FireDueTimersAsync());
        var closed = await h.DrainAsync();
        Assert.Contains("Complaint C-0001 was closed (no feedback received).", AllTo(closed, Rita), StringComparison.Ordinal);
        var c = await ComplaintAsync(h, n);
        Assert.Equal((ComplaintStatus.Closed, (Satisfaction?)null, h.Clock.GetUtcNow()), (c.Status, c.Feedback, c.ClosedAt));
        Assert.Equal(("closed without feedback", 0L), (c.History[^1].What, c.History[^1].By));
        Assert.Empty(await SetAsync(h, Sets.OpenComplaints("g1", ComplaintCategory.Sanitation)));

        await h.Press(Rita, new ComplaintButton.Feedback(1, Satisfaction.Satisfied).Encode());
        Assert.Contains("is now “closed”", Answer(await h.DrainAsync(), Rita)!.Text, StringComparison.Ordinal);
        Assert.Equal(Json(c), Json(await ComplaintAsync(h, n)));
    }

    [Fact]
    public async Task Feedback_DissatisfiedButNotReopened_ClosesAtTheEnd_WithoutClaimingThereWasNoFeedback()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await ResolvedAsync(h, Rita, Hank);
        await h.Press(Rita, new ComplaintButton.Feedback(1, Satisfaction.Dissatisfied).Encode());
        await h.DrainAsync();

        h.Clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(1, await h.FireDueTimersAsync());
        var closed = await h.DrainAsync();
        Assert.DoesNotContain("no feedback received", AllTo(closed, Rita), StringComparison.Ordinal);
        var c = await ComplaintAsync(h, n);
        Assert.Equal((ComplaintStatus.Closed, (Satisfaction?)Satisfaction.Dissatisfied), (c.Status, c.Feedback));
        Assert.Equal("closed", c.History[^1].What);
    }

    // ---- 4. deadlines ----

    [Fact]
    public async Task Deadlines_WarningThenOverdueSupervision_DrivenByTheClock_Recorded_AndAnExtensionMovesTheTimers()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await FileAsync(h, Rita);
        await h.DrainAsync();

        // Response: warned 4.8 h before (a fifth of 24 h), supervised when overdue — once.
        h.Clock.Advance(TimeSpan.FromHours(19));
        Assert.Equal(0, await h.FireDueTimersAsync());
        h.Clock.Advance(TimeSpan.FromMinutes(12));
        Assert.Equal(1, await h.FireDueTimersAsync());
        var warned = await h.DrainAsync();
        Assert.Contains("C-0001 needs a response (accept it or post progress) by 03-02 16:00.", AllTo(warned, Hank), StringComparison.Ordinal);
        Assert.Empty(SentTo(warned, Admin));
        Assert.Equal(("warned", "response", 0L), ((await ComplaintAsync(h, n)).History[^1].What, (await ComplaintAsync(h, n)).History[^1].Detail, (await ComplaintAsync(h, n)).History[^1].By));
        h.Clock.Advance(TimeSpan.FromHours(4.8));
        Assert.Equal(1, await h.FireDueTimersAsync());
        var overdue = await h.DrainAsync();
        Assert.Contains("<b>Supervision</b>: C-0001 missed its response deadline (handler: Hank).", AllTo(overdue, Admin), StringComparison.Ordinal);
        Assert.Contains("C-0001 is overdue and was escalated to the administrators.", AllTo(overdue, Hank), StringComparison.Ordinal);
        var c = await ComplaintAsync(h, n);
        Assert.Equal(["response"], c.Supervised);
        Assert.Equal(("supervision", "response overdue"), (c.History[^1].What, c.History[^1].Detail));

        // Accepted late; the administrator extends the resolution by 3 days with a reason.
        await h.Press(Hank, new ComplaintButton.Accept(1).Encode());
        await h.DrainAsync();
        await h.Press(Admin, new ComplaintButton.ExtendChoices(1).Encode());
        var choices = await h.DrainAsync();
        Assert.Contains("C-0001 is due by 03-04 16:00. Extend by how long?", AllTo(choices, Admin), StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.Extend(1, 1).Encode(), new ComplaintButton.Extend(1, 3).Encode(), new ComplaintButton.Extend(1, 7).Encode()], ButtonsTo(choices, Admin));
        await h.Press(Admin, new ComplaintButton.Extend(1, 3).Encode());
        Assert.Contains("Extending C-0001 by 3 days: please write the reason:", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);
        await h.Text(Admin, "Waiting for a new <bin>");
        var extended = await h.DrainAsync();
        NoErrors(extended);
        Assert.Contains("C-0001 now due by 03-07 16:00.", AllTo(extended, Admin), StringComparison.Ordinal);
        Assert.Contains("C-0001 is now due by 03-07 16:00. Reason: Waiting for a new &lt;bin&gt;", AllTo(extended, Hank), StringComparison.Ordinal);
        Assert.Contains("Complaint C-0001 is now due by 03-07 16:00.", AllTo(extended, Rita), StringComparison.Ordinal);
        c = await ComplaintAsync(h, n);
        var filedAt = c.FiledAt;
        Assert.Equal(filedAt.AddDays(6), c.ResolveBy);
        Assert.Equal(("extended", Admin.Id, "+3d: Waiting for a new <bin>"), (c.History[^1].What, c.History[^1].By, c.History[^1].Detail));
        Assert.Equal(filedAt.AddDays(6), await DueAsync(h, "cp:dres:1"));
        Assert.Equal(filedAt.AddDays(6) - TimeSpan.FromDays(6.0 / 5), await DueAsync(h, "cp:wres:1"));

        // The old deadline passes quietly; the new one warns, then escalates the resolution.
        h.Clock.SetUtcNow(filedAt.AddDays(3) + TimeSpan.FromMinutes(1));
        Assert.Equal(0, await h.FireDueTimersAsync());
        h.Clock.SetUtcNow(filedAt.AddDays(6) - TimeSpan.FromDays(1.2));
        Assert.Equal(1, await h.FireDueTimersAsync());
        Assert.Contains("C-0001 must be resolved by 03-07 16:00.", AllTo(await h.DrainAsync(), Hank), StringComparison.Ordinal);
        h.Clock.SetUtcNow(filedAt.AddDays(6));
        Assert.Equal(1, await h.FireDueTimersAsync());
        Assert.Contains("C-0001 missed its resolution deadline (handler: Hank)", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);
        c = await ComplaintAsync(h, n);
        Assert.Equal(["response", "resolution"], c.Supervised);
        Assert.Equal(["filed", "assigned", "warned", "supervision", "accepted", "extended", "warned", "supervision"], What(c));

        // Once resolved, no extension.
        await ResolveAsync(h, n, Hank);
        await h.Press(Admin, new ComplaintButton.ExtendChoices(1).Encode());
        Assert.Contains("does not apply", Answer(await h.DrainAsync(), Admin)!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deadlines_UnassignedComplaint_TheWarningGoesToTheAdministrators()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h, Eve);
        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromHours(20));
        Assert.Equal(1, await h.FireDueTimersAsync());
        Assert.Contains("C-0001 is still unassigned; a response is due by 03-02 16:00.", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);
        h.Clock.Advance(TimeSpan.FromHours(4));
        Assert.Equal(1, await h.FireDueTimersAsync());
        Assert.Contains("C-0001 missed its response deadline (handler: —)", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);
    }

    // ---- 7. visibility: access control for every role ----

    [Fact]
    public async Task AccessControl_EveryRoleOnSomeoneElsesComplaint_IsRefused_AndNothingChanges()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await FileAsync(h, Rita);
        await h.DrainAsync();
        var before = Json(await ComplaintAsync(h, n));

        async Task Refused(Sender who, string data, string answer)
        {
            await h.Press(who, data);
            var outbox = await h.DrainAsync();
            Assert.Contains(answer, Answer(outbox, who)!.Text, StringComparison.Ordinal);
            Assert.Empty(SentTo(outbox, Rita));
            Assert.Equal(before, Json(await ComplaintAsync(h, n)));
            Assert.NotEqual("complaint", (await h.ConversationAsync(who.Id))?.Flow);
        }

        // A handler of another grid, a second handler of the same grid, a member, residents: not their complaint to handle.
        foreach (var who in new[] { Hugo, Hal, Ann, Ray, Rita, Admin })
        {
            foreach (var action in new ComplaintButton[] { new ComplaintButton.Accept(1), new ComplaintButton.GiveBack(1), new ComplaintButton.Progress(1), new ComplaintButton.Resolve(1) })
            {
                await Refused(who, action.Encode(), "This complaint is not assigned to you.");
            }
        }

        // Administrators' buttons: refused to the handler, a member and residents.
        foreach (var who in new[] { Hank, Ann, Rita })
        {
            foreach (var data in new[] { new ComplaintButton.AssignList(1).Encode(), new ComplaintButton.Assign(1, 22).Encode(), new ComplaintButton.ExtendChoices(1).Encode(), new ComplaintButton.Extend(1, 3).Encode(), new ComplaintButton.Stats(StatsPeriod.All).Encode(), new ComplaintButton.StatsCsv(StatsPeriod.All).Encode() })
            {
                await Refused(who, data, "Sorry, only administrator can use this.");
            }

            await h.Command(who, "stats");
            var stats = await h.DrainAsync();
            Assert.Contains("Sorry, only administrator can use this.", AllTo(stats, who), StringComparison.Ordinal);
            Assert.DoesNotContain(stats, m => m.Action is SendDocument);
        }

        // The feedback and reopen of Rita's complaint: not Ray's, the handler's nor the administrator's.
        await h.Press(Hank, new ComplaintButton.Accept(1).Encode());
        await ResolveAsync(h, n, Hank);
        before = Json(await ComplaintAsync(h, n));
        foreach (var who in new[] { Ray, Hank, Admin })
        {
            await Refused(who, new ComplaintButton.Feedback(1, Satisfaction.Satisfied).Encode(), "This is not your complaint.");
            await Refused(who, new ComplaintButton.Reopen(1).Encode(), "This is not your complaint.");
        }

        // Unknown numbers and malformed data: stale.
        await h.Press(Admin, new ComplaintButton.AssignList(99).Encode());
        Assert.Equal("This button is no longer valid.", Answer(await h.DrainAsync(), Admin)!.Text);
        await h.Press(Rita, "cp:fb:1:z");
        Assert.Equal("This button is no longer valid.", Answer(await h.DrainAsync(), Rita)!.Text);
        Assert.Equal(before, Json(await ComplaintAsync(h, n)));
    }

    [Fact]
    public async Task AccessControl_AHandlerReassignedWhileTyping_IsRefusedWhenTheTextArrives()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await AcceptedAsync(h, Rita, Hank);
        await h.Press(Hank, new ComplaintButton.Progress(1).Encode());
        await h.Press(Admin, new ComplaintButton.Assign(1, 22).Encode());
        await h.DrainAsync();
        var before = Json(await ComplaintAsync(h, n));
        await h.Text(Hank, "Working on it");
        var late = await h.DrainAsync();
        Assert.Contains("This complaint is not assigned to you.", AllTo(late, Hank), StringComparison.Ordinal);
        Assert.Empty(SentTo(late, Rita));
        Assert.Equal(before, Json(await ComplaintAsync(h, n)));
    }

    // ---- /my ----

    [Fact]
    public async Task My_TheResidentSeesHerOwnAndJoinedComplaints_TheHandlerOnlyHisOpenOnes()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await ResolvedAsync(h, Rita, Hank);
        await FileAsync(h, Rita, ComplaintCategory.Noise, "Loud music at night");
        await FileAsync(h, Ray, ComplaintCategory.Noise, "Barking dog");
        await h.DrainAsync();

        await h.Command(Rita, "my");
        var mine = await h.DrainAsync();
        var list = AllTo(mine, Rita);
        Assert.Contains("My complaints", list, StringComparison.Ordinal);
        Assert.Contains("<b>C-0002</b> assigned, waiting for the handler · Loud music at night", list, StringComparison.Ordinal);
        Assert.Contains("<b>C-0001</b> resolved, waiting for feedback · The bins at Block 3 overflow", list, StringComparison.Ordinal);
        Assert.DoesNotContain("C-0003", list, StringComparison.Ordinal);
        Assert.Contains("C-0001 is resolved; your feedback please:", list, StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.Feedback(1, Satisfaction.Satisfied).Encode(), new ComplaintButton.Feedback(1, Satisfaction.BasicallySatisfied).Encode(), new ComplaintButton.Feedback(1, Satisfaction.Dissatisfied).Encode()], ButtonsTo(mine, Rita));

        await h.Command(Hank, "my");
        var hank = await h.DrainAsync();
        var card = Assert.Single(SentTo(hank, Hank), m => m.Html.Contains("Complaint C-", StringComparison.Ordinal));
        Assert.Contains("C-0002", card.Html, StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.Accept(2).Encode(), new ComplaintButton.GiveBack(2).Encode()], Buttons(card.Markup));
        Assert.DoesNotContain("C-0003", AllTo(hank, Hank), StringComparison.Ordinal);

        await h.Command(Hugo, "my");
        var hugo = AllTo(await h.DrainAsync(), Hugo);
        Assert.Contains("C-0003", hugo, StringComparison.Ordinal);
        Assert.DoesNotContain("C-0002", hugo, StringComparison.Ordinal);
    }

    // ---- 8. statistics ----

    [Fact]
    public async Task Stats_AHandComputedExample_PerCategoryAndGrid_ThePeriods_AndTheCsv()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var t0 = h.Clock.GetUtcNow();

        // C-0001 Rita, sanitation: answered at once, resolved in time, satisfied.
        await AcceptedAsync(h, Rita, Hank);
        // C-0002 Rosa, sanitation (filed anew): answered 25 h late, resolved, dissatisfied.
        Assert.Equal(2, await FileAsync(h, Rosa));
        // C-0003 Ray, noise (g2): never answered. C-0004 Rita, property: answered, not resolved.
        Assert.Equal(3, await FileAsync(h, Ray, ComplaintCategory.Noise));
        Assert.Equal(4, await FileAsync(h, Rita, ComplaintCategory.Property));
        await h.Press(Hank, new ComplaintButton.Accept(4).Encode());
        h.Clock.Advance(TimeSpan.FromHours(25));
        await h.Press(Hank, new ComplaintButton.Accept(2).Encode());
        await ResolveAsync(h, 1, Hank);
        await ResolveAsync(h, 2, Hank);
        await h.Press(Rita, new ComplaintButton.Feedback(1, Satisfaction.Satisfied).Encode());
        await h.Press(Rosa, new ComplaintButton.Feedback(2, Satisfaction.Dissatisfied).Encode());
        NoErrors(await h.DrainAsync());

        await h.Command(Admin, "stats");
        var stats = await h.DrainAsync();
        NoErrors(stats);
        var text = Assert.Single(SentTo(stats, Admin));
        // filed · response · on time · resolution · satisfaction
        Assert.Equal(
            "📊 <b>Complaint figures</b> (this month)\nfiled · response · on time · resolution · satisfaction\n"
            + "Total: 4 · 75% · 50% · 50% · 50%\n\n"
            + "<b>By category</b>\n"
            + "environment and sanitation: 2 · 100% · 50% · 100% · 50%\n"
            + "property and facilities: 1 · 100% · — · 0% · —\n"
            + "noise: 1 · 0% · — · 0% · —\n\n"
            + "<b>By grid</b>\n"
            + "North: 3 · 100% · 50% · 67% · 50%\n"
            + "South: 1 · 0% · — · 0% · —",
            text.Html);
        Assert.Equal([new ComplaintButton.Stats(StatsPeriod.Month).Encode(), new ComplaintButton.Stats(StatsPeriod.Days30).Encode(), new ComplaintButton.Stats(StatsPeriod.All).Encode(), new ComplaintButton.StatsCsv(StatsPeriod.Month).Encode()], Buttons(text.Markup));

        await h.Press(Admin, new ComplaintButton.StatsCsv(StatsPeriod.All).Encode());
        var csv = await h.DrainAsync();
        var doc = Assert.Single(csv.Select(m => m.Action).OfType<SendDocument>());
        Assert.Equal("complaints-all.csv", doc.FileName);
        Assert.Equal(Encoding.UTF8.GetPreamble(), doc.Content[..3]);
        var lines = Encoding.UTF8.GetString(doc.Content[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.Equal("number,category,grid,status,urgent,anonymous,followers,filed_at,respond_by,first_response_at,resolve_by,resolved_at,closed_at,feedback,reopens,supervised,handler_id", lines[0]);
        var resolvedAt = t0.AddHours(25).ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"C-0001,Sanitation,North,Closed,no,no,0,2025-03-01T08:00:00+00:00,2025-03-02T08:00:00+00:00,2025-03-01T08:00:00+00:00,2025-03-04T08:00:00+00:00,{resolvedAt},{resolvedAt},Satisfied,0,,20", lines[1]);
        Assert.StartsWith("C-0003,Noise,South,Assigned,", lines[3], StringComparison.Ordinal);

        // 40 days later: one more; the last 30 days hold only it, all time all five.
        h.Clock.Advance(TimeSpan.FromDays(40));
        await FileAsync(h, Eve, ComplaintCategory.Other);
        await h.DrainAsync();
        await h.Press(Admin, new ComplaintButton.Stats(StatsPeriod.Days30).Encode());
        Assert.Contains("Total: 1 · 0% · — · 0% · —", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);
        await h.Press(Admin, new ComplaintButton.Stats(StatsPeriod.All).Encode());
        Assert.Contains("Total: 5 · 60% · 50% · 40% · 50%", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);
        await h.Press(Admin, "cp:st:year");
        Assert.Equal("This button is no longer valid.", Answer(await h.DrainAsync(), Admin)!.Text);
    }

    // ---- restart ----

    [Fact]
    public async Task Restart_InTheMiddle_TheConversationsContinue_AndTheTimersStillFire() => await RestartScenarioAsync(new Restartable());

    /// <summary>The same restarts on a real redis-server.</summary>
    [Collection("redis")]
    public sealed class OnRedis(MusterBot.Tests.State.RedisServerFixture redis)
    {
        [Fact]
        public async Task Restart_InTheMiddle_OnRedis()
        {
            var clock = new FakeTimeProvider(TestClock.Start);
            await using var store = await MusterBot.State.Redis.RedisStateStore.ConnectAsync(
                new MusterBot.State.Redis.RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"crestart{Guid.NewGuid():N}:" }, clock, CancellationToken.None);
            await RestartScenarioAsync(new Restartable(store, clock));
        }
    }

    private static async Task RestartScenarioAsync(Restartable r)
    {
        await SeedAsync(r.H);

        await r.H.Command(Rita, "complain");
        await r.Restart().Press(Rita, new ComplaintButton.PickCategory(ComplaintCategory.Sanitation).Encode());
        await r.Restart().Text(Rita, "The bins overflow");
        await r.Restart().Event(new PhotoReceived(Rita, Rita.Id, 3, "ph-r", null));
        await r.Restart().Press(Rita, new ComplaintButton.PhotosDone().Encode());
        await r.Restart().Event(new LocationShared(Rita, Rita.Id, 4, CenterLat, CenterLon));
        await r.Restart().Press(Rita, new ComplaintButton.ChooseAnonymous(true).Encode());
        await r.Restart().Press(Rita, new ComplaintButton.Submit().Encode());
        var filed = await r.H.DrainAsync();
        NoErrors(filed);
        Assert.Contains("<b>C-0001</b> was received", AllTo(filed, Rita), StringComparison.Ordinal);
        var c = await ComplaintAsync(r.H);
        Assert.Equal(("ph-r", true, (long?)Hank.Id), (string.Join(",", c.PhotoFileIds), c.Anonymous, c.HandlerId));

        // The response deadline passes across a restart: the persisted timers warn and escalate.
        r.Advance(TimeSpan.FromHours(25));
        Assert.Equal(2, await r.Restart().FireDueTimersAsync());
        Assert.Contains("missed its response deadline", AllTo(await r.H.DrainAsync(), Admin), StringComparison.Ordinal);
        Assert.Equal(["response"], (await ComplaintAsync(r.H)).Supervised);

        // Accept, ask for a note, restart, type it; the extension's reason typed after a restart.
        await r.Restart().Press(Hank, new ComplaintButton.Accept(1).Encode());
        await r.H.Press(Hank, new ComplaintButton.Progress(1).Encode());
        await r.Restart().Text(Hank, "Truck booked");
        Assert.Contains("Progress on complaint C-0001: Truck booked", AllTo(await r.H.DrainAsync(), Rita), StringComparison.Ordinal);
        await r.H.Press(Admin, new ComplaintButton.Extend(1, 7).Encode());
        await r.Restart().Text(Admin, "Holiday");
        Assert.Equal(c.FiledAt.AddDays(10), (await ComplaintAsync(r.H)).ResolveBy);

        // Resolved; the feedback timer fires in a later process.
        await r.H.Press(Hank, new ComplaintButton.Resolve(1).Encode());
        await r.Restart().Text(Hank, "Done");
        r.Advance(TimeSpan.FromDays(7));
        await r.Restart().FireDueTimersAsync();
        c = await ComplaintAsync(r.H);
        Assert.Equal(ComplaintStatus.Closed, c.Status);
        Assert.Equal(["filed", "assigned", "warned", "supervision", "accepted", "progress", "extended", "resolved", "closed without feedback"], What(c));
    }

    [Fact]
    public async Task ForgedRawCallbackData_GetsTheStaleAnswer_AndChangesNothing()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await FileAsync(h, Rita);
        await h.DrainAsync();
        var before = Json(await ComplaintAsync(h, n));

        foreach (var (who, data) in new[]
                 {
                     (Hank, "cp:acc"),               // malformed: no complaint number
                     (Hank, "cp:acc:1:1"),           // wrong field count
                     (Hank, "cp:zz:1"),              // unknown tag
                     (Hank, "cp:acc:2"),             // another complaint (none such)
                     (Hank, "cp:acc:99999999999"),   // a number out of range
                     (Rita, "cp:fb:1:s"),            // the feedback buttons' old form
                     (Admin, "cp:asg:1:x"),          // a handler id that is not a number
                     (Admin, "cp:exd:1:2"),          // an extension the buttons never offer
                     (Admin, "cp:st:year"),          // a period /stats does not know
                 })
        {
            await h.Press(who, data);
            var messages = await h.DrainAsync();
            NoErrors(messages);
            Assert.Equal("This button is no longer valid.", Answer(messages, who)!.Text);
            Assert.Empty(SentTo(messages, Rita));
            Assert.NotEqual("complaint", (await h.ConversationAsync(who.Id))?.Flow);
        }

        Assert.Equal(before, Json(await ComplaintAsync(h, n)));
    }

    [Fact]
    public async Task UnhandledTriggers_AreAnsweredKindly_TheStepStays()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await h.Command(Rita, "complain");
        await h.DrainAsync();
        Assert.Equal("Category", (await h.ConversationAsync(Rita.Id))!.Step);

        // Buttons of other steps: stale, the step stays.
        foreach (var data in new[] { new ComplaintButton.PhotosDone().Encode(), new ComplaintButton.Submit().Encode(), new ComplaintButton.JoinSimilar(1).Encode() })
        {
            await h.Press(Rita, data);
            var messages = await h.DrainAsync();
            NoErrors(messages);
            Assert.Equal("This button is no longer valid.", Answer(messages, Rita)!.Text);
            Assert.Equal("Category", (await h.ConversationAsync(Rita.Id))!.Step);
        }

        // Text or a location where a category button is expected: a hint with the categories again.
        await h.Text(Rita, "noise");
        await h.Event(new LocationShared(Rita, Rita.Id, 90, 31.2, 121.4));
        var hints = await h.DrainAsync();
        Assert.Equal(["Please tap a category above.", "Please tap a category above."], TextsTo(hints, Rita));
        Assert.Contains(new ComplaintButton.PickCategory(ComplaintCategory.Noise).Encode(), ButtonsTo(hints, Rita));
        Assert.Equal("Category", (await h.ConversationAsync(Rita.Id))!.Step);

        // After the wizard ends its buttons have expired; the cancel of a typed input just says so.
        await h.Press(Rita, new ComplaintButton.CancelFiling().Encode());
        await h.DrainAsync();
        Assert.NotEqual("complaint", (await h.ConversationAsync(Rita.Id))?.Flow);
        await h.Press(Rita, new ComplaintButton.NoLocation().Encode());
        Assert.Equal("This button has expired. Please send the command again.", Answer(await h.DrainAsync(), Rita)!.Text);
        await h.Press(Rita, new ComplaintButton.CancelInput().Encode());
        var cancelled = await h.DrainAsync();
        NoErrors(cancelled);
        Assert.NotNull(Answer(cancelled, Rita));
        Assert.NotEqual("complaint", (await h.ConversationAsync(Rita.Id))?.Flow);
        Assert.Equal(0, (await CountersAsync(h)).Complaints);
    }
}
