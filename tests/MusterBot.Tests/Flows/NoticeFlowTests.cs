using MusterBot.Flows.Broadcasts;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Groups;
using MusterBot.Flows.Musters;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Broadcasts;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Groups;
using MusterBot.State.Records.Musters;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #20 point 4: /notice — targets, text and photo, now or later, the preview's count, "read", emergency mode.</summary>
public sealed class NoticeFlowTests
{
    private static readonly Sender Admin = FlowHarness.Person(1, "en", "Boss");
    private static readonly Sender Hank = FlowHarness.Person(20, "en", "Hank");
    private static readonly Sender Ann = FlowHarness.Person(100, "en", "Ann");
    private static readonly Sender Rita = FlowHarness.Person(500, "en", "Rita");
    private static readonly Sender Rosa = FlowHarness.Person(501, "zh-CN", "Rosa");
    private static readonly Sender Ray = FlowHarness.Person(502, "en", "Ray");
    private static readonly Sender Bob = FlowHarness.Person(503, "en", "Bob");
    private static readonly GroupChat NorthGroup = new(-7001, "North grid", Supergroup: true);
    private static readonly GroupChat Block4Group = new(-7002, "Block 4", Supergroup: true);

    private static readonly string[] GridIds = ["g1", "g2", "g3"];

