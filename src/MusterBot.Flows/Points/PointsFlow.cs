using System.Globalization;
using System.Text;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
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
        return MermaidGraph.Format(Build(() => step, s => step = s, null, null, CancellationToken.None).GetInfo()) + "\n";
    }

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var period = context.Event is ButtonPressed press ? PointsButton.Codec.Decode(press.Data) : null;
        var trigger = context.Event switch
        {
            ButtonPressed when period is not null => PointsTrigger.RankingAsked,
            ButtonPressed => PointsTrigger.StaleButton,
            _ => PointsTrigger.BalanceAsked,
        };
        var step = PointsStep.Idle;
        await Build(() => step, s => step = s, context, period, cancellationToken).FireAsync(trigger).ConfigureAwait(false);
    }

    private StateMachine<PointsStep, PointsTrigger> Build(Func<PointsStep> read, Action<PointsStep> write, FlowContext? context, PointsButton? period, CancellationToken cancellationToken)
    {
        // With no context the machine is built only to be drawn; the actions and guards are never run then.
        var ctx = context!;
        var machine = new StateMachine<PointsStep, PointsTrigger>(read, write);

        // Only administrators see the ranking: anyone else's press is refused, whatever it carries; an administrator's
        // press that does not decode is stale.
        machine.OnUnhandledTrigger((_, _) =>
        {
            if (!ctx.Has(Roles.Admin))
            {
                ctx.AnswerButton(ctx.T("not_allowed", ctx.T("role.admin")), alert: true);
            }
            else
            {
                ctx.AnswerButton(ctx.T("button.stale"));
            }
        });
        machine.Configure(PointsStep.Idle)
            .InternalTransitionAsync(PointsTrigger.BalanceAsked, async _ => await BalanceAsync(ctx, cancellationToken).ConfigureAwait(false))
            .InternalTransitionAsyncIf(PointsTrigger.RankingAsked, () => ctx.Has(Roles.Admin), async _ => await ShowRankingAsync(ctx, period!, cancellationToken).ConfigureAwait(false));
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

    private async Task BalanceAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        var entries = await PointsLedger.EntriesAsync(ctx.Reader, ctx.Profile.Id, cancellationToken).ConfigureAwait(false);
        var sb = new StringBuilder(ctx.T("pt.balance", entries.Sum(e => e.Points))).Append('\n');
        if (entries.Count == 0)
        {
            sb.Append(ctx.T("pt.none"));
        }

        foreach (var entry in entries.Take(HistoryLines))
        {
            sb.Append(entry.At.ToOffset(_offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(' ')
              .Append(PointsLedger.WithSign(entry.Points)).Append(' ').Append(Reason(ctx, entry.Reason)).Append(" · ").Append(Html.Escape(SourceKind(entry.Source))).Append('\n');
        }

        ctx.Reply(sb.ToString().TrimEnd(), ctx.Has(Roles.Admin) ? PeriodButtons(ctx) : CommandCatalog.Menu(ctx.Roles, ctx.Language, texts, ctx.Emergency));
    }

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
