using System.Globalization;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Complaints;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State;
using MusterBot.State.Records;
using MusterBot.State.Records.Stats;
using ComplaintRecord = MusterBot.State.Records.Complaints.Complaint;

namespace MusterBot.Flows.Dashboard;

/// <summary>One row of the complaint figures as /stats shows them (rates null where there is nothing to divide).</summary>
public sealed record FigureRow(string Name, int Filed, double? ResponseRate, double? OnTimeRate, double? ResolutionRate, double? SatisfactionRate)
{
    /// <summary>A child node's row (a street's community, a city's street): its id, to open it.</summary>
    public long? Node { get; init; }

    /// <summary>A child node's row: what is open there now (complaints, supervised, wishes).</summary>
    public int? OpenComplaints { get; init; }

    public int? Supervised { get; init; }

    public int? OpenWishes { get; init; }
}

/// <summary>One month of the trend: complaints filed and resolved, wishes filed and done (by filing month).</summary>
public sealed record TrendMonth(string Month, int Complaints, int Resolved, int Wishes, int WishesDone);

public sealed record RankEntry(int Rank, string Name, int Points);

public sealed record FigureBoard(
    string Period,
    string PeriodName,
    FigureRow Total,
    IReadOnlyList<FigureRow> ByCategory,
    IReadOnlyList<FigureRow> ByGrid,
    IReadOnlyList<TrendMonth> Trend,
    IReadOnlyList<RankEntry> Points,
    DateTimeOffset At)
{
    /// <summary>A street's, district's or city's figures: one row per child node, summed from each community's figures document.</summary>
    public IReadOnlyList<FigureRow> ByChild { get; init; } = [];

    /// <summary>The node's name above community level (null for a community's own figures).</summary>
    public string? Node { get; init; }

    /// <summary>Opened from above: the node's name for the page's way back.</summary>
    public string? Visiting { get; init; }
}

/// <summary>
/// The dashboard's figures (issue #18 point 4) for a community's administrator: the /stats rates per category and
/// grid for a period (the same computation as the chat's /stats, so both agree), the last 12 months from the community's
/// maintained figures document, and the points ranking from its maintained totals.
/// </summary>
public sealed class FigureQueries(IStateStore store, TextCatalog texts, IOptions<ComplaintOptions> options, TimeProvider timeProvider)
{
    public const int TrendMonths = 12;
    public const int RankingSize = 10;

