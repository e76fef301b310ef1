using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Emulator;
using MusterBot.Flows.Directory;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Households;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.EndToEnd;

/// <summary>
/// Issue #19 points 1–3 end to end, through the real host, the production client, the emulator over HTTP and Redis: a
/// grid worker and the administrator import the households of two grids as CSV files (downloaded through getFile); a
/// drill is launched and relayed; four members arrive; the administrator starts the welfare check from the roll call;
/// the members are given their households and report them — one household needs help, nobody takes it, it is escalated
/// to the backup convenor, then taken and done; one is not home; the unchecked ones are reminded. Then point 4–5: three
/// posts with two shifts each, places taken and filled, a leader, a temporary branch, the reminder before shift 1 ends
/// and the handover. The close sends the welfare report and a CSV of every household, and the posts report and CSV.
/// The clock is shifted forward for the timers.
/// </summary>
[Collection("redis")]
public sealed class WelfareEndToEndTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const long AdminId = 7_500_000_001;
    private const long HandlerId = 7_500_000_002;
    private const long C1 = 7_500_000_011, B1 = 7_500_000_012, C2 = 7_500_000_021;
    private const long A1 = 7_500_000_101, A2 = 7_500_000_102, S1 = 7_500_000_201, S2 = 7_500_000_202;
    private BotApiEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await BotHost.StartEmulatorAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task HouseholdsImported_WelfareCheck_HelpEscalatedTakenDone_Reminder_CloseReportAndCsv()
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
                ["Muster:WelfareMaxPerMember"] = "3",
            },
            b => b.Services.AddSingleton<TimeProvider>(clock));
        var store = host.App.Services.GetRequiredService<IStateStore>();
        await SeedAsync(store, clock.GetUtcNow());

        // The grid worker of North imports North's ten households; the administrator imports South's ten.
        await ImportAsync(HandlerId, "📋 10 rows read, 10 valid, 0 with problems.", "✅ Import all 10", Households("North", "Block 3", "Block 5", 1), start: null);
        await ImportAsync(AdminId, "📋 11 rows read, 10 valid, 1 with problems.", "Import only the 10 valid rows", Households("South", "Block 9", "Block 9", 1) + "South,Block 9,1,101,dup,,,\n", start: "South (0)");
        Assert.Equal(10, (await store.GetSetMembersAsync(Sets.HouseholdsInGrid("g1"), MusterBot.State.Records.Org.DefaultTree.CommunityId, CancellationToken.None)).Count);
        Assert.Equal(10, (await store.GetSetMembersAsync(Sets.HouseholdsInGrid("g2"), MusterBot.State.Records.Org.DefaultTree.CommunityId, CancellationToken.None)).Count);

        // A drill for every member; both convenors relay; four members arrive.
        var kind = await Says(AdminId, "/muster", "Launch a muster");
        var scope = await Presses(AdminId, kind, "Flood", "Step 2: who is called?");
        await Presses(AdminId, scope, "All members", "Step 3: send the rally point");
        var pin = await Says(AdminId, "Community square", "Step 4: send a location pin");
        var within = await Presses(AdminId, pin, "Skip", "Step 5: report within?");
        var drill = await Presses(AdminId, within, "within 1 h", "Step 6: drill or real?");
        var preview = await Presses(AdminId, drill, "🧪 Drill", "Please confirm the muster order");
        await Presses(AdminId, preview, "🧪 Send the drill order", "M-1 sent");
        var panel = await Sees(AdminId, 0, "Roll call M-1 · whole community");
        foreach (var convenor in new[] { C1, C2 })
        {
            var order = await Sees(convenor, 0, "Your region:");
            await Presses(convenor, order, "📣 Relay to my region", "Members told at");
        }

        foreach (var member in new[] { A1, A2, S1, S2 })
        {
            var order = await Sees(member, 0, "Muster order M-1");
            await Presses(member, order, "📍 arrived", "Your answer: 📍 arrived");
        }

        // The administrator starts the check of every tagged household (18: two are untagged) from the roll call.
        var setup = await Presses(AdminId, Latest(AdminId, panel.MessageId), "🏠 Check vulnerable households", "M-1: check vulnerable households");
        Assert.Contains("18 households (North 9, South 9)\nArrived members so far: 4. Each member gets at most 3", setup.Text, StringComparison.Ordinal);
        await Presses(AdminId, setup, "▶️ Start: 18 households", "M-1: checking 18 households. 12 given to arrived members; 6 wait for members who arrive.");

        // Each member gets three households of their grid, their own building first.
        var a1List = await Sees(A1, 0, "please visit these 3 households");
        Assert.Contains("• Block 3 · 1-101 · lives alone", a1List.Text, StringComparison.Ordinal);
        var s1List = await Sees(S1, 0, "please visit these 3 households");

        // S1: nobody answers at the first one.
        var s1Card = await PressesStarting(S1, s1List, "⏳ Block 9 · 1-", "📞 Phones:");
        await Presses(S1, s1Card, "🚪 not home / no answer", "Report: 🚪 not home");

        // A1: the first is safe, the second needs medicine (with a photo), the third is left for the reminder.
        var card = await Presses(A1, a1List, "⏳ Block 3 · 1-101", "📞 Phones: +8613900001001");
        await Presses(A1, card, "✅ safe", "Report: ✅ safe");
        card = await Presses(A1, Latest(A1, card.MessageId), "📋 My households", "your households, 1 of 3 checked");
        card = await Presses(A1, card, "⏳ Block 3 · 1-102", "H-0002");
        var needs = await Presses(A1, card, "🆘 needs help", "what is needed?");
        var since = _emulator.State.Version;
        await Presses(A1, needs, "💊 medicine", "Request for help sent for H-0002");
        var toC1 = await Sees(C1, since, "M-1 · help needed");
        await Sees(AdminId, since, "M-1 · help needed");
        Assert.DoesNotContain(_emulator.Transcript(B1, since), m => m.Text?.Contains("help needed", StringComparison.Ordinal) == true);
        _emulator.SendPhoto(A1, [0x89, 0x50, 0x4E, 0x47], null);
        await Sees(A1, since, "Photo added to the request.");
        await _emulator.WaitForMessageAsync(C1, m => m.Version > since && m.PhotoFileId is not null, Wait);

        // Nobody takes it for 10 minutes: the backup convenor is told too.
        await WaitForOutboxEmptyAsync(store);
        clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(5));
        await Sees(B1, since, "M-1 · nobody has taken this for 10 min");
        await Presses(C1, toC1, "🙋 I'll handle it", "You are handling H-0002");
        await Sees(A1, since, "C1 is handling the request for H-0002");
        var taken = await Sees(C1, since, "Tap Done when it is done.");
        await Presses(C1, taken, "✅ Done", "Request for H-0002 Block 3 · 1-102 done.");
        await Sees(A1, since, "The request for H-0002 Block 3 · 1-102 is done.");

        // The unchecked ones are reminded at 30 minutes from the start.
        await WaitForOutboxEmptyAsync(store);
        clock.Advance(TimeSpan.FromMinutes(21));
        await Sees(S2, since, "3 of your households are not checked yet");
        var reminder = await Sees(A1, since, "1 of your households are not checked yet");

        // Three front-line posts, each with two shifts of 4 hours, defined from the roll call's "📌 Posts".
        var posts = await Presses(AdminId, Latest(AdminId, panel.MessageId), "📌 Posts", "M-1 · posts");
        foreach (var (kindName, place, needed) in new[] { ("🚧 checkpoint", "East gate", "1"), ("🏫 shelter", "School gym", "1"), ("📦 supply point", "Depot", "1") })
        {
            var newPost = await Presses(AdminId, posts, "➕ New post", "what is it?");
            await Presses(AdminId, newPost, kindName, "Where is it?");
            var count = await Says(AdminId, place, "how many people does it need at a time?");
            var rota = await Presses(AdminId, count, needed, "Shifts?");
            var pinAsk = await Presses(AdminId, rota, "2 shifts × 4 h", "Send the post's location");
            posts = await Presses(AdminId, pinAsk, "Skip", "Shifts: Shift 1 ");
            posts = await Presses(AdminId, posts, "📌 Posts", "M-1 · posts");
        }

        Assert.Contains("P-1 🚧 checkpoint · East gate: 0/1 · 0/1\nP-2 🏫 shelter · School gym: 0/1 · 0/1\nP-3 📦 supply point · Depot: 0/1 · 0/1", posts.Text, StringComparison.Ordinal);

        // A1 and A2 take places at P-1 from the "new post" message: the first shift with room each — shift 1, then shift 2.
        var told = await Sees(A1, since, "new post P-1 🚧 checkpoint · East gate");
        await Presses(A1, told, "✋ Take a place here", "You are at P-1 🚧 checkpoint · East gate. — Shift 1 ");
        told = await Sees(A2, since, "new post P-1 🚧 checkpoint · East gate");
        var a2View = await Presses(A2, told, "✋ Take a place here", "You are at P-1 🚧 checkpoint · East gate. — Shift 2 ");
        a2View = await Presses(A2, a2View, "📌 My post", "📌 P-1 🚧 checkpoint · East gate\nStaffed");
        Assert.Contains("1/1 ▶ on duty\n• A1", a2View.Text, StringComparison.Ordinal);

        // "Fill the posts" places S1 and S2 at P-2 and P-3; the administrator names A1 P-1's leader.
        posts = Latest(AdminId, posts.MessageId);
        await Presses(AdminId, posts, "🤖 Fill the posts", "M-1 · posts", expectAnswer: "2 members given a post; 0 still without one (no places left).");
        await Sees(S1, since, "you are given post P-");
        await Sees(S2, since, "you are given post P-");
        var p1Admin = await PressesStarting(AdminId, posts, "P-1 ", "📌 P-1 🚧 checkpoint · East gate\nStaffed");
        var leaders = await Presses(AdminId, p1Admin, "👑 Post leader", "who leads it?");
        await Presses(AdminId, leaders, "A1", "Staffed 1/1 · leader: A1");
        await Sees(A1, since, "you lead post P-1");

        // A temporary party branch for P-1 with A1 its secretary; A2, on P-1's second shift, is a member.
        posts = await Presses(AdminId, Latest(AdminId, posts.MessageId), "📌 Posts", "M-1 · posts");
        var branches = await Presses(AdminId, posts, "🚩 Temporary party branches", "temporary party branches");
        var secretary = await Presses(AdminId, branches, "🚩 Form for P-1", "who is its secretary?");
        await Presses(AdminId, secretary, "A1", "B-1 · P-1 🚧 checkpoint · East gate: secretary A1, 2 members");
        var branchTold = await Sees(A2, since, "you are in temporary party branch B-1");
        await Presses(A2, branchTold, "🚩 My branch", "Secretary: A1 · members: 2");

        // 30 minutes before shift 1 ends: A1 is reminded to hand over to A2; A2 that her shift starts. A1 hands over.
        await WaitForOutboxEmptyAsync(store);
        since = _emulator.State.Version;
        clock.Advance(TimeSpan.FromHours(3.5));
        var ending = await Sees(A1, since, "P-1 · East gate: your shift 1 ends at");
        Assert.Contains("Hand over to: A2.", ending.Text, StringComparison.Ordinal);
        await Sees(A2, since, "P-1 · East gate: your shift 2 starts at");
        await Presses(A1, ending, "🤝 Handed over", "🤝 Shift 1 → 2 handed over");
        await Sees(A2, since, "shift 1 handed over to shift 2 (A1). You are on duty now.");

        // The roll call counts the check; the close sends the report and every household's outcome.
        await WaitForAsync(() => Task.FromResult(_emulator.State.FindMessage(AdminId, panel.MessageId)?.Text?.Contains("🏠 Households checked 3/18 (given out 12): ✅ 1 · 🆘 1 (open 0) · 🚪 1", StringComparison.Ordinal) == true));
        var open = await Says(AdminId, "/muster close", "Open musters");
        var ask = await Presses(AdminId, open, "🏁 Close M-1", "Close muster M-1?");
        since = _emulator.State.Version;
        await Presses(AdminId, ask, "🏁 Yes, close", "M-1 is closed; the report was sent.");
        var report = await Sees(AdminId, since, "M-1 · Welfare check");
        Assert.Contains("🆘 Block 3 · 1-102: 💊 medicine · done · C1", report.Text, StringComparison.Ordinal);
        var csv = await _emulator.WaitForMessageAsync(AdminId, m => m.DocumentFileName == "M-1-households.csv", Wait);
        var lines = Encoding.UTF8.GetString(_emulator.GetFileContent(csv.DocumentFileId!)!).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(19, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("H-0001,North,Block 3 · 1-101,lives alone,+8613900001001,A1,safe,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("H-0002,North,Block 3 · 1-102,bedridden,+8613900001002,A1,needs help,💊 medicine,done,C1,A1,", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains(",S1,not home / no answer,,,,S1,", StringComparison.Ordinal));

        // The posts' report and CSV: three posts, one handover of one, the branch; the record and points of A1.
        var postReport = await Sees(AdminId, since, "M-1 · posts");
        Assert.Contains("P-1 🚧 checkpoint · East gate: 1/1 · 1/1 · leader A1 · handovers 1/1", postReport.Text, StringComparison.Ordinal);
        Assert.Contains("P-2 🏫 shelter · School gym: 1/1 · 0/1 · leader nobody yet · handovers 0/1\nP-3 📦 supply point · Depot: 1/1 · 0/1", postReport.Text, StringComparison.Ordinal);
        Assert.Contains("🚩 B-1 (P-1): secretary A1, 2 members", postReport.Text, StringComparison.Ordinal);
        var postCsv = await _emulator.WaitForMessageAsync(AdminId, m => m.DocumentFileName == "M-1-posts.csv", Wait);
        var postLines = Encoding.UTF8.GetString(_emulator.GetFileContent(postCsv.DocumentFileId!)!).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("post,kind,place,shift,shift_from,shift_to,member,phone,leader,since,branch,branch_role", postLines[0]);
        Assert.Equal(5, postLines.Length);
        Assert.Contains(postLines, l => l.StartsWith("P-1,🚧 checkpoint,East gate,1,", StringComparison.Ordinal) && l.Contains(",A1,", StringComparison.Ordinal) && l.EndsWith(",yes," + l.Split(',')[9] + ",B-1,secretary", StringComparison.Ordinal));
        Assert.Contains(postLines, l => l.StartsWith("P-1,🚧 checkpoint,East gate,2,", StringComparison.Ordinal) && l.EndsWith(",B-1,member", StringComparison.Ordinal));
        var a1Answer = await store.GetAsync(DocKeys.MusterAnswer(1, A1).In(MusterBot.State.Records.Org.DefaultTree.CommunityId), CancellationToken.None);
        Assert.Equal("B-1", RecordJson.Deserialize<MusterBot.State.Records.Musters.MusterAnswer>(a1Answer!.Json!).Service?.Branch);
        await Sees(A1, since, "📌 P-1 🚧 checkpoint · East gate · shift 1 👑 · 🚩 B-1 (secretary)");

        // After the close the member's household buttons no longer open anything.
        await Presses(A1, reminder, "⏳ Block 3 · 1-103", "M-1", expectAnswer: "M-1 is closed. Household details are no longer shown.");
        await _emulator.WaitForAsync(() => _emulator.State.FindMessage(A1, reminder.MessageId)?.Buttons.Count == 0, Wait);
    }

    /// <summary>Nine tagged households and one untagged, half in each building; room "1-101" … in unit 1.</summary>
    private static string Households(string grid, string first, string second, int unit)
    {
        var tags = new[] { "lives alone", "bedridden", "aged 80+", "pregnant", "chronic illness", "disability", "minimum-living support", "left-behind children", "lives alone", string.Empty };
        var sb = new StringBuilder("grid,building,unit,room,people,tags,phones,notes\n");
        var start = grid == "North" ? 0 : 10;
        for (var i = 1; i <= 10; i++)
        {
            var building = i <= 5 ? first : second;
            sb.Append(CultureInfo.InvariantCulture, $"{grid},{building},{unit},{(i <= 5 ? 100 : 200) + i},Resident {start + i},{(tags[i - 1] == "pregnant" ? "pregnant or new mother" : tags[i - 1])},1390000{1000 + start + i},\n");
        }

        return sb.ToString();
    }

    private async Task ImportAsync(long who, string report, string confirm, string csv, string? start)
    {
        var home = await Says(who, "/households", "🏘");
        if (start is not null)
        {
            home = await Presses(who, home, start, "0 households");
        }

        var ask = await Presses(who, home, "📥 Import CSV", "Send the household file");
        var since = _emulator.State.Version;
        _emulator.UploadDocument(who, "households.csv", Encoding.UTF8.GetBytes(csv), "text/csv");
        var answer = await Sees(who, since, report);
        Assert.NotEqual(ask.MessageId, answer.MessageId);
        await Presses(who, answer, confirm, "✅ Imported: 10 new, 0 updated.");
    }

    private async Task SeedAsync(IStateStore store, DateTimeOffset now)
    {
        var writes = new List<DocWrite>
        {
            Put(DocKeys.Grid("g1"), new Grid("g1", "North") { Buildings = [new Building("b1", "Block 3"), new Building("b2", "Block 5")] }),
            Put(DocKeys.Grid("g2"), new Grid("g2", "South") { Buildings = [new Building("b3", "Block 9")] }),
            Put(DocKeys.Region("r1"), new Region("r1", "Port") { ConvenorId = C1, BackupConvenorId = B1 }),
            Put(DocKeys.Region("r2"), new Region("r2", "Hill") { ConvenorId = C2 }),
        };
        var sets = new List<SetChange> { new(Sets.Grids, "g1", true), new(Sets.Grids, "g2", true), new(Sets.Regions, "r1", true), new(Sets.Regions, "r2", true) };
        foreach (var (id, name, roles, grid, building, region) in new (long, string, Roles, string?, string?, string?)[]
        {
            (HandlerId, "H1", Roles.Handler, "g1", null, null),
            (C1, "C1", Roles.Member | Roles.Convenor, "g1", "b1", "r1"),
            (B1, "B1", Roles.Member | Roles.Convenor, "g1", "b2", "r1"),
            (C2, "C2", Roles.Member | Roles.Convenor, "g2", "b3", "r2"),
            (A1, "A1", Roles.Member, "g1", "b1", "r1"),
            (A2, "A2", Roles.Member, "g1", "b2", "r1"),
            (S1, "S1", Roles.Member, "g2", "b3", "r2"),
            (S2, "S2", Roles.Member, "g2", "b3", "r2"),
        })
        {
            var profile = new UserProfile(id, id, name)
            {
                Language = Language.En, LanguageChosen = true, Roles = roles, FirstSeenAt = now, LastSeenAt = now, RegisteredAt = now,
                Phone = "+86138" + (id % 100_000_000).ToString("D8", CultureInfo.InvariantCulture), GridId = grid, BuildingId = building, RegionId = region,
            };
            _emulator.CreateUser(id, name, "en");
            writes.Add(Put(DocKeys.User(id), profile));
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        _emulator.CreateUser(AdminId, "Admin", "en");
        Assert.Equal(CommitStatus.Committed, (await store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets })).Status);
    }

    private static DocWrite Put<T>(MusterBot.State.Documents.DocKey key, T value) => new(key, RecordJson.Serialize(value), 0);

    private EmulatedMessage Latest(long chat, int messageId) => _emulator.State.FindMessage(chat, messageId)!;

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

    private Task<EmulatedMessage> Says(long user, string text, string expected)
    {
        var since = _emulator.State.Version;
        _emulator.SendText(user, text);
        return Sees(user, since, expected);
    }

    private async Task<EmulatedMessage> Presses(long user, EmulatedMessage message, string button, string expected, string? expectAnswer = null)
    {
        var since = _emulator.State.Version;
        var query = _emulator.PressButtonByText(user, message.MessageId, button);
        if (expectAnswer is not null)
        {
            await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(query).Any(a => a.Text == expectAnswer), Wait);
            return message;
        }

        var seen = await Sees(user, since, expected);
        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(query).Count >= 1, Wait);
        return seen;
    }

    /// <summary>Presses the first button whose text starts with <paramref name="prefix"/> (times in a button's text vary with the clock).</summary>
    private async Task<EmulatedMessage> PressesStarting(long user, EmulatedMessage message, string prefix, string expected)
    {
        var since = _emulator.State.Version;
        var button = Latest(user, message.MessageId).Buttons.First(b => b.Text.StartsWith(prefix, StringComparison.Ordinal));
        _emulator.PressButton(user, user, message.MessageId, button.CallbackData!);
        return await Sees(user, since, expected);
    }

    private Task<EmulatedMessage> Sees(long user, long since, string expected) =>
        _emulator.WaitForMessageAsync(user, m => m.Version > since && m.Text?.Contains(expected, StringComparison.Ordinal) == true, Wait);
}
