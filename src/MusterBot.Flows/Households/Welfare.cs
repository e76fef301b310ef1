using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Households;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Households;

/// <summary>
/// The welfare check of a muster, shared by the muster flow (a member arrives, the roll call, the close) and the welfare
/// flow (start, reports, requests for help): giving households to arrived members and counting the visits.
/// </summary>
public static class Welfare
{
    /// <summary>The visits' counts, from the index sets (no visit is read).</summary>
    public sealed record Counts(int Total, int Unassigned, IReadOnlyDictionary<VisitOutcome, int> ByOutcome, int HelpOpen)
    {
        public int Of(VisitOutcome outcome) => ByOutcome.GetValueOrDefault(outcome);

        public int Checked => Total - Of(VisitOutcome.Unchecked);

        public int Assigned => Total - Unassigned;

        public int HelpDone => Of(VisitOutcome.NeedsHelp) - HelpOpen < 0 ? 0 : Of(VisitOutcome.NeedsHelp) - HelpOpen;
    }

    public static async ValueTask<Counts> CountAsync(DocReader reader, Muster muster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(muster);
        var total = (int)await reader.CountAsync(Sets.Visits(muster.Number), cancellationToken).ConfigureAwait(false);
        var unassigned = 0;
        foreach (var grid in muster.Welfare?.GridIds ?? [])
        {
            unassigned += (int)await reader.CountAsync(Sets.VisitsUnassigned(muster.Number, grid), cancellationToken).ConfigureAwait(false);
        }

        var by = new Dictionary<VisitOutcome, int>();
        foreach (var outcome in Enum.GetValues<VisitOutcome>().Where(o => o != VisitOutcome.Unchecked))
        {
            by[outcome] = (int)await reader.CountAsync(Sets.VisitsWith(muster.Number, outcome), cancellationToken).ConfigureAwait(false);
        }

        by[VisitOutcome.Unchecked] = total - by.Values.Sum();
        var help = (int)await reader.CountAsync(Sets.HelpOpen(muster.Number), cancellationToken).ConfigureAwait(false);
        return new Counts(total, unassigned, by, help);
    }

    /// <summary>The roll call's line: checked of total, what was found, open requests for help.</summary>
    public static string Line(TextCatalog texts, Language language, Counts counts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(counts);
        return texts.Format(language, "wf.rc.line", counts.Checked, counts.Assigned, counts.Total, counts.Of(VisitOutcome.Safe), counts.Of(VisitOutcome.NeedsHelp),
            counts.HelpOpen, counts.Of(VisitOutcome.NotHome), counts.Of(VisitOutcome.Moved), counts.Of(VisitOutcome.Unchecked));
    }

    /// <summary>Ids of the members who arrived, in every region of the muster (from the answer sets).</summary>
    public static async ValueTask<IReadOnlyList<long>> ArrivedAsync(DocReader reader, Muster muster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(muster);
        var ids = new List<long>();
        foreach (var region in muster.RegionIds.Count > 0 ? muster.RegionIds : muster.Regions.Select(r => r.RegionId))
        {
            foreach (var id in await reader.MembersAsync(Sets.MusterAnswers(muster.Number, region, CheckInStatus.Arrived), cancellationToken).ConfigureAwait(false))
            {
                ids.Add(long.Parse(id, CultureInfo.InvariantCulture));
            }
        }

        return ids;
    }

