using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Posts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #19 point 4, first part: front-line posts of a muster (the same community as the welfare check's tests).</summary>
public partial class WelfareFlowTests
{
    private static string P(PostButton button) => PostButton.Codec.Encode(button);

    private static async Task<MusterPost?> PostAsync(FlowHarness h, int number) => await h.CommunityDocAsync<MusterPost>(DocKeys.Post(1, number));

    /// <summary>The administrator defines a post by buttons and one typed place (a rota of <paramref name="shifts"/> × <paramref name="hours"/>, and a pin or none).</summary>
    private static async Task DefinePostAsync(FlowHarness h, Sender who, PostKind kind, string place, int needed, int shifts = 1, int hours = 0, (double Lat, double Lon)? pin = null)
    {
        await h.Press(who, P(new PostButton.Create(1)));
        await h.Press(who, P(new PostButton.Kind(1, kind)));
        await h.Text(who, place);
        await h.Press(who, P(new PostButton.Needed(1, needed)));
        await h.Press(who, P(new PostButton.Rota(1, shifts, hours)));
        if (pin is { } at)
        {
            await h.Event(new LocationShared(who, who.Id, 77, at.Lat, at.Lon));
        }
        else
        {
            await h.Press(who, P(new PostButton.NoLocation(1)));
        }
    }

