using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Musters;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// The community of the muster tests: grid g1; region r1 "Port" (convenor Cora, backup Bea) with Ann, Amy and Zed
/// (away); region r2 "Hill" (convenor Carl, no backup) with Ben; region r3 "Lake" (no convenor) with Lin; Nia without
/// a region; Rita, a resident. Administrators 1 (Boss) and 2 (Deputy). Everyone reads English.
/// </summary>
public partial class MusterFlowTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static readonly Sender Admin = FlowHarness.Person(1, "en", "Boss");
    private static readonly Sender Admin2 = FlowHarness.Person(2, "en", "Deputy");
    private static readonly Sender Cora = FlowHarness.Person(10, "en", "Cora");
    private static readonly Sender Bea = FlowHarness.Person(11, "en", "Bea");
    private static readonly Sender Carl = FlowHarness.Person(12, "en", "Carl");
    private static readonly Sender Ann = FlowHarness.Person(100, "en", "Ann");
    private static readonly Sender Amy = FlowHarness.Person(101, "en", "Amy");
    private static readonly Sender Zed = FlowHarness.Person(102, "en", "Zed");
    private static readonly Sender Ben = FlowHarness.Person(200, "en", "Ben");
    private static readonly Sender Lin = FlowHarness.Person(300, "en", "Lin");
    private static readonly Sender Nia = FlowHarness.Person(400, "en", "Nia");
    private static readonly Sender Rita = FlowHarness.Person(500, "en", "Rita");

    private static FlowHarness NewHarness(MusterOptions? options = null) => new(null, options ?? new MusterOptions(), Admin.Id, Admin2.Id);

    /// <summary>Seeds grids, regions and registered people straight through the store in one commit.</summary>
    private static async Task SeedAsync(FlowHarness h)
    {
        var now = h.Clock.GetUtcNow();
        var writes = new List<DocWrite>();
        var sets = new List<SetChange>();
        void Put<T>(DocKey key, T record) => writes.Add(new DocWrite(key, RecordJson.Serialize(record), null));

        Put(DocKeys.Grid("g1"), new Grid("g1", "North"));
        sets.Add(new SetChange(Sets.Grids, "g1", Add: true));
        foreach (var region in new[]
                 {
                     new Region("r1", "Port") { ConvenorId = Cora.Id, BackupConvenorId = Bea.Id },
                     new Region("r2", "Hill") { ConvenorId = Carl.Id },
                     new Region("r3", "Lake"),
                 })
        {
            Put(DocKeys.Region(region.Id), region);
            sets.Add(new SetChange(Sets.Regions, region.Id, Add: true));
        }

        void Person(Sender who, Roles roles, string? regionId, DateOnly? awayUntil = null)
        {
            var profile = new UserProfile(who.Id, who.Id, who.FirstName)
            {
                Language = Language.En,
                Roles = roles,
                RegisteredAt = now,
                FirstSeenAt = now,
                Phone = "+86138" + who.Id.ToString("D8", CultureInfo.InvariantCulture),
                GridId = "g1",
                RegionId = regionId,
                AwayUntil = awayUntil,
            };
            Put(DocKeys.User(who.Id), profile);
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        Person(Cora, Roles.Member | Roles.Convenor, "r1");
        Person(Bea, Roles.Member | Roles.Convenor, "r1");
        Person(Carl, Roles.Member | Roles.Convenor, "r2");
        Person(Ann, Roles.Member, "r1");
        Person(Amy, Roles.Member, "r1");
        Person(Zed, Roles.Member, "r1", DateOnly.FromDateTime(now.UtcDateTime).AddDays(3));
        Person(Ben, Roles.Member, "r2");
        Person(Lin, Roles.Member, "r3");
        Person(Nia, Roles.Member, null);
        Person(Rita, Roles.Resident, null);
        var result = await h.Store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets }, Ct);
        Assert.Equal(CommitStatus.Committed, result.Status);
    }

    /// <summary>Runs the whole wizard: kind, scope (regions: pick), rally, skip pin, report within 60 min, drill or real, go.</summary>
    private static async Task LaunchAsync(FlowHarness h, bool drill = true, string scope = "Regions", string[]? regions = null, Sender? by = null, string rally = "Community square")
    {
        var admin = by ?? Admin;
        await h.Command(admin, "muster");
        await h.Press(admin, new MusterButton.PickKind(MusterKind.Flood).Data);
        await h.Press(admin, new MusterButton.PickScope(Enum.Parse<MusterScopeKind>(scope)).Data);
        if (scope == "Regions")
        {
            foreach (var region in regions ?? ["r1", "r2", "r3"])
            {
                await h.Press(admin, new MusterButton.ToggleRegion(region).Data);
            }

            await h.Press(admin, new MusterButton.Done().Data);
        }

        await h.Text(admin, rally);
        await h.Press(admin, new MusterButton.Skip().Data);
        await h.Press(admin, new MusterButton.ReportWithin(60).Data);
        await h.Press(admin, new MusterButton.DrillOrReal(drill).Data);
        if (!drill)
        {
            // Step 8 of a real muster: what residents are told (the standard notice).
            await h.Press(admin, new MusterButton.Skip().Data);
        }

        await h.Press(admin, new MusterButton.Launch().Data);
    }

    private static async Task<T?> GetAsync<T>(FlowHarness h, DocKey key)
        where T : class
    {
        var doc = await h.Store.GetAsync(key.Bind(FlowHarness.Community), Ct);
        return doc is null ? null : RecordJson.Deserialize<T>(doc.Json);
    }

    /// <summary>The muster as stored: its header document with each region's own document.</summary>
    private static async Task<Muster> MusterAsync(FlowHarness h, int number = 1)
    {
        var header = (await GetAsync<Muster>(h, DocKeys.Muster(number)))!;
        var regions = new List<MusterRegion>();
        foreach (var id in header.RegionIds)
        {
            regions.Add((await GetAsync<MusterRegion>(h, DocKeys.MusterRegion(number, id)))!);
        }

        return header with { Regions = regions };
    }

    private static async Task<MusterAnswer> AnswerAsync(FlowHarness h, Sender who, int number = 1) => (await GetAsync<MusterAnswer>(h, DocKeys.MusterAnswer(number, who.Id)))!;

    private static async Task<IReadOnlyList<string>> SetAsync(FlowHarness h, string name) => await h.Store.GetSetMembersAsync(name, FlowHarness.Community, Ct);

    /// <summary>New texts (SendText) sent to a chat.</summary>
    private static List<SendText> SentTo(IEnumerable<OutboxMessage> messages, Sender who) =>
        messages.Where(m => m.ChatId == who.Id).Select(m => m.Action).OfType<SendText>().ToList();

    private static List<string> TextsTo(IEnumerable<OutboxMessage> messages, Sender who) =>
        messages.Where(m => m.ChatId == who.Id).Select(m => m.Action switch
        {
            SendText s => s.Html,
            EditText e => "[edit] " + e.Html,
            AnswerCallback a => "[answer] " + a.Text,
            SendDocument d => "[doc] " + d.FileName,
            _ => m.Action.GetType().Name,
        }).ToList();

    private static IEnumerable<string> Buttons(Markup? markup) =>
        markup is InlineMarkup inline ? inline.Rows.SelectMany(r => r).Select(b => b.CallbackData ?? string.Empty) : [];

    private static string? AnswerText(IEnumerable<OutboxMessage> messages, Sender who) =>
        messages.Where(m => m.ChatId == who.Id).Select(m => m.Action).OfType<AnswerCallback>().LastOrDefault()?.Text;

    /// <summary>Every decision went through without the generic apology (a flow exception).</summary>
    private static void NoErrors(IEnumerable<OutboxMessage> messages) =>
        Assert.DoesNotContain(messages, m => m.Action is SendText { Html: var html } && html.StartsWith("Sorry, something went wrong", StringComparison.Ordinal));

    private static async Task<int> SetCountAsync(FlowHarness h, int number, string regionId, CheckInStatus status) =>
        (await SetAsync(h, Sets.MusterAnswers(number, regionId, status))).Count;
}