    /// <summary>
    /// Gives the unassigned households of <paramref name="gridId"/> to <paramref name="members"/> (arrived, living in the
    /// grid): a building's households go first to members who live in that building, then to whoever has fewest, at most
    /// <see cref="WelfarePlan.MaxPerMember"/> each (counting what they already have). Each member given households is
    /// told which, on the emergency lane. Returns how many were given.
    /// </summary>
    public static async ValueTask<int> AssignAsync(FlowContext ctx, TextCatalog texts, Muster muster, string gridId, IReadOnlyList<UserProfile> members, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(muster);
        ArgumentNullException.ThrowIfNull(members);
        var plan = muster.Welfare;
        if (plan is null || members.Count == 0 || !plan.GridIds.Contains(gridId))
        {
            return 0;
        }

        var free = (await ctx.Reader.MembersAsync(Sets.VisitsUnassigned(muster.Number, gridId), cancellationToken).ConfigureAwait(false))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
        if (free.Count == 0)
        {
            return 0;
        }

        var visits = (await ctx.Reader.GetManyAsync<HouseholdVisit>(free.Select(h => DocKeys.Visit(muster.Number, h)).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<HouseholdVisit>().Where(v => v.AssignedTo is null).ToList();
        var load = new Dictionary<long, int>();
        foreach (var member in members)
        {
            load[member.Id] = (int)await ctx.Reader.CountAsync(Sets.VisitsOf(muster.Number, member.Id), cancellationToken).ConfigureAwait(false);
        }

        var given = Distribute(visits, members, load, plan.MaxPerMember, directory, ctx.Now);
        Give(ctx, texts, muster, given, members, directory);
        return given.Values.Sum(l => l.Count);
    }

    /// <summary>
    /// Who visits which: households of buildings where one of the members lives come first, and a building's households
    /// go first to members who live in it, then to the member who already has one in it, then to whoever has fewest — at most <paramref name="max"/> each, counting
    /// <paramref name="load"/> (what they have already). Pure.
    /// </summary>
    public static Dictionary<long, List<HouseholdVisit>> Distribute(IEnumerable<HouseholdVisit> unassigned, IReadOnlyList<UserProfile> members, Dictionary<long, int> load, int max, DirectorySnapshot directory, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(unassigned);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(directory);
        var given = new Dictionary<long, List<HouseholdVisit>>();
        var homes = members.Select(m => m.BuildingId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var visit in unassigned.OrderBy(v => !homes.Contains(v.BuildingId)).ThenBy(v => directory.Grid(v.GridId)?.Buildings.Select(b => b.Id).ToList().IndexOf(v.BuildingId) ?? 0)
                     .ThenBy(v => v.Unit, StringComparer.Ordinal).ThenBy(v => v.Room, StringComparer.Ordinal))
        {
            var taker = members.Where(m => load.GetValueOrDefault(m.Id) < max)
                .OrderByDescending(m => m.BuildingId == visit.BuildingId)
                .ThenByDescending(m => given.TryGetValue(m.Id, out var mine) && mine[^1].BuildingId == visit.BuildingId)
                .ThenBy(m => load.GetValueOrDefault(m.Id))
                .ThenBy(m => m.Id)
                .FirstOrDefault();
            if (taker is null)
            {
                break;
            }

            load[taker.Id] = load.GetValueOrDefault(taker.Id) + 1;
            (given.TryGetValue(taker.Id, out var list) ? list : given[taker.Id] = []).Add(visit with { AssignedTo = taker.Id, AssignedAt = now });
        }

        return given;
    }

    /// <summary>Writes what <see cref="Distribute"/> gave (visits and sets) and tells each member which households, on the emergency lane.</summary>
    public static void Give(FlowContext ctx, TextCatalog texts, Muster muster, Dictionary<long, List<HouseholdVisit>> given, IReadOnlyList<UserProfile> members, DirectorySnapshot directory)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(members);
        foreach (var (memberId, list) in given)
        {
            foreach (var assigned in list)
            {
                ctx.Effects.Put(DocKeys.Visit(muster.Number, assigned.Household), assigned);
                ctx.Effects.RemoveFromSet(Sets.VisitsUnassigned(muster.Number, assigned.GridId), MusterView.Num(assigned.Household));
                ctx.Effects.AddToSet(Sets.VisitsOf(muster.Number, memberId), MusterView.Num(assigned.Household));
            }

            ctx.Effects.AddToSet(Sets.Visitors(muster.Number), MusterView.Num(memberId));
            var member = members.First(m => m.Id == memberId);
            if (!member.BlockedBot)
            {
                ctx.Effects.Send(member.ChatId, GivenText(texts, member.Language, muster, list, directory), VisitButtons(texts, member.Language, muster.Number, list, directory), Lane.Emergency);
            }
        }
    }

    /// <summary>A member arrived: if the muster checks households of their grid and some are not given yet, they get their share.</summary>
    public static async ValueTask AssignOnArrivalAsync(FlowContext ctx, TextCatalog texts, Muster muster, UserProfile member, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(muster);
        ArgumentNullException.ThrowIfNull(member);
        if (muster.Welfare is not { } plan || member.GridId is not { } grid || !plan.GridIds.Contains(grid) || !muster.IsOpen)
        {
            return;
        }

        if (await ctx.Reader.CountAsync(Sets.VisitsUnassigned(muster.Number, grid), cancellationToken).ConfigureAwait(false) == 0)
        {
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        await AssignAsync(ctx, texts, muster, grid, [member], directory, cancellationToken).ConfigureAwait(false);
    }

    public static string Address(HouseholdVisit visit, DirectorySnapshot directory)
    {
        ArgumentNullException.ThrowIfNull(visit);
        ArgumentNullException.ThrowIfNull(directory);
        return HouseholdFields.Address(directory.BuildingName(visit.GridId, visit.BuildingId), visit.Unit, visit.Room);
    }

    public static string Mark(VisitOutcome outcome) => outcome switch
    {
        VisitOutcome.Safe => "\u2705",
        VisitOutcome.NeedsHelp => "\U0001F198",
        VisitOutcome.NotHome => "\U0001F6AA",
        VisitOutcome.Moved => "\U0001F3E0",
        _ => "\u23F3",
    };

    /// <summary>The tags of a visit's household, in the reader's language.</summary>
    public static string TagNames(HouseholdVisit visit, TextCatalog texts, Language language)
    {
        ArgumentNullException.ThrowIfNull(visit);
        ArgumentNullException.ThrowIfNull(texts);
        return string.Join(texts.Get(language, "hh.tag_separator"), visit.Tags.Select(t => texts.Get(language, HouseholdFields.TagKey(t))).Concat(visit.CustomTags));
    }

    public static string GivenText(TextCatalog texts, Language language, Muster muster, IReadOnlyList<HouseholdVisit> visits, DirectorySnapshot directory)
    {
        var sb = new StringBuilder(MusterView.DrillLine(texts, language, muster.Plan));
        sb.Append(texts.Format(language, "wf.given", muster.Code, visits.Count));
        foreach (var v in visits)
        {
            sb.Append('\n').Append("\u2022 ").Append(Html.Escape(Address(v, directory))).Append(" · ").Append(Html.Escape(TagNames(v, texts, language)));
        }

        sb.Append('\n').Append(texts.Get(language, "wf.given.how"));
        return sb.ToString();
    }

    /// <summary>One button per household with its mark, then "my households".</summary>
    public static InlineMarkup VisitButtons(TextCatalog texts, Language language, int number, IEnumerable<HouseholdVisit> visits, DirectorySnapshot directory)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var rows = visits.Select(v => (IReadOnlyList<InlineButton>)[new InlineButton(Mark(v.Outcome) + " " + Address(v, directory), WelfareButton.Codec.Encode(new WelfareButton.Visit(number, v.Household)))]).ToList();
        rows.Add([new InlineButton(texts.Get(language, "wf.btn.mine"), WelfareButton.Codec.Encode(new WelfareButton.Mine(number)))]);
        return new InlineMarkup(rows);
    }

    /// <summary>Every visit of a muster (for the report, the CSV and the panel), in household order.</summary>
    public static async ValueTask<IReadOnlyList<HouseholdVisit>> LoadAllAsync(DocReader reader, int number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var households = (await reader.MembersAsync(Sets.Visits(number), cancellationToken).ConfigureAwait(false)).Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
        return (await reader.GetManyAsync<HouseholdVisit>(households.Select(h => DocKeys.Visit(number, h)).ToList(), cancellationToken).ConfigureAwait(false)).OfType<HouseholdVisit>().ToList();
    }

    /// <summary>The close report's section stays under this many characters (Telegram takes 4,096).</summary>
    public const int MaxReportLength = 3_500;

    /// <summary>The close report's section on the welfare check (null when the muster had none).</summary>
    public static async ValueTask<string?> ReportAsync(DocReader reader, TextCatalog texts, Language language, Muster muster, DirectorySnapshot directory, IReadOnlyDictionary<long, string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(muster);
        ArgumentNullException.ThrowIfNull(names);
        if (muster.Welfare is null)
        {
            return null;
        }

        var counts = await CountAsync(reader, muster, cancellationToken).ConfigureAwait(false);
        var sb = new StringBuilder(Line(texts, language, counts));
        var visits = await LoadAllAsync(reader, muster.Number, cancellationToken).ConfigureAwait(false);
        foreach (var v in visits.Where(v => v.Help is not null).Take(20))
        {
            sb.Append('\n').Append(texts.Format(language, "wf.report.help", Html.Escape(Address(v, directory)), Needs(texts, language, v),
                texts.Get(language, "wf.help." + (v.Help ?? HelpStatus.Open)), v.HelpTakenBy is { } by ? Html.Escape(names.GetValueOrDefault(by, "#" + MusterView.Num(by))) : "—"));
        }

        var waiting = visits.Where(v => v.Outcome == VisitOutcome.Unchecked).ToList();
        if (waiting.Count > 0)
        {
            sb.Append('\n').Append(texts.Format(language, "wf.report.unchecked", string.Join(texts.Get(language, "hh.tag_separator"), waiting.Take(30).Select(v => Html.Escape(Address(v, directory))))));
        }

        // One message: the CSV that comes with it has every household.
        var text = sb.ToString();
        if (text.Length <= MaxReportLength)
        {
            return text;
        }

        var cut = text.LastIndexOf('\n', MaxReportLength);
        return text[..(cut > 0 ? cut : MaxReportLength)] + "\n…";
    }

    public static string Needs(TextCatalog texts, Language language, HouseholdVisit visit)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(visit);
        return string.Join(texts.Get(language, "hh.tag_separator"), visit.Needs.Select(n => texts.Get(language, "wf.need." + n)));
    }

