using System.Text.RegularExpressions;
using MusterBot.Flows.Admin;
using MusterBot.Flows.Events;
using MusterBot.Flows.Org;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Org;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

/// <summary>
/// The organisation tree in /admin: who may do what to which node (a table over levels × actions × nodes, run through the
/// real processor and flows), creating, renaming and removing nodes, appointing administrators by a one-time link and
/// removing them, and every forged, stale or repeated press.
/// </summary>
public partial class OrgFlowTests
{
    // The tree (root shard):            1 city
    //                     2 district A                 8 district B
    //            3 street A1        5 street A2         9 street B1
    //        4 comm. A1a  6 comm. A1b   7 comm. A2a        10 comm. B1a
    private static readonly (long Id, OrgLevel Level, long? Parent, string Name)[] Tree =
    [
        (1, OrgLevel.City, null, "Ulanqab"),
        (2, OrgLevel.District, 1, "Jining"),
        (3, OrgLevel.Street, 2, "Qiaoxi"),
        (4, OrgLevel.Community, 3, "Xincun"),
        (5, OrgLevel.Street, 2, "Qiaodong"),
        (6, OrgLevel.Community, 3, "Beiyuan"),
        (7, OrgLevel.Community, 5, "Dongcun"),
        (8, OrgLevel.District, 1, "Fengzhen"),
        (9, OrgLevel.Street, 8, "Xinjian"),
        (10, OrgLevel.Community, 9, "Nancun"),
    ];

    /// <summary>The acting administrator of node n is user 100 + n; every node also has a second administrator, 200 + n.</summary>
    private static Sender ActorOf(long node) => FlowHarness.Person(100 + node, "en", "Actor" + node);

    private static long OtherAdminOf(long node) => 200 + node;

    private static string O(OrgButton button) => OrgButton.Codec.Encode(button);

    private static string En(string key, params object?[] args) => MusterBot.Flows.Texts.TextCatalog.Default.Format(Language.En, key, args);

    private static OrgNode NodeOf((long Id, OrgLevel Level, long? Parent, string Name) n)
    {
        var path = new List<long>();
        for (var p = n.Parent; p is { } id; p = Tree.Single(t => t.Id == id).Parent)
        {
            path.Insert(0, id);
        }

        var admins = n.Id <= 4 ? new long[] { 100 + n.Id, OtherAdminOf(n.Id) } : [OtherAdminOf(n.Id)];
        return new OrgNode(n.Id, n.Level, n.Parent, n.Name)
        {
            Path = path,
            Children = Tree.Where(c => c.Parent == n.Id).Select(c => c.Id).ToList(),
            Admins = admins,
            CreatedAt = TestClock.Start,
        };
    }

    /// <summary>Commits the tree, its counters and the administrators' profiles (root shard, where everybody lives today).</summary>
    private static async Task<FlowHarness> SeedAsync(params long[] configuredAdmins)
    {
        var h = new FlowHarness(null, configuredAdmins);
        var writes = new List<DocWrite>();
        foreach (var n in Tree)
        {
            // The harness already holds the default tree (nodes 1–4): this tree replaces it.
            writes.Add(new DocWrite(DocKeys.OrgNode(n.Id), RecordJson.Serialize(NodeOf(n)), null));
            writes.Add(new DocWrite(DocKeys.User(OtherAdminOf(n.Id)).In(Shards.Root), RecordJson.Serialize(Profile(OtherAdminOf(n.Id), n.Id)), 0));
            if (n.Id <= 4)
            {
                writes.Add(new DocWrite(DocKeys.User(100 + n.Id).In(Shards.Root), RecordJson.Serialize(Profile(100 + n.Id, n.Id)), 0));
            }
        }

        writes.Add(new DocWrite(DocKeys.OrgCounters, RecordJson.Serialize(new OrgCounters(10)), null));
        var result = await h.Store.CommitAsync(new Commit { Shard = Shards.Root, Writes = writes }, CancellationToken.None);
        Assert.Equal(CommitStatus.Committed, result.Status);
        return h;
    }

    private static UserProfile Profile(long userId, params long[] adminOf) =>
        new(userId, userId, "Admin" + userId) { Language = Language.En, AdminOf = adminOf, RegisteredAt = TestClock.Start, FirstSeenAt = TestClock.Start, LastSeenAt = TestClock.Start };

    private static async Task<OrgNode?> NodeAsync(FlowHarness h, long id) =>
        await h.Store.GetAsync(DocKeys.OrgNode(id), CancellationToken.None) is { } doc ? RecordJson.Deserialize<OrgNode>(doc.Json) : null;

    private static async Task<UserProfile?> ProfileAsync(FlowHarness h, long userId, long shard = Shards.Root) =>
        await h.Store.GetAsync(DocKeys.User(userId).In(shard), CancellationToken.None) is { } doc ? RecordJson.Deserialize<UserProfile>(doc.Json) : null;

    /// <summary>Every document of the tree as stored (nodes, counters), to prove a refused action changed nothing.</summary>
    private static async Task<string> TreeSnapshotAsync(FlowHarness h)
    {
        var keys = Enumerable.Range(1, 12).Select(i => DocKeys.OrgNode(i)).Append(DocKeys.OrgCounters).ToList();
        var docs = await h.Store.GetManyAsync(keys, CancellationToken.None);
        return string.Join("\n", docs.Select(d => d is null ? "-" : d.Version + " " + d.Json));
    }

    private static AnswerCallback? AlertIn(IEnumerable<OutboxMessage> messages) =>
        messages.Select(m => m.Action).OfType<AnswerCallback>().FirstOrDefault(a => a.ShowAlert);

    private static string Shown(IEnumerable<OutboxMessage> messages) =>
        string.Join("\n---\n", messages.Select(m => m.Action switch { SendText s => s.Html, EditText e => e.Html, _ => string.Empty }));

    [GeneratedRegex(@"\?start=([A-Za-z0-9_-]+)")]
    private static partial Regex InviteCode();
}
