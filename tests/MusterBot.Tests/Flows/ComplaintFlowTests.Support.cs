using System.Globalization;
using MusterBot.Flows.Complaints;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Wishes;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Memory;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Musters;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// The community of the complaint tests: grid g1 "North" (building b1 "Block 3") with grid workers Hank (20) and Hal
/// (22), grid g2 "South" with Hugo (21), grid g3 "East" without a grid worker. Administrator 1 (Boss). Ann, a member
/// of g1. Residents Rita and Rosa (g1), Ray (g2), Eve (g3). Uma has not registered. Everyone reads English. The
/// community's centre is set (3 km radius); a resident may reopen within 3 days, feedback closes after 7.
/// </summary>
public partial class ComplaintFlowTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static readonly Sender Admin = FlowHarness.Person(1, "en", "Boss");
    private static readonly Sender Hank = FlowHarness.Person(20, "en", "Hank");
    private static readonly Sender Hugo = FlowHarness.Person(21, "en", "Hugo");
    private static readonly Sender Hal = FlowHarness.Person(22, "en", "Hal");
    private static readonly Sender Ann = FlowHarness.Person(100, "en", "Ann");
    private static readonly Sender Rita = FlowHarness.Person(500, "en", "Rita");
    private static readonly Sender Ray = FlowHarness.Person(501, "en", "Ray");
    private static readonly Sender Rosa = FlowHarness.Person(502, "en", "Rosa");
    private static readonly Sender Eve = FlowHarness.Person(503, "en", "Eve");
    private static readonly Sender Uma = FlowHarness.Person(600, "en", "Uma");

    private const string RitaPhone = "+8613800000500";
    private const double CenterLat = 31.2304;
    private const double CenterLon = 121.4737;

    private static ComplaintOptions NewOptions() => new()
    {
        CenterLatitude = CenterLat,
        CenterLongitude = CenterLon,
        RadiusKm = 3,
        ReopenWithin = TimeSpan.FromDays(3),
        FeedbackWithin = TimeSpan.FromDays(7),
    };

    private static FlowHarness NewHarness(IStateStore? store = null, ComplaintOptions? options = null) =>
        new(store, new MusterOptions(), new WishOptions(), options ?? NewOptions(), Admin.Id);

    /// <summary>Seeds grids and registered people straight through the store in one commit.</summary>
    private static async Task SeedAsync(FlowHarness h)
    {
        var now = h.Clock.GetUtcNow();
        var writes = new List<DocWrite>();
        var sets = new List<SetChange>();
        void Put<T>(DocKey key, T record) => writes.Add(new DocWrite(key, RecordJson.Serialize(record), null));

        Put(DocKeys.Grid("g1"), new Grid("g1", "North") { Buildings = [new Building("b1", "Block 3")] });
        Put(DocKeys.Grid("g2"), new Grid("g2", "South"));
        Put(DocKeys.Grid("g3"), new Grid("g3", "East"));
        foreach (var grid in new[] { "g1", "g2", "g3" })
        {
            sets.Add(new SetChange(Sets.Grids, grid, Add: true));
        }

        void Person(Sender who, Roles roles, string grid)
        {
            var profile = new UserProfile(who.Id, who.Id, who.FirstName)
            {
                Language = Language.En,
                LanguageChosen = true,
                Roles = roles,
                RegisteredAt = now,
                FirstSeenAt = now,
                Phone = "+86138" + who.Id.ToString("D8", CultureInfo.InvariantCulture),
                GridId = grid,
                BuildingId = grid == "g1" ? "b1" : null,
            };
            Put(DocKeys.User(who.Id), profile);
            sets.AddRange(PeopleIndex.Changes(null, profile));
        }

        Person(Admin, Roles.Admin, "g1");
        Person(Hank, Roles.Handler, "g1");
        Person(Hal, Roles.Handler, "g1");
        Person(Hugo, Roles.Handler, "g2");
        Person(Ann, Roles.Member, "g1");
        Person(Rita, Roles.Resident, "g1");
        Person(Rosa, Roles.Resident, "g1");
        Person(Ray, Roles.Resident, "g2");
        Person(Eve, Roles.Resident, "g3");
        var result = await h.Store.SeedCommunityAsync(new Commit { Writes = writes, SetChanges = sets }, Ct);
        Assert.Equal(CommitStatus.Committed, result.Status);
    }

    /// <summary>
    /// Runs the filing wizard to the end (a similar open complaint offered: files anew) and returns the new number.
    /// Leaves the outbox as it is.
    /// </summary>
    private static async Task<int> FileAsync(
        FlowHarness h,
        Sender who,
        ComplaintCategory category = ComplaintCategory.Sanitation,
        string text = "The bins at Block 3 overflow",
        int photos = 0,
        (double Lat, double Lon)? location = null,
        bool anonymous = false)
    {
        await h.Command(who, "complain");
        await h.Press(who, new ComplaintButton.PickCategory(category).Encode());
        await h.Text(who, text);
        for (var i = 0; i < photos; i++)
        {
            await h.Event(new PhotoReceived(who, who.Id, 70 + i, $"ph-{who.Id}-{i}", null));
        }

        await h.Press(who, new ComplaintButton.PhotosDone().Encode());
        if (location is { } at)
        {
            await h.Event(new LocationShared(who, who.Id, 90, at.Lat, at.Lon));
        }
        else
        {
            await h.Press(who, new ComplaintButton.NoLocation().Encode());
        }

        await h.Press(who, new ComplaintButton.ChooseAnonymous(anonymous).Encode());
        if ((await h.ConversationAsync(who.Id))!.Step == "Similar")
        {
            await h.Press(who, new ComplaintButton.FileAnyway().Encode());
        }

        Assert.Equal("Confirm", (await h.ConversationAsync(who.Id))!.Step);
        await h.Press(who, new ComplaintButton.Submit().Encode());
        return (await CountersAsync(h)).Complaints;
    }

    /// <summary>Filed by <paramref name="who"/> and accepted by its handler; drains the outbox.</summary>
    private static async Task<int> AcceptedAsync(FlowHarness h, Sender who, Sender handler, ComplaintCategory category = ComplaintCategory.Sanitation)
    {
        var n = await FileAsync(h, who, category);
        await h.Press(handler, new ComplaintButton.Accept(n).Encode());
        NoErrors(await h.DrainAsync());
        Assert.Equal(ComplaintStatus.InProgress, (await ComplaintAsync(h, n)).Status);
        return n;
    }

    /// <summary>Accepted and then resolved by its handler with a text result; drains the outbox.</summary>
    private static async Task<int> ResolvedAsync(FlowHarness h, Sender who, Sender handler, ComplaintCategory category = ComplaintCategory.Sanitation)
    {
        var n = await AcceptedAsync(h, who, handler, category);
        await ResolveAsync(h, n, handler);
        return n;
    }

    private static async Task ResolveAsync(FlowHarness h, int n, Sender handler, string result = "Bins emptied and cleaned")
    {
        await h.Press(handler, new ComplaintButton.Resolve(n).Encode());
        await h.Text(handler, result);
        NoErrors(await h.DrainAsync());
        Assert.Equal(ComplaintStatus.Resolved, (await ComplaintAsync(h, n)).Status);
    }

    private static async Task<CommunityCounters> CountersAsync(FlowHarness h) => await GetAsync<CommunityCounters>(h, DocKeys.Counters) ?? new CommunityCounters();

    private static async Task<Complaint> ComplaintAsync(FlowHarness h, int number = 1) => (await GetAsync<Complaint>(h, DocKeys.Complaint(number)))!;

    private static async Task<T?> GetAsync<T>(FlowHarness h, DocKey key)
        where T : class
    {
        var doc = await h.Store.GetAsync(key.Bind(FlowHarness.Community), Ct);
        return doc is null ? null : RecordJson.Deserialize<T>(doc.Json);
    }

    private static async Task<string[]> SetAsync(FlowHarness h, string name) => [.. (await h.Store.GetSetMembersAsync(name, FlowHarness.Community, Ct)).Order(StringComparer.Ordinal)];

    private static async Task<DateTimeOffset?> DueAsync(FlowHarness h, string timerId) => (await h.Store.GetTimerAsync(timerId, 4, Ct))?.DueAt;

    /// <summary>The record as stored (records holding lists compare by reference).</summary>
    private static string Json(Complaint c) => RecordJson.Serialize(c);

    private static string[] What(Complaint c) => [.. c.History.Select(e => e.What)];

    /// <summary>Emergency mode on, as /mode or a real muster would leave it.</summary>
    private static async Task SetEmergencyAsync(FlowHarness h)
    {
        var result = await h.Store.SeedCommunityAsync(new Commit
        {
            Writes = [new DocWrite(DocKeys.Mode, RecordJson.Serialize(new CommunityMode(true) { Since = h.Clock.GetUtcNow(), ChangedBy = Admin.Id, Notice = "Flood" }), null)],
        }, Ct);
        Assert.Equal(CommitStatus.Committed, result.Status);
    }

    private static List<SendText> SentTo(IEnumerable<OutboxMessage> messages, Sender who) =>
        messages.Where(m => m.ChatId == who.Id).Select(m => m.Action).OfType<SendText>().ToList();

    private static List<string> TextsTo(IEnumerable<OutboxMessage> messages, Sender who) =>
        messages.Where(m => m.ChatId == who.Id).Select(m => m.Action switch
        {
            SendText s => s.Html,
            EditText e => "[edit] " + e.Html,
            AnswerCallback a => "[answer] " + a.Text,
            SendPhoto p => "[photo] " + p.FileId,
            SendDocument d => "[document] " + d.FileName,
            _ => m.Action.GetType().Name,
        }).ToList();

    private static string AllTo(IEnumerable<OutboxMessage> messages, Sender who) => string.Join("\n---\n", TextsTo(messages, who));

    private static IEnumerable<string> Buttons(Markup? markup) =>
        markup is InlineMarkup inline ? inline.Rows.SelectMany(r => r).Select(b => b.CallbackData ?? string.Empty) : [];

    private static List<string> ButtonsTo(IEnumerable<OutboxMessage> messages, Sender who) =>
        [.. messages.Where(m => m.ChatId == who.Id).SelectMany(m => m.Action switch
        {
            SendText s => Buttons(s.Markup),
            EditText e => Buttons(e.Markup),
            _ => [],
        })];

    private static AnswerCallback? Answer(IEnumerable<OutboxMessage> messages, Sender who) =>
        messages.Where(m => m.ChatId == who.Id).Select(m => m.Action).OfType<AnswerCallback>().LastOrDefault();

    /// <summary>Every decision went through without the generic apology (a flow exception).</summary>
    private static void NoErrors(IEnumerable<OutboxMessage> messages) =>
        Assert.DoesNotContain(messages, m => m.Action is SendText { Html: var html } && html.StartsWith("Sorry, something went wrong", StringComparison.Ordinal));

    /// <summary>A store that outlives harnesses: each <see cref="Restart"/> is a new process (processor and flows) over it.</summary>
    private sealed class Restartable
    {
        private readonly FakeTimeProvider _storeClock;
        private readonly List<FlowHarness> _harnesses = [];

        public Restartable()
            : this(null, new FakeTimeProvider(TestClock.Start))
        {
        }

        /// <summary>Over a given store (e.g. Redis) whose clock is <paramref name="storeClock"/>.</summary>
        public Restartable(MusterBot.State.IStateStore? store, FakeTimeProvider storeClock)
        {
            _storeClock = storeClock;
            Store = store ?? new InMemoryStateStore(_storeClock);
            Restart();
        }

        public MusterBot.State.IStateStore Store { get; }

        public FlowHarness H => _harnesses[^1];

        public FlowHarness Restart()
        {
            var h = NewHarness(Store);
            h.Clock.Advance(_storeClock.GetUtcNow() - h.Clock.GetUtcNow());
            _harnesses.Add(h);
            return h;
        }

        public void Advance(TimeSpan by)
        {
            _storeClock.Advance(by);
            H.Clock.Advance(by);
        }
    }
}