    /// <summary>Every household's outcome with who checked it and when (UTF-8 with BOM).</summary>
    public static byte[] Csv(TextCatalog texts, Language language, IReadOnlyList<HouseholdVisit> visits, DirectorySnapshot directory, IReadOnlyDictionary<long, string> names, TimeSpan offset)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(visits);
        string Local(DateTimeOffset? at) => at?.ToOffset(offset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? string.Empty;
        string Name(long? id) => id is { } i ? names.GetValueOrDefault(i, "#" + MusterView.Num(i)) : string.Empty;
        var sb = new StringBuilder("household,grid,address,tags,phones,assigned_to,outcome,needs,help,help_taken_by,reported_by,reported_at\r\n");
        foreach (var v in visits)
        {
            string[] cells =
            [
                HouseholdView.Number(v.Household), directory.GridName(v.GridId), Address(v, directory), TagNames(v, texts, language), string.Join(" ", v.Phones),
                Name(v.AssignedTo), texts.Get(language, "wf.outcome." + v.Outcome), Needs(texts, language, v), v.Help is { } help ? texts.Get(language, "wf.help." + help) : string.Empty,
                Name(v.HelpTakenBy), Name(v.ReportedBy), Local(v.ReportedAt),
            ];
            sb.Append(string.Join(",", cells.Select(MusterFlow.CsvCell))).Append("\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(sb.ToString())];
    }
}
