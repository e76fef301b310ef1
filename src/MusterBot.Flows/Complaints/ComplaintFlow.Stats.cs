using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Stats;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.State.Records.Org;
using MusterBot.State.Records.Stats;

namespace MusterBot.Flows.Complaints;

public sealed partial class ComplaintFlow
{
    /// <summary>One row of the figures (a category, a grid, or the total) as the 12345 hotlines publish them.</summary>
    public sealed record Figures(string Name, int Filed, int Responded, int ResolvedOrClosed, int OnTime, int Rated, int Satisfied)
    {
        public static double? Rate(int part, int whole) => whole == 0 ? null : (double)part / whole;

        /// <summary>Share of complaints that got a first response (accepted or a progress note).</summary>
        public double? ResponseRate => Rate(Responded, Filed);

        /// <summary>Share of resolved complaints whose response and resolution both met their deadlines, without a reopen.</summary>
        public double? OnTimeRate => Rate(OnTime, ResolvedOrClosed);

        public double? ResolutionRate => Rate(ResolvedOrClosed, Filed);

        /// <summary>Satisfied or basically satisfied, of those who gave feedback.</summary>
        public double? SatisfactionRate => Rate(Satisfied, Rated);
    }

    public static Figures Compute(string name, IReadOnlyCollection<Complaint> complaints)
    {
        ArgumentNullException.ThrowIfNull(complaints);
        // The same counts the community's figures document keeps (CommunityTally), so both views agree.
        return FiguresOf(name, CommunityTally.Sum(complaints.Select(CommunityTally.Of)));
    }

    /// <summary>The figures of a tally (on time: responded and resolved within the deadlines, and not reopened).</summary>
    public static Figures FiguresOf(string name, StatsTally tally)
    {
        ArgumentNullException.ThrowIfNull(tally);
        return new Figures(name, tally.Filed, tally.Responded, tally.Resolved, tally.OnTime, tally.Rated, tally.Satisfied);
    }

