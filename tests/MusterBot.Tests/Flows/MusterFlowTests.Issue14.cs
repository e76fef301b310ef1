using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.Tests.Support;
using Xunit.Abstractions;

namespace MusterBot.Tests.Flows;

/// <summary>Issue #14: musters as people read them — hints that point to real buttons, who is called, words, counters, the CSV, the Chinese texts.</summary>
public partial class MusterFlowTests
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    private readonly ITestOutputHelper _output;

    public MusterFlowTests(ITestOutputHelper output) => _output = output;

    /// <summary>Rewrites people's profiles (language, roles, region) straight in the store.</summary>
    private static async Task UpdateProfilesAsync(FlowHarness h, Func<UserProfile, UserProfile> change, params Sender[] people)
    {
        var writes = new List<DocWrite>();
        var sets = new List<SetChange>();
        foreach (var who in people)
        {
            var before = await GetAsync<UserProfile>(h, DocKeys.User(who.Id));
            var after = change(before ?? new UserProfile(who.Id, who.Id, who.FirstName) { RegisteredAt = h.Clock.GetUtcNow(), FirstSeenAt = h.Clock.GetUtcNow() });
            writes.Add(new DocWrite(DocKeys.User(who.Id), RecordJson.Serialize(after), null));
            sets.AddRange(PeopleIndex.Changes(before, after));
        }

        Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets }, Ct)).Status);
    }

    private static Task ChineseAsync(FlowHarness h, params Sender[] people) =>
        UpdateProfilesAsync(h, p => p with { Language = Language.Zh, LanguageChosen = true }, people);

    // ---- 3. the location hint after "arrived" ----

    [Fact]
    public async Task Arrived_InADrill_TheLocationHintComesWithALocationButton_InEmergencyTheMenuHasIt()
    {
        var h = await RelayedAsync(drill: true);
        await ChineseAsync(h, Amy);
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, messageId: 7);
        await h.Press(Amy, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, messageId: 7);
        var arrived = await h.DrainAsync();
        NoErrors(arrived);

        // Normal mode: the menu has no "send my location" button, so the hint brings one along.
        foreach (var (who, button) in new[] { (Ann, "📍 Send my location"), (Amy, "📍 发送我的位置") })
        {
            var hint = Assert.Single(SentTo(arrived, who));
            var keyboard = Assert.IsType<ReplyKeyboard>(hint.Markup);
            var location = Assert.Single(keyboard.Rows.SelectMany(r => r), b => b.RequestLocation);
            Assert.Equal(button, location.Text);
            Assert.Contains(button, hint.Html, StringComparison.Ordinal);
        }

        // The location is attached, and the usual menu comes back.
        await h.Event(new LocationShared(Ann, Ann.Id, 8, 22.5, 114.1));
        var saved = Assert.Single(SentTo(await h.DrainAsync(), Ann));
        Assert.Equal("Location saved (M-1).", saved.Html);
        Assert.DoesNotContain(Assert.IsType<ReplyKeyboard>(saved.Markup).Rows.SelectMany(r => r), b => b.RequestLocation);

        // Emergency mode: the menu already has the button; the edited order says where it is, no extra message.
        var e = await RelayedAsync(drill: false);
        await e.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, messageId: 7);
        var real = await e.DrainAsync();
        Assert.DoesNotContain(real, m => m.ChatId == Ann.Id && m.Action is SendText);
        Assert.Contains(real, m => m.ChatId == Ann.Id && m.Action is EditText t && t.Html.Contains("“📍 Send my location”", StringComparison.Ordinal));
    }

    // ---- 4. who is called ----

    [Fact]
    public async Task EveryoneMuster_CallsBackupConvenorsAsMembers_TheConvenorGetsTheConvenorsOrder()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await h.Command(Admin, "muster");
        await h.Press(Admin, new MusterButton.PickKind(MusterKind.Flood).Data);
        await h.Press(Admin, new MusterButton.PickScope(MusterScopeKind.Everyone).Data);
        await h.Text(Admin, "Gate 3");
        await h.Press(Admin, new MusterButton.Skip().Data);
        await h.Press(Admin, new MusterButton.ReportWithin(60).Data);
        await h.Press(Admin, new MusterButton.DrillOrReal(true).Data);
        var preview = (await h.DrainTextsAsync())[^1];
        // Ann, Amy, Bea (backup of Port), Ben, Lin, Nia; Zed is away; Cora and Carl convene.
        Assert.Contains("Calls <b>6</b> people", preview, StringComparison.Ordinal);
        Assert.Contains("Port: 3 (incl. 1 backup convenor)", preview, StringComparison.Ordinal);

        await h.Press(Admin, new MusterButton.Launch().Data);
        await h.DrainAsync();
        var muster = await MusterAsync(h);
        Assert.Equal(3, muster.Region("r1")!.Targeted);
        Assert.Equal(["100", "101", "11"], (await SetAsync(h, Sets.MusterTargets(1, "r1"))).Order(StringComparer.Ordinal));
        Assert.NotNull(await GetAsync<MusterAnswer>(h, DocKeys.MusterAnswer(1, Bea.Id)));
        Assert.Null(await GetAsync<MusterAnswer>(h, DocKeys.MusterAnswer(1, Cora.Id)));

        // Cora relays: Bea gets the member's order like everyone else and answers it.
        await h.Press(Cora, new MusterButton.Relay(1, "r1").Data);
        var relayed = await h.DrainAsync();
        Assert.Contains(new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data, Buttons(Assert.Single(SentTo(relayed, Bea)).Markup));
        await h.Press(Bea, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        Assert.Equal(CheckInStatus.Arrived, (await AnswerAsync(h, Bea)).Status);
    }

    [Fact]
    public async Task TheLaunchingAdministrator_IsNotCalled_UnlessTheyTapIncludeMe()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await UpdateProfilesAsync(h, p => p with { Language = Language.En, Roles = Roles.Member, RegionId = "r1", GridId = "g1", Phone = "+8613800000001" }, Admin);

        await LaunchAsync(h, regions: ["r1"]);
        var first = await h.DrainAsync();
        Assert.Null(await GetAsync<MusterAnswer>(h, DocKeys.MusterAnswer(1, Admin.Id)));
        Assert.Equal(3, (await MusterAsync(h)).Region("r1")!.Targeted);
        Assert.Contains(TextsTo(first, Admin), t => t.Contains("3 people called", StringComparison.Ordinal));

        // The preview says so, and offers the choice.
        var h2 = NewHarness();
        await SeedAsync(h2);
        await UpdateProfilesAsync(h2, p => p with { Language = Language.En, Roles = Roles.Member, RegionId = "r1", GridId = "g1" }, Admin);
        await h2.Command(Admin, "muster");
        await h2.Press(Admin, new MusterButton.PickKind(MusterKind.Flood).Data);
        await h2.Press(Admin, new MusterButton.PickScope(MusterScopeKind.Regions).Data);
        await h2.Press(Admin, new MusterButton.ToggleRegion("r1").Data);
        await h2.Press(Admin, new MusterButton.Done().Data);
        await h2.Text(Admin, "Gate 3");
        await h2.Press(Admin, new MusterButton.Skip().Data);
        await h2.Press(Admin, new MusterButton.ReportWithin(60).Data);
        await h2.Press(Admin, new MusterButton.DrillOrReal(true).Data);
        var preview = (await h2.DrainAsync()).Select(m => m.Action).OfType<EditText>().Last();
        Assert.Contains("Calls <b>3</b> people", preview.Html, StringComparison.Ordinal);
        Assert.Contains("You are not called", preview.Html, StringComparison.Ordinal);
        Assert.Contains(new MusterButton.IncludeMe().Data, Buttons(preview.Markup));

        await h2.Press(Admin, new MusterButton.IncludeMe().Data);
        var included = (await h2.DrainAsync()).Select(m => m.Action).OfType<EditText>().Last();
        Assert.Contains("Calls <b>4</b> people", included.Html, StringComparison.Ordinal);
        Assert.Contains("You are called too", included.Html, StringComparison.Ordinal);
        await h2.Press(Admin, new MusterButton.Launch().Data);
        await h2.DrainAsync();
        Assert.Equal(CheckInStatus.NoAnswer, (await AnswerAsync(h2, Admin)).Status);
        Assert.Equal(4, (await MusterAsync(h2)).Region("r1")!.Targeted);

        // A member (not an administrator) cannot press it; outside the preview it is stale.
        await h2.Press(Ann, new MusterButton.IncludeMe().Data, queryId: "ann");
        await h2.Press(Admin, new MusterButton.IncludeMe().Data, queryId: "late");
        var refused = await h2.DrainAsync();
        Assert.Contains(refused, m => m.Action is AnswerCallback { CallbackQueryId: "ann", ShowAlert: true });
        Assert.Contains(refused, m => m.Action is AnswerCallback { CallbackQueryId: "late", Text: not null });
    }

    // ---- 5. wrong words ----

    [Fact]
    public async Task Escalation_WithoutABackup_SaysTheMembersWereToldDirectly_AndShortWindowsInSeconds()
    {
        var h = NewHarness(new MusterOptions { AcknowledgeWithin = TimeSpan.FromSeconds(45) });
        await SeedAsync(h);
        await ChineseAsync(h, Admin2);
        await h.Command(Admin2, "rollcall");
        await LaunchAsync(h);
        await h.Command(Admin2, "rollcall");
        await h.DrainAsync();

        h.Clock.Advance(TimeSpan.FromSeconds(46));
        await h.FireDueTimersAsync();
        var escalated = await h.DrainAsync();
        NoErrors(escalated);

        var hill = Assert.Single(TextsTo(escalated, Admin), t => t.Contains("Hill", StringComparison.Ordinal) && t.Contains("has not acknowledged", StringComparison.Ordinal));
        Assert.Contains("convenor Carl has not acknowledged in 45 s", hill, StringComparison.Ordinal);
        Assert.DoesNotContain("backup convenor was told", hill, StringComparison.Ordinal);
        Assert.Contains("no backup convenor", hill, StringComparison.Ordinal);
        var port = Assert.Single(TextsTo(escalated, Admin), t => t.Contains("Port", StringComparison.Ordinal) && t.Contains("has not acknowledged", StringComparison.Ordinal));
        Assert.Contains("The backup convenor Bea was told", port, StringComparison.Ordinal);
        Assert.Contains(TextsTo(escalated, Admin2), t => t.Contains("45 秒", StringComparison.Ordinal) && !t.Contains("0 分钟", StringComparison.Ordinal));

        // The backup's order asks only for what its buttons offer (the members were already told: no relay).
        var backup = Assert.Single(SentTo(escalated, Bea), s => s.Html.Contains("backup convenor", StringComparison.Ordinal));
        Assert.Contains("has not acknowledged in 45 s", backup.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(new MusterButton.Relay(1, "r1").Data, Buttons(backup.Markup));
        Assert.DoesNotContain("Relay to my region", backup.Html, StringComparison.Ordinal);
        Assert.Contains("Roll call", backup.Html, StringComparison.Ordinal);

        // Her "acknowledge" is confirmed without asking her to relay (there is nothing left to relay).
        await h.Press(Bea, new MusterButton.Acknowledge(1, "r1").Data, queryId: "bea-ack");
        var acked = (await h.DrainAsync()).Select(m => m.Action).OfType<AnswerCallback>().Single(a => a.CallbackQueryId == "bea-ack");
        Assert.DoesNotContain("relay", acked.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Roll call", acked.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "less than 1 min", "不到 1 分钟")]
    [InlineData(45, "45 s", "45 秒")]
    [InlineData(60, "1 min", "1 分钟")]
    [InlineData(102, "1 min 42 s", "1 分 42 秒")]
    [InlineData(180, "3 min", "3 分钟")]
    [InlineData(3 * 3600 + 5 * 60, "3 h 5 min", "3 小时 5 分")]
    public void Durations_ReadAsPeopleSayThem(int seconds, string en, string zh)
    {
        var texts = MusterBot.Flows.Texts.TextCatalog.Default;
        Assert.Equal(en, MusterView.Duration(texts, Language.En, TimeSpan.FromSeconds(seconds)));
        Assert.Equal(zh, MusterView.Duration(texts, Language.Zh, TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public async Task CommunityRollCall_IsTitledByItsScope_RegionsGridsSkills_OrTheWholeCommunity()
    {
        var h = NewHarness();
        await SeedAsync(h);
        await ChineseAsync(h, Admin2);
        await h.Command(Admin2, "rollcall");
        await LaunchAsync(h, regions: ["r1", "r2"]);
        await h.Command(Admin2, "rollcall");
        var launched = await h.DrainAsync();
        var panel = ((SendText)launched.Last(m => m.ChatId == Admin.Id && m.Tag == RollCall.Tag(1, Admin.Id, null)).Action).Html;
        Assert.Contains("Roll call M-1 · Port, Hill", panel, StringComparison.Ordinal);
        Assert.DoesNotContain("whole community", panel, StringComparison.Ordinal);
        var zh = ((SendText)launched.Last(m => m.ChatId == Admin2.Id && m.Tag == RollCall.Tag(1, Admin2.Id, null)).Action).Html;
        Assert.Contains("点名 M-1 · Port、Hill", zh, StringComparison.Ordinal);
        Assert.DoesNotContain("全社区", zh, StringComparison.Ordinal);

        var all = NewHarness();
        await SeedAsync(all);
        await LaunchAsync(all, scope: "Everyone");
        Assert.Contains(TextsTo(await all.DrainAsync(), Admin), t => t.Contains("Roll call M-1 · whole community", StringComparison.Ordinal));

        var grids = NewHarness();
        await SeedAsync(grids);
        await grids.Command(Admin, "muster");
        await grids.Press(Admin, new MusterButton.PickKind(MusterKind.Fire).Data);
        await grids.Press(Admin, new MusterButton.PickScope(MusterScopeKind.Grids).Data);
        await grids.Press(Admin, new MusterButton.ToggleGrid("g1").Data);
        await grids.Press(Admin, new MusterButton.Done().Data);
        await grids.Text(Admin, "Gate 3");
        await grids.Press(Admin, new MusterButton.Skip().Data);
        await grids.Press(Admin, new MusterButton.ReportWithin(60).Data);
        await grids.Press(Admin, new MusterButton.DrillOrReal(true).Data);
        await grids.Press(Admin, new MusterButton.Launch().Data);
        Assert.Contains(TextsTo(await grids.DrainAsync(), Admin), t => t.Contains("Roll call M-1 · grid North", StringComparison.Ordinal));
    }

    // ---- 8. counters people can read ----

    [Fact]
    public async Task RollCallsAndReport_HaveALegend_EtaIsAClockTime_ReportTimesHaveUnits()
    {
        var h = await RelayedAsync(drill: true);
        await ChineseAsync(h, Admin2, Cora);
        h.Clock.Advance(TimeSpan.FromSeconds(102));
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        await h.Press(Amy, new MusterButton.CheckIn(1, CheckInStatus.OnTheWay).Data, messageId: 9);
        await h.Press(Amy, new MusterButton.Eta(1, 20).Data, messageId: 9);
        var eta = await h.DrainAsync();
        var arrival = h.Clock.GetUtcNow().AddMinutes(20).ToOffset(China).ToString("HH:mm", CultureInfo.InvariantCulture);
        Assert.Contains(eta, m => m.ChatId == Amy.Id && m.Action is EditText e && e.Html.Contains("on my way · about " + arrival, StringComparison.Ordinal));

        await h.Command(Cora, "rollcall");
        await h.Command(Admin, "rollcall");
        var panels = await h.DrainAsync();
        var region = Assert.Single(SentTo(panels, Cora)).Html;
        Assert.Contains("Amy · 约 " + arrival + " 到", region, StringComparison.Ordinal);
        var community = Assert.Single(SentTo(panels, Admin), s => s.Html.Contains("Roll call", StringComparison.Ordinal)).Html;
        Assert.Contains("📍 arrived · 🏃 on my way · ✅ acknowledged · ❌ can't come · ⏳ no answer · 📵 unreachable", community, StringComparison.Ordinal);

        await h.Press(Admin2, new MusterButton.ConfirmClose(1).Data);
        var closed = await h.DrainAsync();
        var report = SentTo(closed, Admin2).Select(s => s.Html).Single(t => t.Contains("集结报告 M-1", StringComparison.Ordinal));
        Assert.Contains("📍已到岗 🏃马上到 ✅已收到 ❌无法参加 ⏳未回复 📵无法送达", report, StringComparison.Ordinal);
        Assert.Contains("中位 1 分 42 秒", report, StringComparison.Ordinal);
        Assert.DoesNotContain("1.7", report, StringComparison.Ordinal);
        var en = SentTo(closed, Cora).Select(s => s.Html).Single(t => t.Contains("集结报告", StringComparison.Ordinal));
        Assert.Contains("不到 1 分钟", en, StringComparison.Ordinal);
    }

    // ---- 11. the CSV for a Chinese office ----

    [Fact]
    public async Task Csv_IsInTheReadersLanguage_WithLocalTimes_AsUtf8CsvWithABom()
    {
        var h = await RelayedAsync(drill: true);
        await ChineseAsync(h, Admin2);
        await h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data);
        await h.Press(Ben, new MusterButton.CheckIn(1, CheckInStatus.CantCome).Data);
        await h.Press(Ben, new MusterButton.Reason(1, CantComeReason.OnDutyElsewhere).Data);
        await h.DrainAsync();
        var answeredAt = h.Clock.GetUtcNow().ToOffset(China).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

        await h.Press(Admin2, new MusterButton.ConfirmClose(1).Data);
        var closed = await h.DrainAsync();
        var zh = closed.Where(m => m.ChatId == Admin2.Id).Select(m => m.Action).OfType<SendDocument>().Single();
        var en = closed.Where(m => m.ChatId == Admin.Id).Select(m => m.Action).OfType<SendDocument>().Single();
        foreach (var doc in new[] { zh, en })
        {
            Assert.Equal("text/csv; charset=utf-8", doc.ContentType);
            Assert.Equal(Encoding.UTF8.GetPreamble(), doc.Content.Take(3));
        }

        var rows = Encoding.UTF8.GetString(zh.Content.AsSpan(3)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("集结令,演练,片区,用户编号,姓名,电话,状态,说明,回复时间,首次回复时间,", rows[0], StringComparison.Ordinal);
        var ann = rows.Single(r => r.Contains(",100,Ann,", StringComparison.Ordinal)).Split(',');
        Assert.Equal(["M-1", "是", "Port", "已到岗", answeredAt], Pick(ann, 0, 1, 2, 6, 8));
        var ben = rows.Single(r => r.Contains(",200,Ben,", StringComparison.Ordinal)).Split(',');
        Assert.Equal(["无法参加", "另有任务"], Pick(ben, 6, 7));
        var lin = rows.Single(r => r.Contains(",300,Lin,", StringComparison.Ordinal)).Split(',');
        Assert.Equal("未回复", lin[6]);

        var english = Encoding.UTF8.GetString(en.Content.AsSpan(3)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("muster,drill,region,user_id,name,phone,status,detail,answered_at,", english[0], StringComparison.Ordinal);
        Assert.Equal(["arrived", answeredAt], Pick(english.Single(r => r.Contains(",100,Ann,", StringComparison.Ordinal)).Split(','), 6, 8));
        Assert.Equal(["can't come", "on duty elsewhere"], Pick(english.Single(r => r.Contains(",200,Ben,", StringComparison.Ordinal)).Split(','), 6, 7));
    }

    private static string[] Pick(string[] cells, params int[] indexes) => [.. indexes.Select(i => cells[i])];

    // ---- 7. the Chinese texts ----

    [Fact]
    public void ChineseMusterTexts_SayNin_HaveNoEnglish_AndNoSpaceBetweenAUnitAndTheNextWord()
    {
        var texts = MusterBot.Flows.Texts.TextCatalog.Default;
        var keys = MusterKeys();
        Assert.NotEmpty(keys);
        foreach (var key in keys)
        {
            var zh = texts.Get(Language.Zh, key);
            Assert.False(zh.Contains('你', StringComparison.Ordinal), key + ": " + zh);
            // Letters only in tags, placeholders and commands (/cancel, /help) and codes (M-?).
            var bare = Regex.Replace(zh, "<[^>]+>|\\{\\d+\\}|/[a-z]+|M-", string.Empty);
            Assert.False(Regex.IsMatch(bare, "[A-Za-z]"), key + ": " + zh);
        }

        Assert.Equal("30 分钟内", texts.Format(Language.Zh, "mu.w.within", texts.Format(Language.Zh, "mu.minutes", 30)));
    }

    private static List<string> MusterKeys()
    {
        using var stream = typeof(MusterBot.Flows.Texts.TextCatalog).Assembly.GetManifestResourceStream("MusterBot.Flows.Texts.muster.zh-CN.json")!;
        return [.. System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(stream)!.Keys];
    }

    [Theory]
    [InlineData("Everyone", false)]
    [InlineData("Regions", true)]
    [InlineData("Everyone", true)]
    public async Task WizardSteps_AreNumberedWithoutGaps(string scope, bool drill)
    {
        var h = NewHarness();
        await SeedAsync(h);
        var seen = new List<string>();
        async Task Collect() => seen.AddRange(await h.DrainTextsAsync());
        await h.Command(Admin, "muster");
        await Collect();
        await h.Press(Admin, new MusterButton.PickKind(MusterKind.Flood).Data);
        await Collect();
        await h.Press(Admin, new MusterButton.PickScope(Enum.Parse<MusterScopeKind>(scope)).Data);
        await Collect();
        if (scope == "Regions")
        {
            await h.Press(Admin, new MusterButton.ToggleRegion("r1").Data);
            await h.Press(Admin, new MusterButton.Done().Data);
            await Collect();
        }

        await h.Text(Admin, "Gate 3");
        await Collect();
        await h.Press(Admin, new MusterButton.Skip().Data);
        await Collect();
        await h.Press(Admin, new MusterButton.ReportWithin(60).Data);
        await Collect();
        await h.Press(Admin, new MusterButton.DrillOrReal(drill).Data);
        await Collect();
        var numbers = seen.SelectMany(t => Regex.Matches(t, "[Ss]tep (\\d+)").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))).Distinct().ToList();
        Assert.Equal(Enumerable.Range(1, numbers.Count), numbers);
        Assert.True(numbers.Count >= 6);
    }

    // ---- a drill as people read it ----

    /// <summary>
    /// Runs a whole drill (wizard, relay, a silent convenor's escalation, answers, reminder, nudge, no-answer list,
    /// close with report and CSV) in one language and prints every message each person gets, with its buttons. Read it:
    /// <c>dotnet test --filter "FullyQualifiedName~Dump_ADrill" --logger "console;verbosity=detailed"</c>; the same
    /// text is written to <c>muster-drill-zh.txt</c> / <c>muster-drill-en.txt</c> in the temp directory.
    /// </summary>
    [Theory]
    [InlineData("zh")]
    [InlineData("en")]
    public async Task Dump_ADrill_AsEveryoneReadsIt(string language)
    {
        var h = NewHarness();
        await SeedAsync(h);
        var people = new[] { Admin, Admin2, Cora, Bea, Carl, Ann, Amy, Zed, Ben, Lin, Nia, Rita };
        var names = people.ToDictionary(p => p.Id, p => p.FirstName);
        var lang = language == "zh" ? Language.Zh : Language.En;
        await UpdateProfilesAsync(h, p => p with { Language = lang, LanguageChosen = true }, people.Where(p => p != Admin2).ToArray());
        await UpdateProfilesAsync(h, p => p with { Language = lang, LanguageChosen = true, Roles = Roles.Member, RegionId = "r2", GridId = "g1" }, Admin2);
        var dump = new StringBuilder();
        async Task Step(string what, Func<Task> act)
        {
            await act();
            dump.Append("\n=== ").Append(what).Append(" ===\n");
            foreach (var m in await h.DrainAsync())
            {
                var (kind, text, markup) = m.Action switch
                {
                    SendText t => ("message", t.Html, t.Markup),
                    EditText e => ("edit", e.Html, e.Markup),
                    AnswerCallback a => ("toast" + (a.ShowAlert ? " (alert)" : string.Empty), a.Text ?? string.Empty, (Markup?)null),
                    SendDocument d => ("file " + d.FileName + " " + d.ContentType, Encoding.UTF8.GetString(d.Content.AsSpan(3)), null),
                    SendLocation => ("pin", string.Empty, null),
                    _ => (m.Action.GetType().Name, string.Empty, null),
                };
                if (kind == "toast" && text.Length == 0)
                {
                    continue;
                }

                dump.Append("→ ").Append(names.GetValueOrDefault(m.ChatId, "#" + m.ChatId.ToString(CultureInfo.InvariantCulture))).Append(" [").Append(kind).Append("]\n");
                dump.Append(text.Length == 0 ? string.Empty : "  " + text.Replace("\n", "\n  ", StringComparison.Ordinal) + "\n");
                switch (markup)
                {
                    case InlineMarkup inline when inline.Rows.Count > 0:
                        dump.Append("  ").Append(string.Join(" / ", inline.Rows.Select(r => string.Join(" | ", r.Select(b => "[" + b.Text + "]"))))).Append('\n');
                        break;
                    case ReplyKeyboard keyboard:
                        dump.Append("  keyboard: ").Append(string.Join(" / ", keyboard.Rows.Select(r => string.Join(" | ", r.Select(b => "(" + b.Text + (b.RequestLocation ? " ⌖" : string.Empty) + ")"))))).Append('\n');
                        break;
                }
            }
        }

        await Step("/muster", () => h.Command(Admin, "muster"));
        await Step("kind", () => h.Press(Admin, new MusterButton.PickKind(MusterKind.Flood).Data));
        await Step("scope: everyone", () => h.Press(Admin, new MusterButton.PickScope(MusterScopeKind.Everyone).Data));
        await Step("rally point", () => h.Text(Admin, language == "zh" ? "社区广场，带手电" : "Community square, bring a torch"));
        await Step("no pin", () => h.Press(Admin, new MusterButton.Skip().Data));
        await Step("within 30 min", () => h.Press(Admin, new MusterButton.ReportWithin(30).Data));
        await Step("drill", () => h.Press(Admin, new MusterButton.DrillOrReal(true).Data));
        await Step("launch", () => h.Press(Admin, new MusterButton.Launch().Data));
        await Step("Carl acknowledges and relays", async () =>
        {
            await h.Press(Carl, new MusterButton.Acknowledge(1, "r2").Data);
            await h.Press(Carl, new MusterButton.Relay(1, "r2").Data);
        });
        await Step("Cora is silent: T1", async () =>
        {
            h.Clock.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1));
            await h.FireDueTimersAsync();
        });
        await Step("Ann arrives", () => h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data));
        await Step("Ann sends her location", () => h.Event(new LocationShared(Ann, Ann.Id, 9, 22.5, 114.1)));
        await Step("Amy is on her way (20 min)", async () =>
        {
            await h.Press(Amy, new MusterButton.CheckIn(1, CheckInStatus.OnTheWay).Data);
            await h.Press(Amy, new MusterButton.Eta(1, 20).Data);
        });
        await Step("Ben can't come (on duty elsewhere)", async () =>
        {
            await h.Press(Ben, new MusterButton.CheckIn(1, CheckInStatus.CantCome).Data);
            await h.Press(Ben, new MusterButton.Reason(1, CantComeReason.OnDutyElsewhere).Data);
        });
        await Step("Ann presses arrived again", () => h.Press(Ann, new MusterButton.CheckIn(1, CheckInStatus.Arrived).Data));
        await Step("reminder, nudge, refresh", async () =>
        {
            h.Clock.Advance(TimeSpan.FromMinutes(7));
            await h.FireDueTimersAsync();
        });
        await Step("Bea's roll call and no-answer list", async () =>
        {
            await h.Command(Bea, "rollcall");
            await h.Press(Bea, new MusterButton.AskNonResponders(1, "r1").Data);
        });
        await Step("administrator's /rollcall", () => h.Command(Admin, "rollcall"));
        await Step("close", async () =>
        {
            await h.Press(Admin, new MusterButton.Close(1).Data);
            await h.Press(Admin, new MusterButton.ConfirmClose(1).Data);
        });
        await Step("a press after the close", () => h.Press(Amy, new MusterButton.Eta(1, 10).Data));

        var text = dump.ToString();
        _output.WriteLine(text);
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), $"muster-drill-{language}.txt"), text);
        Assert.DoesNotMatch("\\{\\d+\\}", text);
        Assert.DoesNotContain("Sorry, something went wrong", text, StringComparison.Ordinal);
        if (language == "zh")
        {
            Assert.DoesNotContain("你", text, StringComparison.Ordinal);
            Assert.DoesNotMatch("分钟 内|小时 内", text);
        }
    }
}
