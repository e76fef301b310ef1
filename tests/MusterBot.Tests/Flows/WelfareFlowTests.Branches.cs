using System.Text;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Posts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #19 point 5: temporary party branches; the close's record, points, report and posts CSV; point 6's authorisation table for posts.</summary>
public partial class WelfareFlowTests
{
    [Fact]
    public async Task Branches_AreFormedForAPostAndForTheRest_FollowTheSeats_AndTheCloseRecordsThemWithPoints()
    {
        var h = await NewAsync(options: new MusterOptions { WelfareMaxPerMember = 2, PointsForDrills = true });
        await LaunchAsync(h);
        await Arrive(h, Ann);
        await Arrive(h, Amy);
        await Arrive(h, Ben);
        await DefinePostAsync(h, Admin, PostKind.Checkpoint, "East gate", 2);
        await h.Press(Ann, P(new PostButton.Join(1, 1)));
        await h.Press(Amy, P(new PostButton.Join(1, 1)));
        await h.Press(Admin, P(new PostButton.Leader(1, 1, Ann.Id)));
        await h.DrainAsync();

        // Convenors lead posts but only administrators form branches.
        await h.Press(Cora, P(new PostButton.Branches(1)));
        await h.Press(Cora, P(new PostButton.FormBranch(1, 1)));
        Assert.Equal(["Only administrators form temporary party branches.", "Only administrators form temporary party branches."], (await h.DrainAsync()).Select(m => m.Action).OfType<AnswerCallback>().Select(a => a.Text));

        await h.Press(Admin, P(new PostButton.List(1)));
        Assert.Contains(P(new PostButton.Branches(1)), ButtonData((await h.DrainAsync()).Single(m => m.Action is EditText)));
        await h.Press(Admin, P(new PostButton.Branches(1)));
        var list = (await h.DrainAsync()).Single(m => m.Action is EditText);
        Assert.Contains("🚩 <b>M-1 · temporary party branches</b>\nNo branch yet.", TextOf(list), StringComparison.Ordinal);
        Assert.Equal([P(new PostButton.FormBranch(1, 1)), P(new PostButton.FormBranch(1, 0)), P(new PostButton.List(1))], ButtonData(list));

        // For P-1: the secretary is chosen among those at the post; someone else is refused.
        await h.Press(Admin, P(new PostButton.FormBranch(1, 1)));
        var pick = (await h.DrainAsync()).Single(m => m.Action is EditText);
        Assert.Equal("🚩 Temporary party branch for P-1 🚧 checkpoint · East gate (2 members): who is its secretary?", TextOf(pick));
        await h.Press(Admin, P(new PostButton.Secretary(1, 1, Ben.Id)));
        Assert.Equal("That member is not here (any more).", Answer(await h.DrainAsync()));
        await h.Press(Admin, P(new PostButton.Secretary(1, 1, Ann.Id)));
        var formed = await h.DrainAsync();
        Assert.Contains(formed, m => m.Action is AnswerCallback { Text: "Branch B-1 formed: 2 members told." });
        Assert.Contains(To(formed, Ann), m => TextOf(m).EndsWith("🚩 M-1: temporary party branch B-1 (P-1 🚧 checkpoint · East gate) is formed. You are its secretary. Members: 2.", StringComparison.Ordinal));
        Assert.Contains(To(formed, Amy), m => TextOf(m).EndsWith("🚩 M-1: you are in temporary party branch B-1 (P-1 🚧 checkpoint · East gate). Secretary: Ann. Members: 2.", StringComparison.Ordinal));
        Assert.Contains(formed, m => m.ChatId == Admin.Id && TextOf(m).Contains("B-1 · P-1 🚧 checkpoint · East gate: secretary Ann, 2 members", StringComparison.Ordinal));
        Assert.Equal(1, (await PostAsync(h, 1))!.Branch);

        // A second "form" for P-1 (a double press) is refused; nothing changes.
        await h.Press(Admin, P(new PostButton.Secretary(1, 1, Amy.Id)));
        Assert.Equal("P-1 already has branch B-1.", Answer(await h.DrainAsync()));
        Assert.Equal(["1"], await h.CommunitySetAsync(Sets.Branches(1)));

        // Amy leaves the post and so the branch; Ben takes her place and joins it (and is told).
        await h.Press(Amy, P(new PostButton.Leave(1, 1)));
        await h.DrainAsync();
        Assert.Null(await h.CommunityDocAsync<BranchSeat>(DocKeys.BranchSeat(1, Amy.Id)));
        await h.Press(Ben, P(new PostButton.Join(1, 1)));
        Assert.Contains(To(await h.DrainAsync(), Ben), m => TextOf(m).EndsWith("🚩 M-1: you are in temporary party branch B-1 (P-1 🚧 checkpoint · East gate). Secretary: Ann. Members: 2.", StringComparison.Ordinal));
        Assert.Equal([Ann.Id, Ben.Id], (await h.CommunityDocAsync<TempBranch>(DocKeys.Branch(1, 1)))!.Members);

        // Members see their branch; Amy is in none.
        await h.Press(Ben, P(new PostButton.MyBranch(1)));
        Assert.Contains(To(await h.DrainAsync(), Ben), m => TextOf(m).EndsWith("🚩 <b>B-1</b> temporary party branch · P-1 🚧 checkpoint · East gate\nSecretary: Ann · members: 2\n• Ann (secretary)\n• Ben", StringComparison.Ordinal));
        await h.Press(Amy, P(new PostButton.MyBranch(1)));
        Assert.Equal("You are not in a temporary party branch in this muster.", Answer(await h.DrainAsync()));

        // /my shows a member where they stand, with the buttons to open their post and branch.
        await h.Command(Ben, "my");
        var mine = To(await h.DrainAsync(), Ben).Single(m => TextOf(m).StartsWith("M-1 📌", StringComparison.Ordinal));
        Assert.Equal("M-1 📌 P-1 🚧 checkpoint · East gate · 🚩 B-1", TextOf(mine));
        Assert.Equal([P(new PostButton.View(1, 1)), P(new PostButton.MyBranch(1))], ButtonData(mine));

        // A branch for the arrived members in none: Amy, its secretary.
        await h.Press(Admin, P(new PostButton.FormBranch(1, 0)));
        Assert.Equal([P(new PostButton.Secretary(1, 0, Amy.Id)), P(new PostButton.Branches(1))], ButtonData((await h.DrainAsync()).Single(m => m.Action is EditText)));
        await h.Press(Admin, P(new PostButton.Secretary(1, 0, Amy.Id)));
        await h.DrainAsync();
        var rest = (await h.CommunityDocAsync<TempBranch>(DocKeys.Branch(1, 2)))!;
        Assert.Equal((Amy.Id, (int?)null, Admin.Id), (rest.SecretaryId, rest.Post, rest.FormedBy));
        Assert.Equal([Amy.Id], rest.Members);
        await h.Press(Admin, P(new PostButton.FormBranch(1, 0)));
        Assert.Equal("Nobody to form a branch with yet.", Answer(await h.DrainAsync()));

        // The close: each service in the emergency record, points for the post and for a secretary, the report and the CSV.
        await h.Press(Admin, new MusterButton.ConfirmClose(1).Data);
        var closed = await h.DrainAsync();
        Assert.Equal(new PostService { Post = "P-1", Kind = PostKind.Checkpoint, Place = "East gate", Leader = true, Branch = "B-1", Secretary = true }, (await h.CommunityDocAsync<MusterAnswer>(DocKeys.MusterAnswer(1, Ann.Id)))!.Service);
        Assert.Equal(new PostService { Branch = "B-2", Secretary = true }, (await h.CommunityDocAsync<MusterAnswer>(DocKeys.MusterAnswer(1, Amy.Id)))!.Service);
        Assert.Equal(new PostService { Post = "P-1", Kind = PostKind.Checkpoint, Place = "East gate", Branch = "B-1" }, (await h.CommunityDocAsync<MusterAnswer>(DocKeys.MusterAnswer(1, Ben.Id)))!.Service);
        Assert.Equal(5, (await h.CommunityDocAsync<PointsEntry>(DocKeys.Points(Ann.Id, "M-1:post")))!.Points);
        Assert.Equal(5, (await h.CommunityDocAsync<PointsEntry>(DocKeys.Points(Ann.Id, "M-1:branch")))!.Points);
        Assert.Null(await h.CommunityDocAsync<PointsEntry>(DocKeys.Points(Ben.Id, "M-1:branch")));
        Assert.Null(await h.CommunityDocAsync<PointsEntry>(DocKeys.Points(Amy.Id, "M-1:post")));
        Assert.Contains(To(closed, Ann), m => TextOf(m).EndsWith("Your record: 📍 arrived\n📌 P-1 🚧 checkpoint · East gate 👑 · 🚩 B-1 (secretary)\nPoints +20", StringComparison.Ordinal));

        Assert.Contains(To(closed, Amy), m => TextOf(m).EndsWith("Your record: 📍 arrived\n🚩 B-2 (secretary)\nPoints +15", StringComparison.Ordinal));
        var report = To(closed, Admin).Single(m => TextOf(m).StartsWith("📌 <b>M-1 · posts</b>", StringComparison.Ordinal));
        Assert.Equal("📌 <b>M-1 · posts</b>\nP-1 🚧 checkpoint · East gate: 2/2 · leader Ann\n🚩 B-1 (P-1): secretary Ann, 2 members\n🚩 B-2 (the whole muster): secretary Amy, 1 members", TextOf(report));
        var csv = To(closed, Admin).Select(m => m.Action).OfType<SendDocument>().Single(d => d.FileName == "M-1-posts.csv");
        Assert.Equal(
            "post,kind,place,shift,shift_from,shift_to,member,phone,leader,since,branch,branch_role\r\n"
            + "P-1,🚧 checkpoint,East gate,,,,Ann,+8613800000100,yes,2025-03-01 16:00,B-1,secretary\r\n"
            + "P-1,🚧 checkpoint,East gate,,,,Ben,+8613800000200,,2025-03-01 16:00,B-1,member\r\n"
            + ",,,,,,Amy,,,,B-2,secretary\r\n",
            Encoding.UTF8.GetString(csv.Content.AsSpan(3)));

        // After the close a branch press is answered "closed".
        await h.Press(Ben, P(new PostButton.MyBranch(1)));
        Assert.Equal("Muster M-1 is closed.", Answer(await h.DrainAsync()));
    }

