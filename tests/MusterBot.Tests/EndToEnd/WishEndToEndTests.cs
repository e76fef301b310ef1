using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Flows.Directory;
using MusterBot.Emulator;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Wishes;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.EndToEnd;

/// <summary>
/// A micro-wish end to end (issue #6), through the real host, the production client, the emulator over HTTP and Redis:
/// a resident files a wish by chat (text only), the administrator approves it, the grid's members are told (the
/// resident's name and phone are not in it), one member claims it and gets the contact, another is told it is taken,
/// the claimer marks it done, the resident rates it five stars, and the points show in /points.
/// </summary>
[Collection("redis")]
public sealed class WishEndToEndTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const long AdminId = 8_100_000_001;
    private const long ResidentId = 8_200_000_001;
    private const long AnnId = 8_300_000_001;
    private const long AmyId = 8_300_000_002;
    private const long BenId = 8_300_000_003;
    private const string ResidentPhone = "+8613812345678";
    private BotApiEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await BotHost.StartEmulatorAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Wish_FiledApprovedClaimedDoneRated_PointsShowInPoints()
    {
        await using var host = await BotHost.StartAsync(
            _emulator,
            redis.ConnectionString,
            new Dictionary<string, string?>
            {
                ["MusterBot:Admins:0"] = AdminId.ToString(CultureInfo.InvariantCulture),
                ["Intake:FloodLimit"] = "1000",
            });
        var store = host.App.Services.GetRequiredService<IStateStore>();
        await SeedAsync(store, DateTimeOffset.UtcNow);

        // 群众点单: the resident files by chat.
        await Says(ResidentId, "/wish", "File a micro-wish");
        var photo = await Says(ResidentId, "My kitchen tap <drips>", "Add a photo?");
        var category = await Presses(ResidentId, photo, "No photo", "Please choose a category");
        var date = await Presses(ResidentId, category, "repairs", "By when would you like it done?");
        var preview = await Presses(ResidentId, date, "No date", "Please check your wish");
        Assert.Contains("My kitchen tap <drips>", preview.Text, StringComparison.Ordinal);
        await Presses(ResidentId, preview, "✅ Submit", "Your micro-wish W-0001 was received");

        // Review: the administrator gets the card with the contact, and approves.
        var card = await Sees(AdminId, 0, "New micro-wish to review");
        Assert.Contains(ResidentPhone, card.Text, StringComparison.Ordinal);
        var since = _emulator.State.Version;
        await Presses(AdminId, card, "✅ Approve and announce", "Status: open for claims");
        await Sees(ResidentId, since, "W-0001 was approved");

        // 社区派单: the grid's members are told, without the resident's name or phone; Ben (another grid) is not.
        var annNotice = await Sees(AnnId, since, "A new micro-wish in your grid");
        var amyNotice = await Sees(AmyId, since, "A new micro-wish in your grid");
        foreach (var notice in new[] { annNotice, amyNotice })
        {
            Assert.DoesNotContain("Rosa", notice.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(ResidentPhone, notice.Text, StringComparison.Ordinal);
        }

        // 党员接单: Ann claims and gets the contact; Amy presses later and is told it is taken.
        var claimed = await Presses(AnnId, annNotice, "🙋 Claim W-0001", "You claimed W-0001");
        Assert.Contains("Contact: Rosa", claimed.Text, StringComparison.Ordinal);
        Assert.Contains(ResidentPhone, claimed.Text, StringComparison.Ordinal);
        Assert.Contains("Building: Block 7", claimed.Text, StringComparison.Ordinal);
        await Sees(ResidentId, since, "taken on by member Ann");
        var late = _emulator.PressButtonByText(AmyId, amyNotice.MessageId, "🙋 Claim W-0001");
        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(late).Count >= 1, Wait);
        Assert.Contains("has already been taken", _emulator.CallbackAnswers(late)[0].Text, StringComparison.Ordinal);
        Assert.Empty(_emulator.Messages(BenId));

        // Done without a note.
        var ask = await Presses(AnnId, claimed, "✅ Done", "Is W-0001 done?");
        since = _emulator.State.Version;
        await Presses(AnnId, ask, "✅ Done, no note", "W-0001 is marked done");

        // 评单: the resident rates five stars.
        var rate = await Sees(ResidentId, since, "Please confirm and rate it");
        var comment = await Presses(ResidentId, rate, "5⭐", "Thank you for your rating: ⭐⭐⭐⭐⭐");
        await Presses(ResidentId, comment, "No comment", "Thank you!");
        await Sees(AnnId, since, "The resident rated W-0001 ⭐⭐⭐⭐⭐; you earned 15 points.");

        var wish = (await GetAsync<Wish>(store, DocKeys.Wish(1)))!;
        Assert.Equal((WishStatus.Closed, (int?)5, (long?)AnnId), (wish.Status, wish.Rating, wish.ClaimedBy));

        // Points: Ann's balance and history; the administrator's ranking.
        var points = await Says(AnnId, "/points", "My points: 15");
        Assert.Contains("+10 micro-wish fulfilled · W-0001", points.Text, StringComparison.Ordinal);
        Assert.Contains("+5 five-star bonus · W-0001", points.Text, StringComparison.Ordinal);
        var adminPoints = await Says(AdminId, "/points", "My points: 0");
        await Presses(AdminId, adminPoints, "All time", "1. Ann — 15");

        // /my: the resident sees the closed wish with its stars.
        await Says(ResidentId, "/my", "W-0001 closed ⭐⭐⭐⭐⭐");
    }

    private async Task SeedAsync(IStateStore store, DateTimeOffset now)
    {
        var writes = new List<DocWrite>
        {
            Put(DocKeys.Grid("g1"), new Grid("g1", "Harbour") { Buildings = [new Building("b7", "Block 7")] }),
            Put(DocKeys.Grid("g2"), new Grid("g2", "Hill")),
        };
        var sets = new List<SetChange> { new(Sets.Grids, "g1", true), new(Sets.Grids, "g2", true) };
        foreach (var profile in new[]
                 {
                     Profile(AdminId, "Admin", Roles.Admin, "g1", "+8613900000001", now),
                     Profile(ResidentId, "Rosa", Roles.Resident, "g1", ResidentPhone, now) with { BuildingId = "b7" },
                     Profile(AnnId, "Ann", Roles.Member, "g1", "+8613900000002", now),
                     Profile(AmyId, "Amy", Roles.Member, "g1", "+8613900000003", now),
                     Profile(BenId, "Ben", Roles.Member, "g2", "+8613900000004", now),
                 })
        {
            _emulator.CreateUser(profile.Id, profile.FirstName, "en");
            writes.Add(Put(DocKeys.User(profile.Id), profile));
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        var result = await store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets });
        Assert.Equal(CommitStatus.Committed, result.Status);
    }

    private static UserProfile Profile(long id, string name, Roles roles, string grid, string phone, DateTimeOffset now) =>
        new(id, id, name)
        {
            Language = Language.En,
            LanguageChosen = true,
            Roles = roles,
            FirstSeenAt = now,
            LastSeenAt = now,
            RegisteredAt = now,
            Phone = phone,
            GridId = grid,
        };

    private static DocWrite Put<T>(MusterBot.State.Documents.DocKey key, T value) => new(key, RecordJson.Serialize(value), 0);

    private static async Task<T?> GetAsync<T>(IStateStore store, MusterBot.State.Documents.DocKey key)
        where T : class
    {
        // The community's records live in its shard (community 4 of the default tree, where the seed put them).
        var doc = await store.GetAsync(key.Bind(MusterBot.State.Records.Org.DefaultTree.CommunityId), CancellationToken.None);
        return doc is null ? null : RecordJson.Deserialize<T>(doc.Json);
    }

    private Task<EmulatedMessage> Says(long user, string text, string expected)
    {
        var since = _emulator.State.Version;
        _emulator.SendText(user, text);
        return Sees(user, since, expected);
    }

    private async Task<EmulatedMessage> Presses(long user, EmulatedMessage message, string button, string expected)
    {
        var since = _emulator.State.Version;
        var query = _emulator.PressButtonByText(user, message.MessageId, button);
        var seen = await Sees(user, since, expected);
        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(query).Count >= 1, Wait);
        return seen;
    }

    private Task<EmulatedMessage> Sees(long user, long since, string expected) =>
        _emulator.WaitForMessageAsync(user, m => m.Version > since && m.Text?.Contains(expected, StringComparison.Ordinal) == true, Wait);
}
