using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Flows.Directory;
using MusterBot.Emulator;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.State.Records.Directory;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.EndToEnd;

/// <summary>
/// A complaint's closed loop end to end (issue #7), through the real host, the production client, the emulator over
/// HTTP and Redis, the clock shifted forward (<see cref="ShiftedTimeProvider"/>) to drive the deadlines: a resident
/// files by chat, a second resident joins it as a duplicate, the grid worker accepts, the resolution deadline passes
/// and is escalated to the administrator (督办), the result comes, the filer is dissatisfied and reopens, it is resolved
/// again and she is satisfied; the joiner hears every update.
/// </summary>
[Collection("redis")]
public sealed class ComplaintEndToEndTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const long AdminId = 8_110_000_001;
    private const long HankId = 8_120_000_001;
    private const long RosaId = 8_210_000_001;
    private const long RuthId = 8_210_000_002;
    private BotApiEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await BotHost.StartEmulatorAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Complaint_FiledJoinedAccepted_OverdueEscalated_Resolved_Dissatisfied_Reopened_ResolvedAgain_Satisfied()
    {
        var clock = new ShiftedTimeProvider();
        await using var host = await BotHost.StartAsync(
            _emulator,
            redis.ConnectionString,
            new Dictionary<string, string?>
            {
                ["MusterBot:Admins:0"] = AdminId.ToString(CultureInfo.InvariantCulture),
                ["Intake:FloodLimit"] = "1000",
            },
            b => b.Services.AddSingleton<TimeProvider>(clock));
        var store = host.App.Services.GetRequiredService<IStateStore>();
        await SeedAsync(store, clock.GetUtcNow());

        // Filing by chat.
        var category = await Says(RosaId, "/complain", "File a complaint");
        var description = await Presses(RosaId, category, "environment and sanitation", "Category: environment and sanitation");
        Assert.NotNull(description);
        var photos = await Says(RosaId, "The bins by Block 7 <overflow>", "You may send photos");
        var location = await Presses(RosaId, photos, "No photo", "You may send the location");
        var anonymous = await Presses(RosaId, location, "No location", "Anonymous?");
        var preview = await Presses(RosaId, anonymous, "With my name", "Please check your complaint");
        Assert.Contains("The bins by Block 7 <overflow>", preview.Text, StringComparison.Ordinal);
        var since = _emulator.State.Version;
        await Presses(RosaId, preview, "✅ Submit", "Your complaint C-0001 was received. You will get a response by");

        // The grid's worker and the administrator get the card.
        var card = await Sees(HankId, since, "A complaint assigned to you");
        var adminCard = await Sees(AdminId, since, "New complaint");

        // Ruth, same grid and category, is offered C-0001 and joins it.
        await Says(RuthId, "/complain", "File a complaint");
        var ruthCategory = _emulator.Messages(RuthId)[^1];
        await Presses(RuthId, ruthCategory, "environment and sanitation", "Category:");
        var ruthPhotos = await Says(RuthId, "Rubbish all over the path", "You may send photos");
        var ruthLocation = await Presses(RuthId, ruthPhotos, "No photo", "You may send the location");
        var ruthAnonymous = await Presses(RuthId, ruthLocation, "No location", "Anonymous?");
        var offer = await Presses(RuthId, ruthAnonymous, "With my name", "Similar complaints in your grid");
        await Presses(RuthId, offer, "🔁 Join C-0001", "You joined complaint C-0001");

        // Accepted: both residents are told.
        since = _emulator.State.Version;
        var working = await Presses(HankId, card, "✅ Accept", "Status: in progress");
        await Sees(RosaId, since, "Your complaint C-0001 was accepted");
        await Sees(RuthId, since, "Your complaint C-0001 was accepted");

        // Three days pass: the resolution deadline is missed and escalated to the administrator (督办).
        since = _emulator.State.Version;
        clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        await Sees(AdminId, since, "C-0001 missed its resolution deadline (handler: Hank)");
        await Sees(HankId, since, "C-0001 is overdue and was escalated");
        var supervised = (await GetAsync<Complaint>(store, DocKeys.Complaint(1)))!;
        Assert.Contains("resolution", supervised.Supervised);
        Assert.Contains(supervised.History, e => e is { What: "supervision", Detail: "resolution overdue", By: 0 });

        // The result reaches both; Rosa is dissatisfied and reopens.
        var ask = await Presses(HankId, working, "✅ Resolved", "Write the result of C-0001");
        Assert.NotNull(ask);
        since = _emulator.State.Version;
        await Says(HankId, "New bins installed", "C-0001 is resolved");
        var result = await Sees(RosaId, since, "Complaint C-0001 is resolved: New bins installed");
        await Sees(RuthId, since, "Complaint C-0001 is resolved: New bins installed");
        // The result card itself follows: the feedback buttons give way to the reopen button (a tagged edit through the sender).
        since = _emulator.State.Version;
        await Presses(RosaId, result, "😞 Dissatisfied", "To have C-0001 handled again");
        var reopen = await Sees(RosaId, since, "Your feedback: 😞 Dissatisfied");
        Assert.Equal(result.MessageId, reopen.MessageId);
        await Presses(RosaId, reopen, "🔄 Reopen", "What is still wrong with C-0001?");
        since = _emulator.State.Version;
        await Says(RosaId, "It still smells", "C-0001 is being handled again");
        var reopened = await Sees(HankId, since, "C-0001 was reopened");
        Assert.Contains("It still smells", reopened.Text, StringComparison.Ordinal);

        // Resolved again; Rosa is satisfied: closed.
        await Presses(HankId, reopened, "✅ Resolved", "Write the result of C-0001");
        since = _emulator.State.Version;
        await Says(HankId, "Bins washed and disinfected", "C-0001 is resolved");
        var again = await Sees(RosaId, since, "Complaint C-0001 is resolved: Bins washed and disinfected");
        await Sees(RuthId, since, "Complaint C-0001 is resolved: Bins washed and disinfected");
        await Presses(RosaId, again, "😊 Satisfied", "Complaint C-0001 is closed");

        // The administrator's first card was edited along the way and now says closed, without buttons.
        await _emulator.WaitForAsync(() => _emulator.Messages(AdminId).Any(m => m.MessageId == adminCard.MessageId && m.Text?.Contains("Status: closed", StringComparison.Ordinal) == true && m.Buttons.Count == 0), Wait);

        var complaint = (await GetAsync<Complaint>(store, DocKeys.Complaint(1)))!;
        Assert.Equal((ComplaintStatus.Closed, (Satisfaction?)Satisfaction.Satisfied, 1, (long?)HankId), (complaint.Status, complaint.Feedback, complaint.Reopens, complaint.HandlerId));
        Assert.Equal([RuthId], complaint.Followers);
        Assert.Equal(1, (await GetAsync<CommunityCounters>(store, DocKeys.Counters))!.Complaints);
        Assert.Equal(
            ["filed", "assigned", "joined", "accepted", "warned", "supervision", "resolved", "feedback", "reopened", "resolved", "feedback"],
            complaint.History.Select(e => e.What));
        Assert.Empty(await store.GetSetMembersAsync(Sets.OpenComplaints("g1", ComplaintCategory.Sanitation), CancellationToken.None));
    }

    private async Task SeedAsync(IStateStore store, DateTimeOffset now)
    {
        var writes = new List<DocWrite> { Put(DocKeys.Grid("g1"), new Grid("g1", "Harbour") { Buildings = [new Building("b7", "Block 7")] }) };
        var sets = new List<SetChange> { new(Sets.Grids, "g1", true) };
        foreach (var profile in new[]
                 {
                     Profile(AdminId, "Admin", Roles.Admin, "+8613900000001", now),
                     Profile(HankId, "Hank", Roles.Handler, "+8613900000002", now),
                     Profile(RosaId, "Rosa", Roles.Resident, "+8613900000003", now),
                     Profile(RuthId, "Ruth", Roles.Resident, "+8613900000004", now),
                 })
        {
            _emulator.CreateUser(profile.Id, profile.FirstName, "en");
            writes.Add(Put(DocKeys.User(profile.Id), profile));
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        var result = await store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets });
        Assert.Equal(CommitStatus.Committed, result.Status);
    }

    private static UserProfile Profile(long id, string name, Roles roles, string phone, DateTimeOffset now) =>
        new(id, id, name)
        {
            Language = Language.En,
            LanguageChosen = true,
            Roles = roles,
            FirstSeenAt = now,
            LastSeenAt = now,
            RegisteredAt = now,
            Phone = phone,
            GridId = "g1",
            BuildingId = "b7",
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