    [Fact]
    public async Task Posts_AreDefined_ArrivedMembersTakePlaces_ALeaderIsNamed_AndEachPostHasItsRollCall()
    {
        var h = await NewAsync();
        var launched = await LaunchAsync(h);
        Assert.Contains(launched.Where(m => m.ChatId == Admin.Id).SelectMany(ButtonData), d => d == P(new PostButton.OpenList(1)));
        await Arrive(h, Ann);
        await Arrive(h, Ben);
        await h.DrainAsync();

        await DefinePostAsync(h, Admin, PostKind.Checkpoint, "East gate", 2);
        var sent = await h.DrainAsync();
        Assert.Contains(sent, m => m.ChatId == Admin.Id && TextOf(m) == "✅ P-1 🚧 checkpoint · East gate: 2 needed. Arrived members are told and can take a place.");
        var toAnn = sent.Single(m => m.ChatId == Ann.Id);
        Assert.Contains("📌 M-1: new post P-1 🚧 checkpoint · East gate, 2 needed.", TextOf(toAnn), StringComparison.Ordinal);
        Assert.Equal([P(new PostButton.Join(1, 1))], ButtonData(toAnn));
        Assert.DoesNotContain(sent, m => m.ChatId == Amy.Id);
        Assert.True((await h.CommunityDocAsync<Muster>(DocKeys.Muster(1)))!.HasPosts);

        await h.Press(Ann, P(new PostButton.Join(1, 1)));
        await h.Press(Ben, P(new PostButton.Join(1, 1)));
        Assert.Equal(["100", "200"], (await h.CommunitySetAsync(Sets.PostMembers(1, 1))).Order());

        // Amy arrives: she is shown the posts; P-1 is full.
        await h.DrainAsync();
        await Arrive(h, Amy);
        Assert.Contains((await h.DrainAsync()).Where(m => m.ChatId == Amy.Id), m => TextOf(m).Contains("📌 M-1 has front-line posts. Please take a place at one.", StringComparison.Ordinal));
        await h.Press(Amy, P(new PostButton.Join(1, 1)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "P-1 is full.", ShowAlert: true });

        // The convenor names Ann the post leader; she is told; the post's roll call shows it.
        await h.Press(Cora, P(new PostButton.Leader(1, 1, Ann.Id)));
        var led = await h.DrainAsync();
        Assert.Contains(led, m => m.ChatId == Ann.Id && TextOf(m).Contains("👑 M-1: you lead post P-1 🚧 checkpoint · East gate.", StringComparison.Ordinal));
        Assert.Contains(led, m => m.ChatId == Cora.Id && TextOf(m).Contains("📌 <b>P-1</b> 🚧 checkpoint · East gate\nStaffed 2/2 · leader: Ann\n• Ann 👑 <code>+8613800000100</code>\n• Ben", StringComparison.Ordinal));
        Assert.Equal(Ann.Id, (await PostAsync(h, 1))!.LeaderId);

        // A second post; Ann moves there (one post at a time) and P-1 loses its leader with her.
        await DefinePostAsync(h, Admin, PostKind.Shelter, "School gym", 3);
        await h.Press(Ann, P(new PostButton.Join(1, 2)));
        Assert.Equal(["200"], await h.CommunitySetAsync(Sets.PostMembers(1, 1)));
        Assert.Equal(["100"], await h.CommunitySetAsync(Sets.PostMembers(1, 2)));
        Assert.Null((await PostAsync(h, 1))!.LeaderId);
        await h.Press(Ann, P(new PostButton.Leave(1, 2)));
        Assert.Empty(await h.CommunitySetAsync(Sets.PostMembers(1, 2)));
        Assert.Null(await h.CommunityDocAsync<PostSeat>(DocKeys.PostSeat(1, Ann.Id)));

        // The list: staffed / needed per post.
        await h.DrainAsync();
        await h.Press(Admin, P(new PostButton.List(1)));
        Assert.Contains("P-1 🚧 checkpoint · East gate: 1/2\nP-2 🏫 shelter · School gym: 0/3", TextOf((await h.DrainAsync()).Single(m => m.Action is EditText)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APostRemovedWithMembersOnIt_TellsThem_AndOddPressesAreRefused()
    {
        var h = await NewAsync();
        await LaunchAsync(h);
        await Arrive(h, Ann);
        await DefinePostAsync(h, Admin, PostKind.Patrol, "River bank", 2);
        await h.Press(Ann, P(new PostButton.Join(1, 1)));
        await h.DrainAsync();

        foreach (var (who, data, expected) in new[]
        {
            (Amy, P(new PostButton.OpenList(1)), "Posts are for members who have arrived (and for the muster's convenors and administrators)."),
            (Rita, P(new PostButton.Join(1, 1)), "Posts are for members who have arrived (and for the muster's convenors and administrators)."),
            (Ann, P(new PostButton.Create(1)), "Sorry, only the muster's convenors and administrators can do this."),
            (Ann, P(new PostButton.RemoveYes(1, 1)), "Sorry, only the muster's convenors and administrators can do this."),
            (Admin, P(new PostButton.Leader(1, 1, Ben.Id)), "That member is not at this post (any more)."),
            (Ann, P(new PostButton.Join(1, 9)), "This post no longer exists."),
            (Ann, P(new PostButton.Join(1, 1)), "You are already at P-1."),
            (Ann, P(new PostButton.Leave(1, 2)), "You are not at this post."),
            (Admin, P(new PostButton.Needed(1, 2)), "This button is no longer valid."),
        })
        {
            await h.Press(who, data);
            Assert.Equal(expected, (await h.DrainAsync()).Select(m => m.Action).OfType<AnswerCallback>().Single().Text);
        }

        // A place too long is asked again; a forged count is stale.
        await h.Press(Admin, P(new PostButton.Create(1)));
        await h.Press(Admin, P(new PostButton.Kind(1, PostKind.Other)));
        await h.Text(Admin, new string('x', 41));
        Assert.Contains(await h.DrainTextsAsync(), t => t.StartsWith("Where is it?", StringComparison.Ordinal));
        await h.Text(Admin, "Hall");
        await h.Press(Admin, P(new PostButton.Needed(1, 99)));
        Assert.Single(await h.CommunitySetAsync(Sets.Posts(1)));
        await h.Command(Admin, "cancel");
        await h.DrainAsync();

        // Removing the post: Ann is told and shown the posts; her seat goes; a second press finds nothing.
        await h.Press(Admin, P(new PostButton.Remove(1, 1)));
        Assert.Contains(await h.DrainAsync(), m => TextOf(m).Contains("Remove P-1 (River bank)? 1 members are there", StringComparison.Ordinal));
        await h.Press(Admin, P(new PostButton.RemoveYes(1, 1)));
        var removed = await h.DrainAsync();
        Assert.Contains(removed, m => m.ChatId == Ann.Id && TextOf(m).Contains("📌 M-1: post P-1 (River bank) was removed. Please take a place at another post.", StringComparison.Ordinal));
        Assert.Null(await PostAsync(h, 1));
        Assert.Null(await h.CommunityDocAsync<PostSeat>(DocKeys.PostSeat(1, Ann.Id)));
        Assert.Empty(await h.CommunitySetAsync(Sets.PostMembers(1, 1)));
        await h.Press(Admin, P(new PostButton.RemoveYes(1, 1)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "This post no longer exists." });

        // After the close nothing about posts is taken.
        await h.Press(Admin, new MusterButton.ConfirmClose(1).Data);
        await h.DrainAsync();
        await h.Press(Ann, P(new PostButton.OpenList(1)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "Muster M-1 is closed.", ShowAlert: true });
    }

    [Fact]
    public async Task FillingThePosts_GivesSkilledMembersThePostsAskingForThem_ThenTheRest_UntilThePlacesRunOut()
    {
        var h = await NewAsync();
        var amy = (await h.ProfileAsync(Amy.Id))!;
        await h.Store.SeedCommunityAsync(new MusterBot.State.Commits.Commit { Writes = [new MusterBot.State.Commits.DocWrite(DocKeys.User(Amy.Id), RecordJson.Serialize(amy with { Skills = [Skill.Medical] }), null)] }, Ct);
        await LaunchAsync(h);
        await Arrive(h, Ann);
        await Arrive(h, Ben);
        await Arrive(h, Amy);
        await DefinePostAsync(h, Admin, PostKind.Checkpoint, "East gate", 1);
        await DefinePostAsync(h, Admin, PostKind.Medical, "Clinic", 1);
        await h.Press(Admin, P(new PostButton.ToggleSkill(1, 2, Skill.Medical)));
        Assert.Equal([Skill.Medical], (await PostAsync(h, 2))!.Skills);
        await h.DrainAsync();

        await h.Press(Ann, P(new PostButton.Fill(1)));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "Sorry, only the muster's convenors and administrators can do this." });

        await h.Press(Admin, P(new PostButton.Fill(1)));
        var sent = await h.DrainAsync();
        Assert.Contains(sent, m => m.Action is AnswerCallback { Text: "2 members given a post; 1 still without one (no places left).", ShowAlert: true });
        Assert.Equal(2, (await h.CommunityDocAsync<PostSeat>(DocKeys.PostSeat(1, Amy.Id)))!.Post);
        Assert.Contains(sent, m => m.ChatId == Amy.Id && TextOf(m).Contains("📌 M-1: you are given post P-2 🩺 medical point · Clinic. Please go there.", StringComparison.Ordinal));
        Assert.Equal(["100"], await h.CommunitySetAsync(Sets.PostMembers(1, 1)));
        Assert.Null(await h.CommunityDocAsync<PostSeat>(DocKeys.PostSeat(1, Ben.Id)));

        // The clinic's roll call names the skill it asks for.
        await h.Press(Admin, P(new PostButton.View(1, 2)));
        Assert.Contains(await h.DrainAsync(), m => TextOf(m).Contains("Staffed 1/1 · leader: nobody yet\nAsks for: medical", StringComparison.Ordinal));
    }
}

