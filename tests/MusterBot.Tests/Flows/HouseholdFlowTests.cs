using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Households;
using MusterBot.Flows.Texts;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Households;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// Issue #19 point 1: the household registry. Grid g1 "North" (buildings b1 "Block 3", b2 "Block 5") with grid worker
/// Hank; grid g2 "South" (b3 "Block 9") with grid worker Hugo; Hal is a grid worker without a grid. Administrator 1
/// (Boss). Ann is a member and Rita a resident of g1; Zoe is Hank's colleague who reads Chinese.
/// </summary>
public partial class HouseholdFlowTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly Sender Admin = FlowHarness.Person(1, "en", "Boss");
    private static readonly Sender Hank = FlowHarness.Person(20, "en", "Hank");
    private static readonly Sender Hugo = FlowHarness.Person(21, "en", "Hugo");
    private static readonly Sender Hal = FlowHarness.Person(22, "en", "Hal");
    private static readonly Sender Zoe = FlowHarness.Person(23, "zh-CN", "Zoe");
    private static readonly Sender Ann = FlowHarness.Person(100, "en", "Ann");
    private static readonly Sender Rita = FlowHarness.Person(500, "en", "Rita");

    private static string B(HouseholdButton button) => HouseholdButton.Codec.Encode(button);

    private static async Task<FlowHarness> NewAsync()
    {
        var h = new FlowHarness(null, Admin.Id);
        var now = h.Clock.GetUtcNow();
        var writes = new List<DocWrite>();
        var sets = new List<SetChange>();
        void Put<T>(DocKey key, T record) => writes.Add(new DocWrite(key, RecordJson.Serialize(record), null));
        Put(DocKeys.Grid("g1"), new Grid("g1", "North") { Buildings = [new Building("b1", "Block 3"), new Building("b2", "Block 5")] });
        Put(DocKeys.Grid("g2"), new Grid("g2", "South") { Buildings = [new Building("b3", "Block 9")] });
        sets.Add(new SetChange(Sets.Grids, "g1", Add: true));
        sets.Add(new SetChange(Sets.Grids, "g2", Add: true));
        void Person(Sender who, Roles roles, string? grid, Language language = Language.En)
        {
            var profile = new UserProfile(who.Id, who.Id, who.FirstName)
            {
                Language = language,
                LanguageChosen = true,
                Roles = roles,
                RegisteredAt = now,
                FirstSeenAt = now,
                Phone = "+86138" + who.Id.ToString("D8", CultureInfo.InvariantCulture),
                GridId = grid,
            };
            Put(DocKeys.User(who.Id), profile);
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        Person(Admin, Roles.Admin, "g1");
        Person(Hank, Roles.Handler, "g1");
        Person(Hugo, Roles.Handler, "g2");
        Person(Hal, Roles.Handler, null);
        Person(Zoe, Roles.Handler, "g1", Language.Zh);
        Person(Ann, Roles.Member, "g1");
        Person(Rita, Roles.Resident, "g1");
        Assert.Equal(CommitStatus.Committed, (await h.Store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets }, Ct)).Status);
        return h;
    }

    private static async Task<Household?> HouseholdAsync(FlowHarness h, int number) => await h.CommunityDocAsync<Household>(DocKeys.Household(number));

    private static async Task<string?> RawAsync(FlowHarness h, int number) =>
        (await h.Store.GetAsync(DocKeys.Household(number).Bind(FlowHarness.Community), Ct))?.Json;

    /// <summary>Adds a household through the chat as <paramref name="who"/> and returns its number.</summary>
    private static async Task<int> AddAsync(FlowHarness h, Sender who, string grid, string building, string address)
    {
        await h.Press(who, B(new HouseholdButton.Add(grid)));
        await h.Press(who, B(new HouseholdButton.AddIn(grid, building)));
        await h.Text(who, address);
        var counters = await h.CommunityDocAsync<CommunityCounters>(DocKeys.Counters);
        await h.DrainAsync();
        return counters!.Households;
    }

    private static async Task<IReadOnlyList<OutboxMessage>> SendFileAsync(FlowHarness h, Sender who, string? grid, string csv)
    {
        await h.Press(who, B(new HouseholdButton.Import(grid)));
        await h.DrainAsync();
        var bytes = Encoding.UTF8.GetBytes(csv);
        await h.Event(new DocumentReceived(who, who.Id, 70, "f1", "households.csv", bytes.Length, "text/csv") { Content = bytes });
        return await h.DrainAsync();
    }

    private static string TextOf(OutboxMessage m) => m.Action switch
    {
        SendText s => s.Html,
        EditText e => e.Html,
        AnswerCallback a => a.Text ?? string.Empty,
        _ => string.Empty,
    };

    private static IEnumerable<InlineButton> ButtonsOf(IEnumerable<OutboxMessage> messages) => messages.SelectMany(m => m.Action switch
    {
        SendText { Markup: InlineMarkup k } => k.Rows.SelectMany(r => r),
        EditText { Markup: { } k } => k.Rows.SelectMany(r => r),
        _ => [],
    });

    [Fact]
    public async Task GridWorker_AddsAHousehold_ByChat_AndEditsEveryField()
    {
        var h = await NewAsync();
        await h.Command(Hank, "households");
        var start = string.Join("\n", (await h.DrainAsync()).Select(TextOf));
        Assert.Contains("<b>North</b>: 0 households, 0 with tags", start, StringComparison.Ordinal);

        var n = await AddAsync(h, Hank, "g1", "b1", "2-301");
        Assert.Equal(1, n);
        var added = (await HouseholdAsync(h, 1))!;
        Assert.Equal(("g1", "b1", "2", "301"), (added.GridId, added.BuildingId, added.Unit, added.Room));
        Assert.Equal(["1"], await h.CommunitySetAsync(Sets.HouseholdsInGrid("g1")));

        await h.Press(Hank, B(new HouseholdButton.EditTags(1)));
        await h.Press(Hank, B(new HouseholdButton.ToggleTag(1, HouseholdTag.LivingAlone)));
        await h.Press(Hank, B(new HouseholdButton.ToggleTag(1, HouseholdTag.ChronicIllness)));
        await h.Press(Hank, B(new HouseholdButton.ToggleTag(1, HouseholdTag.Aged)));
        await h.Press(Hank, B(new HouseholdButton.ToggleTag(1, HouseholdTag.ChronicIllness)));
        await h.Press(Hank, B(new HouseholdButton.Edit(1, HouseholdField.People)));
        await h.Text(Hank, "Wang Fang 82、Li Ming");
        await h.Press(Hank, B(new HouseholdButton.Edit(1, HouseholdField.Phones)));
        await h.Text(Hank, "138 0013 8000, 0571-88881234");
        await h.Press(Hank, B(new HouseholdButton.Edit(1, HouseholdField.Notes)));
        await h.Text(Hank, "Needs <insulin> daily");
        var card = TextOf((await h.DrainAsync()).Last(m => m.Action is SendText));

        var household = (await HouseholdAsync(h, 1))!;
        Assert.Equal([HouseholdTag.LivingAlone, HouseholdTag.Aged], household.Tags);
        Assert.Equal(["Wang Fang 82", "Li Ming"], household.People);
        Assert.Equal(["+8613800138000", "0571-88881234"], household.Phones);
        Assert.Equal("Needs <insulin> daily", household.Notes);
        Assert.Equal(Hank.Id, household.UpdatedBy);
        Assert.Equal(
            "🏠 <b>H-0001</b> Block 3 · 2-301\nGrid: North\n🏷 Tags: lives alone, aged 80+\n👥 People: Wang Fang 82, Li Ming\n"
            + "📞 Phones: <code>+8613800138000</code> <code>0571-88881234</code>\n📝 Notes: Needs &lt;insulin&gt; daily\nLast changed 2025-03-01 16:00",
            card);

        // The address is changed by typing; the grid's summary counts the tags.
        await h.Press(Hank, B(new HouseholdButton.Edit(1, HouseholdField.Address)));
        await h.Text(Hank, "3-502");
        Assert.Equal(("3", "502"), ((await HouseholdAsync(h, 1))!.Unit, (await HouseholdAsync(h, 1))!.Room));
        await h.DrainAsync();
        await h.Press(Hank, B(new HouseholdButton.OpenGrid("g1")));
        var summary = TextOf((await h.DrainAsync()).First(m => m.Action is EditText));
        Assert.Contains("1 households, 1 with tags", summary, StringComparison.Ordinal);
        Assert.Contains("• lives alone: 1", summary, StringComparison.Ordinal);
        Assert.Equal("Idle", (await h.ConversationAsync(Hank.Id))!.Step);
    }

    [Fact]
    public async Task TheSameAddress_TypedAnotherWay_IsRefused_WithTheHouseholdItIs()
    {
        var h = await NewAsync();
        await AddAsync(h, Hank, "g1", "b1", "2-301");
        await h.Press(Hank, B(new HouseholdButton.Add("g1")));
        await h.Press(Hank, B(new HouseholdButton.AddIn("g1", "b1")));
        await h.Text(Hank, "2\u5355\u5143301\u5BA4");
        var answer = await h.DrainAsync();
        Assert.Contains(answer, m => TextOf(m).Contains("This address is already household H-0001: Block 3 · 2-301.", StringComparison.Ordinal));
        Assert.Contains(ButtonsOf(answer), b => b.CallbackData == B(new HouseholdButton.Open(1)));
        Assert.Equal(["1"], await h.CommunitySetAsync(Sets.HouseholdsInGrid("g1")));

        // The same room in another building is another household.
        Assert.Equal(2, await AddAsync(h, Hank, "g1", "b2", "2-301"));
    }

    [Fact]
    public async Task BadTypedAnswers_AreAskedAgain_AndChangeNothing()
    {
        var h = await NewAsync();
        await AddAsync(h, Hank, "g1", "b1", "301");
        var before = await RawAsync(h, 1);

        await h.Press(Hank, B(new HouseholdButton.Add("g1")));
        await h.Press(Hank, B(new HouseholdButton.AddIn("g1", "b1")));
        await h.Text(Hank, "1-2-3");
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("Please type the unit and room like", StringComparison.Ordinal));
        Assert.Equal("AwaitingAddress", (await h.ConversationAsync(Hank.Id))!.Step);
        await h.Command(Hank, "cancel");
        Assert.Equal(1, (await h.CommunityDocAsync<CommunityCounters>(DocKeys.Counters))!.Households);

        var cases = new (HouseholdField Field, string Text, string Expected)[]
        {
            (HouseholdField.Phones, "call me maybe", "is not a phone number"),
            (HouseholdField.Phones, "13800138000, 13900139000, 13700137000, 13600136000", "At most 3 phone numbers"),
            (HouseholdField.People, string.Join(",", Enumerable.Range(1, 11).Select(i => "P" + i)), "At most 10 people"),
            (HouseholdField.People, new string('x', 31), "is too long"),
            (HouseholdField.Notes, new string('n', 201), "The notes are too long"),
            (HouseholdField.Address, "", "Please type the unit and room like"),
        };
        foreach (var (field, text, expected) in cases)
        {
            await h.Press(Hank, B(new HouseholdButton.Edit(1, field)));
            await h.DrainAsync();
            await h.Text(Hank, text.Length == 0 ? " " : text);
            Assert.Contains(await h.DrainTextsAsync(), t => t.Contains(expected, StringComparison.Ordinal));
            Assert.Equal("AwaitingField", (await h.ConversationAsync(Hank.Id))!.Step);
        }

        // A photo or a file where text is asked gets a hint; /cancel leaves; nothing changed.
        await h.Event(new DocumentReceived(Hank, Hank.Id, 90, "f9", "x.pdf", 10, "application/pdf"));
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("Please type the answer as text", StringComparison.Ordinal));
        await h.Command(Hank, "cancel");
        Assert.Equal(before, await RawAsync(h, 1));
    }

    [Fact]
    public async Task Delete_AsksFirst_AndASecondPressOrAStaleButton_IsToldItIsGone()
    {
        var h = await NewAsync();
        await AddAsync(h, Hank, "g1", "b1", "301");
        await h.Press(Hank, B(new HouseholdButton.Delete(1)));
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("Delete household H-0001 (Block 3 · 301)? This cannot be undone.", StringComparison.Ordinal));
        Assert.NotNull(await HouseholdAsync(h, 1));

        await h.Press(Hank, B(new HouseholdButton.ConfirmDelete(1)));
        Assert.Null(await HouseholdAsync(h, 1));
        Assert.Empty(await h.CommunitySetAsync(Sets.HouseholdsInGrid("g1")));
        await h.DrainAsync();

        foreach (var stale in new HouseholdButton[] { new HouseholdButton.ConfirmDelete(1), new HouseholdButton.Open(1), new HouseholdButton.ToggleTag(1, HouseholdTag.Aged), new HouseholdButton.Edit(1, HouseholdField.Notes) })
        {
            await h.Press(Hank, B(stale));
            var answer = Assert.Single(await h.DrainAsync());
            Assert.Equal("This household or building no longer exists.", ((AnswerCallback)answer.Action).Text);
        }

        Assert.Null(await HouseholdAsync(h, 1));
        Assert.Equal("Idle", (await h.ConversationAsync(Hank.Id))!.Step);

        // Forged or garbled data of this flow is answered as stale.
        await h.Press(Hank, "hh:o:abc");
        Assert.Equal("This button is no longer valid.", ((AnswerCallback)Assert.Single(await h.DrainAsync()).Action).Text);
    }

    [Fact]
    public async Task AQuestionLeftOpen_WhenTheHouseholdIsDeletedOrTheGridWorkerMoves_ChangesNothing()
    {
        var h = await NewAsync();
        await AddAsync(h, Hank, "g1", "b1", "301");
        await AddAsync(h, Hank, "g1", "b1", "302");
        await h.Press(Hank, B(new HouseholdButton.Edit(1, HouseholdField.Notes)));
        await h.Press(Admin, B(new HouseholdButton.ConfirmDelete(1)));
        await h.DrainAsync();
        await h.Text(Hank, "late note");
        Assert.Contains(await h.DrainTextsAsync(), t => t.Contains("no longer exists", StringComparison.Ordinal));
        Assert.Null(await HouseholdAsync(h, 1));

        // Hank is moved to South while asked for household 2's phones: his answer is refused.
        await h.Press(Hank, B(new HouseholdButton.Edit(2, HouseholdField.Phones)));
        var hank = (await h.ProfileAsync(Hank.Id))!;
        await h.Store.SeedCommunityAsync(new Commit { Writes = [new DocWrite(DocKeys.User(Hank.Id), RecordJson.Serialize(hank with { GridId = "g2" }), null)] }, Ct);
        var before = await RawAsync(h, 2);
        await h.Text(Hank, "13800138000");
        Assert.Equal(before, await RawAsync(h, 2));
    }

    [Fact]
    public async Task ARestartWhileAnAddressIsAsked_KeepsTheStep_AndOddMessagesGetAHint()
    {
        var h = await NewAsync();
        await h.Press(Hank, B(new HouseholdButton.Add("g1")));
        await h.Press(Hank, B(new HouseholdButton.AddIn("g1", "b2")));
        await h.DrainAsync();
        await h.Event(new MusterBot.Flows.Events.PhotoReceived(Hank, Hank.Id, 81, "p1", null));
        Assert.Equal(["Please type the answer as text, or /cancel."], await h.DrainTextsAsync());

        var restarted = new FlowHarness(h.Store, Admin.Id);
        await restarted.Text(Hank, "4-402");
        Assert.Equal(("b2", "4", "402"), ((await HouseholdAsync(restarted, 1))!.BuildingId, (await HouseholdAsync(restarted, 1))!.Unit, (await HouseholdAsync(restarted, 1))!.Room));
    }
}