    /// <summary>
    /// Point 6: every post button against the people who may not use it — a resident, a member not arrived, an arrived
    /// member (not the post leader), a convenor for administrator-only buttons — and the same press by someone allowed.
    /// </summary>
    [Fact]
    public async Task Posts_AuthorisationTable()
    {
        var h = await NewAsync();
        await LaunchAsync(h);
        await Arrive(h, Ann);
        await Arrive(h, Ben);
        await DefinePostAsync(h, Admin, PostKind.Checkpoint, "East gate", 2, shifts: 2, hours: 4);
        await h.Press(Ann, P(new PostButton.JoinShift(1, 1, 1)));
        await h.DrainAsync();

        const string StaffOnly = "Sorry, only the muster's convenors and administrators can do this.";
        const string ArrivedOnly = "Posts are for members who have arrived (and for the muster's convenors and administrators).";
        const string AdminOnly = "Only administrators form temporary party branches.";
        const string LeaderOnly = "Only the post leader (or the muster's convenors and administrators) can ask for more people.";
        var staffButtons = new PostButton[]
        {
            new PostButton.Create(1), new PostButton.Kind(1, PostKind.Patrol), new PostButton.PickLeader(1, 1), new PostButton.Leader(1, 1, Ann.Id), new PostButton.Remove(1, 1),
            new PostButton.RemoveYes(1, 1), new PostButton.Skills(1, 1), new PostButton.ToggleSkill(1, 1, Skill.Medical), new PostButton.Fill(1), new PostButton.Assign(1, 1),
            new PostButton.AssignTo(1, 1, Ben.Id), new PostButton.Branches(1), new PostButton.FormBranch(1, 1), new PostButton.Secretary(1, 1, Ann.Id),
        };
        var rows = new List<(Sender Who, string Data, string Expected)>();
        foreach (var who in new[] { Rita, Amy, Ann })
        {
            rows.AddRange(staffButtons.Select(b => (who, P(b), StaffOnly)));
            rows.Add((who, new MusterButton.FollowUp(1, 1, 2).Data, LeaderOnly));
            rows.Add((who, P(new PostButton.More(1, 1)), LeaderOnly));

            // A step of someone else's "new post" conversation: stale for anyone not in it.
            rows.Add((who, P(new PostButton.Rota(1, 2, 4)), "This button is no longer valid."));
            rows.Add((who, P(new PostButton.NoLocation(1)), "This button is no longer valid."));
        }

        foreach (var who in new[] { Rita, Amy })
        {
            rows.AddRange(new PostButton[] { new PostButton.List(1), new PostButton.OpenList(1), new PostButton.View(1, 1), new PostButton.Join(1, 1), new PostButton.JoinShift(1, 1, 2) }.Select(b => (who, P(b), ArrivedOnly)));
            rows.Add((who, P(new PostButton.Handover(1, 1, 1)), "Only the shift on duty, the post leader or the staff can confirm the handover."));
        }

        rows.AddRange(new PostButton[] { new PostButton.Branches(1), new PostButton.FormBranch(1, 1), new PostButton.Secretary(1, 1, Ann.Id) }.Select(b => (Cora, P(b), AdminOnly)));
        foreach (var (who, data, expected) in rows)
        {
            await h.Press(who, data);
            var sent = await h.DrainAsync();
            Assert.True(expected == Answer(sent), $"{who.FirstName} pressing {data}: expected \"{expected}\", got \"{Answer(sent)}\"");
            Assert.DoesNotContain(sent, m => m.Action is SendText or EditText);
        }

        // Nothing changed: one post, Ann alone on it, no leader, no branch, no follow-up muster.
        var post = (await PostAsync(h, 1))!;
        Assert.Equal((null, null, 0, 0), (post.LeaderId, post.Branch, post.FollowUps.Count, post.Skills.Count));
        Assert.Equal(["100"], await h.CommunitySetAsync(Sets.PostMembers(1, 1)));
        Assert.Null(await h.CommunityDocAsync<Muster>(DocKeys.Muster(2)));
        Assert.Empty(await h.CommunitySetAsync(Sets.Branches(1)));

        // The same presses by the people allowed: a convenor defines and leads, an administrator forms a branch, the leader asks for more.
        foreach (var (who, data) in new[] { (Cora, P(new PostButton.PickLeader(1, 1))), (Cora, P(new PostButton.Skills(1, 1))), (Carl, P(new PostButton.Assign(1, 1))), (Admin, P(new PostButton.Branches(1))), (Ben, P(new PostButton.View(1, 1))) })
        {
            await h.Press(who, data);
            Assert.Contains(await h.DrainAsync(), m => m.ChatId == who.Id && m.Action is EditText);
        }

        await h.Press(Cora, P(new PostButton.Leader(1, 1, Ann.Id)));
        await h.DrainAsync();
        await h.Press(Ann, P(new PostButton.More(1, 1)));
        Assert.Contains(await h.DrainAsync(), m => m.ChatId == Ann.Id && TextOf(m).StartsWith("📣 P-1 · East gate: how many more people?", StringComparison.Ordinal));
    }