    /// <summary>/stats of community staff: figures per category and grid for a period (by filing time), and a CSV with one row per complaint.</summary>
    private async ValueTask StatsAsync(FlowContext ctx, StatsPeriod chosen, bool csv, CancellationToken cancellationToken)
    {
        if (!ctx.Has(Roles.Admin))
        {
            if (ctx.Event is Events.ButtonPressed)
            {
                ctx.AnswerButton(ctx.T("not_allowed", ctx.T("role.admin")), alert: true);
            }
            else
            {
                ctx.Reply(ctx.T("not_allowed", ctx.T("role.admin")), Menu(ctx));
            }

            return;
        }

        await CommunityStatsAsync(ctx, ctx.Reader, chosen, csv, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The detailed figures of one community, read through <paramref name="reader"/> (bound to the community's shard).
    /// <paramref name="seenFrom"/> is the community's node when an administrator above it drilled down: its buttons
    /// then name the node, and one leads back up.
    /// </summary>
    private async ValueTask CommunityStatsAsync(FlowContext ctx, DocReader reader, StatsPeriod chosen, bool csv, OrgNode? seenFrom, CancellationToken cancellationToken)
    {
        var period = PeriodName(chosen);

        var local = ctx.Now.ToOffset(_options.UtcOffset);
        DateTimeOffset? from = period switch
        {
            "month" => new DateTimeOffset(local.Year, local.Month, 1, 0, 0, 0, _options.UtcOffset),
            "30" => ctx.Now.AddDays(-30),
            _ => null,
        };
        var numbers = (await reader.MembersAsync(Sets.Complaints, cancellationToken).ConfigureAwait(false)).Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToList();
        var all = (await reader.GetManyAsync<Complaint>(numbers.Select(DocKeys.Complaint).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<Complaint>().Where(c => from is null || c.FiledAt >= from).OrderBy(c => c.Number).ToList();
        var directory = await DirectorySnapshot.LoadAsync(reader, cancellationToken).ConfigureAwait(false);
        ctx.AnswerButton();
        var periodName = ctx.T("cp.stats.period." + period);
        if (csv)
        {
            ctx.Effects.Publish(new OutboxMessage(Lane.Reply, ctx.ChatId, new SendDocument($"complaints-{period}.csv", Csv(all, directory), ctx.T("cp.stats.csv_caption", periodName, all.Count))));
            return;
        }

        var sb = new StringBuilder();
        if (seenFrom is not null)
        {
            sb.Append(ctx.T("cp.tree.community", Html.Escape(seenFrom.Name))).Append('\n');
        }

        sb.Append(ctx.T("cp.stats.head", periodName)).Append('\n');
        sb.Append(Line(ctx, Compute(ctx.T("cp.stats.total"), all))).Append("\n\n<b>").Append(ctx.T("cp.stats.by_category")).Append("</b>\n");
        foreach (var group in all.GroupBy(c => c.Category).OrderBy(g => g.Key))
        {
            sb.Append(Line(ctx, Compute(Category(ctx.Language, group.Key), group.ToList()))).Append('\n');
        }

        sb.Append("\n<b>").Append(ctx.T("cp.stats.by_grid")).Append("</b>\n");
        foreach (var group in all.GroupBy(c => c.GridId ?? "—").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append(Line(ctx, Compute(directory.GridName(group.Key == "—" ? null : group.Key), group.ToList()))).Append('\n');
        }

        InlineMarkup markup;
        if (seenFrom is null)
        {
            List<IReadOnlyList<InlineButton>> rows =
            [
                [.. Enum.GetValues<StatsPeriod>().Select(p => new InlineButton(ctx.T("cp.stats.period." + PeriodName(p)), new ComplaintButton.Stats(p).Encode()))],
                [new InlineButton(ctx.T("cp.stats.csv"), new ComplaintButton.StatsCsv(chosen).Encode())],
            ];
            if (dashboard is not null)
            {
                // The same figures as charts, in the dashboard Mini App.
                rows.Add([new InlineButton(ctx.T("dash.button"), WebApp: dashboard.Url)]);
            }

            markup = new InlineMarkup(rows);
        }
        else
        {
            var id = seenFrom.Id;
            List<IReadOnlyList<InlineButton>> rows =
            [
                [.. Enum.GetValues<StatsPeriod>().Select(p => new InlineButton(ctx.T("cp.stats.period." + PeriodName(p)), new ComplaintButton.NodeStats(id, p).Encode()))],
                [new InlineButton(ctx.T("cp.stats.csv"), new ComplaintButton.NodeStatsCsv(id, chosen).Encode())],
            ];
            await AddUpButtonAsync(ctx, seenFrom, chosen, rows, cancellationToken).ConfigureAwait(false);
            markup = new InlineMarkup(rows);
        }

        ctx.Show(sb.ToString().TrimEnd(), markup);
    }

    /// <summary>Children shown with a line and a button each (a street's communities, a district's streets, …).</summary>
    private const int MaxChildren = 40;

    /// <summary>
    /// /stats of an administrator of a street, district or city: the node's figures (the sum over every community
    /// below it, from each community's figures document: one read per community), what is open now, and one line and
    /// one button per child node; a community opens its detailed view. Only nodes the presser administers (or that lie
    /// below one) are shown: a forged node id is refused.
    /// </summary>
    private async ValueTask NodeStatsAsync(FlowContext ctx, long nodeId, StatsPeriod chosen, bool csv, CancellationToken cancellationToken)
    {
        var node = nodeId > 0 ? await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(nodeId), cancellationToken).ConfigureAwait(false) : null;
        if (node is null || !OrgScope.Covers(ctx.Profile, node))
        {
            RefuseNode(ctx);
            return;
        }

        if (node.Level == OrgLevel.Community)
        {
            await CommunityStatsAsync(ctx, ctx.Reader.For(node.Id), chosen, csv, node, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (csv)
        {
            // The CSV lists one community's complaints; a node above has none of its own.
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        var period = PeriodName(chosen);
        var descendants = await OrgScope.DescendantsAsync(ctx.Reader, node, cancellationToken).ConfigureAwait(false);
        var communities = OrgScope.CommunitiesUnder(node, descendants);
        var docs = await ctx.Reader.GetManyAsync<CommunityStats>(communities.Select(c => DocKeys.CommunityStats.In(c.Id)).ToList(), cancellationToken).ConfigureAwait(false);
        var byCommunity = new Dictionary<long, CommunityStats>();
        for (var i = 0; i < communities.Count; i++)
        {
            byCommunity[communities[i].Id] = docs[i] ?? new CommunityStats();
        }

        StatsTally PeriodOf(OrgNode n) => CommunityTally.Sum(OrgScope.CommunitiesUnder(n, descendants).Select(c => CommunityTally.Period(byCommunity[c.Id], period, ctx.Now, _options.UtcOffset)));
        StatsTally NowOf(OrgNode n) => CommunityTally.Sum(OrgScope.CommunitiesUnder(n, descendants).Select(c => byCommunity[c.Id].Now));

        ctx.AnswerButton();
        var total = PeriodOf(node);
        var now = NowOf(node);
        var periodName = ctx.T("cp.stats.period." + period);
        var sb = new StringBuilder(ctx.T("cp.tree.head", Html.Escape(node.Name), ctx.T("cp.tree.level." + node.Level), periodName, communities.Count)).Append('\n');
        sb.Append(Line(ctx, FiguresOf(ctx.T("cp.stats.total"), total))).Append('\n');
        sb.Append(ctx.T("cp.tree.wishes", total.Wishes, total.WishesDone, total.WishesRated == 0 ? "—" : ((double)total.WishStars / total.WishesRated).ToString("0.0", CultureInfo.InvariantCulture))).Append('\n');
        sb.Append(ctx.T("cp.tree.now", now.OpenComplaints, now.Supervised, now.Escalated, now.OpenWishes)).Append('\n');
        var children = node.Children.Select(id => descendants.FirstOrDefault(d => d.Id == id)).OfType<OrgNode>().ToList();
        if (children.Count > 0)
        {
            sb.Append("\n<b>").Append(ctx.T("cp.tree.children")).Append("</b>\n");
        }

        foreach (var child in children.Take(MaxChildren))
        {
            var figures = FiguresOf(child.Name, PeriodOf(child));
            var childNow = NowOf(child);
            sb.Append(ctx.T("cp.tree.child", Html.Escape(child.Name) + (child.RemovedAt is null ? string.Empty : ctx.T("cp.tree.removed")), figures.Filed,
                Percent(figures.ResolutionRate), Percent(figures.SatisfactionRate), PeriodOf(child).Wishes, childNow.Supervised)).Append('\n');
        }

        if (children.Count > MaxChildren)
        {
            sb.Append(ctx.T("cp.tree.more", children.Count - MaxChildren)).Append('\n');
        }

        List<IReadOnlyList<InlineButton>> rows =
        [
            .. children.Take(MaxChildren).Select(c => new InlineButton(c.Name, new ComplaintButton.NodeStats(c.Id, chosen).Encode())).Rows(2),
            [.. Enum.GetValues<StatsPeriod>().Select(p => new InlineButton(ctx.T("cp.stats.period." + PeriodName(p)), new ComplaintButton.NodeStats(node.Id, p).Encode()))],
        ];
        await AddUpButtonAsync(ctx, node, chosen, rows, cancellationToken).ConfigureAwait(false);
        ctx.Show(sb.ToString().TrimEnd(), new InlineMarkup(rows));
    }

    /// <summary>"Back to the parent" when the presser also administers the parent (or a node above it).</summary>
    private static async ValueTask AddUpButtonAsync(FlowContext ctx, OrgNode node, StatsPeriod chosen, List<IReadOnlyList<InlineButton>> rows, CancellationToken cancellationToken)
    {
        if (node.ParentId is { } parentId
            && await ctx.Reader.GetAsync<OrgNode>(DocKeys.OrgNode(parentId), cancellationToken).ConfigureAwait(false) is { } parent
            && OrgScope.Covers(ctx.Profile, parent))
        {
            rows.Add([new InlineButton(ctx.T("cp.tree.up", parent.Name), new ComplaintButton.NodeStats(parent.Id, chosen).Encode())]);
        }
    }

    /// <summary>A node the person does not administer (a forged or stale button, or a right taken away).</summary>
    private void RefuseNode(FlowContext ctx)
    {
        if (ctx.Event is Events.ButtonPressed)
        {
            ctx.AnswerButton(ctx.T("cp.tree.not_yours"), alert: true);
        }
        else
        {
            ctx.Reply(ctx.T("cp.tree.not_yours"), Menu(ctx));
        }
    }

    /// <summary>The period as the texts and the CSV's file name spell it.</summary>
    private static string PeriodName(StatsPeriod period) => period switch
    {
        StatsPeriod.Month => "month",
        StatsPeriod.Days30 => "30",
        _ => "all",
    };

    private static string Line(FlowContext ctx, Figures f) =>
        ctx.T("cp.stats.line", Html.Escape(f.Name), f.Filed, Percent(f.ResponseRate), Percent(f.OnTimeRate), Percent(f.ResolutionRate), Percent(f.SatisfactionRate));

    private static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0", CultureInfo.InvariantCulture) + "%" : "—";

    private byte[] Csv(IReadOnlyList<Complaint> complaints, DirectorySnapshot directory)
    {
        static string Iso(DateTimeOffset? at) => at?.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture) ?? string.Empty;
        var sb = new StringBuilder("number,category,grid,status,urgent,anonymous,followers,filed_at,respond_by,first_response_at,resolve_by,resolved_at,closed_at,feedback,reopens,supervised,handler_id\r\n");
        foreach (var c in complaints)
        {
            string[] cells =
            [
                c.Code, c.Category.ToString(), directory.GridName(c.GridId), c.Status.ToString(), c.Urgent ? "yes" : "no", c.Anonymous ? "yes" : "no",
                c.Followers.Count.ToString(CultureInfo.InvariantCulture), Iso(c.FiledAt), Iso(c.RespondBy), Iso(c.FirstResponseAt), Iso(c.ResolveBy),
                Iso(c.ResolvedAt), Iso(c.ClosedAt), c.Feedback?.ToString() ?? string.Empty, c.Reopens.ToString(CultureInfo.InvariantCulture),
                string.Join(" ", c.Supervised), c.HandlerId is { } h ? Num(h) : string.Empty,
            ];
            sb.Append(string.Join(",", cells.Select(Musters.MusterFlow.CsvCell))).Append("\r\n");
        }

        _ = texts;
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(sb.ToString())];
    }
}