    public static bool MaySeeFigures(BoardViewer viewer)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        return viewer.Roles.HasFlag(Roles.Admin) && (viewer.InCommunity || viewer.Node is not null);
    }

    /// <param name="period">"month", "30" (days) or "all"; anything else is "month".</param>
    public async Task<FigureBoard> FiguresAsync(BoardViewer viewer, string? period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        var chosen = period is "30" or "all" ? period : "month";
        var language = viewer.Language;
        var offset = options.Value.UtcOffset;
        var now = timeProvider.GetUtcNow();
        var local = now.ToOffset(offset);
        if (!viewer.InCommunity && viewer.Node is { } node)
        {
            return await NodeFiguresAsync(viewer, node, chosen, cancellationToken).ConfigureAwait(false);
        }

        DateTimeOffset? from = chosen switch
        {
            "month" => new DateTimeOffset(local.Year, local.Month, 1, 0, 0, 0, offset),
            "30" => now.AddDays(-30),
            _ => null,
        };
        var reader = new DocReader(store, viewer.Shard);
        var numbers = await reader.MembersAsync(Sets.Complaints, cancellationToken).ConfigureAwait(false);
        var complaints = (await reader.GetManyAsync<ComplaintRecord>(numbers.Select(n => DocKeys.Complaint(int.Parse(n, CultureInfo.InvariantCulture))).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<ComplaintRecord>().Where(c => from is null || c.FiledAt >= from).ToList();
        var directory = await DirectorySnapshot.LoadAsync(reader, cancellationToken).ConfigureAwait(false);

        FigureRow Row(string name, IReadOnlyCollection<ComplaintRecord> list)
        {
            var f = ComplaintFlow.Compute(name, list);
            return new FigureRow(f.Name, f.Filed, f.ResponseRate, f.OnTimeRate, f.ResolutionRate, f.SatisfactionRate);
        }

        var byCategory = complaints.GroupBy(c => c.Category).OrderBy(g => g.Key)
            .Select(g => Row(texts.Get(language, "cp.cat." + g.Key), g.ToList())).ToList();
        var byGrid = complaints.GroupBy(c => c.GridId ?? "—").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Row(directory.GridName(g.Key == "—" ? null : g.Key), g.ToList())).ToList();

        var stats = await reader.GetAsync<CommunityStats>(DocKeys.CommunityStats, cancellationToken).ConfigureAwait(false) ?? new CommunityStats();
        var first = new DateTimeOffset(local.Year, local.Month, 1, 12, 0, 0, offset);
        var trend = Enumerable.Range(0, TrendMonths).Reverse()
            .Select(back => first.AddMonths(-back).ToString("yyyy-MM", CultureInfo.InvariantCulture))
            .Select(month => (Month: month, Tally: stats.Months.GetValueOrDefault(month) ?? StatsTally.Zero))
            .Select(m => new TrendMonth(m.Month, m.Tally.Filed, m.Tally.Resolved, m.Tally.Wishes, m.Tally.WishesDone))
            .ToList();

        var totals = await reader.GetAsync<PointsTotals>(DocKeys.PointsTotals, cancellationToken).ConfigureAwait(false) ?? new PointsTotals();
        var top = totals.All.Where(p => p.Value > 0).OrderByDescending(p => p.Value).ThenBy(p => p.Key).Take(RankingSize).ToList();
        var people = await reader.GetManyAsync<UserProfile>(top.Select(p => DocKeys.User(p.Key)).ToList(), cancellationToken).ConfigureAwait(false);
        var ranking = top.Select((p, i) => new RankEntry(i + 1, people[i] is { } person ? person.FirstName : "#" + p.Key.ToString(CultureInfo.InvariantCulture), p.Value)).ToList();

        return new FigureBoard(chosen, texts.Get(language, "cp.stats.period." + chosen), Row(texts.Get(language, "cp.stats.total"), complaints), byCategory, byGrid, trend, ranking, now)
        {
            Visiting = viewer.Visiting?.Name,
        };
    }

    /// <summary>
    /// A street's, district's or city's figures as the chat's /stats of a node computes them: the sum over every
    /// community below (one figures document each, never the complaints), one row per child node, and the 12 months.
    /// Categories, grids and points are a community's own: they are shown when one of the communities is opened.
    /// </summary>
    private async Task<FigureBoard> NodeFiguresAsync(BoardViewer viewer, State.Records.Org.OrgNode node, string period, CancellationToken cancellationToken)
    {
        var language = viewer.Language;
        var offset = options.Value.UtcOffset;
        var now = timeProvider.GetUtcNow();
        var reader = new DocReader(store, viewer.Shard);
        var descendants = await Stats.OrgScope.DescendantsAsync(reader, node, cancellationToken).ConfigureAwait(false);
        var communities = Stats.OrgScope.CommunitiesUnder(node, descendants);
        var docs = await reader.GetManyAsync<CommunityStats>(communities.Select(c => DocKeys.CommunityStats.In(c.Id)).ToList(), cancellationToken).ConfigureAwait(false);
        var byCommunity = communities.Select((c, i) => (c.Id, Stats: docs[i] ?? new CommunityStats())).ToDictionary(x => x.Id, x => x.Stats);
        IEnumerable<CommunityStats> Under(State.Records.Org.OrgNode n) => Stats.OrgScope.CommunitiesUnder(n, descendants).Select(c => byCommunity[c.Id]);
        FigureRow Row(string name, IEnumerable<CommunityStats> stats)
        {
            var f = ComplaintFlow.FiguresOf(name, Stats.CommunityTally.Sum(stats.Select(s => Stats.CommunityTally.Period(s, period, now, offset))));
            return new FigureRow(f.Name, f.Filed, f.ResponseRate, f.OnTimeRate, f.ResolutionRate, f.SatisfactionRate);
        }

        var children = node.Children.Select(id => descendants.FirstOrDefault(d => d.Id == id)).OfType<State.Records.Org.OrgNode>().Where(c => c.RemovedAt is null).ToList();
        var byChild = children.Select(child =>
        {
            var under = Under(child).ToList();
            var open = Stats.CommunityTally.Sum(under.Select(s => s.Now));
            return Row(child.Name, under) with { Node = child.Id, OpenComplaints = open.OpenComplaints, Supervised = open.Supervised, OpenWishes = open.OpenWishes };
        }).ToList();

        var local = now.ToOffset(offset);
        var first = new DateTimeOffset(local.Year, local.Month, 1, 12, 0, 0, offset);
        var trend = Enumerable.Range(0, TrendMonths).Reverse()
            .Select(back => first.AddMonths(-back).ToString("yyyy-MM", CultureInfo.InvariantCulture))
            .Select(month => (Month: month, Tally: Stats.CommunityTally.Sum(byCommunity.Values.Select(s => s.Months.GetValueOrDefault(month) ?? StatsTally.Zero))))
            .Select(m => new TrendMonth(m.Month, m.Tally.Filed, m.Tally.Resolved, m.Tally.Wishes, m.Tally.WishesDone))
            .ToList();

        return new FigureBoard(period, texts.Get(language, "cp.stats.period." + period), Row(texts.Get(language, "cp.stats.total"), byCommunity.Values), [], [], trend, [], now)
        {
            ByChild = byChild,
            Node = node.Name,
            Visiting = viewer.Visiting?.Name,
        };
    }
}
