using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Emulator;
using MusterBot.Flows.Directory;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Groups;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.EndToEnd;

/// <summary>
/// Issue #20 point 1 and point 5's manners, end to end: the real host, the production client, the emulator's groups over
/// HTTP, Redis. The bot is added to a group; a member and an administrator of the community who does not administer the
/// group are refused /link (the second through getChatMember); the administrator of both links the group in private; other
/// commands in the group get "talk to me privately", plain talk is not even delivered (privacy mode); the group becomes a
/// supergroup, and then the bot is removed — the administrator is told each time and /groups shows it.
/// </summary>
[Collection("redis")]
public sealed class GroupEndToEndTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const long AdminId = 7_600_000_001;
    private const long Admin2Id = 7_600_000_002;
    private const long MemberId = 7_600_000_101;
    private const long GroupId = -5001;
    private const long SuperId = -1005001;
    private BotApiEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        await redis.EnsureRunningAsync();
        _emulator = await BotHost.StartEmulatorAsync();
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Link_Manners_Migration_AndRemoval_ThroughTheEmulatorsGroups()
    {
        await using var host = await BotHost.StartAsync(
            _emulator,
            redis.ConnectionString,
            new Dictionary<string, string?>
            {
                ["MusterBot:Admins:0"] = AdminId.ToString(CultureInfo.InvariantCulture),
                ["MusterBot:Admins:1"] = Admin2Id.ToString(CultureInfo.InvariantCulture),
            });
        var store = host.App.Services.GetRequiredService<IStateStore>();
        await SeedAsync(store, DateTimeOffset.UtcNow);

        _emulator.CreateGroup(GroupId, "North neighbours");
        _emulator.AddGroupMember(GroupId, AdminId, admin: true);
        _emulator.AddGroupMember(GroupId, Admin2Id);
        _emulator.AddGroupMember(GroupId, MemberId);
        var since = _emulator.State.Version;
        _emulator.AddBotToGroup(GroupId, AdminId, asAdmin: true, canPin: true);
        await InGroup(GroupId, since, "An administrator of the community can link this group with /link.");

        // Refusals in the group: a member; an administrator of the community who does not administer the group.
        since = _emulator.State.Version;
        _emulator.SendGroupText(GroupId, MemberId, "/link");
        await InGroup(GroupId, since, "Only an administrator of this community can link a group.");
        since = _emulator.State.Version;
        _emulator.SendGroupText(GroupId, Admin2Id, "/link@muster_test_bot");
        await InGroup(GroupId, since, "Only an administrator of this group can link it (or unlink it).");

        // The administrator of both: the choice in private, the group told.
        since = _emulator.State.Version;
        _emulator.SendGroupText(GroupId, AdminId, "/link");
        await InGroup(GroupId, since, "I sent you the choices in a private message.");
        var choices = await _emulator.WaitForMessageAsync(AdminId, m => m.Version > since && m.Text?.Contains("Link the group “North neighbours” to:", StringComparison.Ordinal) == true, Wait);
        Assert.Equal(["grid North", "building Block 3 (North)", "region Port", "Cancel"], choices.Buttons.Select(b => b.Text));
        since = _emulator.State.Version;
        _emulator.PressButtonByText(AdminId, choices.MessageId, "grid North");
        await _emulator.WaitForMessageAsync(AdminId, m => m.Text == "✅ “North neighbours” is now the group of grid North.", Wait);
        await InGroup(GroupId, since, "This is now the group of grid North.");

        // Manners: another command gets a link to a private chat; plain talk is not delivered to the bot at all.
        since = _emulator.State.Version;
        _emulator.SendGroupText(GroupId, MemberId, "/wish");
        var privately = await InGroup(GroupId, since, "Please talk to me privately");
        Assert.Equal("https://t.me/muster_test_bot", privately.Buttons.Single().Url);
        var before = _emulator.Messages(GroupId).Count;
        _emulator.SendGroupText(GroupId, MemberId, "good morning everyone");
        await Task.Delay(500);
        Assert.Equal(before, _emulator.Messages(GroupId).Count); // the bot's messages: no answer

        // The group becomes a supergroup: the link follows; /groups shows it.
        since = _emulator.State.Version;
        _emulator.MigrateToSupergroup(GroupId, SuperId, AdminId);
        await _emulator.WaitForMessageAsync(AdminId, m => m.Version > since && m.Text == "🔗 “North neighbours” became a supergroup; it is still the group of grid North.", Wait);
        Assert.NotNull(await LinkAsync(store, SuperId));
        Assert.Null(await LinkAsync(store, GroupId));
        since = _emulator.State.Version;
        _emulator.SendText(AdminId, "/groups");
        await _emulator.WaitForMessageAsync(AdminId, m => m.Version > since && m.Text == "🔗 Linked groups\n• North neighbours → grid North · 📌 can pin", Wait);

        // The bot is removed: the link goes and the administrator is told.
        since = _emulator.State.Version;
        _emulator.RemoveBotFromGroup(SuperId, AdminId);
        await _emulator.WaitForMessageAsync(AdminId, m => m.Version > since && m.Text == "🔗 The bot was removed from the group “North neighbours”; it is no longer the group of grid North.", Wait);
        Assert.Null(await LinkAsync(store, SuperId));
    }

    private Task<EmulatedMessage> InGroup(long chat, long since, string expected) =>
        _emulator.WaitForMessageAsync(chat, m => m.Version > since && m.Text?.Contains(expected, StringComparison.Ordinal) == true, Wait);

    private static async Task<GroupLink?> LinkAsync(IStateStore store, long chat)
    {
        var doc = await store.GetAsync(DocKeys.Group(chat), CancellationToken.None);
        return doc is null ? null : RecordJson.Deserialize<GroupLink>(doc.Json);
    }

    private async Task SeedAsync(IStateStore store, DateTimeOffset now)
    {
        var writes = new List<DocWrite>
        {
            Put(DocKeys.Grid("g1"), new Grid("g1", "North") { Buildings = [new Building("b1", "Block 3")] }),
            Put(DocKeys.Region("r1"), new Region("r1", "Port")),
        };
        var sets = new List<SetChange> { new(Sets.Grids, "g1", true), new(Sets.Regions, "r1", true) };
        foreach (var (id, name, roles) in new (long, string, Roles)[] { (AdminId, "Admin", Roles.Admin), (Admin2Id, "Deputy", Roles.Admin), (MemberId, "Ann", Roles.Member) })
        {
            var profile = new UserProfile(id, id, name) { Language = Language.En, LanguageChosen = true, Roles = roles, FirstSeenAt = now, LastSeenAt = now, RegisteredAt = now, GridId = "g1" };
            _emulator.CreateUser(id, name, "en");
            writes.Add(Put(DocKeys.User(id), profile));
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        Assert.Equal(CommitStatus.Committed, (await store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets })).Status);
    }

    private static DocWrite Put<T>(MusterBot.State.Documents.DocKey key, T value) => new(key, RecordJson.Serialize(value), 0);
}
