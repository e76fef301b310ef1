using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.State.Records.Wishes;

namespace MusterBot.Flows.Dashboard;

/// <summary>A wish in a queue: what it is, where, and how long it has waited (no resident's name or phone).</summary>
public sealed record QueueWish(int Number, string Code, string Status, string Category, string Grid, string Text, DateTimeOffset FiledAt, DateOnly? WantedBy, bool Overdue)
{
    /// <summary>Waiting for review: it can be approved.</summary>
    public bool Pending { get; init; }
}

/// <summary>An open complaint with its deadlines (no filer's name: the page is not the place for it).</summary>
public sealed record QueueComplaint(
    int Number,
    string Code,
    string Status,
    string Category,
    string Grid,
    string? Handler,
    DateTimeOffset FiledAt,
    DateTimeOffset RespondBy,
    DateTimeOffset ResolveBy,
    bool Responded,
    bool Overdue,
    bool Supervised,
    bool Urgent);

/// <summary>A grid worker an administrator may assign a complaint to.</summary>
public sealed record QueueHandler(long Id, string Name, string Grid);

public sealed record QueueBoard(IReadOnlyList<QueueWish> Wishes, IReadOnlyList<QueueComplaint> Complaints, DateTimeOffset At)
{
    /// <summary>What the viewer may do from the page: approve wishes (administrators, grid workers), assign complaints (administrators).</summary>
    public bool MayApprove { get; init; }

    public bool MayAssign { get; init; }

    /// <summary>The community's grid workers (for an administrator's "assign to").</summary>
    public IReadOnlyList<QueueHandler> Handlers { get; init; } = [];

    /// <summary>A street's, district's or city's queues: what is open in each child node (open it to see the items).</summary>
    public IReadOnlyList<QueueNode> Nodes { get; init; } = [];

    /// <summary>The node's name above community level (null for a community's own queues).</summary>
    public string? Node { get; init; }

    /// <summary>Opened from above: the node's name for the page's way back (nothing can be done from here).</summary>
    public string? Visiting { get; init; }
}

/// <summary>What is open in a child node now, from its communities' maintained figures (never the items themselves).</summary>
public sealed record QueueNode(long Id, string Name, int Communities, int OpenComplaints, int Supervised, int Escalated, int OpenWishes)
{
    /// <summary>The child is a community itself (its row needs no count of communities).</summary>
    public bool IsCommunity { get; init; }
}

