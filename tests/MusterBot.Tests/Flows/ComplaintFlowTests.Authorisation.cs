using MusterBot.Flows.Complaints;
using MusterBot.Flows.Profile;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #13: a grid worker who leaves hands their complaints back; a stale card or a foreign join changes nothing.</summary>
public partial class ComplaintFlowTests
{
    private static string Leave() => ProfileButton.Codec.Encode(new ProfileButton.ConfirmLeave());

    [Fact]
    public async Task A_grid_worker_who_leaves_hands_their_complaints_back_and_the_administrators_are_told()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var accepted = await AcceptedAsync(h, Rita, Hank);
        var assigned = await FileAsync(h, Rosa, ComplaintCategory.Noise);
        await h.DrainAsync();
        Assert.Equal(Hank.Id, (await ComplaintAsync(h, assigned)).HandlerId);

        await h.Press(Hank, Leave());
        var sent = await h.DrainAsync();
        NoErrors(sent);

        foreach (var n in new[] { accepted, assigned })
        {
            var c = await ComplaintAsync(h, n);
            Assert.Null(c.HandlerId);
            Assert.Equal(ComplaintStatus.Unassigned, c.Status);
            Assert.Equal("handler left", c.History[^1].What);
        }

        Assert.Empty(await SetAsync(h, Sets.ComplaintsHandledBy(Hank.Id)));
        var told = AllTo(sent, Admin);
        Assert.Contains("Hank, the grid worker handling C-0001, has left. C-0001 is unassigned again: please assign it.", told, StringComparison.Ordinal);
        Assert.Contains("C-0002 is unassigned again", told, StringComparison.Ordinal);
        Assert.Null(await h.ProfileAsync(Hank.Id));

        // The old card pressed afterwards (Hank writes to the bot again, as a visitor): refused, nothing changes.
        var before = Json(await ComplaintAsync(h, accepted));
        await h.Press(Hank, new ComplaintButton.Resolve(accepted).Encode());
        var stale = await h.DrainAsync();
        NoErrors(stale);
        Assert.True(Answer(stale, Hank)!.ShowAlert);
        Assert.Equal(before, Json(await ComplaintAsync(h, accepted)));
        Assert.NotEqual("Result", (await h.ConversationAsync(Hank.Id))?.Step);
    }

    [Fact]
    public async Task A_handler_who_is_no_longer_a_grid_worker_cannot_act_on_a_complaint_still_assigned_to_them()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await AcceptedAsync(h, Rita, Hank);

        // The role is taken away, the assignment stays (a stale card in Hank's chat).
        var hank = (await h.ProfileAsync(Hank.Id))!;
        Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityAsync(new Commit
        {
            Writes = [new DocWrite(DocKeys.User(Hank.Id), RecordJson.Serialize(hank with { Roles = Roles.Resident }), null)],
        }, Ct)).Status);

        var before = Json(await ComplaintAsync(h, n));
        foreach (var data in new[] { new ComplaintButton.Resolve(n).Encode(), new ComplaintButton.Progress(n).Encode(), new ComplaintButton.GiveBack(n).Encode() })
        {
            await h.Press(Hank, data);
            var sent = await h.DrainAsync();
            NoErrors(sent);
            Assert.True(Answer(sent, Hank)!.ShowAlert);
            Assert.Equal(before, Json(await ComplaintAsync(h, n)));
            Assert.NotEqual(ComplaintFlow.FlowName, (await h.ConversationAsync(Hank.Id))?.Flow);
        }
    }

    [Fact]
    public async Task A_resident_who_moved_grid_cannot_join_a_complaint_of_their_old_grid()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await FileAsync(h, Rita);

        // Rosa (g1) is offered C-0001 ...
        await h.Command(Rosa, "complain");
        await h.Press(Rosa, new ComplaintButton.PickCategory(ComplaintCategory.Sanitation).Encode());
        await h.Text(Rosa, "Rubbish everywhere near Block 3");
        await h.Press(Rosa, new ComplaintButton.PhotosDone().Encode());
        await h.Press(Rosa, new ComplaintButton.NoLocation().Encode());
        await h.Press(Rosa, new ComplaintButton.ChooseAnonymous(false).Encode());
        Assert.Equal("Similar", (await h.ConversationAsync(Rosa.Id))!.Step);
        await h.DrainAsync();

        // ... then moves to g2 before pressing "join".
        var rosa = (await h.ProfileAsync(Rosa.Id))!;
        Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityAsync(new Commit
        {
            Writes = [new DocWrite(DocKeys.User(Rosa.Id), RecordJson.Serialize(rosa with { GridId = "g2", BuildingId = null }), null)],
        }, Ct)).Status);
        var before = Json(await ComplaintAsync(h, n));
        await h.Press(Rosa, new ComplaintButton.JoinSimilar(n).Encode());
        var sent = await h.DrainAsync();
        NoErrors(sent);
        Assert.Equal("Sorry, C-0001 is not in your grid now, so you cannot join it. Please file a new complaint if you need to.", Answer(sent, Rosa)!.Text);
        Assert.Equal(before, Json(await ComplaintAsync(h, n)));
        Assert.Empty(await SetAsync(h, Sets.ComplaintsOf(Rosa.Id)));
    }
}
