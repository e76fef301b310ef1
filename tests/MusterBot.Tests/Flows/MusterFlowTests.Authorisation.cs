using MusterBot.Flows.Musters;
using MusterBot.Flows.Profile;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #13: a convenor who leaves hands their region back (escalated at once); a stale order changes nothing.</summary>
public partial class MusterFlowTests
{
    [Fact]
    public async Task A_convenor_who_leaves_during_a_muster_escalates_their_region_and_their_old_order_changes_nothing()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h);
        await h.DrainAsync();

        await h.Press(Cora, ProfileButton.Codec.Encode(new ProfileButton.ConfirmLeave()));
        var sent = await h.DrainAsync();
        NoErrors(sent);
        Assert.Null(await h.ProfileAsync(Cora.Id));

        var r1 = (await MusterAsync(h)).Region("r1")!;
        Assert.Null(r1.ConvenorId);
        Assert.Equal(Bea.Id, r1.BackupConvenorId);
        Assert.NotNull(r1.MembersToldAt);
        Assert.NotNull(r1.EscalatedAt);
        Assert.Null((await GetAsync<Region>(h, DocKeys.Region("r1")))!.ConvenorId);

        // The members get the order directly, the backup takes over, the administrator is told; Cora gets nothing more.
        foreach (var member in new[] { Ann, Amy })
        {
            Assert.Contains("M-1", Assert.Single(SentTo(sent, member)).Html, StringComparison.Ordinal);
        }

        // The backup is called as a member too (one member's order) and gets the convenor's order to take over.
        var toBackup = SentTo(sent, Bea);
        Assert.Equal(2, toBackup.Count);
        var backup = Assert.Single(toBackup, t => t.Html.Contains("backup convenor", StringComparison.Ordinal));
        Assert.Contains("the convenor has left", backup.Html, StringComparison.Ordinal);
        Assert.Contains("Convenor Cora has left. The order went directly to 3 people of the region", backup.Html, StringComparison.Ordinal);
        Assert.Contains(new MusterButton.Acknowledge(1, "r1").Data, Buttons(backup.Markup));
        Assert.Contains(TextsTo(sent, Admin), t => t.Contains("M-1 · Port</b>: convenor Cora has left.", StringComparison.Ordinal));
        Assert.DoesNotContain(SentTo(sent, Cora), t => t.Html.Contains("M-1", StringComparison.Ordinal));
        Assert.DoesNotContain(SentTo(sent, Ben), t => t.Html.Contains("M-1", StringComparison.Ordinal));

        // The T1 escalation later finds nothing left to do.
        h.Clock.Advance(TimeSpan.FromMinutes(4));
        await h.FireDueTimersAsync();
        var later = await h.DrainAsync();
        Assert.DoesNotContain(SentTo(later, Bea), t => t.Html.Contains("has not acknowledged", StringComparison.Ordinal));
        Assert.DoesNotContain(SentTo(later, Ann), t => t.Html.Contains("M-1", StringComparison.Ordinal));

        // Cora's old order: refused politely, the region is unchanged.
        var before = RecordJson.Serialize((await MusterAsync(h)).Region("r1")!);
        foreach (var data in new[] { new MusterButton.Acknowledge(1, "r1").Data, new MusterButton.Relay(1, "r1").Data })
        {
            await h.Press(Cora, data);
            var stale = await h.DrainAsync();
            NoErrors(stale);
            Assert.NotNull(AnswerText(stale, Cora));
            Assert.Equal(before, RecordJson.Serialize((await MusterAsync(h)).Region("r1")!));
        }
    }

    [Fact]
    public async Task A_convenor_relieved_of_the_role_cannot_act_on_the_region_of_an_open_muster()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await LaunchAsync(h);
        await h.DrainAsync();
        var carl = (await h.ProfileAsync(Carl.Id))!;
        Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityAsync(new Commit
        {
            Writes = [new DocWrite(DocKeys.User(Carl.Id), RecordJson.Serialize(carl with { Roles = Roles.Member }), null)],
        }, Ct)).Status);

        var before = RecordJson.Serialize((await MusterAsync(h)).Region("r2")!);
        foreach (var data in new[] { new MusterButton.Acknowledge(1, "r2").Data, new MusterButton.Relay(1, "r2").Data })
        {
            await h.Press(Carl, data);
            var stale = await h.DrainAsync();
            NoErrors(stale);
            Assert.Equal("Sorry, only convenor can use this.", AnswerText(stale, Carl));
            Assert.Equal(before, RecordJson.Serialize((await MusterAsync(h)).Region("r2")!));
            Assert.DoesNotContain(stale, m => m.ChatId == Ben.Id);
        }
    }
}