    /// <summary>Odd input in the steps of a new post: a photo, text where a button or pin is asked, a pin where a place is asked, a restart.</summary>
    [Fact]
    public async Task NewPostSteps_AnswerOddInputPolitely_AndKeepTheirPlace()
    {
        var h = await NewAsync();
        await LaunchAsync(h);
        await h.Press(Admin, P(new PostButton.Create(1)));
        await h.Press(Admin, P(new PostButton.Kind(1, PostKind.Shelter)));
        await h.DrainAsync();

        // A pin or a photo while the place is asked: the place is asked again.
        await h.Event(new LocationShared(Admin, Admin.Id, 60, 30, 121));
        await h.Event(new PhotoReceived(Admin, Admin.Id, 61, "ph", null));
        Assert.All(await h.DrainTextsAsync(), t => Assert.StartsWith("Where is it?", t, StringComparison.Ordinal));
        await h.Text(Admin, "Gym");
        await h.Text(Admin, "Gym again");
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("buttons", StringComparison.OrdinalIgnoreCase));
        await h.Press(Admin, P(new PostButton.Needed(1, 3)));

        // Text where the rota is asked: the buttons hint; a rota not offered is stale.
        await h.Text(Admin, "8 hours");
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("buttons", StringComparison.OrdinalIgnoreCase));
        await h.Press(Admin, P(new PostButton.Rota(1, 5, 1)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "This button is no longer valid." });
        Assert.Empty(await h.CommunitySetAsync(Sets.Posts(1)));

        // Again, to the pin: text or a photo asks for the pin again; the pin creates the post with it.
        await h.Press(Admin, P(new PostButton.Create(1)));
        await h.Press(Admin, P(new PostButton.Kind(1, PostKind.Shelter)));
        await h.Text(Admin, "Gym");
        await h.Press(Admin, P(new PostButton.Needed(1, 3)));
        await h.Press(Admin, P(new PostButton.Rota(1, 2, 12)));
        await h.DrainAsync();
        await h.Text(Admin, "next to the school");
        await h.Event(new PhotoReceived(Admin, Admin.Id, 62, "ph", null));
        Assert.All((await h.DrainTextsAsync()).Where(t => !t.StartsWith("[answer]", StringComparison.Ordinal)), t => Assert.StartsWith("📎 Send the post's location", t, StringComparison.Ordinal));
        await h.Event(new LocationShared(Admin, Admin.Id, 63, 30.5, 121.5));
        Assert.Contains(await h.DrainTextsAsync(), t => t.StartsWith("✅ P-1 🏫 shelter · Gym: 3 needed.", StringComparison.Ordinal));
        var post = (await PostAsync(h, 1))!;
        Assert.Equal((2, 12, 30.5, 121.5), (post.Shifts, post.ShiftHours, post.Latitude!.Value, post.Longitude!.Value));

        // A second "skip" on the finished conversation, and /cancel mid-way, change nothing.
        await h.Press(Admin, P(new PostButton.NoLocation(1)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "This button is no longer valid." });
        await h.Press(Admin, P(new PostButton.Create(1)));
        await h.Press(Admin, P(new PostButton.Kind(1, PostKind.Patrol)));
        await h.Command(Admin, "cancel");
        await h.Text(Admin, "River");
        await h.DrainAsync();
        Assert.Equal(["1"], await h.CommunitySetAsync(Sets.Posts(1)));
    }
}
