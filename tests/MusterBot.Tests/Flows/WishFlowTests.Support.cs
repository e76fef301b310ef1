using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Wishes;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Musters;
using MusterBot.State.Records.Wishes;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// The community of the wish tests: grid g1 "North" (building b1 "Block 3") and grid g2 "South". Administrator 1 (Boss);
/// Hank, the grid worker of g1, and Hugo, of g2. Members Ann (plumber) and Amy in g1, Ben and Bob (electrician) in g2;
/// Carl, a convenor of g1 (and a member). Residents Rita (g1, Block 3) and Ray (g2). Uma has not registered.
/// Everyone reads English.
/// </summary>
public partial class WishFlowTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static readonly Sender Admin = FlowHarness.Person(1, "en", "Boss");
    private static readonly Sender Hank = FlowHarness.Person(20, "en", "Hank");
    private static readonly Sender Hugo = FlowHarness.Person(21, "en", "Hugo");
    private static readonly Sender Ann = FlowHarness.Person(100, "en", "Ann");
    private static readonly Sender Amy = FlowHarness.Person(101, "en", "Amy");
    private static readonly Sender Carl = FlowHarness.Person(102, "en", "Carl");
    private static readonly Sender Ben = FlowHarness.Person(200, "en", "Ben");
    private static readonly Sender Bob = FlowHarness.Person(201, "en", "Bob");
    private static readonly Sender Rita = FlowHarness.Person(500, "en", "Rita");
    private static readonly Sender Ray = FlowHarness.Person(501, "en", "Ray");
    private static readonly Sender Uma = FlowHarness.Person(600, "en", "Uma");

    private const string RitaPhone = "+8613800000500";

    private static readonly WishOptions Options = new()
    {
        WidenAfter = TimeSpan.FromHours(24),
        StaleAfter = TimeSpan.FromDays(3),
        ConfirmWithin = TimeSpan.FromDays(7),
        PointsFulfilled = 10,
        PointsFiveStarBonus = 5,
    };

    private static FlowHarness NewHarness(IStateStore? store = null) => new(store, new MusterOptions(), Options, Admin.Id);

    /// <summary>Seeds grids and registered people straight through the store in one commit.</summary>
    private static async Task SeedAsync(FlowHarness h)
    {
        var now = h.Clock.GetUtcNow();
        var writes = new List<DocWrite>();
        var sets = new List<SetChange>();
        void Put<T>(DocKey key, T record) => writes.Add(new DocWrite(key, RecordJson.Serialize(record), null));

        Put(DocKeys.Grid("g1"), new Grid("g1", "North") { Buildings = [new Building("b1", "Block 3")] });
        Put(DocKeys.Grid("g2"), new Grid("g2", "South"));
        sets.Add(new SetChange(Sets.Grids, "g1", Add: true));
        sets.Add(new SetChange(Sets.Grids, "g2", Add: true));

        void Person(Sender who, Roles roles, string grid, params Skill[] skills)
        {
            var profile = new UserProfile(who.Id, who.Id, who.FirstName)
            {
                Language = Language.En,
                LanguageChosen = true,
                Roles = roles,
                RegisteredAt = now,
                FirstSeenAt = now,
                Phone = "+86138" + who.Id.ToString("D8", System.Globalization.CultureInfo.InvariantCulture),
                GridId = grid,
                BuildingId = grid == "g1" ? "b1" : null,
                Skills = skills,
            };
            Put(DocKeys.User(who.Id), profile);
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        Person(Admin, Roles.Admin, "g1");
        Person(Hank, Roles.Handler, "g1");
        Person(Hugo, Roles.Handler, "g2");
        Person(Ann, Roles.Member, "g1", Skill.Plumbing);
        Person(Amy, Roles.Member, "g1");
        Person(Carl, Roles.Member | Roles.Convenor, "g1");
        Person(Ben, Roles.Member, "g2");
        Person(Bob, Roles.Member, "g2", Skill.Electrician);
        Person(Rita, Roles.Resident, "g1");
        Person(Ray, Roles.Resident, "g2");
        var result = await h.Store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets }, Ct);
        Assert.Equal(CommitStatus.Committed, result.Status);
    }

    /// <summary>Runs the filing wizard to the end: text, photo (or none), category, date button, submit.</summary>
    private static async Task FileAsync(FlowHarness h, Sender? who = null, string text = "Please fix the tap in my kitchen", string? photo = null, WishCategory category = WishCategory.Repairs, WantedBy date = WantedBy.None)
    {
        var resident = who ?? Rita;
        await h.Command(resident, "wish");
        await h.Text(resident, text);
        if (photo is null)
        {
            await h.Press(resident, new WishButton.SkipPhoto().Encode());
        }
        else
        {
            await h.Event(new PhotoReceived(resident, resident.Id, 77, photo, null));
        }

        await h.Press(resident, new WishButton.PickCategory(category).Encode());
        await h.Press(resident, new WishButton.PickDate(date).Encode());
        await h.Press(resident, new WishButton.Submit().Encode());
    }

    /// <summary>Files a wish and has the administrator approve it (open for claims); drains the outbox.</summary>
    private static async Task<int> OpenWishAsync(FlowHarness h, Sender? who = null, WishCategory category = WishCategory.Other)
    {
        await FileAsync(h, who, category: category);
        var number = (await CountersAsync(h)).Wishes;
        await h.Press(Admin, new WishButton.Approve(number).Encode());
        NoErrors(await h.DrainAsync());
        Assert.Equal(WishStatus.Open, (await WishAsync(h, number)).Status);
        return number;
    }

    /// <summary>An open wish claimed by <paramref name="member"/>; drains the outbox.</summary>
    private static async Task<int> ClaimedWishAsync(FlowHarness h, Sender? member = null)
    {
        var number = await OpenWishAsync(h);
        await h.Press(member ?? Ann, new WishButton.Claim(number).Encode());
        NoErrors(await h.DrainAsync());
        Assert.Equal(WishStatus.Claimed, (await WishAsync(h, number)).Status);
        return number;
    }

    /// <summary>A wish marked done by Ann without a note; drains the outbox.</summary>
    private static async Task<int> DoneWishAsync(FlowHarness h)
    {
        var number = await ClaimedWishAsync(h);
        await h.Press(Ann, new WishButton.DoneWithoutNote(number).Encode());
        NoErrors(await h.DrainAsync());
        Assert.Equal(WishStatus.Done, (await WishAsync(h, number)).Status);
        return number;
    }

    private static async Task<CommunityCounters> CountersAsync(FlowHarness h) => await GetAsync<CommunityCounters>(h, DocKeys.Counters) ?? new CommunityCounters();

    private static async Task<Wish> WishAsync(FlowHarness h, int number = 1) => (await GetAsync<Wish>(h, DocKeys.Wish(number)))!;

    private static async Task<T?> GetAsync<T>(FlowHarness h, DocKey key)
        where T : class
    {
        var doc = await h.Store.GetAsync(key.Bind(FlowHarness.Community), Ct);
        return doc is null ? null : RecordJson.Deserialize<T>(doc.Json);
    }

    private static async Task<IReadOnlyList<string>> SetAsync(FlowHarness h, string name) => await h.Store.GetSetMembersAsync(name, FlowHarness.Community, Ct);

    private static async Task<string[]> StatusSetAsync(FlowHarness h, WishStatus status) => [.. (await SetAsync(h, Sets.WishesWithStatus(status))).Order(StringComparer.Ordinal)];

    private static async Task<PointsEntry?> PointsAsync(FlowHarness h, Sender who, string source) => await GetAsync<PointsEntry>(h, DocKeys.Points(who.Id, source));

    /// <summary>Emergency mode on, as /mode or a real muster would leave it.</summary>
    private static async Task SetEmergencyAsync(FlowHarness h)
    {
        var result = await h.Store.SeedCommunityAsync(new Commit
        {
            Writes = [new DocWrite(DocKeys.Mode, RecordJson.Serialize(new CommunityMode(true) { Since = h.Clock.GetUtcNow(), ChangedBy = Admin.Id, Notice = "Flood" }), null)],
        }, Ct);
        Assert.Equal(CommitStatus.Committed, result.Status);
    }

    /// <summary>New texts (SendText) sent to a chat.</summary>
    private static List<SendText> SentTo(IEnumerable<OutboxMessage> messages, Sender who) =>
        messages.Where(m => m.ChatId == who.Id).Select(m => m.Action).OfType<SendText>().ToList();

    private static List<string> TextsTo(IEnumerable<OutboxMessage> messages, Sender who) =>
        messages.Where(m => m.ChatId == who.Id).Select(m => m.Action switch
        {
            SendText s => s.Html,
            EditText e => "[edit] " + e.Html,
            AnswerCallback a => "[answer] " + a.Text,
            SendPhoto p => "[photo] " + p.FileId,
            _ => m.Action.GetType().Name,
        }).ToList();

    private static string AllTo(IEnumerable<OutboxMessage> messages, Sender who) => string.Join("\n---\n", TextsTo(messages, who));

    private static IEnumerable<string> Buttons(Markup? markup) =>
        markup is InlineMarkup inline ? inline.Rows.SelectMany(r => r).Select(b => b.CallbackData ?? string.Empty) : [];

    private static IEnumerable<string> ButtonsTo(IEnumerable<OutboxMessage> messages, Sender who) =>
        messages.Where(m => m.ChatId == who.Id).SelectMany(m => m.Action switch
        {
            SendText s => Buttons(s.Markup),
            EditText e => Buttons(e.Markup),
            _ => [],
        });

    private static AnswerCallback? Answer(IEnumerable<OutboxMessage> messages, Sender who) =>
        messages.Where(m => m.ChatId == who.Id).Select(m => m.Action).OfType<AnswerCallback>().LastOrDefault();

    /// <summary>Every decision went through without the generic apology (a flow exception).</summary>
    private static void NoErrors(IEnumerable<OutboxMessage> messages) =>
        Assert.DoesNotContain(messages, m => m.Action is SendText { Html: var html } && html.StartsWith("Sorry, something went wrong", StringComparison.Ordinal));
}
