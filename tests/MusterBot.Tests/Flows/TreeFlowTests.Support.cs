using System.Globalization;
using MusterBot.Flows.Complaints;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Wishes;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Org;
using MusterBot.State.Records.Wishes;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// Issue #15 point 5, through the real processor and flows with people living in their community's shard. The tree:
/// city 1 "Metro" → district 2 "Riverside" → street 3 "Harbour" → communities 4 "Oak" and 5 "Elm"; and street 6
/// "Hill" (district 2) → community 7 "Pine". Sam administers street 3 (lives in shard 3), Dora district 2 (shard 2),
/// Cid the city (root), Hilda street 6. Oak (shard 4): administrator Ada, grid worker Hank (grid g1 "North"),
/// resident Rita, member Mia. Elm (shard 5): administrator Eli, grid worker Hugo (g1 "Lake"), resident Ray, member Max.
/// Everyone reads English; no administrators from configuration.
/// </summary>
public partial class TreeFlowTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static readonly Sender Sam = FlowHarness.Person(300, "en", "Sam");
    private static readonly Sender Dora = FlowHarness.Person(301, "en", "Dora");
    private static readonly Sender Cid = FlowHarness.Person(302, "en", "Cid");
    private static readonly Sender Hilda = FlowHarness.Person(303, "en", "Hilda");
    private static readonly Sender Ada = FlowHarness.Person(40, "en", "Ada");
    private static readonly Sender Hank = FlowHarness.Person(41, "en", "Hank");
    private static readonly Sender Rita = FlowHarness.Person(42, "en", "Rita");
    private static readonly Sender Mia = FlowHarness.Person(43, "en", "Mia");
    private static readonly Sender Eli = FlowHarness.Person(50, "en", "Eli");
    private static readonly Sender Hugo = FlowHarness.Person(51, "en", "Hugo");
    private static readonly Sender Ray = FlowHarness.Person(52, "en", "Ray");
    private static readonly Sender Max = FlowHarness.Person(53, "en", "Max");

    private const long Oak = 4;
    private const long Elm = 5;
    private const long Harbour = 3;
    private const long Hill = 6;
    private const long Pine = 7;

    private static ComplaintOptions Options() => new()
    {
        SuperviseWithin = TimeSpan.FromDays(3),
        EscalateAfter = TimeSpan.FromDays(2),
    };

    private static FlowHarness NewHarness(IStateStore? store = null) => new(store, new MusterOptions(), new WishOptions(), Options());

    private static async Task SeedAsync(FlowHarness h)
    {
        var now = h.Clock.GetUtcNow();
        OrgNode[] nodes =
        [
            new(1, OrgLevel.City, null, "Metro") { Children = [2], Admins = [Cid.Id], CreatedAt = now },
            new(2, OrgLevel.District, 1, "Riverside") { Path = [1], Children = [Harbour, Hill], Admins = [Dora.Id], CreatedAt = now },
            new(Harbour, OrgLevel.Street, 2, "Harbour") { Path = [1, 2], Children = [Oak, Elm], Admins = [Sam.Id], CreatedAt = now },
            new(Oak, OrgLevel.Community, Harbour, "Oak") { Path = [1, 2, Harbour], Admins = [Ada.Id], CreatedAt = now },
            new(Elm, OrgLevel.Community, Harbour, "Elm") { Path = [1, 2, Harbour], Admins = [Eli.Id], CreatedAt = now },
            new(Hill, OrgLevel.Street, 2, "Hill") { Path = [1, 2], Children = [Pine], Admins = [Hilda.Id], CreatedAt = now },
            new(Pine, OrgLevel.Community, Hill, "Pine") { Path = [1, 2, Hill], CreatedAt = now },
        ];
        var root = new List<DocWrite>();
        root.AddRange(nodes.Select(n => new DocWrite(DocKeys.OrgNode(n.Id), RecordJson.Serialize(n), null)));
        var shards = new Dictionary<long, (List<DocWrite> Writes, List<SetChange> Sets)>();
        (List<DocWrite> Writes, List<SetChange> Sets) Shard(long s)
        {
            if (!shards.TryGetValue(s, out var part))
            {
                part = ([], []);
                shards[s] = part;
            }

            return part;
        }

        void Person(Sender who, long shard, Roles roles, string? grid, params long[] adminOf)
        {
            var profile = new UserProfile(who.Id, who.Id, who.FirstName)
            {
                Language = Language.En,
                LanguageChosen = true,
                Roles = roles,
                AdminOf = adminOf,
                RegisteredAt = now,
                FirstSeenAt = now,
                LastSeenAt = now,
                Phone = "+86139" + who.Id.ToString("D8", CultureInfo.InvariantCulture),
                GridId = grid,
            };
            var part = Shard(shard);
            part.Writes.Add(new DocWrite(DocKeys.User(who.Id), RecordJson.Serialize(profile), null));
            part.Sets.AddRange(PeopleIndex.Changes(null, profile));
            if (shard != Shards.Root)
            {
                root.Add(new DocWrite(DocKeys.Home(who.Id), RecordJson.Serialize(new PersonHome(shard) { Since = now }), null));
            }
        }

        Shard(Oak).Writes.Add(new DocWrite(DocKeys.Grid("g1"), RecordJson.Serialize(new Grid("g1", "North")), null));
        Shard(Oak).Sets.Add(new SetChange(Sets.Grids, "g1", Add: true));
        Shard(Elm).Writes.Add(new DocWrite(DocKeys.Grid("g1"), RecordJson.Serialize(new Grid("g1", "Lake")), null));
        Shard(Elm).Sets.Add(new SetChange(Sets.Grids, "g1", Add: true));
        Person(Sam, Harbour, Roles.None, null, Harbour);
        Person(Dora, 2, Roles.None, null, 2);
        Person(Cid, Shards.Root, Roles.None, null, 1);
        Person(Hilda, Hill, Roles.None, null, Hill);
        Person(Ada, Oak, Roles.Admin, "g1", Oak);
        Person(Hank, Oak, Roles.Handler, "g1");
        Person(Rita, Oak, Roles.Resident, "g1");
        Person(Mia, Oak, Roles.Member, "g1");
        Person(Eli, Elm, Roles.Admin, "g1", Elm);
        Person(Hugo, Elm, Roles.Handler, "g1");
        Person(Ray, Elm, Roles.Resident, "g1");
        Person(Max, Elm, Roles.Member, "g1");
        Assert.Equal(CommitStatus.Committed, (await h.Store.CommitAsync(new Commit { Shard = Shards.Root, Writes = [.. root, .. Shard(Shards.Root).Writes], SetChanges = Shard(Shards.Root).Sets }, Ct)).Status);
        foreach (var (shard, part) in shards.Where(s => s.Key != Shards.Root))
        {
            Assert.Equal(CommitStatus.Committed, (await h.Store.CommitAsync(new Commit { Shard = shard, Writes = part.Writes, SetChanges = part.Sets }, Ct)).Status);
        }
    }

    /// <summary>Files a complaint through the wizard (no photo, no location); returns its number in the filer's community.</summary>
    private static async Task<int> FileAsync(FlowHarness h, Sender who, long shard, bool anonymous = false, string text = "The bins overflow")
    {
        await h.Command(who, "complain");
        await h.Press(who, new ComplaintButton.PickCategory(ComplaintCategory.Sanitation).Encode());
        await h.Text(who, text);
        await h.Press(who, new ComplaintButton.PhotosDone().Encode());
        await h.Press(who, new ComplaintButton.NoLocation().Encode());
        await h.Press(who, new ComplaintButton.ChooseAnonymous(anonymous).Encode());
        if ((await h.ConversationAsync(who.Id))?.Step == "Similar")
        {
            await h.Press(who, new ComplaintButton.FileAnyway().Encode());
        }

        await h.Press(who, new ComplaintButton.Submit().Encode());
        var counters = await GetAsync<CommunityCounters>(h, DocKeys.Counters.In(shard));
        Assert.NotNull(counters);
        return counters.Complaints;
    }

    private static async Task ResolveAsync(FlowHarness h, Sender handler, int n, bool accept = true)
    {
        if (accept)
        {
            await h.Press(handler, new ComplaintButton.Accept(n).Encode());
        }

        await h.Press(handler, new ComplaintButton.Resolve(n).Encode());
        await h.Text(handler, "Done it");
    }

    /// <summary>Filed in Oak, resolved twice and rated dissatisfied twice: under supervision (督办). Drains the outbox.</summary>
    private static async Task<int> SupervisedInOakAsync(FlowHarness h, bool anonymous = false)
    {
        var n = await FileAsync(h, Rita, Oak, anonymous);
        await ResolveAsync(h, Hank, n);
        await h.Press(Rita, new ComplaintButton.Feedback(n, Satisfaction.Dissatisfied).Encode());
        await h.Press(Rita, new ComplaintButton.Reopen(n).Encode());
        await h.Text(Rita, "Still overflowing");
        await ResolveAsync(h, Hank, n, accept: false);
        await h.Press(Rita, new ComplaintButton.Feedback(n, Satisfaction.Dissatisfied).Encode());
        await h.DrainAsync();
        Assert.Equal(ComplaintStatus.Supervised, (await ComplaintAsync(h, Oak, n)).Status);
        return n;
    }

    /// <summary>Files a wish in the resident's community, approved by its administrator, claimed and done by the member, rated.</summary>
    private static async Task<int> FulfilledWishAsync(FlowHarness h, Sender resident, Sender admin, Sender member, long shard, int stars)
    {
        await h.Command(resident, "wish");
        await h.Text(resident, "Please fix the tap");
        await h.Press(resident, new WishButton.SkipPhoto().Encode());
        await h.Press(resident, new WishButton.PickCategory(WishCategory.Repairs).Encode());
        await h.Press(resident, new WishButton.PickDate(WantedBy.None).Encode());
        await h.Press(resident, new WishButton.Submit().Encode());
        var n = (await GetAsync<CommunityCounters>(h, DocKeys.Counters.In(shard)))!.Wishes;
        await h.Press(admin, new WishButton.Approve(n).Encode());
        await h.Press(member, new WishButton.Claim(n).Encode());
        await h.Press(member, new WishButton.DoneWithoutNote(n).Encode());
        await h.Press(resident, new WishButton.Rate(n, stars).Encode());
        await h.DrainAsync();
        Assert.Equal(WishStatus.Closed, (await GetAsync<Wish>(h, DocKeys.Wish(n).In(shard)))!.Status);
        return n;
    }

    private static async Task<Complaint> ComplaintAsync(FlowHarness h, long shard, int n) => (await GetAsync<Complaint>(h, DocKeys.Complaint(n).In(shard)))!;

    private static async Task<T?> GetAsync<T>(FlowHarness h, DocKey key)
        where T : class
    {
        var doc = await h.Store.GetAsync(key, Ct);
        return doc is null ? null : RecordJson.Deserialize<T>(doc.Json);
    }

    /// <summary>What a chat got: texts sent or edited, and callback answers.</summary>
    private static List<string> To(IEnumerable<OutboxMessage> messages, Sender who) =>
        [.. messages.Where(m => m.ChatId == who.Id).Select(m => m.Action switch
        {
            SendText t => t.Html,
            EditText e => e.Html,
            AnswerCallback a => "answer: " + a.Text,
            _ => m.Action.GetType().Name,
        })];

    private static IReadOnlyList<string> Buttons(IEnumerable<OutboxMessage> messages, Sender who) =>
        [.. messages.Where(m => m.ChatId == who.Id).SelectMany(m => m.Action switch
        {
            SendText { Markup: InlineMarkup markup } => markup.Rows.SelectMany(r => r),
            EditText { Markup: { } markup } => markup.Rows.SelectMany(r => r),
            _ => [],
        }).Select(b => b.CallbackData ?? string.Empty)];
}
