using MusterBot.Flows.Complaints;
using MusterBot.Flows.Events;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #14 (complaints): supervision as a status, live cards, privacy of the duplicate offer, feedback to the handler, albums.</summary>
public partial class ComplaintFlowTests
{
    /// <summary>Resolved, dissatisfied, reopened, resolved again ("Washed the bins"), dissatisfied again: under supervision.</summary>
    private static async Task<int> SupervisedAsync(FlowHarness h)
    {
        var n = await ResolvedAsync(h, Rita, Hank);
        await h.Press(Rita, new ComplaintButton.Feedback(n, Satisfaction.Dissatisfied).Encode());
        await h.Press(Rita, new ComplaintButton.Reopen(n).Encode());
        await h.Text(Rita, "Still smells");
        await ResolveAsync(h, n, Hank, "Washed the bins");
        return n;
    }

    [Fact]
    public async Task Supervision_ASecondDissatisfaction_IsItsOwnStatus_WithTheReasonAndResultForTheAdministrators_AndTheFeedbackTimerLeavesItOpen()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await SupervisedAsync(h);
        var resolvedAt = h.Clock.GetUtcNow();

        await h.Press(Rita, new ComplaintButton.Feedback(n, Satisfaction.Dissatisfied).Encode());
        var pressed = await h.DrainAsync();
        NoErrors(pressed);
        var c = await ComplaintAsync(h, n);
        Assert.Equal("Supervised", c.Status.ToString());
        // The administrators' 督办 card carries the last result; the resident is asked what is still wrong.
        Assert.Contains("Washed the bins", AllTo(pressed, Admin), StringComparison.Ordinal);
        Assert.Contains("What is still wrong with C-0001?", AllTo(pressed, Rita), StringComparison.Ordinal);
        Assert.Contains("under supervision", AllTo(pressed, Hank), StringComparison.Ordinal);

        await h.Text(Rita, "The bins <still> smell");
        var reason = await h.DrainAsync();
        NoErrors(reason);
        Assert.Contains("The bins &lt;still&gt; smell", AllTo(reason, Admin), StringComparison.Ordinal);
        Assert.Contains("The bins &lt;still&gt; smell", AllTo(reason, Hank), StringComparison.Ordinal);
        Assert.Contains("passed on", AllTo(reason, Rita), StringComparison.Ordinal);

        // The resident's /my says so, not "waiting for your feedback"; no feedback buttons.
        await h.Command(Rita, "my");
        var my = await h.DrainAsync();
        Assert.Contains("<b>C-0001</b> under supervision", AllTo(my, Rita), StringComparison.Ordinal);
        Assert.DoesNotContain("waiting for your feedback", AllTo(my, Rita), StringComparison.Ordinal);
        Assert.Empty(ButtonsTo(my, Rita));

