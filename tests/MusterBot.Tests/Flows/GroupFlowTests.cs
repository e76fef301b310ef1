using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Groups;
using MusterBot.Flows.Musters;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Groups;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #20 point 1 (and point 5's "no conversation in a group"): linking a group in the flow harness.</summary>
public sealed class GroupFlowTests
{
    private static readonly Sender Admin = FlowHarness.Person(1, "en", "Boss");
    private static readonly Sender Admin2 = FlowHarness.Person(2, "en", "Deputy");
    private static readonly Sender Ann = FlowHarness.Person(100, "en", "Ann");
    private static readonly Sender Stranger = FlowHarness.Person(900, "en", "Zed");
    private static readonly GroupChat North = new(-1001, "North neighbours", Supergroup: false);
    private static readonly GroupChat Other = new(-1002, "Block 3 chat", Supergroup: false);

    private static async Task<FlowHarness> NewAsync(Language language = Language.En)
    {
        var h = new FlowHarness(null, new MusterOptions(), Admin.Id, Admin2.Id);
        var now = h.Clock.GetUtcNow();
        var writes = new List<DocWrite>();
        var sets = new List<SetChange>();
        void Put<T>(DocKey key, T record) => writes.Add(new DocWrite(key, RecordJson.Serialize(record), null));
        Put(DocKeys.Grid("g1"), new Grid("g1", "North") { Buildings = [new Building("b1", "Block 3")] });
        sets.Add(new SetChange(Sets.Grids, "g1", Add: true));
        Put(DocKeys.Region("r1"), new Region("r1", "Port"));
        sets.Add(new SetChange(Sets.Regions, "r1", Add: true));
        foreach (var (who, roles) in new[] { (Admin, Roles.Admin), (Admin2, Roles.Admin), (Ann, Roles.Member) })
        {
            var profile = new UserProfile(who.Id, who.Id, who.FirstName) { Language = language, LanguageChosen = true, Roles = roles, RegisteredAt = now, FirstSeenAt = now, GridId = "g1" };
            Put(DocKeys.User(who.Id), profile);
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets }, CancellationToken.None)).Status);
        return h;
    }

    private static Task<MusterBot.Flows.Runtime.ProcessOutcome> Say(FlowHarness h, Sender who, GroupChat chat, string command, bool? groupAdmin = null) =>
        h.Event(new GroupCommand(who, chat, 5, command, string.Empty) { SenderIsGroupAdmin = groupAdmin });

    private static string TextOf(OutboxMessage m) => m.Action switch
    {
        SendText s => s.Html,
        EditText e => e.Html,
        AnswerCallback a => a.Text ?? string.Empty,
        _ => string.Empty,
    };

    private static string G(GroupButton b) => GroupButton.Codec.Encode(b);

    private static async Task<GroupLink?> LinkAsync(FlowHarness h, long chat) => await h.CommunityDocAsync<GroupLink>(DocKeys.Group(chat));

    private static Task<IReadOnlyList<string>> RootSetAsync(FlowHarness h, string name) => h.Store.GetSetMembersAsync(name, Shards.Root, CancellationToken.None);

    [Fact]
    public async Task Link_NeedsACommunityAdministratorWhoIsAGroupAdministrator_ChoosesInPrivate_AndUnlinks()
    {
        var h = await NewAsync();

        // A member, and an administrator who is not an administrator of the group, are refused in the group.
        await Say(h, Ann, North, "link", groupAdmin: true);
        await Say(h, Admin, North, "link", groupAdmin: false);
        var refused = await h.DrainAsync();
        Assert.Equal(["Only an administrator of this community can link a group.", "Only an administrator of this group can link it (or unlink it)."], refused.Select(TextOf));
        Assert.All(refused, m => Assert.Equal(North.Id, m.ChatId));

        // The administrator of both: the group is told to look in private; the choices come privately.
        await Say(h, Admin, North, "link", groupAdmin: true);
        var sent = await h.DrainAsync();
        Assert.Contains(sent, m => m.ChatId == North.Id && TextOf(m) == "🔗 I sent you the choices in a private message.");
        var choices = sent.Single(m => m.ChatId == Admin.Id);
        Assert.Equal("🔗 Link the group “North neighbours” to:", TextOf(choices));
        var data = ((SendText)choices.Action).Markup is InlineMarkup k ? k.Rows.SelectMany(r => r).Select(b => b.Text).ToList() : [];
        Assert.Equal(["grid North", "building Block 3 (North)", "region Port", "Cancel"], data);

        // Another administrator cannot answer someone else's choice; the administrator links it to the grid.
        await h.Press(Admin2, G(new GroupButton.LinkTo(North.Id, GroupTarget.Grid, "g1")));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "This choice is no longer valid. Send /link in the group again." });
        await h.Press(Admin, G(new GroupButton.LinkTo(North.Id, GroupTarget.Grid, "g1")));
        var linked = await h.DrainAsync();
        Assert.Contains(linked, m => m.ChatId == Admin.Id && TextOf(m) == "✅ “North neighbours” is now the group of grid North.");
        Assert.Contains(linked, m => m.ChatId == North.Id && TextOf(m) == "✅ This is now the group of grid North.");
        var link = (await LinkAsync(h, North.Id))!;
        Assert.Equal((GroupTarget.Grid, "g1", Admin.Id, FlowHarness.Community), (link.Target, link.TargetId, link.LinkedBy, link.Community));
        Assert.Equal([North.Id.ToString(CultureInfo.InvariantCulture)], await RootSetAsync(h, Sets.GroupsOf(FlowHarness.Community)));

        // A second press of the same choice, and a second /link, change nothing.
        await h.Press(Admin, G(new GroupButton.LinkTo(North.Id, GroupTarget.Region, "r1")));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "This choice is no longer valid. Send /link in the group again." });
        await Say(h, Admin, North, "link", groupAdmin: true);
        Assert.Equal(["This group is already the group of grid North. Send /unlink first to change it."], (await h.DrainAsync()).Select(TextOf));

        // Another group cannot take grid North; /groups lists the link.
        await Say(h, Admin, Other, "link", groupAdmin: true);
        await h.Press(Admin, G(new GroupButton.LinkTo(Other.Id, GroupTarget.Grid, "g1")));
        Assert.Contains(await h.DrainAsync(), m => m.Action is AnswerCallback { Text: "grid North already has a group: “North neighbours”. Unlink it there first." });
        Assert.Null(await LinkAsync(h, Other.Id));
        await h.Command(Admin, "groups");
        Assert.Contains(await h.DrainAsync(), m => TextOf(m) == "🔗 <b>Linked groups</b>\n• North neighbours → grid North · cannot pin");

        // /unlink: a member is refused; the administrator unlinks.
        await Say(h, Ann, North, "unlink", groupAdmin: true);
        await Say(h, Admin, North, "unlink", groupAdmin: true);
        Assert.Equal(["Only an administrator of this community can link a group.", "This group is no longer the group of grid North."], (await h.DrainAsync()).Select(TextOf));
        Assert.Null(await LinkAsync(h, North.Id));
        Assert.Empty(await RootSetAsync(h, Sets.GroupFor(FlowHarness.Community, GroupTarget.Grid, "g1")));
        await Say(h, Admin, North, "unlink", groupAdmin: true);
        Assert.Equal(["This group is not linked."], (await h.DrainAsync()).Select(TextOf));
    }

    [Fact]
    public async Task TheBotRemoved_RightsChanged_AndAGroupBecomingASupergroup_AreToldToTheAdministratorWhoLinkedIt()
    {
        var h = await NewAsync();
        await Say(h, Admin, North, "link", groupAdmin: true);
        await h.Press(Admin, G(new GroupButton.LinkTo(North.Id, GroupTarget.Region, "r1")));
        await h.DrainAsync();

        // Rights lost and back (told by whoever changed them, here a stranger who never started the bot).
        await h.Event(new GroupBotStatusChanged(Stranger, North, Present: true, CanPost: false, CanPin: false));
        Assert.Contains(await h.DrainAsync(), m => m.ChatId == Admin.Id && TextOf(m) == "⚠️ The bot may no longer post in “North neighbours” (the group of region Port). Please give it back the right to send messages.");
        await h.Event(new GroupBotStatusChanged(Stranger, North, Present: true, CanPost: true, CanPin: true));
        Assert.Contains(await h.DrainAsync(), m => m.ChatId == Admin.Id && TextOf(m) == "✅ The bot can post in “North neighbours” (the group of region Port) again.");
        Assert.True((await LinkAsync(h, North.Id))!.CanPin);

        // The stranger's profile (first seen in a group) has their own private chat, not the group's.
        Assert.Equal(Stranger.Id, (await h.ProfileAsync(Stranger.Id))!.ChatId);

        // The group becomes a supergroup: the link moves to the new id.
        const long newId = -1001234567890;
        await h.Event(new GroupMigrated(Stranger, North, newId));
        Assert.Contains(await h.DrainAsync(), m => m.ChatId == Admin.Id && TextOf(m) == "🔗 “North neighbours” became a supergroup; it is still the group of region Port.");
        Assert.Null(await LinkAsync(h, North.Id));
        var moved = (await LinkAsync(h, newId))!;
        Assert.Equal((true, North.Id, "r1"), (moved.Supergroup, moved.MigratedFrom!.Value, moved.TargetId));
        Assert.Equal([newId.ToString(CultureInfo.InvariantCulture)], await RootSetAsync(h, Sets.GroupFor(FlowHarness.Community, GroupTarget.Region, "r1")));

        // The bot is removed: the link goes, the administrator is told; a second removal says nothing.
        var super = North with { Id = newId, Supergroup = true };
        await h.Event(new GroupBotStatusChanged(Stranger, super, Present: false, CanPost: false, CanPin: false));
        Assert.Contains(await h.DrainAsync(), m => m.ChatId == Admin.Id && TextOf(m) == "🔗 The bot was removed from the group “North neighbours”; it is no longer the group of region Port.");
        Assert.Null(await LinkAsync(h, newId));
        Assert.Empty(await RootSetAsync(h, Sets.GroupsOf(FlowHarness.Community)));
        await h.Event(new GroupBotStatusChanged(Stranger, super, Present: false, CanPost: false, CanPin: false));
        Assert.Empty(await h.DrainAsync());
    }

    [Fact]
    public async Task InAGroup_TheBotStartsNoConversation_AndAnswersOtherCommandsWithALinkToAPrivateChat()
    {
        var h = await NewAsync();
        foreach (var command in new[] { "start", "wish", "muster", "help" })
        {
            await Say(h, Ann, North, command);
            var sent = (await h.DrainAsync()).Single();
            Assert.Equal(North.Id, sent.ChatId);
            Assert.Equal("Please talk to me privately: in this group I only take /link and /unlink.", TextOf(sent));
            Assert.Equal("https://t.me/musterbot", ((SendText)sent.Action).Markup is InlineMarkup k ? k.Rows[0][0].Url : null);
        }

        // Nothing started for Ann: her conversation is idle.
        Assert.Equal("main", (await h.ConversationAsync(Ann.Id))?.Flow ?? "main");

        // The bot added by an administrator says hello; added without the right to post, it says nothing.
        await h.Event(new GroupBotStatusChanged(Admin, Other, Present: true, CanPost: true, CanPin: false));
        Assert.Equal(["👋 Hello! An administrator of the community can link this group with /link."], (await h.DrainAsync()).Select(TextOf));
        await h.Event(new GroupBotStatusChanged(Admin, North, Present: true, CanPost: false, CanPin: false));
        Assert.Empty(await h.DrainAsync());
    }

    /// <summary>What people see when a group is linked, in both languages: docs/transcripts/groups.{zh-CN,en}.md (regenerate with UPDATE_TRANSCRIPTS=1).</summary>
    [Theory]
    [InlineData(Language.Zh, "groups.zh-CN.md")]
    [InlineData(Language.En, "groups.en.md")]
    public async Task Transcript_OfLinkingAGroup_IsTheCommittedOne(Language language, string file)
    {
        var h = await NewAsync(language);
        var sb = new System.Text.StringBuilder($"# Group chats — {(language == Language.Zh ? "中文" : "English")}\n\n");
        sb.Append("Generated by `GroupFlowTests.Transcript` from the flows (the test fails when it differs); do not edit by hand.\n");
        var names = new Dictionary<long, string> { [Admin.Id] = "Boss (administrator, private chat)", [North.Id] = "the group “North neighbours”", [-1001234567890] = "the group, now a supergroup" };

        async Task Step(string title, Func<Task> act)
        {
            await act();
            sb.Append("\n## ").Append(title).Append('\n');
            foreach (var m in await h.DrainAsync())
            {
                var (text, markup) = m.Action switch
                {
                    SendText s => (s.Html, s.Markup as InlineMarkup),
                    EditText e => ("(edited) " + e.Html, e.Markup),
                    AnswerCallback { Text: { } t } a => ((a.ShowAlert ? "(alert) " : "(toast) ") + t, null),
                    _ => (string.Empty, null),
                };
                if (text.Length == 0)
                {
                    continue;
                }

                sb.Append("\n**→ ").Append(names.GetValueOrDefault(m.ChatId, m.ChatId.ToString(CultureInfo.InvariantCulture))).Append("**\n\n```\n").Append(text).Append("\n```\n");
                foreach (var row in markup?.Rows ?? [])
                {
                    sb.Append("\n`").Append(string.Join("` `", row.Select(b => b.Text + (b.Url is { } url ? " (" + url + ")" : string.Empty)))).Append('`');
                }

                if (markup is { Rows.Count: > 0 })
                {
                    sb.Append('\n');
                }
            }
        }

        await Step("The administrator adds the bot to the group", () => h.Event(new GroupBotStatusChanged(Admin, North, Present: true, CanPost: true, CanPin: false)));
        await Step("A member sends /link there", () => Say(h, Ann, North, "link", groupAdmin: false));
        await Step("The administrator sends /link there", () => Say(h, Admin, North, "link", groupAdmin: true));
        await Step("…and chooses grid North in private", () => h.Press(Admin, G(new GroupButton.LinkTo(North.Id, GroupTarget.Grid, "g1"))));
        await Step("A member sends /wish in the group", () => Say(h, Ann, North, "wish"));
        await Step("The administrator sends /groups in private", () => h.Command(Admin, "groups"));
        await Step("The bot loses the right to post", () => h.Event(new GroupBotStatusChanged(Admin, North, Present: true, CanPost: false, CanPin: false)));
        await Step("The group becomes a supergroup", () => h.Event(new GroupMigrated(Admin, North, -1001234567890)));
        await Step("The bot is removed", () => h.Event(new GroupBotStatusChanged(Admin, North with { Id = -1001234567890, Supergroup = true }, Present: false, CanPost: false, CanPin: false)));

        var path = Path.Combine(RepositoryPaths.Root, "docs", "transcripts", file);
        var expected = sb.ToString();
        if (Environment.GetEnvironmentVariable("UPDATE_TRANSCRIPTS") == "1")
        {
            await File.WriteAllTextAsync(path, expected);
        }

        Assert.True(File.Exists(path) && (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n") == expected, $"{path} is stale: run UPDATE_TRANSCRIPTS=1 dotnet test --filter GroupFlowTests.Transcript");
    }
}
