using System.Text;
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
            ["cp:f:cat:Sanitation", "cp:f:cat:Property", "cp:f:cat:Neighbours", "cp:f:cat:PublicSafety", "cp:f:cat:Traffic", "cp:f:cat:Noise", "cp:f:cat:Services", "cp:f:cat:Other", "cp:f:x"],
            ButtonsTo(ask, Rita));
        await h.Press(Rita, "cp:f:cat:Sanitation");
        Assert.Contains("Category: environment and sanitation", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Text(Rita, "  The bins at <Block 3> overflow  ");
        var photoAsk = await h.DrainAsync();
        Assert.Contains("You may send photos (at most 9)", AllTo(photoAsk, Rita), StringComparison.Ordinal);
        Assert.Contains("cp:f:pdone", ButtonsTo(photoAsk, Rita));

        // An album of 20: the first 9 are kept, one kind answer for the rest (not eleven).
        for (var i = 0; i < 20; i++)
        {
            await h.Event(new PhotoReceived(Rita, Rita.Id, 10 + i, "ph-" + i, null) { MediaGroupId = "album" });
        }

        var album = TextsTo(await h.DrainAsync(), Rita);
        Assert.Equal(["Photo 1/9 received.", "At most 9 photos; the rest were not kept. Please tap “Photos done”."], album);
        // One more single photo: refused again, still 9.
        await h.Event(new PhotoReceived(Rita, Rita.Id, 40, "ph-extra", null));
        Assert.Equal(["At most 9 photos; the rest were not kept. Please tap “Photos done”."], TextsTo(await h.DrainAsync(), Rita));
        Assert.Equal(string.Join(",", Enumerable.Range(0, 9).Select(i => "ph-" + i)), (await h.ConversationAsync(Rita.Id))!.Data["photos"]);

        await h.Press(Rita, "cp:f:pdone");
        Assert.Contains("You may send the location", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);

        // Beijing is far outside the community: refused, still asked for the location.
        await h.Event(new LocationShared(Rita, Rita.Id, 41, 39.9042, 116.4074));
        Assert.Contains("That location is outside the community (more than 3 km away)", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("Location", (await h.ConversationAsync(Rita.Id))!.Step);
        await h.Event(new LocationShared(Rita, Rita.Id, 42, 31.2310, 121.4750));
        Assert.Contains("Anonymous?", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Press(Rita, "cp:f:anon:0");
        var preview = AllTo(await h.DrainAsync(), Rita);
        Assert.Contains("Please check your complaint", preview, StringComparison.Ordinal);
        Assert.Contains("C-?", preview, StringComparison.Ordinal);
        Assert.Contains("The bins at &lt;Block 3&gt; overflow", preview, StringComparison.Ordinal);
        Assert.Contains("9 photos", preview, StringComparison.Ordinal);
        Assert.Contains("Location: 31.23100, 121.47500", preview, StringComparison.Ordinal);
        Assert.Empty(await SetAsync(h, Sets.Complaints));

        await h.Press(Rita, "cp:f:ok");
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
        Assert.Equal(["cp:as:1", "cp:ext:1"], Buttons(adminCard.Markup));
        var handlerCard = Assert.Single(SentTo(filed, Hank));
        Assert.Contains("A complaint assigned to you", handlerCard.Html, StringComparison.Ordinal);
        Assert.Contains("Complaint C-0001</b> · environment and sanitation · North", handlerCard.Html, StringComparison.Ordinal);
        Assert.Contains("Respond by 03-02 16:00 · resolve by 03-04 16:00", handlerCard.Html, StringComparison.Ordinal);
        Assert.Equal(["cp:acc:1", "cp:ret:1"], Buttons(handlerCard.Markup));
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
        await h.Press(Rita, "cp:f:cat:Noise");
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
        await h.Press(Rita, "cp:f:pdone");
        await h.Text(Rita, "Block 3");
        Assert.Contains("Please send a location, or tap “No location”.", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        await h.Press(Rita, "cp:f:ok");
        Assert.Equal("This button is no longer valid.", Answer(await h.DrainAsync(), Rita)!.Text);
        Assert.Equal("Location", (await h.ConversationAsync(Rita.Id))!.Step);

        // Cancel: nothing filed; a later press of the wizard's buttons is told it expired.
        await h.Press(Rita, "cp:f:x");
        Assert.Contains("Cancelled; the complaint was not filed.", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("main", (await h.ConversationAsync(Rita.Id))!.Flow);
        await h.Press(Rita, "cp:f:ok");
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
        await h.Press(Hank, "cp:acc:1");
        await h.Command(Hank, "my");
        await h.Press(Admin, "cp:asg:1:22");
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
    public async Task Hazard_InEmergencyMode_TheMenuLabelFilesAnUrgentPublicSafetyComplaint_30MinutesToRespond_OnTheEmergencyLane()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await SetEmergencyAsync(h);

        await h.Text(Rita, "⚠️ Report a hazard");
        Assert.Contains("Report a hazard", AllTo(await h.DrainAsync(), Rita), StringComparison.Ordinal);
        Assert.Equal("Description", (await h.ConversationAsync(Rita.Id))!.Step);
        await h.Text(Rita, "A power line is down by the gate of Block 3");
        await h.Press(Rita, "cp:f:pdone");
        await h.Event(new LocationShared(Rita, Rita.Id, 9, CenterLat, CenterLon));
        // No anonymity question and no duplicate offer: straight to the preview.
        var preview = AllTo(await h.DrainAsync(), Rita);
        Assert.DoesNotContain("Anonymous?", preview, StringComparison.Ordinal);
        Assert.Contains("URGENT", preview, StringComparison.Ordinal);
        Assert.Equal("Confirm", (await h.ConversationAsync(Rita.Id))!.Step);
        await h.Press(Rita, "cp:f:ok");
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
        await h.Press(Hank, "cp:acc:1");
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
        await h.Press(Rosa, "cp:f:cat:Sanitation");
        await h.Text(Rosa, "Rubbish everywhere near Block 3");
        await h.Press(Rosa, "cp:f:pdone");
        await h.Press(Rosa, "cp:f:loc");
        await h.DrainAsync();
        await h.Press(Rosa, "cp:f:anon:0");
        var offer = await h.DrainAsync();
        Assert.Contains("Similar complaints in your grid", AllTo(offer, Rosa), StringComparison.Ordinal);
        Assert.Contains("<b>C-0001</b> The bins at Block 3 overflow", AllTo(offer, Rosa), StringComparison.Ordinal);
        Assert.Equal(["cp:f:join:1", "cp:f:new", "cp:f:x"], ButtonsTo(offer, Rosa));

        // A crafted join of a complaint that was not offered (another grid) changes nothing.
        await FileAsync(h, Ray);
        await h.DrainAsync();
        await h.Press(Rosa, "cp:f:join:2");
        var foreign = await h.DrainAsync();
        Assert.DoesNotContain(Rosa.Id, (await ComplaintAsync(h, 2)).Followers);
        Assert.Empty(await SetAsync(h, Sets.ComplaintsOf(Rosa.Id)));
        Assert.Equal("This button is no longer valid.", Answer(foreign, Rosa)!.Text);

        await h.Press(Rosa, "cp:f:join:1");
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
        await h.Press(Eve, "cp:f:cat:Sanitation");
        await h.Text(Eve, "Bins");
        await h.Press(Eve, "cp:f:pdone");
        await h.Press(Eve, "cp:f:loc");
        await h.Press(Eve, "cp:f:anon:0");
        Assert.Equal("Confirm", (await h.ConversationAsync(Eve.Id))!.Step);

        // Every update reaches the filer and the joiner; only the filer gets the feedback buttons.
        await h.Press(Hank, "cp:acc:1");
        var accepted = await h.DrainAsync();
        foreach (var who in new[] { Rita, Rosa })
        {
            Assert.Contains("Your complaint C-0001 was accepted", AllTo(accepted, who), StringComparison.Ordinal);
        }

        await h.Press(Hank, "cp:note:1");
        await h.Text(Hank, "The truck comes <tomorrow>");
        var progress = await h.DrainAsync();
        foreach (var who in new[] { Rita, Rosa })
        {
            Assert.Contains("Progress on complaint C-0001: The truck comes &lt;tomorrow&gt;", AllTo(progress, who), StringComparison.Ordinal);
        }

        await h.Press(Hank, "cp:res:1");
        await h.Text(Hank, "Bins emptied and cleaned");
        var resolved = await h.DrainAsync();
        foreach (var who in new[] { Rita, Rosa })
        {
            Assert.Contains("Complaint C-0001 is resolved: Bins emptied and cleaned", AllTo(resolved, who), StringComparison.Ordinal);
        }

        Assert.Equal(["cp:fb:1:s", "cp:fb:1:b", "cp:fb:1:d"], ButtonsTo(resolved, Rita));
        Assert.Empty(ButtonsTo(resolved, Rosa));

        // A joiner cannot rate it, and joining a closed complaint is refused.
        await h.Press(Rosa, "cp:fb:1:s");
        Assert.Equal("This is not your complaint.", Answer(await h.DrainAsync(), Rosa)!.Text);
        Assert.Null((await ComplaintAsync(h)).Feedback);
        await h.Press(Rita, "cp:fb:1:s");
        await h.DrainAsync();
        Assert.Equal(ComplaintStatus.Closed, (await ComplaintAsync(h)).Status);
        Assert.Empty(await SetAsync(h, Sets.OpenComplaints("g1", ComplaintCategory.Sanitation)));
    }
}