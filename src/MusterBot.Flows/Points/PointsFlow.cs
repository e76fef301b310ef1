using System.Globalization;
using System.Text;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Stats;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Org;
using MusterBot.State.Records.Stats;
using Stateless;
using Stateless.Graph;

namespace MusterBot.Flows.Points;

/// <summary>/points: a person's balance and latest ledger lines; administrators also get a ranking for a period.</summary>
public sealed class PointsFlow(TextCatalog texts, TimeSpan? utcOffset = null) : IFlow
{
    public const string FlowName = "points";
    private const int HistoryLines = 10;
    private const int RankingSize = 20;
    private readonly TimeSpan _offset = utcOffset ?? TimeSpan.FromHours(8);

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["points"];

    public bool OwnsButton(string data) => PointsButton.Codec.Owns(data);

    public string ToMermaid()
    {
        var step = PointsStep.Idle;
        return MermaidGraph.Format(Build(() => step, s => step = s, null, null, null, CancellationToken.None).GetInfo()) + "\n";
    }

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var period = context.Event is ButtonPressed press ? PointsButton.Codec.Decode(press.Data) : null;
        var trigger = context.Event switch
        {
            ButtonPressed when period is PointsButton.RankNode => PointsTrigger.NodeRankingAsked,
            ButtonPressed when period is not null => PointsTrigger.RankingAsked,
            ButtonPressed => PointsTrigger.StaleButton,
            _ => PointsTrigger.BalanceAsked,
        };
        OrgNode? node = null;
        if (period is PointsButton.RankNode rank && rank.NodeId > 0)
        {
            node = await context.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(rank.NodeId), cancellationToken).ConfigureAwait(false);
        }
        else if (trigger == PointsTrigger.BalanceAsked)
        {
            node = await OrgScope.TopNodeAsync(context, cancellationToken).ConfigureAwait(false);
        }

        var step = PointsStep.Idle;
        await Build(() => step, s => step = s, context, period, node, cancellationToken).FireAsync(trigger).ConfigureAwait(false);
    }

    private StateMachine<PointsStep, PointsTrigger> Build(Func<PointsStep> read, Action<PointsStep> write, FlowContext? context, PointsButton? period, OrgNode? node, CancellationToken cancellationToken)
    {
        // With no context the machine is built only to be drawn; the actions and guards are never run then.
        var ctx = context!;
        var machine = new StateMachine<PointsStep, PointsTrigger>(read, write);

        // Only administrators see the ranking: anyone else's press is refused, whatever it carries; an administrator's
        // press that does not decode is stale. A node's ranking only for the administrators of that node or one above it.
        machine.OnUnhandledTrigger((_, trigger) =>
        {
            if (trigger == PointsTrigger.NodeRankingAsked)
            {
                ctx.AnswerButton(ctx.T("pt.not_your_node"), alert: true);
            }
            else if (!ctx.Has(Roles.Admin))
            {
                ctx.AnswerButton(ctx.T("not_allowed", ctx.T("role.admin")), alert: true);
            }
            else
            {
                ctx.AnswerButton(ctx.T("button.stale"));
            }
        });
        machine.Configure(PointsStep.Idle)
            .InternalTransitionAsync(PointsTrigger.BalanceAsked, async _ => await BalanceAsync(ctx, node, cancellationToken).ConfigureAwait(false))
            .InternalTransitionAsyncIf(PointsTrigger.RankingAsked, () => ctx.Has(Roles.Admin), async _ => await ShowRankingAsync(ctx, period!, cancellationToken).ConfigureAwait(false))
            .InternalTransitionAsyncIf(PointsTrigger.NodeRankingAsked, () => node is not null && OrgScope.Covers(ctx.Profile, node), async _ => await ShowNodeRankingAsync(ctx, node!, (PointsButton.RankNode)period!, cancellationToken).ConfigureAwait(false));
        return machine;
    }

    private async Task ShowRankingAsync(FlowContext ctx, PointsButton period, CancellationToken cancellationToken)
    {
        ctx.AnswerButton();
        var html = await RankingAsync(ctx, period, cancellationToken).ConfigureAwait(false);
        if (ctx.Event is ButtonPressed { MessageId: { } messageId })
        {
            ctx.Effects.Edit(ctx.ChatId, messageId, html, PeriodButtons(ctx));
        }
        else
        {
            ctx.Reply(html, PeriodButtons(ctx));
        }
    }

    /// <summary>
    /// The person's points across communities (ledger lines where they were earned; the root shard lists those
    /// communities), a subtotal per community when there are several, and the latest lines.
    /// </summary>
    private async Task BalanceAsync(FlowContext ctx, OrgNode? node, CancellationToken cancellationToken)
    {
        var shards = (await ctx.Reader.MembersAsync(Sets.PointsShardsOf(ctx.Profile.Id), Shards.Root, cancellationToken).ConfigureAwait(false))
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).Append(ctx.Shard).Distinct().Order().ToList();
        var perShard = new List<(long Shard, IReadOnlyList<State.Records.Musters.PointsEntry> Entries)>();
        foreach (var shard in shards)
        {
            perShard.Add((shard, await PointsLedger.EntriesAsync(ctx.Reader, ctx.Profile.Id, shard, cancellationToken).ConfigureAwait(false)));
        }

        var entries = perShard.SelectMany(p => p.Entries).OrderByDescending(e => e.At).ThenBy(e => e.Source, StringComparer.Ordinal).ToList();
        var sb = new StringBuilder(ctx.T("pt.balance", entries.Sum(e => e.Points))).Append('\n');
        var earnedIn = perShard.Where(p => p.Entries.Count > 0).ToList();
        if (earnedIn.Count > 1)
        {
            var names = await ctx.Reader.GetManyAsync<OrgNode>(earnedIn.Select(p => DocKeys.OrgNode(p.Shard)).ToList(), cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < earnedIn.Count; i++)
            {
                sb.Append(ctx.T("pt.in_community", Html.Escape(names[i]?.Name ?? "#" + earnedIn[i].Shard.ToString(CultureInfo.InvariantCulture)), earnedIn[i].Entries.Sum(e => e.Points))).Append('\n');
            }
        }

        if (entries.Count == 0)
        {
            sb.Append(ctx.T("pt.none"));
        }

        foreach (var entry in entries.Take(HistoryLines))
        {
            sb.Append(entry.At.ToOffset(_offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(' ')
              .Append(PointsLedger.WithSign(entry.Points)).Append(' ').Append(Reason(ctx, entry.Reason)).Append(" · ").Append(Html.Escape(SourceKind(entry.Source))).Append('\n');
        }

        Markup markup = node is not null ? NodePeriodButtons(ctx, node.Id)
            : ctx.Has(Roles.Admin) ? PeriodButtons(ctx)
            : CommandCatalog.Menu(ctx.Roles, ctx.Language, texts, ctx.Emergency);
        ctx.Reply(sb.ToString().TrimEnd(), markup);
    }

    private static InlineMarkup NodePeriodButtons(FlowContext ctx, long nodeId) => new([[
        .. Enum.GetValues<RankPeriod>().Select(p => Button(ctx, new PointsButton.RankNode(nodeId, p)))]]);

    /// <summary>Children shown with a button each.</summary>
    private const int MaxChildren = 40;

    /// <summary>
    /// A node's ranking (top <see cref="NodeRankingSize"/>): people ranked by the points earned in every community below the
    /// node, summed across communities from each community's totals (one read per community, never the ledger lines);
    /// buttons to each child node and back up.
    /// </summary>
    private async Task ShowNodeRankingAsync(FlowContext ctx, OrgNode node, PointsButton.RankNode period, CancellationToken cancellationToken)
    {
        var descendants = await OrgScope.DescendantsAsync(ctx.Reader, node, cancellationToken).ConfigureAwait(false);
        var communities = OrgScope.CommunitiesUnder(node, descendants);
        var docs = await ctx.Reader.GetManyAsync<PointsTotals>(communities.Select(c => DocKeys.PointsTotals.In(c.Id)).ToList(), cancellationToken).ConfigureAwait(false);
        var key = period.PeriodKey;
        var from = key == "month" ? ctx.Now.ToOffset(_offset).ToString("yyyy-MM", CultureInfo.InvariantCulture) + "-01" : PointsLedger.Day(ctx.Now.AddDays(-30), _offset);
        var sums = new Dictionary<long, int>();
        foreach (var totals in docs.OfType<PointsTotals>())
        {
            var parts = key == "all" ? [totals.All] : totals.Days.Where(d => string.CompareOrdinal(d.Key, from) >= 0).Select(d => d.Value);
            foreach (var part in parts)
            {
                foreach (var (id, points) in part)
                {
                    sums[id] = sums.GetValueOrDefault(id) + points;
                }
            }
        }

        var top = sums.Where(s => s.Value > 0).OrderByDescending(s => s.Value).ThenBy(s => s.Key).Take(NodeRankingSize).ToList();
        var people = (await OrgScope.PeopleAsync(ctx.Reader, top.Select(t => t.Key), cancellationToken).ConfigureAwait(false)).ToDictionary(p => p.Id);
        var sb = new StringBuilder(ctx.T("pt.node_ranking_head", Html.Escape(node.Name), ctx.T("pt.btn." + key), communities.Count)).Append('\n');
        if (top.Count == 0)
        {
            sb.Append(ctx.T("pt.ranking_none"));
        }

        for (var i = 0; i < top.Count; i++)
        {
            var name = people.TryGetValue(top[i].Key, out var p) ? (p.LastName is null ? p.FirstName : p.FirstName + " " + p.LastName) : "#" + top[i].Key.ToString(CultureInfo.InvariantCulture);
            sb.Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(". ").Append(Html.Escape(name)).Append(" — ").Append(top[i].Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        var children = node.Children.Select(id => descendants.FirstOrDefault(d => d.Id == id)).OfType<OrgNode>().Take(MaxChildren);
        List<IReadOnlyList<InlineButton>> rows =
        [
            .. children.Select(c => new InlineButton(c.Name, PointsButton.Codec.Encode(new PointsButton.RankNode(c.Id, period.Period)))).Rows(2),
            .. NodePeriodButtons(ctx, node.Id).Rows,
        ];
        if (node.ParentId is { } parentId
            && await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(parentId), cancellationToken).ConfigureAwait(false) is { } parent
            && OrgScope.Covers(ctx.Profile, parent))
        {
            rows.Add([new InlineButton(ctx.T("pt.up", parent.Name), PointsButton.Codec.Encode(new PointsButton.RankNode(parent.Id, period.Period)))]);
        }

        ctx.AnswerButton();
        if (ctx.Event is ButtonPressed { MessageId: { } messageId })
        {
            ctx.Effects.Edit(ctx.ChatId, messageId, sb.ToString().TrimEnd(), new InlineMarkup(rows));
        }
        else
        {
            ctx.Reply(sb.ToString().TrimEnd(), new InlineMarkup(rows));
        }
    }

    private const int NodeRankingSize = 10;

    /// <summary>What a ledger line came from ("wish" of "wish:12"), not its number.</summary>
    private static string SourceKind(string source) =>
        source.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 ? source[..colon] : source;

    private static string Reason(FlowContext ctx, string reason) =>
        ctx.Texts.Keys(ctx.Language).Contains("pt.reason." + reason) ? ctx.T("pt.reason." + reason) : Html.Escape(reason);

    private static InlineMarkup PeriodButtons(FlowContext ctx) => new([[
        Button(ctx, new PointsButton.RankThisMonth()),
        Button(ctx, new PointsButton.RankLast30Days()),
        Button(ctx, new PointsButton.RankAllTime())]]);

    private static InlineButton Button(FlowContext ctx, PointsButton period) =>
        new(ctx.T("pt.btn." + period.PeriodKey), PointsButton.Codec.Encode(period));

    /// <summary>Members ranked by points earned in the period (this calendar month, the last 30 days, or all time).</summary>
    private async ValueTask<string> RankingAsync(FlowContext ctx, PointsButton period, CancellationToken cancellationToken)
    {
        var local = ctx.Now.ToOffset(_offset);
        DateTimeOffset? from = period switch
        {
            PointsButton.RankThisMonth => new DateTimeOffset(local.Year, local.Month, 1, 0, 0, 0, _offset),
            PointsButton.RankLast30Days => ctx.Now.AddDays(-30),
            _ => null,
        };
        var people = new HashSet<string>(await ctx.Reader.MembersAsync(Sets.PeopleWithRole(Roles.Member), cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        people.UnionWith(await ctx.Reader.MembersAsync(Sets.PeopleWithRole(Roles.Convenor), cancellationToken).ConfigureAwait(false));
        var totals = new List<(long Id, int Points)>();
        foreach (var id in people.Select(p => long.Parse(p, CultureInfo.InvariantCulture)))
        {
            var entries = await PointsLedger.EntriesAsync(ctx.Reader, id, cancellationToken).ConfigureAwait(false);
            var sum = entries.Where(e => from is null || e.At >= from).Sum(e => e.Points);
            if (sum > 0)
            {
                totals.Add((id, sum));
            }
        }

        var top = totals.OrderByDescending(t => t.Points).ThenBy(t => t.Id).Take(RankingSize).ToList();
        var profiles = await ctx.Reader.GetManyAsync<UserProfile>(top.Select(t => DocKeys.User(t.Id)).ToList(), cancellationToken).ConfigureAwait(false);
        var sb = new StringBuilder(ctx.T("pt.ranking_head", ctx.T("pt.btn." + period.PeriodKey))).Append('\n');
        if (top.Count == 0)
        {
            sb.Append(ctx.T("pt.ranking_none"));
        }

        for (var i = 0; i < top.Count; i++)
        {
            var name = profiles[i] is { } p ? (p.LastName is null ? p.FirstName : p.FirstName + " " + p.LastName) : "#" + top[i].Id.ToString(CultureInfo.InvariantCulture);
            sb.Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(". ").Append(Html.Escape(name)).Append(" — ").Append(top[i].Points.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return sb.ToString().TrimEnd();
    }
}