/// <summary>
/// The dashboard's queues (issue #18 point 3), read-only: wishes to review, open, claimed and overdue; open complaints,
/// overdue and supervised (督办) first, then by the nearest deadline. An administrator sees the community's; a grid worker
/// (handler) the wishes of their grid and the complaints assigned to them; anyone else nothing.
/// </summary>
public sealed class QueueQueries(IStateStore store, TextCatalog texts, TimeProvider timeProvider)
{
    /// <summary>Administrators and grid workers of a community; administrators of a street, district or city (their node's summary).</summary>
    public static bool MaySeeQueues(BoardViewer viewer)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        return viewer.InCommunity ? (viewer.Roles & (Roles.Admin | Roles.Handler)) != 0 : viewer.Node is not null && viewer.Roles.HasFlag(Roles.Admin);
    }

    public async Task<QueueBoard> QueuesAsync(BoardViewer viewer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        var reader = new DocReader(store, viewer.Shard);
        var language = viewer.Language;
        var admin = viewer.Roles.HasFlag(Roles.Admin);
        var now = timeProvider.GetUtcNow();
        if (!viewer.InCommunity && viewer.Node is { } node)
        {
            return await NodeQueuesAsync(reader, viewer, node, now, cancellationToken).ConfigureAwait(false);
        }

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var me = admin ? null : await reader.GetAsync<UserProfile>(DocKeys.User(viewer.UserId), cancellationToken).ConfigureAwait(false);
        var directory = await DirectorySnapshot.LoadAsync(reader, cancellationToken).ConfigureAwait(false);

        var wishNumbers = new List<int>();
        foreach (var status in new[] { WishStatus.Pending, WishStatus.Open, WishStatus.Claimed })
        {
            wishNumbers.AddRange((await reader.MembersAsync(Sets.WishesWithStatus(status), cancellationToken).ConfigureAwait(false)).Select(Parse));
        }

        var wishes = (await reader.GetManyAsync<Wish>(wishNumbers.Select(DocKeys.Wish).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<Wish>()
            .Where(w => w.Status is WishStatus.Pending or WishStatus.Open or WishStatus.Claimed)
            .Where(w => admin || (me?.GridId is { } grid && w.GridId == grid))
            .Select(w => new QueueWish(
                w.Number, w.Code, texts.Get(language, "wi.status." + w.Status), texts.Get(language, "wi.cat." + w.Category), directory.GridName(w.GridId),
                Short(w.Text), w.FiledAt, w.WantedBy, w.WantedBy is { } by && by < today) { Pending = w.Status == WishStatus.Pending })
            .OrderByDescending(w => w.Overdue).ThenBy(w => w.Status).ThenBy(w => w.FiledAt)
            .ToList();

        // An administrator's: the open ones of every grid and category (the index the duplicate check keeps), not every
        // complaint ever filed; a grid worker's: those assigned to them.
        IReadOnlyList<string> complaintNumbers;
        if (admin)
        {
            var sets = directory.Grids.Select(g => (string?)g.Id).Append(null)
                .SelectMany(grid => Enum.GetValues<ComplaintCategory>().Select(category => Sets.OpenComplaints(grid, category)));
            var found = await Task.WhenAll(sets.Select(set => store.GetSetMembersAsync(set, viewer.Shard, cancellationToken))).ConfigureAwait(false);
            complaintNumbers = [.. found.SelectMany(f => f).Distinct(StringComparer.Ordinal)];
        }
        else
        {
            complaintNumbers = await reader.MembersAsync(Sets.ComplaintsHandledBy(viewer.UserId), cancellationToken).ConfigureAwait(false);
        }

        var open = (await reader.GetManyAsync<Complaint>(complaintNumbers.Select(Parse).Select(DocKeys.Complaint).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<Complaint>()
            .Where(c => c.IsOpen && c.Status != ComplaintStatus.Resolved)
            .ToList();
        var handlers = (await reader.GetManyAsync<UserProfile>(open.Where(c => c.HandlerId is not null).Select(c => DocKeys.User(c.HandlerId!.Value)).Distinct().ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<UserProfile>().ToDictionary(p => p.Id, p => p.FirstName);
        var complaints = open
            .Select(c =>
            {
                var responded = c.FirstResponseAt is not null;
                var overdue = (!responded && now > c.RespondBy) || now > c.ResolveBy;
                return new QueueComplaint(
                    c.Number, c.Code, texts.Get(language, "cp.status." + c.Status), texts.Get(language, "cp.cat." + c.Category), directory.GridName(c.GridId),
                    c.HandlerId is { } h ? handlers.GetValueOrDefault(h) : null,
                    c.FiledAt, c.RespondBy, c.ResolveBy, responded, overdue, c.Status == ComplaintStatus.Supervised || c.SupervisedAt is not null, c.Urgent);
            })
            .OrderByDescending(c => c.Overdue || c.Supervised).ThenBy(c => c.Responded ? c.ResolveBy : c.RespondBy)
            .ToList();
        IReadOnlyList<QueueHandler> handlerList = [];
        if (admin)
        {
            var ids = (await reader.MembersAsync(Sets.PeopleWithRole(Roles.Handler), cancellationToken).ConfigureAwait(false)).Select(n => long.Parse(n, CultureInfo.InvariantCulture)).ToList();
            handlerList = (await reader.GetManyAsync<UserProfile>(ids.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false))
                .OfType<UserProfile>().Where(p => p.Roles.HasFlag(Roles.Handler))
                .Select(p => new QueueHandler(p.Id, p.LastName is null ? p.FirstName : p.FirstName + " " + p.LastName, directory.GridName(p.GridId)))
                .OrderBy(h => h.Grid, StringComparer.Ordinal).ThenBy(h => h.Name, StringComparer.Ordinal).ToList();
        }

        var acting = viewer.Visiting is null;
        return new QueueBoard(wishes, complaints, now) { MayApprove = acting, MayAssign = admin && acting, Handlers = acting ? handlerList : [], Visiting = viewer.Visiting?.Name };
    }

    /// <summary>
    /// A street's, district's or city's queues: per child node, what is open now in the communities below it (summed
    /// from each community's maintained figures: one read per community). Opening a child shows its items read-only.
    /// </summary>
    private static async Task<QueueBoard> NodeQueuesAsync(DocReader reader, BoardViewer viewer, State.Records.Org.OrgNode node, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var descendants = await Stats.OrgScope.DescendantsAsync(reader, node, cancellationToken).ConfigureAwait(false);
        var communities = Stats.OrgScope.CommunitiesUnder(node, descendants);
        var docs = await reader.GetManyAsync<State.Records.Stats.CommunityStats>(communities.Select(c => DocKeys.CommunityStats.In(c.Id)).ToList(), cancellationToken).ConfigureAwait(false);
        var open = communities.Select((c, i) => (c.Id, Now: docs[i]?.Now ?? State.Records.Stats.StatsTally.Zero)).ToDictionary(x => x.Id, x => x.Now);
        var rows = node.Children.Select(id => descendants.FirstOrDefault(d => d.Id == id)).OfType<State.Records.Org.OrgNode>().Where(c => c.RemovedAt is null)
            .Select(child =>
            {
                var under = Stats.OrgScope.CommunitiesUnder(child, descendants);
                var sum = Stats.CommunityTally.Sum(under.Select(c => open[c.Id]));
                return new QueueNode(child.Id, child.Name, under.Count, sum.OpenComplaints, sum.Supervised, sum.Escalated, sum.OpenWishes) { IsCommunity = child.Level == State.Records.Org.OrgLevel.Community };
            })
            .OrderByDescending(n => n.Supervised + n.Escalated).ThenByDescending(n => n.OpenComplaints).ThenBy(n => n.Name, StringComparer.Ordinal)
            .ToList();
        return new QueueBoard([], [], now) { Nodes = rows, Node = node.Name, Visiting = viewer.Visiting?.Name };
    }

    private static int Parse(string number) => int.Parse(number, CultureInfo.InvariantCulture);

    private static string Short(string text) => text.Length <= 80 ? text : text[..79] + "…";
}
