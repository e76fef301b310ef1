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
}
