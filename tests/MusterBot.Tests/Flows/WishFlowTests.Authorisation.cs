using MusterBot.Flows.Profile;
using MusterBot.Flows.Wishes;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Wishes;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #13: a claimer who leaves hands the wish back; a stale card or a cross-grid assignment changes nothing.</summary>
public partial class WishFlowTests
{
    [Fact]
    public async Task A_member_who_leaves_releases_their_claimed_wish_and_their_old_card_changes_nothing()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await ClaimedWishAsync(h, Ann);

        await h.Press(Ann, ProfileButton.Codec.Encode(new ProfileButton.ConfirmLeave()));
        var sent = await h.DrainAsync();
        NoErrors(sent);
        Assert.Null(await h.ProfileAsync(Ann.Id));
        var wish = await WishAsync(h, n);
        Assert.Equal((WishStatus.Open, (long?)null), (wish.Status, wish.ClaimedBy));
        Assert.Equal(Ann.Id, Assert.Single(wish.Releases).MemberId);
        Assert.Equal([n.ToString(System.Globalization.CultureInfo.InvariantCulture)], await StatusSetAsync(h, WishStatus.Open));
        Assert.Contains("W-0001: Ann, who claimed it, has left. It was announced again.", AllTo(sent, Admin), StringComparison.Ordinal);
        Assert.Contains(new WishButton.Claim(n).Encode(), ButtonsTo(sent, Amy));
        Assert.DoesNotContain(new WishButton.Claim(n).Encode(), ButtonsTo(sent, Ann));

        // Ann's old claimer card: refused, the wish stays open.
        var before = RecordJson.Serialize(await WishAsync(h, n));
        foreach (var data in new[] { new WishButton.DoneWithoutNote(n).Encode(), new WishButton.MarkDone(n).Encode(), new WishButton.Release(n).Encode() })
        {
            await h.Press(Ann, data);
            var stale = await h.DrainAsync();
            NoErrors(stale);
            Assert.True(Answer(stale, Ann)!.ShowAlert);
            Assert.Equal(before, RecordJson.Serialize(await WishAsync(h, n)));
        }
    }

    [Fact]
    public async Task A_claimer_who_is_no_longer_a_member_cannot_finish_or_release_the_wish()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await ClaimedWishAsync(h, Ann);
        var ann = (await h.ProfileAsync(Ann.Id))!;
        Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityAsync(new Commit
        {
            Writes = [new DocWrite(DocKeys.User(Ann.Id), RecordJson.Serialize(ann with { Roles = Roles.Resident }), null)],
        }, Ct)).Status);

        var before = RecordJson.Serialize(await WishAsync(h, n));
        foreach (var data in new[] { new WishButton.DoneWithoutNote(n).Encode(), new WishButton.Release(n).Encode() })
        {
            await h.Press(Ann, data);
            var stale = await h.DrainAsync();
            NoErrors(stale);
            Assert.Equal("Sorry, you are no longer a member, so you cannot act on W-0001 any more. Please contact an administrator if this is a mistake.", Answer(stale, Ann)!.Text);
            Assert.Equal(before, RecordJson.Serialize(await WishAsync(h, n)));
        }
    }

    [Fact]
    public async Task A_grid_worker_cannot_assign_their_grids_wish_to_a_member_of_another_grid()
    {
        var h = NewHarness();
        await SeedAsync(h);
        var n = await OpenWishAsync(h);

        await h.Press(Hank, new WishButton.AssignList(n, 0).Encode());
        var list = await h.DrainAsync();
        Assert.DoesNotContain(new WishButton.Assign(n, Ben.Id).Encode(), ButtonsTo(list, Hank));
        Assert.DoesNotContain(new WishButton.Assign(n, Bob.Id).Encode(), ButtonsTo(list, Hank));

        var before = RecordJson.Serialize(await WishAsync(h, n));
        await h.Press(Hank, new WishButton.Assign(n, Ben.Id).Encode());
        var sent = await h.DrainAsync();
        NoErrors(sent);
        Assert.Equal("Sorry, Ben is not in the grid of W-0001, so it cannot be assigned to them.", Answer(sent, Hank)!.Text);
        Assert.Equal(before, RecordJson.Serialize(await WishAsync(h, n)));
        Assert.Empty(await SetAsync(h, Sets.WishesClaimedBy(Ben.Id)));
        Assert.Empty(SentTo(sent, Ben));
    }
}