    private static async Task<FlowHarness> NewAsync()
    {
        var h = new FlowHarness(null, new MusterOptions(), Admin.Id);
        var now = h.Clock.GetUtcNow();
        var writes = new List<DocWrite>();
        var sets = new List<SetChange>();
        void Put<T>(DocKey key, T record) => writes.Add(new DocWrite(key, RecordJson.Serialize(record), null));
        Put(DocKeys.Grid("g1"), new Grid("g1", "North") { Buildings = [new Building("b1", "Block 3"), new Building("b2", "Block 4")] });
        Put(DocKeys.Grid("g2"), new Grid("g2", "South"));
        Put(DocKeys.Grid("g3"), new Grid("g3", "Empty"));
        sets.AddRange(GridIds.Select(g => new SetChange(Sets.Grids, g, Add: true)));
        void Person(Sender who, Roles roles, string grid, string? building, bool blocked = false)
        {
            var profile = new UserProfile(who.Id, who.Id, who.FirstName)
            {
                Language = who.LanguageCode == "en" ? Language.En : Language.Zh,
                LanguageChosen = true,
                Roles = roles,
                RegisteredAt = now,
                FirstSeenAt = now,
                Phone = "+86138000" + who.Id.ToString("D5", System.Globalization.CultureInfo.InvariantCulture),
                GridId = grid,
                BuildingId = building,
                BlockedBot = blocked,
            };
            Put(DocKeys.User(who.Id), profile);
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        Person(Admin, Roles.Admin, "g2", null);
        Person(Hank, Roles.Handler, "g1", null);
        Person(Ann, Roles.Member, "g1", "b1");
        Person(Rita, Roles.Resident, "g1", "b1");
        Person(Rosa, Roles.Resident, "g1", "b2");
        Person(Ray, Roles.Resident, "g2", null);
        Person(Bob, Roles.Resident, "g1", "b2", blocked: true);
        Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets }, CancellationToken.None)).Status);
        return h;
    }

    private static async Task LinkAsync(FlowHarness h, GroupChat chat, GroupTarget target, string id)
    {
        await h.Event(new GroupCommand(Admin, chat, 7, "link", string.Empty) { SenderIsGroupAdmin = true });
        await h.Press(Admin, GroupButton.Codec.Encode(new GroupButton.LinkTo(chat.Id, target, id)));
        await h.DrainAsync();
    }

    private static string TextOf(OutboxMessage m) => m.Action switch
    {
        SendText s => s.Html,
        EditText e => e.Html,
        SendPhoto p => p.CaptionHtml ?? string.Empty,
        AnswerCallback a => a.Text ?? string.Empty,
        _ => string.Empty,
    };

    private static IEnumerable<string> Buttons(OutboxMessage m) => (m.Action switch
    {
        SendText s => s.Markup as InlineMarkup,
        EditText e => e.Markup,
        SendPhoto p => p.Markup as InlineMarkup,
        EditMarkup k => k.Markup,
        _ => null,
    })?.Rows.SelectMany(r => r).Select(b => b.CallbackData ?? string.Empty) ?? [];

    private static string? Toast(IEnumerable<OutboxMessage> messages, string? queryId = null) =>
        messages.Select(m => m.Action).OfType<AnswerCallback>().SingleOrDefault(a => queryId is null || a.CallbackQueryId == queryId)?.Text;

    /// <summary>/notice → new → the targets → done → the text; returns what the last step sent.</summary>
    private static async Task<IReadOnlyList<OutboxMessage>> WriteAsync(FlowHarness h, Sender who, string text, params string[] targets)
    {
        await h.Command(who, "notice");
        await h.Press(who, new NoticeButton.Compose().Data);
        foreach (var target in targets)
        {
            await h.Press(who, new NoticeButton.Toggle(target).Data);
        }

        await h.Press(who, new NoticeButton.Done().Data);
        await h.Text(who, text);
        return await h.DrainAsync();
    }

    private static string Last(IReadOnlyList<OutboxMessage> messages) => TextOf(messages[^1]);

    private static Task<Notice?> NoticeAsync(FlowHarness h, int number = 1) => h.CommunityDocAsync<Notice>(DocKeys.Notice(number));

    [Fact]
    public async Task Notice_ToAGridAndABuilding_PreviewCounts_SentToResidentsAndLinkedGroups_ReadCountedOnce()
    {
        var h = await NewAsync();
        await LinkAsync(h, NorthGroup, GroupTarget.Grid, "g1");
        await LinkAsync(h, Block4Group, GroupTarget.Building, "g1/b2");

        var asked = await WriteAsync(h, Admin, "Water off <Tuesday> 9–12", "g1/b2", "g2");
        Assert.Contains(asked, m => TextOf(m).StartsWith("Step 3 of 4", StringComparison.Ordinal));
        await h.Press(Admin, new NoticeButton.SkipPhoto().Data);
        await h.Press(Admin, new NoticeButton.SendTime(NoticeWhen.Now).Data);
        var preview = TextOf((await h.DrainAsync()).Last(m => m.Action is EditText));
        // Block 4: Rosa (Bob blocked the bot); South: Ray and the administrator; Block 4's group. North's group is not Block 4's.
        Assert.Contains("To: 🏠 Block 4 (North)、grid South", preview, StringComparison.Ordinal);
        Assert.Contains("Will reach <b>3</b> people and 1 linked group(s).", preview, StringComparison.Ordinal);
        Assert.Contains("Water off &lt;Tuesday&gt; 9–12", preview, StringComparison.Ordinal);

        await h.Press(Admin, new NoticeButton.Send().Data);
        var sent = await h.DrainAsync();
        var copies = sent.Where(m => m.Action is SendText && m.Tag == "nt:1").ToList();
        Assert.Equal(new long[] { Admin.Id, Rosa.Id, Ray.Id, Block4Group.Id }.Order(), copies.Select(m => m.ChatId).Order());
        Assert.All(copies, m => Assert.Equal(Lane.Normal, m.Lane));
        Assert.Equal("📢 <b>通知 N-1</b>\nWater off &lt;Tuesday&gt; 9–12", TextOf(copies.Single(m => m.ChatId == Rosa.Id)));
        Assert.Equal([new NoticeButton.Read(FlowHarness.Community, 1).Data], Buttons(copies.Single(m => m.ChatId == Rosa.Id)));
        Assert.Contains("Sent to 3 people and 1 group(s).\n👌 Read: 0 of 3", TextOf(sent.Single(m => m.ChatId == Admin.Id && m.Action is EditText)), StringComparison.Ordinal);
        var notice = (await NoticeAsync(h))!;
        Assert.Equal((NoticeStatus.Sent, 3, 1), (notice.Status, notice.Recipients, notice.Groups));
        Assert.Equal(["1", "501", "502"], (await h.CommunitySetAsync(Sets.NoticeRecipients(1))).Order(StringComparer.Ordinal));

        // Rosa reads it: counted once, her copy says so; Rita (not a recipient) pressing in North's group is only thanked.
        await h.Press(Rosa, new NoticeButton.Read(FlowHarness.Community, 1).Data, messageId: 44, queryId: "rosa1");
        await h.Press(Rosa, new NoticeButton.Read(FlowHarness.Community, 1).Data, messageId: 44, queryId: "rosa2");
        await h.Event(new ButtonPressed(Rita, NorthGroup.Id, 45, "rita", new NoticeButton.Read(FlowHarness.Community, 1).Data));
        await h.Event(new ButtonPressed(Ray, Block4Group.Id, 46, "ray", new NoticeButton.Read(FlowHarness.Community, 1).Data));
        await h.Press(Ray, new NoticeButton.Read(99, 1).Data, queryId: "forged");
        var reads = await h.DrainAsync();
        Assert.Equal("👌 谢谢，已标记为已读。", Toast(reads, "rosa1"));
        Assert.Equal("您已经标记过已读了，谢谢！", Toast(reads, "rosa2"));
        Assert.Equal("Thank you for reading.", Toast(reads, "rita"));
        Assert.Equal("👌 Thank you, marked as read.", Toast(reads, "ray"));
        Assert.Equal("Thank you for reading.", Toast(reads, "forged"));
        Assert.Contains(reads, m => m.ChatId == Rosa.Id && m.Action is EditMarkup { MessageId: 44 });
        Assert.DoesNotContain(reads, m => m.ChatId < 0);
        Assert.Equal(["501", "502"], (await h.CommunitySetAsync(Sets.NoticeRead(1))).Order(StringComparer.Ordinal));

        // The sender's read count, and /notice's list.
        await h.Press(Admin, new NoticeButton.Stats(1).Data);
        Assert.Contains("👌 Read: 2 of 3", TextOf((await h.DrainAsync()).Single(m => m.Action is EditText)), StringComparison.Ordinal);
        await h.Command(Admin, "notice");
        Assert.Contains("N-1 · ✅ 03-01 16:00 · 🏠 Block 4 (North)、grid South · 3 people · 👌 read 2", TextOf((await h.DrainAsync()).Single()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notice_BadInput_EmptySelection_Nobody_WrongRole_OtherGrid_BadTimes_ChangeNothing()
    {
        var h = await NewAsync();

        // A resident cannot send notices; a grid worker sees only their own grid, and a forged choice of another is refused.
        await h.Command(Rita, "notice");
        Assert.Equal("Sorry, only administrators and grid workers can use this.", TextOf((await h.DrainAsync()).Single()));
        await h.Command(Hank, "notice");
        await h.Press(Hank, new NoticeButton.Compose().Data);
        var choices = (await h.DrainAsync()).Single(m => m.Action is EditText);
        Assert.Equal([new NoticeButton.Toggle("g1").Data, new NoticeButton.Toggle("g1/b1").Data, new NoticeButton.Toggle("g1/b2").Data, new NoticeButton.Done().Data, new NoticeButton.Cancel().Data], Buttons(choices));
        await h.Press(Hank, new NoticeButton.Toggle("g2").Data, queryId: "forged");
        Assert.Equal("This button is no longer valid.", Toast(await h.DrainAsync(), "forged"));

        // Done with nothing chosen.
        await h.Press(Hank, new NoticeButton.Done().Data, queryId: "empty");
        Assert.Equal("Please choose at least one grid or building.", Toast(await h.DrainAsync(), "empty"));
        Assert.Equal("Targets", (await h.ConversationAsync(Hank.Id))!.Step);

        // Text too long; a photo without a caption is kept, then the text; then bad times.
        await h.Press(Hank, new NoticeButton.Toggle("g1/b1").Data);
        await h.Press(Hank, new NoticeButton.Done().Data);
        await h.Text(Hank, new string('x', 1001));
        Assert.Contains("Please write 1–1000 characters (this was 1001).", Last(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Event(new PhotoReceived(Hank, Hank.Id, 70, "photo-1", null));
        Assert.Contains("Photo kept", Last(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Text(Hank, "Vaccination day on Friday");
        Assert.Contains("Step 4 of 4", Last(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Text(Hank, "tomorrow-ish");
        Assert.Contains("Please type a date and time", Last(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Text(Hank, "2025-02-01 09:00");
        Assert.Contains("That time has passed", Last(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Text(Hank, "2025-06-01 09:00");
        Assert.Contains("At most 30 days ahead", Last(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Press(Hank, new NoticeButton.SendTime(NoticeWhen.Now).Data);
        var preview = TextOf((await h.DrainAsync()).Last(m => m.Action is EditText));
        Assert.Contains("Will reach <b>2</b> people and 0 linked group(s).", preview, StringComparison.Ordinal);
        Assert.Contains("📷 with a photo", preview, StringComparison.Ordinal);
        await h.Press(Hank, new NoticeButton.Send().Data);
        var sent = await h.DrainAsync();
        Assert.Equal(new long[] { Ann.Id, Rita.Id }, sent.Where(m => m.Action is SendPhoto { FileId: "photo-1" }).Select(m => m.ChatId).Order());

        // A grid where nobody lives and no group is linked: the preview says so, and a send anyway is refused.
        await WriteAsync(h, Admin, "Meeting", "g3");
        await h.Press(Admin, new NoticeButton.SkipPhoto().Data);
        await h.Press(Admin, new NoticeButton.SendTime(NoticeWhen.Now).Data);
        var nobody = (await h.DrainAsync()).Last(m => m.Action is EditText);
        Assert.Contains("Nobody would get it", TextOf(nobody), StringComparison.Ordinal);
        Assert.Equal([new NoticeButton.Cancel().Data], Buttons(nobody));
        await h.Press(Admin, new NoticeButton.Send().Data, queryId: "anyway");
        Assert.StartsWith("Nobody would get it", Toast(await h.DrainAsync(), "anyway"), StringComparison.Ordinal);
        Assert.Null(await NoticeAsync(h, 2));

        // An old wizard button after it ended.
        await h.Press(Hank, new NoticeButton.Done().Data, queryId: "old");
        Assert.NotNull(Toast(await h.DrainAsync(), "old"));
    }

    [Fact]
    public async Task Notice_ARestartAfterEveryStep_OddMessages_AndASecondSend_ChangeNothingTheyShouldNot()
    {
        var h = await NewAsync();
        void Restart() => h = new FlowHarness(h.Store, new MusterOptions(), Admin.Id);
        async Task<string> Said() => Last(await h.DrainAsync());

        await h.Command(Admin, "notice");
        Restart();
        await h.Press(Admin, new NoticeButton.Compose().Data);
        Restart();
        await h.DrainAsync();

        // A sticker and a location in the middle of the wizard: the step's question again, nothing moves.
        await h.Event(new OtherMessageReceived(Admin, Admin.Id, 60, "sticker"));
        Assert.Equal("Please choose with the buttons above, then tap “Done”.", await Said());
        await h.Event(new LocationShared(Admin, Admin.Id, 61, 22.5, 114.1));
        Assert.Equal("Please choose with the buttons above, then tap “Done”.", await Said());
        await h.Press(Admin, new NoticeButton.Toggle("g1/b2").Data);
        Restart();
        await h.Press(Admin, new NoticeButton.Done().Data);
        Restart();
        await h.Text(Admin, "Lift maintenance on Thursday");
        Restart();
        await h.Event(new OtherMessageReceived(Admin, Admin.Id, 62, "sticker"));
        Assert.Equal("Please send a photo, or tap “No photo”.", await Said());
        await h.Press(Admin, new NoticeButton.SkipPhoto().Data);
        Restart();
        await h.Press(Admin, new NoticeButton.SendTime(NoticeWhen.Now).Data);
        Restart();
        await h.Text(Admin, "send it");
        Assert.Equal("Please use the buttons under the preview.", await Said());

        // "Send" twice (a double tap, or the old preview pressed again): one notice, sent once.
        await h.Press(Admin, new NoticeButton.Send().Data, queryId: "first");
        await h.Press(Admin, new NoticeButton.Send().Data, queryId: "second");
        var sent = await h.DrainAsync();
        Assert.Equal([Rosa.Id], sent.Where(m => m.Tag == "nt:1").Select(m => m.ChatId));
        Assert.NotNull(Toast(sent, "second"));
        Assert.Null(await NoticeAsync(h, 2));
        Assert.Equal(["501"], await h.CommunitySetAsync(Sets.NoticeRecipients(1)));
        Assert.Equal("Lift maintenance on Thursday", (await NoticeAsync(h))!.Text);
    }

    [Fact]
    public async Task Notice_Scheduled_SentAtItsTime_CancelledNotSent_DeletedGridLeftOutOrDropped()
    {
        var h = await NewAsync();

        // N-1 to North and South tomorrow 08:00; N-2 to South only at 09:30; N-3 to North in an hour, then cancelled.
        async Task ScheduleAsync(string text, string[] targets, Func<Task> when)
        {
            await WriteAsync(h, Admin, text, targets);
            await h.Press(Admin, new NoticeButton.SkipPhoto().Data);
            await when();
            await h.Press(Admin, new NoticeButton.Send().Data);
        }

        await ScheduleAsync("First", ["g1", "g2"], () => h.Press(Admin, new NoticeButton.SendTime(NoticeWhen.TomorrowMorning).Data));
        Assert.Contains("🕒 N-1 will go out at 03-02 08:00 to 6 people and 0 group(s).", TextOf((await h.DrainAsync()).Last(m => m.Action is EditText)), StringComparison.Ordinal);
        await ScheduleAsync("Second", ["g2"], () => h.Text(Admin, "09:30"));
        Assert.Contains("N-2 will go out at 03-02 09:30", Last(await h.DrainAsync()), StringComparison.Ordinal);
        await ScheduleAsync("Third", ["g1"], () => h.Press(Admin, new NoticeButton.SendTime(NoticeWhen.InOneHour).Data));
        await h.DrainAsync();
        await h.Press(Admin, new NoticeButton.CancelScheduled(3).Data);
        Assert.Contains("N-3 is cancelled", Last(await h.DrainAsync()), StringComparison.Ordinal);
        await h.Press(Admin, new NoticeButton.CancelScheduled(3).Data, queryId: "again");
        Assert.Equal("N-3 is no longer waiting to be sent.", Toast(await h.DrainAsync(), "again"));
        Assert.Equal(NoticeStatus.Cancelled, (await NoticeAsync(h, 3))!.Status);

        // Grid South is deleted before they are due.
        Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityAsync(new Commit
        {
            Writes = [new DocWrite(DocKeys.Grid("g2"), null, null)],
            SetChanges = [new SetChange(Sets.Grids, "g2", Add: false)],
        }, CancellationToken.None)).Status);

        h.Clock.Advance(TimeSpan.FromHours(2));
        await h.FireDueTimersAsync();
        Assert.Empty(await h.DrainAsync());

        h.Clock.Advance(TimeSpan.FromHours(16));
        await h.FireDueTimersAsync();
        var due = await h.DrainAsync();
        // N-1 reaches North only; the sender is told South was left out. N-2 had only South: not sent, the sender told.
        Assert.Equal(new long[] { Hank.Id, Ann.Id, Rita.Id, Rosa.Id }.Order(), due.Where(m => m.Tag == "nt:1").Select(m => m.ChatId).Order());
        var toAdmin = due.Where(m => m.ChatId == Admin.Id).Select(TextOf).ToList();
        Assert.Contains(toAdmin, t => t.StartsWith("📢 Your scheduled notice N-1 went out.", StringComparison.Ordinal) && t.Contains("⚠️ Not sent to grid South: no longer in the community.", StringComparison.Ordinal));
        Assert.Contains("⚠️ N-2 was not sent: grid South no longer in the community.", toAdmin);
        Assert.DoesNotContain(due, m => m.Tag is "nt:2" or "nt:3");
        Assert.Equal((NoticeStatus.Sent, 4), ((await NoticeAsync(h, 1))!.Status, (await NoticeAsync(h, 1))!.Recipients));
        Assert.Equal(NoticeStatus.Dropped, (await NoticeAsync(h, 2))!.Status);
        Assert.Equal(NoticeStatus.Cancelled, (await NoticeAsync(h, 3))!.Status);
    }

    [Fact]
    public async Task Notice_InEmergencyMode_HeldUnlessUrgent_UrgentGoesOnTheEmergencyLane()
    {
        var h = await NewAsync();
        Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityAsync(new Commit
        {
            Writes = [new DocWrite(DocKeys.Mode, RecordJson.Serialize(new CommunityMode(true) { Since = h.Clock.GetUtcNow(), ChangedBy = Admin.Id }), null)],
        }, CancellationToken.None)).Status);

        await WriteAsync(h, Admin, "Normal notice", "g1/b1");
        await h.Press(Admin, new NoticeButton.SkipPhoto().Data);
        await h.Press(Admin, new NoticeButton.SendTime(NoticeWhen.Now).Data);
        Assert.Contains("Emergency mode is on", TextOf((await h.DrainAsync()).Last(m => m.Action is EditText)), StringComparison.Ordinal);
        await h.Press(Admin, new NoticeButton.Send().Data);
        Assert.DoesNotContain(await h.DrainAsync(), m => m.Tag == "nt:1");
        Assert.Equal(2, (await h.CommunitySetAsync(Sets.HeldNotices)).Count);

        await WriteAsync(h, Admin, "Urgent notice", "g1/b1");
        await h.Press(Admin, new NoticeButton.SkipPhoto().Data);
        await h.Press(Admin, new NoticeButton.SendTime(NoticeWhen.Now).Data);
        await h.Press(Admin, new NoticeButton.Urgent().Data);
        Assert.Contains("🚨 Urgent: sent even in emergency mode.", TextOf((await h.DrainAsync()).Last(m => m.Action is EditText)), StringComparison.Ordinal);
        await h.Press(Admin, new NoticeButton.Send().Data);
        var urgent = (await h.DrainAsync()).Where(m => m.Tag == "nt:2").ToList();
        Assert.Equal(new long[] { Ann.Id, Rita.Id }, urgent.Select(m => m.ChatId).Order());
        Assert.All(urgent, m => Assert.Equal(Lane.Emergency, m.Lane));
    }
}