        // Its own deadline (3 days): a warning, then overdue, to the administrators; the feedback timer closes nothing.
        h.Clock.SetUtcNow(resolvedAt.AddDays(3) - TimeSpan.FromHours(14.4));
        await h.FireDueTimersAsync();
        Assert.Contains("under supervision and must be resolved by", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);
        h.Clock.SetUtcNow(resolvedAt.AddDays(3));
        await h.FireDueTimersAsync();
        Assert.Contains("was not resolved by its supervision deadline", AllTo(await h.DrainAsync(), Admin), StringComparison.Ordinal);
        h.Clock.SetUtcNow(resolvedAt.AddDays(8));
        await h.FireDueTimersAsync();
        NoErrors(await h.DrainAsync());
        c = await ComplaintAsync(h, n);
        Assert.Equal("Supervised", c.Status.ToString());
        Assert.True(c.IsOpen);
        Assert.Equal(["1"], await SetAsync(h, Sets.OpenComplaints("g1", ComplaintCategory.Sanitation)));
    }

    [Fact]
    public async Task Supervision_TheAdministratorReassigns_TheNewHandlerCanAcceptOrReturn_ResolvesIt_AndTheResidentRatesAgain()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await SupervisedAsync(h);
        await h.Press(Rita, new ComplaintButton.Feedback(n, Satisfaction.Dissatisfied).Encode());
        await h.DrainAsync();

        // Feedback is no longer asked for; the old handler may still report a new result, others may not.
        await h.Press(Rita, new ComplaintButton.Feedback(n, Satisfaction.Satisfied).Encode());
        Assert.Contains("is now “under supervision”", Answer(await h.DrainAsync(), Rita)!.Text, StringComparison.Ordinal);
        await h.Press(Hal, new ComplaintButton.Resolve(n).Encode());
        Assert.Equal("This complaint is not assigned to you.", Answer(await h.DrainAsync(), Hal)!.Text);

        await h.Press(Admin, new ComplaintButton.Assign(n, Hal.Id).Encode());
        var reassigned = await h.DrainAsync();
        NoErrors(reassigned);
        var halCard = Assert.Single(SentTo(reassigned, Hal));
        Assert.Contains("Please accept or return it.", halCard.Html, StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.Accept(n).Encode(), new ComplaintButton.GiveBack(n).Encode()], Buttons(halCard.Markup));
        Assert.Equal((ComplaintStatus.Assigned, (long?)Hal.Id), ((await ComplaintAsync(h, n)).Status, (await ComplaintAsync(h, n)).HandlerId));

        await h.Press(Hal, new ComplaintButton.Accept(n).Encode());
        await h.Press(Hal, new ComplaintButton.Resolve(n).Encode());
        await h.Text(Hal, "New bins, washed daily");
        var resolved = await h.DrainAsync();
        NoErrors(resolved);
        Assert.Contains("Complaint C-0001 is resolved: New bins, washed daily", AllTo(resolved, Rita), StringComparison.Ordinal);
        Assert.Contains(new ComplaintButton.Feedback(n, Satisfaction.Satisfied).Encode(), ButtonsTo(resolved, Rita));

        await h.Press(Rita, new ComplaintButton.Feedback(n, Satisfaction.Satisfied).Encode());
        var closed = await h.DrainAsync();
        Assert.Equal(ComplaintStatus.Closed, (await ComplaintAsync(h, n)).Status);
        Assert.Contains("The resident rated C-0001: 😊 Satisfied", AllTo(closed, Hal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Supervision_TheHandlerMayReportANewResult_AndAThirdDissatisfactionIsSupervisedAgain()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await SupervisedAsync(h);
        await h.Press(Rita, new ComplaintButton.Feedback(n, Satisfaction.Dissatisfied).Encode());
        await h.DrainAsync();

        await h.Press(Hank, new ComplaintButton.Resolve(n).Encode());
        await h.Text(Hank, "Bins replaced");
        var resolved = await h.DrainAsync();
        NoErrors(resolved);
        Assert.Equal(ComplaintStatus.Resolved, (await ComplaintAsync(h, n)).Status);
        Assert.Contains(new ComplaintButton.Feedback(n, Satisfaction.Dissatisfied).Encode(), ButtonsTo(resolved, Rita));
        await h.Press(Rita, new ComplaintButton.Feedback(n, Satisfaction.Dissatisfied).Encode());
        NoErrors(await h.DrainAsync());
        Assert.Equal("Supervised", (await ComplaintAsync(h, n)).Status.ToString());
    }

    [Fact]
    public async Task Cards_EveryCardSentAboutAComplaint_FollowsItsStatus_WithTheButtonsOfThatStatus()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await FileAsync(h, Rita);
        var filed = await h.DrainAsync();
        var adminCard = Assert.Single(filed, m => m.ChatId == Admin.Id && m.Action is SendText);
        var hankCard = Assert.Single(filed, m => m.ChatId == Hank.Id && m.Action is SendText);
        Assert.NotNull(adminCard.Tag);
        Assert.NotNull(hankCard.Tag);
        Assert.NotEqual(adminCard.Tag, hankCard.Tag);

        EditText EditOf(IEnumerable<OutboxMessage> outbox, OutboxMessage card) =>
            Assert.Single(outbox.Where(m => m.ChatId == card.ChatId).Select(m => m.Action).OfType<EditText>(), e => e.TargetTag == card.Tag);

        // Accepted: the administrator's card no longer says "waiting for the handler".
        await h.Press(Hank, new ComplaintButton.Accept(n).Encode());
        var accepted = await h.DrainAsync();
        var adminEdit = EditOf(accepted, adminCard);
        Assert.Contains("Status: in progress · handler: Hank", adminEdit.Html, StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.AssignList(n).Encode(), new ComplaintButton.ExtendChoices(n).Encode()], Buttons(adminEdit.Markup));
        var hankEdit = EditOf(accepted, hankCard);
        Assert.Contains("Status: in progress", hankEdit.Html, StringComparison.Ordinal);
        Assert.Equal([new ComplaintButton.Progress(n).Encode(), new ComplaintButton.Resolve(n).Encode()], Buttons(hankEdit.Markup));

        // Resolved: the handler's card loses its buttons; closed: the administrator's too.
        await ResolveAsync(h, n, Hank);
        await h.Press(Rita, new ComplaintButton.Feedback(n, Satisfaction.Satisfied).Encode());
        var closed = await h.DrainAsync();
        adminEdit = EditOf(closed, adminCard);
        Assert.Contains("Status: closed", adminEdit.Html, StringComparison.Ordinal);
        Assert.Empty(Buttons(adminEdit.Markup));
        hankEdit = EditOf(closed, hankCard);
        Assert.Contains("Status: closed", hankEdit.Html, StringComparison.Ordinal);
        Assert.Empty(Buttons(hankEdit.Markup));
        // The resident's own result message no longer offers the feedback buttons.
        Assert.Contains(closed, m => m.ChatId == Rita.Id && m.Action is EditText e && e.Html.Contains("Satisfied", StringComparison.Ordinal) && !Buttons(e.Markup).Any());
    }

    [Fact]
    public async Task Cards_AReassignedHandlersCard_AndAJoinersCard_FollowTheComplaint()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await FileAsync(h, Rita);
        var hankCard = Assert.Single(await h.DrainAsync(), m => m.ChatId == Hank.Id && m.Action is SendText);

        // Rosa joins: her confirmation shows the status, and follows it.
        await h.Command(Rosa, "complain");
        await h.Press(Rosa, new ComplaintButton.PickCategory(ComplaintCategory.Sanitation).Encode());
        await h.Text(Rosa, "Rubbish near Block 3");
        await h.Press(Rosa, new ComplaintButton.PhotosDone().Encode());
        await h.Press(Rosa, new ComplaintButton.NoLocation().Encode());
        await h.Press(Rosa, new ComplaintButton.ChooseAnonymous(false).Encode());
        await h.Press(Rosa, new ComplaintButton.JoinSimilar(n).Encode(), messageId: 77);
        Assert.Contains("You joined complaint C-0001", AllTo(await h.DrainAsync(), Rosa), StringComparison.Ordinal);

        await h.Press(Admin, new ComplaintButton.Assign(n, Hal.Id).Encode());
        var reassigned = await h.DrainAsync();
        var hankEdit = Assert.Single(reassigned.Where(m => m.ChatId == Hank.Id).Select(m => m.Action).OfType<EditText>(), e => e.TargetTag == hankCard.Tag);
        Assert.Contains("handler: Hal", hankEdit.Html, StringComparison.Ordinal);
        Assert.Empty(Buttons(hankEdit.Markup));
        var rosaEdit = Assert.Single(reassigned.Where(m => m.ChatId == Rosa.Id).Select(m => m.Action).OfType<EditText>());
        Assert.Equal(77, rosaEdit.MessageId);
        Assert.Contains("assigned, waiting for the handler", rosaEdit.Html, StringComparison.Ordinal);

        await h.Press(Hal, new ComplaintButton.Accept(n).Encode());
        var accepted = await h.DrainAsync();
        Assert.Contains(accepted, m => m.ChatId == Rosa.Id && m.Action is EditText { MessageId: 77 } e && e.Html.Contains("in progress", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Privacy_TheDuplicateOffer_ShowsNumberCategoryGridAndAge_NeverAnotherResidentsWords()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await FileAsync(h, Rita, text: "My neighbour Mr Wang in 301 dumps his bins", anonymous: true);
        await h.DrainAsync();
        h.Clock.Advance(TimeSpan.FromDays(3));

        await h.Command(Rosa, "complain");
        await h.Press(Rosa, new ComplaintButton.PickCategory(ComplaintCategory.Sanitation).Encode());
        await h.Text(Rosa, "Rubbish everywhere");
        await h.Press(Rosa, new ComplaintButton.PhotosDone().Encode());
        await h.Press(Rosa, new ComplaintButton.NoLocation().Encode());
        await h.DrainAsync();
        await h.Press(Rosa, new ComplaintButton.ChooseAnonymous(false).Encode());
        var offer = AllTo(await h.DrainAsync(), Rosa);
        Assert.Contains("<b>C-0001</b> · environment and sanitation · North · 3 days ago", offer, StringComparison.Ordinal);
        Assert.DoesNotContain("Wang", offer, StringComparison.Ordinal);
        Assert.DoesNotContain("bins", offer, StringComparison.Ordinal);
        Assert.DoesNotContain("Rita", offer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_TheHandlerIsToldEveryRating()
    {
        foreach (var (rating, text) in new[]
                 {
                     (Satisfaction.Satisfied, "The resident rated C-0001: 😊 Satisfied"),
                     (Satisfaction.BasicallySatisfied, "The resident rated C-0001: 🙂 Basically satisfied"),
                     (Satisfaction.Dissatisfied, "The resident rated C-0001: 😞 Dissatisfied"),
                 })
        {
            var h = NewHarness();
            await SeedAsync(h);
            var n = await ResolvedAsync(h, Rita, Hank);
            await h.Press(Rita, new ComplaintButton.Feedback(n, rating).Encode());
            Assert.Contains(text, AllTo(await h.DrainAsync(), Hank), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Albums_GetOneAcknowledgement_WhenFiling_AfterASinglePhoto_AndAsAResult()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await h.Command(Rita, "complain");
        await h.Press(Rita, new ComplaintButton.PickCategory(ComplaintCategory.Sanitation).Encode());
        await h.Text(Rita, "Bins");
        await h.DrainAsync();

        // A single photo, then an album of three: one acknowledgement each, not one per photo of the album.
        await h.Event(new PhotoReceived(Rita, Rita.Id, 10, "single", null));
        Assert.Single(TextsTo(await h.DrainAsync(), Rita));
        for (var i = 0; i < 3; i++)
        {
            await h.Event(new PhotoReceived(Rita, Rita.Id, 11 + i, "al-" + i, null) { MediaGroupId = "g1" });
        }

        var album = TextsTo(await h.DrainAsync(), Rita);
        Assert.Single(album);
        Assert.Equal("single,al-0,al-1,al-2", (await h.ConversationAsync(Rita.Id))!.Data["photos"]);
        await h.Press(Rita, new ComplaintButton.CancelFiling().Encode());
        await h.DrainAsync();

        // The handler sends an album as the result: resolved once, one reply, not an "unknown message" per photo.
        var n = await AcceptedAsync(h, Rosa, Hank);
        await h.Press(Hank, new ComplaintButton.Resolve(n).Encode());
        await h.DrainAsync();
        for (var i = 0; i < 3; i++)
        {
            await h.Event(new PhotoReceived(Hank, Hank.Id, 30 + i, "res-" + i, i == 0 ? "New bins" : null) { MediaGroupId = "g2" });
        }

        var result = await h.DrainAsync();
        NoErrors(result);
        Assert.Single(TextsTo(result, Hank), t => !t.StartsWith("[edit]", StringComparison.Ordinal));
        Assert.Equal(ComplaintStatus.Resolved, (await ComplaintAsync(h, n)).Status);
    }

    [Fact]
    public async Task Cards_InEmergencyMode_AreHeldWithTheirTags_AndSoAreTheirEdits()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await SetEmergencyAsync(h);
        var n = await FileAsync(h, Rita);
        await h.DrainAsync();
        var c = await ComplaintAsync(h, n);
        Assert.Equal(2, c.Cards.Count);
        var held = new List<HeldNotice>();
        foreach (var id in await SetAsync(h, Sets.HeldNotices))
        {
            held.Add((await GetAsync<HeldNotice>(h, DocKeys.HeldNotice(id)))!);
        }

        Assert.Equal(c.Cards.Select(card => card.Tag).Order(), held.Select(x => x.Tag).Order());
        Assert.All(held, x => Assert.False(x.Edit));

        await h.Press(Hank, new ComplaintButton.Accept(n).Encode());
        Assert.DoesNotContain(await h.DrainAsync(), m => m.Action is EditText);
        var edits = new List<HeldNotice>();
        foreach (var id in await SetAsync(h, Sets.HeldNotices))
        {
            if (await GetAsync<HeldNotice>(h, DocKeys.HeldNotice(id)) is { Edit: true } edit)
            {
                edits.Add(edit);
            }
        }

        Assert.Equal(c.Cards.Select(card => card.Tag).Order(), edits.Select(x => x.Tag).Order());
        Assert.All(edits, x => Assert.Contains("in progress", x.Html, StringComparison.Ordinal));
        // Back to normal mode: the cards go out with their tags, and their edits aimed at those tags.
        await h.Command(Admin, "mode");
        await h.Press(Admin, new MusterBot.Flows.Musters.MusterButton.AskNormal().Data);
        await h.Press(Admin, new MusterBot.Flows.Musters.MusterButton.ConfirmNormal().Data);
        var released = await h.DrainAsync();
        NoErrors(released);
        Assert.Empty(await SetAsync(h, Sets.HeldNotices));
        foreach (var card in c.Cards)
        {
            Assert.Contains(released, m => m.ChatId == card.ChatId && m.Tag == card.Tag && m.Action is SendText);
            Assert.Contains(released, m => m.ChatId == card.ChatId && m.Action is EditText { TargetTag: var tag } e && tag == card.Tag && e.Html.Contains("in progress", StringComparison.Ordinal));
        }
    }
}
