using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Flows.Directory;
using MusterBot.Emulator;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.EndToEnd;

/// <summary>
/// An emergency muster end to end (issue #5), through the real host, the production client, the emulator over HTTP and
/// Redis: 3 regions and 30 members; the administrator launches with the /muster wizard; two convenors acknowledge and
/// relay, the third stays silent and is escalated at T1; one member has blocked the bot and shows as unreachable; a
/// reminder round goes out; a member changes the answer; a convenor checks someone in by phone; /muster close sends the
/// report and the CSV. The clock is the system clock plus an offset (<see cref="ShiftedTimeProvider"/>) that the test
/// moves forward past T1 and the first reminder, so nothing waits minutes.
/// </summary>
[Collection("redis")]
public sealed class MusterEndToEndTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const long AdminId = 7_100_000_001;
    private const long ConvenorBase = 7_200_000_000;
    private const long MemberBase = 7_300_000_000;
    private static readonly (string Id, string Name)[] RegionList = [("r1", "North"), ("r2", "Centre"), ("r3", "South")];
    private BotApiEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await BotHost.StartEmulatorAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private static long Convenor(int region) => ConvenorBase + region;

    private static long Backup(int region) => ConvenorBase + 10 + region;

    private static long Member(int region, int i) => MemberBase + (region * 100) + i;

    private static string MemberName(int region, int i) => $"R{region}M{i:00}";

    [Fact]
    public async Task Muster_ThreeRegions_EscalationUnreachableRemindersChangedAnswerPhoneCheckIn_CloseWithReportAndCsv()
    {
        var clock = new ShiftedTimeProvider();
        await using var host = await BotHost.StartAsync(
            _emulator,
            redis.ConnectionString,
            new Dictionary<string, string?>
            {
                ["MusterBot:Admins:0"] = AdminId.ToString(CultureInfo.InvariantCulture),
                ["Intake:FloodLimit"] = "1000",
                ["Muster:RollCallInterval"] = "00:00:01",
            },
            b => b.Services.AddSingleton<TimeProvider>(clock));
        var store = host.App.Services.GetRequiredService<IStateStore>();
        await SeedDirectoryAsync(store, clock.GetUtcNow());
        var blocked = Member(1, 10);

        // R1M10 has blocked the bot: the bot learns it from my_chat_member, and the order to them will get a 403.
        _emulator.BlockBot(blocked);
        await WaitForAsync(async () => (await GetAsync<UserProfile>(store, DocKeys.User(blocked)))?.BlockedBot == true);

        // The administrator launches through the wizard.
        var admin = AdminId;
        var kind = await Says(admin, "/muster", "Launch a muster");
        var scope = await Presses(admin, kind, "Flood", "Step 2: who is called?");
        await Presses(admin, scope, "All members", "Step 3: send the rally point");
        var pin = await Says(admin, "Community square, bring a torch", "Step 4: send a location pin");
        var within = await Presses(admin, pin, "Skip", "Step 5: report within?");
        var drill = await Presses(admin, within, "within 1 h", "Step 6: drill or real?");
        var notice = await Presses(admin, drill, "🚨 Real", "Step 7: residents get an emergency notice");
        var preview = await Presses(admin, notice, "Use the standard notice", "Please confirm the muster order");
        Assert.Contains("Calls 31 people in 3 regions.", preview.Text, StringComparison.Ordinal);
        var launched = await Presses(admin, preview, "🚨 Send the muster order", "Muster order M-1 sent");
        Assert.Contains("31 people called, 3 convenors told", launched.Text, StringComparison.Ordinal);
        await Sees(admin, 0, "Roll call M-1 · whole community");

        // The convenors get the order; members do not yet (they hear it from their convenor).
        var order1 = await Sees(Convenor(1), 0, "Your region: North, 10 people called.");
        var order2 = await Sees(Convenor(2), 0, "Your region: Centre, 10 people called.");
        await Sees(Convenor(3), 0, "Your region: South, 11 people called.");
        Assert.DoesNotContain(_emulator.Messages(Member(1, 1)), m => m.Text?.Contains("M-1", StringComparison.Ordinal) == true);

        // North: acknowledge (the live roll call comes as a new message), then relay.
        await Presses(Convenor(1), order1, "✅ Acknowledge", "convenor acknowledged (");
        var rollCall = await Sees(Convenor(1), 0, "Roll call M-1 · North");
        var rollCallId = rollCall.MessageId;
        await Presses(Convenor(1), order1, "📣 Relay to my region", "Members told at");
        // Centre: relay at once.
        await Presses(Convenor(2), order2, "📣 Relay to my region", "Members told at");

        var orders = new Dictionary<long, EmulatedMessage>();
        for (var i = 1; i <= 9; i++)
        {
            orders[Member(1, i)] = await Sees(Member(1, i), 0, "Muster order M-1");
        }

        for (var i = 1; i <= 10; i++)
        {
            orders[Member(2, i)] = await Sees(Member(2, i), 0, "Muster order M-1");
        }

        // The blocked member: a 403, no message, and "unreachable" in the convenor's roll call (edited in place).
        await WaitForAsync(() => Task.FromResult(RollCallText().Contains("📵 unreachable 1", StringComparison.Ordinal)));
        Assert.Empty(_emulator.Messages(blocked));
        Assert.Contains("📵 unreachable (1)\n" + MemberName(1, 10), RollCallText(), StringComparison.Ordinal);

        // Check-ins in North and Centre; R1M02 first says "on my way", then changes to "arrived".
        await ChecksIn(Member(1, 1), orders, "📍 arrived");
        await ChecksIn(Member(1, 2), orders, "🏃 on my way");
        await ChecksIn(Member(1, 3), orders, "❌ can't come");
        await ChecksIn(Member(1, 2), orders, "📍 arrived");
        for (var i = 1; i <= 5; i++)
        {
            await ChecksIn(Member(2, i), orders, "📍 arrived");
        }

        await ChecksIn(Member(2, 6), orders, "✅ acknowledged");

        // The North roll call is the same message, edited to the new counts.
        await WaitForAsync(() => Task.FromResult(RollCallText().Contains("📍 arrived 2 · ❌ can't come 1 · ⏳ no answer 7", StringComparison.Ordinal)));
        var edited = _emulator.State.FindMessage(Convenor(1), rollCallId)!;
        Assert.True(edited.EditCount > 0);
        Assert.Single(_emulator.Messages(Convenor(1)), m => m.Text?.Contains("Roll call M-1 · North", StringComparison.Ordinal) == true);
        Assert.Contains("Called 10 · delivered 9 · 📵 unreachable 1", edited.Text, StringComparison.Ordinal);

        // South's convenor stays silent: at T1 (3 min) the backup, the members and the administrator are told.
        Assert.DoesNotContain(_emulator.Messages(Member(3, 1)), m => m.Text?.Contains("Muster order", StringComparison.Ordinal) == true);
        await WaitForOutboxEmptyAsync(store);
        clock.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(5));
        await Sees(Backup(3), 0, "Convenor C3 has not acknowledged in 3 min. The order went directly to 11 people");
        await Sees(admin, 0, "M-1 · South: convenor C3 has not acknowledged in 3 min");
        for (var i = 1; i <= 10; i++)
        {
            orders[Member(3, i)] = await Sees(Member(3, i), 0, "Muster order M-1");
        }

        await ChecksIn(Member(3, 1), orders, "🏃 on my way");
        await ChecksIn(Member(3, 2), orders, "🏃 on my way");

        // First reminder at +5 min: the silent and reachable ones only.
        await WaitForOutboxEmptyAsync(store);
        clock.Advance(TimeSpan.FromMinutes(2));
        await Sees(Member(1, 5), 0, "Reminder 1");
        await Sees(Member(3, 10), 0, "Reminder 1");
        await WaitForOutboxEmptyAsync(store);
        Assert.DoesNotContain(_emulator.Messages(Member(1, 1)), m => m.Text?.Contains("Reminder", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(_emulator.Messages(Member(3, 1)), m => m.Text?.Contains("Reminder", StringComparison.Ordinal) == true);
        Assert.Empty(_emulator.Messages(blocked));
        var reminded = Enumerable.Range(1, 3).SelectMany(r => Enumerable.Range(1, 10).Select(i => Member(r, i)))
            .Count(id => _emulator.Messages(id).Any(m => m.Text?.Contains("Reminder 1", StringComparison.Ordinal) == true));
        Assert.Equal(6 + 4 + 8, reminded);

        // North's convenor reaches R1M04 by phone and checks them in as on their way.
        var list = await Presses(Convenor(1), RollCall(), "⏳ No-answer list", "North: 7 with no answer");
        Assert.NotEqual(rollCallId, list.MessageId);
        var card = await Presses(Convenor(1), list, "⏳ " + MemberName(1, 4), "Phone: " + Phone(1, 4));
        Assert.Equal(list.MessageId, card.MessageId);
        await Presses(Convenor(1), card, "☎️ Reached by phone", "reached by phone");
        await Presses(Convenor(1), card, "🏃 on my way", "🏃 on my way");
        await Sees(Member(1, 4), 0, "Convenor C1 recorded your answer to M-1: 🏃 on my way.");
        await WaitForAsync(() => Task.FromResult(RollCallText().Contains("🏃 on my way 1 · 📍 arrived 2", StringComparison.Ordinal)));
        Assert.Contains(MemberName(1, 4) + " ☎️", RollCallText(), StringComparison.Ordinal);
        Assert.Equal(rollCallId, RollCall().MessageId);

        // The administrator closes with /muster close.
        var open = await Says(admin, "/muster close", "Open musters");
        var ask = await Presses(admin, open, "🏁 Close M-1", "Close muster M-1? 31 people were called.");
        var sinceClose = _emulator.State.Version;
        await Presses(admin, ask, "🏁 Yes, close", "M-1 is closed; the report was sent.");
        var report = await Sees(admin, sinceClose, "Muster report M-1");
        var text = report.Text!;
        Assert.Contains("Called 31 · delivered 30 · 📵 unreachable 1", text, StringComparison.Ordinal);
        Assert.Contains("✅ acknowledged 1 · 🏃 on my way 3 · 📍 arrived 7 · ❌ can't come 1 · ⏳ no answer 19", text, StringComparison.Ordinal);
        Assert.Contains("Points: 87 in total, to 12 people", text, StringComparison.Ordinal);
        Assert.Contains("North ✅ convenor acknowledged after", text, StringComparison.Ordinal);
        Assert.Contains("called 10 · 📍2 🏃1 ✅0 ❌1 ⏳6 📵1", text, StringComparison.Ordinal);
        Assert.Contains("called 10 · 📍5 🏃0 ✅1 ❌0 ⏳4 📵0", text, StringComparison.Ordinal);
        Assert.Contains("South ⚠️ convenor never acknowledged", text, StringComparison.Ordinal);
        Assert.Contains("called 11 · 📍0 🏃2 ✅0 ❌0 ⏳9 📵0", text, StringComparison.Ordinal);
        Assert.Contains("Never answered (19)", text, StringComparison.Ordinal);
        Assert.Contains(MemberName(1, 10) + " 📵", text, StringComparison.Ordinal);

        // The CSV: one row per called member, the answers, the phone check-in, the unreachable member, the points.
        var document = await _emulator.WaitForMessageAsync(admin, m => m.DocumentFileName == "M-1.csv", Wait);
        Assert.Equal("text/csv; charset=utf-8", document.DocumentMimeType);
        var rows = Csv(document);
        Assert.Equal(
            "muster,drill,region,user_id,name,phone,status,detail,answered_at,first_answered_at,minutes_to_answer,phoned_by,changes,reminded,delivery,points",
            rows[0]);
        var byUser = rows.Skip(1).Select(r => r.Split(',')).ToDictionary(c => long.Parse(c[3], CultureInfo.InvariantCulture));
        Assert.Equal(31, byUser.Count);
        Assert.Equal(["M-1", "no", "North", MemberName(1, 2), "arrived", "2", "1", "delivered", "10"], Pick(byUser[Member(1, 2)], 0, 1, 2, 4, 6, 12, 13, 14, 15));
        Assert.Equal(["on my way", Convenor(1).ToString(CultureInfo.InvariantCulture), "2", "delivered", "5"], Pick(byUser[Member(1, 4)], 6, 11, 12, 14, 15));
        Assert.Equal(["no answer", "0", "unreachable", "0"], Pick(byUser[blocked], 6, 12, 14, 15));
        Assert.Equal(["South", "on my way", "delivered", "5"], Pick(byUser[Member(3, 1)], 2, 6, 14, 15));
        Assert.Equal(["Centre", "acknowledged", "1"], Pick(byUser[Member(2, 6)], 2, 6, 15));
        Assert.Equal(87, byUser.Values.Sum(c => int.Parse(c[15], CultureInfo.InvariantCulture)));
        Assert.Equal(
            new Dictionary<string, int> { ["arrived"] = 7, ["on my way"] = 3, ["acknowledged"] = 1, ["can't come"] = 1, ["no answer"] = 19 },
            byUser.Values.GroupBy(c => c[6]).ToDictionary(g => g.Key, g => g.Count()));

        // Convenors get their region's report and CSV; the roll call is frozen (closed, no buttons) in the same message.
        await _emulator.WaitForMessageAsync(Convenor(1), m => m.DocumentFileName == "M-1-r1.csv", Wait);
        await WaitForAsync(() => Task.FromResult(RollCallText().Contains("Closed", StringComparison.Ordinal)));
        Assert.Empty(RollCall().Buttons);
        await Sees(Member(1, 1), 0, "Muster M-1 is closed. Thank you! Your record: 📍 arrived\nPoints +10");
    }

    private static string Phone(int region, int i) => $"+86138{region}{i:00}00000";

    private EmulatedMessage RollCall() => _emulator.State.FindMessage(Convenor(1), RollCallId)!;

    private int RollCallId => _emulator.Messages(Convenor(1)).First(m => m.Text?.Contains("Roll call M-1 · North", StringComparison.Ordinal) == true).MessageId;

    private string RollCallText() => RollCall().Text ?? string.Empty;

    private static string[] Pick(string[] cells, params int[] indexes) => [.. indexes.Select(i => cells[i])];

    private List<string> Csv(EmulatedMessage document)
    {
        var bytes = _emulator.GetFileContent(document.DocumentFileId!)!;
        var preamble = Encoding.UTF8.GetPreamble();
        Assert.Equal(preamble, bytes.Take(preamble.Length));
        return [.. Encoding.UTF8.GetString(bytes, preamble.Length, bytes.Length - preamble.Length).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>Grid, regions with convenors (South also with a backup) and 30 registered members, committed straight into the store.</summary>
    private async Task SeedDirectoryAsync(IStateStore store, DateTimeOffset now)
    {
        var writes = new List<DocWrite> { Put(DocKeys.Grid("g1"), new Grid("g1", "Harbour")) };
        var sets = new List<SetChange> { new(Sets.Grids, "g1", true) };
        var profiles = new List<UserProfile>();
        for (var r = 1; r <= 3; r++)
        {
            var (id, name) = RegionList[r - 1];
            writes.Add(Put(DocKeys.Region(id), new Region(id, name) { ConvenorId = Convenor(r), BackupConvenorId = r == 3 ? Backup(r) : null }));
            sets.Add(new SetChange(Sets.Regions, id, true));
            profiles.Add(Profile(Convenor(r), $"C{r}", id, $"+86139000000{r}", now) with { Roles = Roles.Member | Roles.Convenor });
            if (r == 3)
            {
                profiles.Add(Profile(Backup(r), $"B{r}", id, $"+86139000001{r}", now) with { Roles = Roles.Member | Roles.Convenor });
            }

            for (var i = 1; i <= 10; i++)
            {
                profiles.Add(Profile(Member(r, i), MemberName(r, i), id, Phone(r, i), now));
            }
        }

        foreach (var profile in profiles)
        {
            _emulator.CreateUser(profile.Id, profile.FirstName, "en");
            writes.Add(Put(DocKeys.User(profile.Id), profile));
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        _emulator.CreateUser(AdminId, "Admin", "en");
        var result = await store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets });
        Assert.Equal(CommitStatus.Committed, result.Status);
    }

    private static UserProfile Profile(long id, string name, string regionId, string phone, DateTimeOffset now) =>
        new(id, id, name)
        {
            Language = Language.En,
            LanguageChosen = true,
            Roles = Roles.Member,
            FirstSeenAt = now,
            LastSeenAt = now,
            RegisteredAt = now,
            Phone = phone,
            GridId = "g1",
            RegionId = regionId,
        };

    private static DocWrite Put<T>(MusterBot.State.Documents.DocKey key, T value) => new(key, RecordJson.Serialize(value), 0);

    private static async Task<T?> GetAsync<T>(IStateStore store, MusterBot.State.Documents.DocKey key)
        where T : class
    {
        // The community's records live in its shard (community 4 of the default tree, where the seed put them).
        var doc = await store.GetAsync(key.Bind(MusterBot.State.Records.Org.DefaultTree.CommunityId), CancellationToken.None);
        return doc is null ? null : RecordJson.Deserialize<T>(doc.Json);
    }

    /// <summary>Before the clock jumps: nothing in flight, so no lease expires under a message being sent.</summary>
    private static Task WaitForOutboxEmptyAsync(IStateStore store) =>
        WaitForAsync(async () => (await store.CountOutboxAsync(CancellationToken.None)).Values.Sum() == 0);

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The condition did not hold within {Wait}.");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Presses a check-in button on the member's order (the order message is edited in place).</summary>
    private async Task ChecksIn(long member, Dictionary<long, EmulatedMessage> orders, string button) =>
        await Presses(member, orders[member], button, "Your answer: " + button);

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
