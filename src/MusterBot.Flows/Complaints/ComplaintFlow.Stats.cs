using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;

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
        var resolved = complaints.Where(c => c.Result is not null && (c.ResolvedAt is not null || c.Status == ComplaintStatus.Closed)).ToList();
        return new Figures(
            name,
            complaints.Count,
            complaints.Count(c => c.FirstResponseAt is not null),
            resolved.Count,
            // On time: responded and resolved within the deadlines, and not reopened (a reopened result was not the outcome).
            resolved.Count(c => c.Reopens == 0 && c.FirstResponseAt is { } r && r <= c.RespondBy && c.ResolvedAt is { } done && done <= c.ResolveBy),
            complaints.Count(c => c.Feedback is not null),
            complaints.Count(c => c.Feedback is Satisfaction.Satisfied or Satisfaction.BasicallySatisfied));
    }

    /// <summary>/stats: figures per category and grid for a period (by filing time), and a CSV with one row per complaint.</summary>
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

        var period = PeriodName(chosen);

        var local = ctx.Now.ToOffset(_options.UtcOffset);
        DateTimeOffset? from = period switch
        {
            "month" => new DateTimeOffset(local.Year, local.Month, 1, 0, 0, 0, _options.UtcOffset),
            "30" => ctx.Now.AddDays(-30),
            _ => null,
        };
        var numbers = (await ctx.Reader.MembersAsync(Sets.Complaints, cancellationToken).ConfigureAwait(false)).Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToList();
        var all = (await ctx.Reader.GetManyAsync<Complaint>(numbers.Select(DocKeys.Complaint).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<Complaint>().Where(c => from is null || c.FiledAt >= from).OrderBy(c => c.Number).ToList();
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        ctx.AnswerButton();
        var periodName = ctx.T("cp.stats.period." + period);
        if (csv)
        {
            ctx.Effects.Publish(new OutboxMessage(Lane.Reply, ctx.ChatId, new SendDocument($"complaints-{period}.csv", Csv(all, directory), ctx.T("cp.stats.csv_caption", periodName, all.Count))));
            return;
        }

        var sb = new StringBuilder(ctx.T("cp.stats.head", periodName)).Append('\n');
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

        var markup = new InlineMarkup([
            [.. Enum.GetValues<StatsPeriod>().Select(p => new InlineButton(ctx.T("cp.stats.period." + PeriodName(p)), new ComplaintButton.Stats(p).Encode()))],
            [new InlineButton(ctx.T("cp.stats.csv"), new ComplaintButton.StatsCsv(chosen).Encode())]]);
        ctx.Show(sb.ToString().TrimEnd(), markup);
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
