using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Musters;

public sealed partial class MusterFlow
{
    private void AskClose(FlowContext ctx, Muster muster)
    {
        if (!ctx.Has(Roles.Admin))
        {
            Refuse(ctx, "role.admin");
            return;
        }

        ctx.AnswerButton();
        ctx.Reply(MusterView.DrillLine(texts, ctx.Language, muster.Plan) + ctx.T("mu.close.ask", muster.Code, muster.Targeted), new InlineMarkup([[
            new InlineButton(ctx.T("mu.btn.close_yes"), new MusterButton.ConfirmClose(muster.Number).Data),
            new InlineButton(ctx.T("mu.btn.close_no"), new MusterButton.KeepOpen(muster.Number).Data)]]));
    }

    /// <summary>
    /// Closes a muster (an administrator, or the automatic close): cancels its timers, writes every member's points
    /// (append-only ledger, one line per muster), sends the final report with a CSV to administrators and convenors,
    /// thanks the members, and freezes the live roll calls. A second close is refused by the muster's version.
    /// </summary>
    /// <remarks>The follow-up musters of its posts ("need more people") close with it (<paramref name="quiet"/>: such a close, which says nothing to the presser).</remarks>
    private async ValueTask CloseAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken, bool quiet = false)
    {
        var bySystem = ctx.Event is Events.TimerFired;
        if (!bySystem && !ctx.Has(Roles.Admin))
        {
            Refuse(ctx, "role.admin");
            return;
        }

        var closed = muster with { Status = MusterStatus.Closed, ClosedAt = ctx.Now, ClosedBy = bySystem ? null : ctx.Profile.Id };
        MusterStore.PutHeader(ctx.Effects, closed);
        await WriteTallyAsync(ctx, closed, cancellationToken).ConfigureAwait(false);
        ctx.Effects.RemoveFromSet(Sets.OpenMusters, MusterView.Num(muster.Number));
        foreach (var region in muster.Regions)
        {
            CancelTimer(ctx, new MusterTimer.Escalate(muster.Number, region.RegionId).Id);
        }

        CancelTimer(ctx, new MusterTimer.RefreshPanels(muster.Number).Id);

        for (var i = 1; i <= _options.ReminderSchedule.Count; i++)
        {
            CancelTimer(ctx, new MusterTimer.Remind(muster.Number, i).Id);
        }

        CancelTimer(ctx, new MusterTimer.Nudge(muster.Number).Id);
        CancelTimer(ctx, new MusterTimer.AutoClose(muster.Number).Id);
        if (muster.Welfare is not null)
        {
            CancelTimer(ctx, new Households.WelfareTimer.Remind(muster.Number).Id);
            CancelTimer(ctx, new Households.WelfareTimer.EscalateUnchecked(muster.Number).Id);
        }

        await Posts.PostFlow.CancelAllAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var all = new List<(MusterRegion Region, IReadOnlyList<RollCall.Entry> Entries)>();
        foreach (var region in muster.Regions)
        {
            all.Add((region, await RollCall.LoadRegionAsync(ctx.Reader, muster.Number, region.RegionId, cancellationToken).ConfigureAwait(false)));
        }

        var awardPoints = !muster.Plan.Drill || _options.PointsForDrills;

        // The front line: each member's post, shift and branch into their emergency record, with the points for them.
        var front = await Posts.PostRecord.LoadAsync(ctx.Reader, closed, cancellationToken).ConfigureAwait(false);
        var services = await Posts.PostRecord.WriteAsync(ctx, _options, closed, front, awardPoints, cancellationToken).ConfigureAwait(false);
        var points = new Dictionary<long, int>();
        await Points.PointsLedger.PrefetchAsync(ctx, all.SelectMany(r => r.Entries).Select(e => (e.Answer.UserId, closed.Code)), cancellationToken).ConfigureAwait(false);
        foreach (var entry in all.SelectMany(r => r.Entries))
        {
            var earned = awardPoints ? PointsFor(entry.Answer.Status) : 0;
            points[entry.Answer.UserId] = earned;
            await Points.PointsLedger.AwardAsync(ctx, entry.Answer.UserId, earned, "muster." + entry.Answer.Status, closed.Code, cancellationToken).ConfigureAwait(false);

            if (entry.Profile is { BlockedBot: false } member)
            {
                var line = texts.Format(member.Language, "mu.close.member", closed.Code, MusterView.StatusName(texts, member.Language, entry.Answer.Status));
                if (services.GetValueOrDefault(member.Id) is { } service)
                {
                    line += "\n" + Posts.PostRecord.MemberLine(texts, member.Language, service);
                    earned += awardPoints && entry.Answer.Status == CheckInStatus.Arrived ? (service.Post is null ? 0 : _options.PointsPost) + (service.Secretary ? _options.PointsBranchSecretary : 0) : 0;
                }

                if (earned > 0)
                {
                    line += "\n" + texts.Format(member.Language, "mu.close.member_points", earned);
                }

                ctx.Effects.Send(member.ChatId, MusterView.DrillLine(texts, member.Language, muster.Plan) + line, lane: Lane.Normal);
            }
        }

        // Administrators: the community report and CSV. Convenors: their region's.
        // A community's part of a street's or city's muster: its report stays with the community (the launcher has the aggregated roll call).
        var adminChats = new HashSet<long>(muster.AdminPanelChats);
        if (muster.Origin is null)
        {
            adminChats.Add(muster.LaunchedBy);
        }

        if (!bySystem)
        {
            adminChats.Add(ctx.ChatId);
        }

        // The welfare check's part: every household's outcome, who checked it and when (a message and a CSV of its own).
        IReadOnlyList<State.Records.Households.HouseholdVisit> visits = closed.Welfare is null ? [] : await Households.Welfare.LoadAllAsync(ctx.Reader, closed.Number, cancellationToken).ConfigureAwait(false);
        var visitNames = visits.Count == 0
            ? new Dictionary<long, string>()
            : (await ctx.Reader.GetManyAsync<UserProfile>(visits.SelectMany(v => new[] { v.AssignedTo, v.ReportedBy, v.HelpTakenBy }).OfType<long>().Distinct().Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false))
                .OfType<UserProfile>().ToDictionary(p => p.Id, p => p.FirstName);
        foreach (var chat in adminChats)
        {
            var language = chat == ctx.ChatId && !bySystem ? ctx.Language : (await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(chat), cancellationToken).ConfigureAwait(false))?.Language ?? Language.Zh;
            var lane = chat == ctx.ChatId ? Lane.Reply : Lane.Normal;
            ctx.Effects.Send(chat, Report(language, closed, all, directory, points), ReportButton(language, closed), lane: lane);
            ctx.Effects.Publish(new OutboxMessage(lane, chat, new SendDocument($"{closed.Code}.csv", Csv(language, closed, all, directory, points), texts.Format(language, "mu.close.csv_caption", closed.Code)) { ContentType = CsvContentType }));
            if (Posts.PostRecord.Report(texts, language, front) is { } postSection)
            {
                ctx.Effects.Send(chat, texts.Format(language, "po.report.title", closed.Code) + "\n" + postSection, lane: lane);
                ctx.Effects.Publish(new OutboxMessage(lane, chat, new SendDocument($"{closed.Code}-posts.csv", Posts.PostRecord.Csv(texts, language, Offset, front), texts.Format(language, "po.report.csv_caption", closed.Code)) { ContentType = CsvContentType }));
            }

            if (closed.Welfare is not null)
            {
                var section = await Households.Welfare.ReportAsync(ctx.Reader, texts, language, closed, directory, visitNames, cancellationToken).ConfigureAwait(false);
                ctx.Effects.Send(chat, texts.Format(language, "wf.report.title", closed.Code) + "\n" + section, lane: lane);
                ctx.Effects.Publish(new OutboxMessage(lane, chat, new SendDocument($"{closed.Code}-households.csv", Households.Welfare.Csv(texts, language, visits, directory, visitNames, Offset), texts.Format(language, "wf.report.csv_caption", closed.Code)) { ContentType = CsvContentType }));
            }
        }

        foreach (var (region, entries) in all.Where(r => r.Region.HasConvenor))
        {
            foreach (var convenorId in new[] { region.ConvenorId, region.BackupConvenorId }.OfType<long>().Distinct().Where(id => !adminChats.Contains(id)))
            {
                var convenor = await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(convenorId), cancellationToken).ConfigureAwait(false);
                var language = convenor?.Language ?? Language.Zh;
                ctx.Effects.Send(convenorId, Report(language, closed, [(region, entries)], directory, points), ReportButton(language, closed), lane: Lane.Normal);
                ctx.Effects.Publish(new OutboxMessage(Lane.Normal, convenorId, new SendDocument($"{closed.Code}-{region.RegionId}.csv", Csv(language, closed, [(region, entries)], directory, points), texts.Format(language, "mu.close.csv_caption", closed.Code)) { ContentType = CsvContentType }));
            }

            foreach (var chat in region.PanelChats)
            {
                var viewer = await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(chat), cancellationToken).ConfigureAwait(false);
                var language = viewer?.Language ?? Language.Zh;
                var html = RollCall.RenderRegion(texts, language, closed, region, RegionName(directory, region, language), entries, ctx.Now, Offset);
                ctx.Effects.Publish(new OutboxMessage(Lane.Normal, chat, new EditText(0, html, null) { TargetTag = RollCall.Tag(closed.Number, chat, region.RegionId) }));
            }
        }

        foreach (var (region, entries) in all)
        {
            await CloseGroupsAsync(ctx, closed, region, entries, directory, cancellationToken).ConfigureAwait(false);
        }

        foreach (var chat in closed.AdminPanelChats)
        {
            var viewer = await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(chat), cancellationToken).ConfigureAwait(false);
            var html = await RenderCommunityAsync(ctx, closed, directory, viewer?.Language ?? Language.Zh, cancellationToken).ConfigureAwait(false);
            ctx.Effects.Publish(new OutboxMessage(Lane.Normal, chat, new EditText(0, html, null) { TargetTag = RollCall.Tag(closed.Number, chat, null) }));
        }

        if (quiet)
        {
            return;
        }

        foreach (var number in muster.HasPosts ? await Posts.PostFlow.FollowUpsAsync(ctx.Reader, muster.Number, cancellationToken).ConfigureAwait(false) : [])
        {
            if (await MusterStore.LoadAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false) is { IsOpen: true } followUp)
            {
                await CloseAsync(ctx, followUp, cancellationToken, quiet: true).ConfigureAwait(false);
            }
        }

        if (!bySystem)
        {
            ctx.AnswerButton(ctx.T("mu.close.done", closed.Code));
            ctx.Show(ctx.T("mu.close.done", closed.Code), null);
            var mode = await ctx.Reader.GetAsync<CommunityMode>(DocKeys.Mode, cancellationToken).ConfigureAwait(false);
            if (mode is { Emergency: true })
            {
                ctx.Reply(ctx.T("mu.close.mode_still_on"), new InlineMarkup([[new InlineButton(ctx.T("mu.btn.mode_normal"), new MusterButton.AskNormal().Data)]]));
            }
        }
    }

    /// <summary>"📊 Dashboard" under a close report: the page opens on this muster's final board (null: no dashboard served).</summary>
    private InlineMarkup? ReportButton(Language language, Muster closed) =>
        _dashboard is null ? null : new InlineMarkup([[new InlineButton(texts.Get(language, "dash.button"),
            WebApp: _dashboard + (_dashboard.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "muster=" + MusterView.Num(closed.Number))]]);

    private int PointsFor(CheckInStatus status) => status switch
    {
        CheckInStatus.Arrived => _options.PointsArrived,
        CheckInStatus.OnTheWay => _options.PointsOnTheWay,
        CheckInStatus.Acknowledged or CheckInStatus.CantCome => _options.PointsAnswered,
        _ => 0,
    };

    /// <summary>The final report: counts per region, arrival times, time to answer (p50, p90), convenors, who never answered.</summary>
    private string Report(Language language, Muster muster, IReadOnlyList<(MusterRegion Region, IReadOnlyList<RollCall.Entry> Entries)> regions, DirectorySnapshot directory, IReadOnlyDictionary<long, int> points)
    {
        var sb = new StringBuilder();
        sb.Append(MusterView.DrillLine(texts, language, muster.Plan));
        sb.Append(texts.Format(language, "mu.report.head", muster.Code, MusterView.KindName(texts, language, muster.Plan), Html.Escape(muster.Plan.RallyText))).Append('\n');
        sb.Append(texts.Format(language, "mu.report.times", MusterView.Time(muster.LaunchedAt, Offset), MusterView.Time(muster.ClosedAt ?? muster.LaunchedAt, Offset), MusterView.Time(muster.ReportBy, Offset))).Append("\n\n");
        var entries = regions.SelectMany(r => r.Entries).ToList();
        sb.Append(RollCall.CountsLine(texts, language, RollCall.CountOf(entries))).Append('\n');

        var toAnswer = new List<double>();
        var arrivals = new List<double>();
        foreach (var (region, list) in regions)
        {
            var told = region.MembersToldAt ?? muster.LaunchedAt;
            toAnswer.AddRange(list.Where(e => e.Answer.FirstAnsweredAt is not null).Select(e => Math.Max(0, (e.Answer.FirstAnsweredAt!.Value - told).TotalMinutes)));
            arrivals.AddRange(list.Where(e => e.Answer.Status == CheckInStatus.Arrived && e.Answer.AnsweredAt is not null).Select(e => (e.Answer.AnsweredAt!.Value - muster.LaunchedAt).TotalMinutes));
        }

        sb.Append(MusterView.Tidy(language, texts.Format(language, "mu.report.answer_times", Minutes(language, Percentile(toAnswer, 0.5)), Minutes(language, Percentile(toAnswer, 0.9))))).Append('\n');
        if (arrivals.Count > 0)
        {
            sb.Append(MusterView.Tidy(language, texts.Format(language, "mu.report.arrivals", Minutes(language, arrivals.Min()), Minutes(language, Percentile(arrivals, 0.5)), Minutes(language, arrivals.Max())))).Append('\n');
        }

        sb.Append(texts.Format(language, "mu.report.points", points.Values.Sum(), points.Count(p => p.Value > 0))).Append("\n\n");
        sb.Append(texts.Get(language, "mu.rc.legend")).Append('\n');
        foreach (var (region, list) in regions)
        {
            var counts = RollCall.CountOf(list);
            sb.Append("<b>").Append(Html.Escape(RegionName(directory, region, language))).Append("</b> ");
            sb.Append(region.AcknowledgedAt is { } ack
                ? MusterView.Tidy(language, texts.Format(language, "mu.report.ack_after", Minutes(language, (ack - muster.LaunchedAt).TotalMinutes)))
                : region.HasConvenor ? texts.Get(language, "mu.report.never_acked") : texts.Get(language, "mu.rc.direct")).Append('\n');
            sb.Append(texts.Format(language, "mu.rc.region_line", counts.Targeted, counts.Of(CheckInStatus.Arrived), counts.Of(CheckInStatus.OnTheWay),
                counts.Of(CheckInStatus.Acknowledged), counts.Of(CheckInStatus.CantCome), counts.Of(CheckInStatus.NoAnswer), counts.Unreachable)).Append('\n');
        }

        var silent = entries.Where(e => e.Answer.Status == CheckInStatus.NoAnswer).ToList();
        if (silent.Count > 0)
        {
            sb.Append('\n').Append(texts.Format(language, "mu.report.silent", silent.Count)).Append('\n');
            var names = string.Join(texts.Get(language, "role.separator"), silent.Take(60).Select(e => RollCall.NameOf(e) + (e.Unreachable ? " \U0001F4F5" : string.Empty)));
            sb.Append(names);
            if (silent.Count > 60)
            {
                sb.Append(texts.Format(language, "mu.rc.more", silent.Count - 60));
            }
        }

        return sb.ToString();
    }

    private string Minutes(Language language, double? minutes) => MusterView.Duration(texts, language, minutes);

    /// <summary>Nearest-rank percentile; null for no values.</summary>
    public static double? Percentile(IReadOnlyList<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>How the CSV is sent: spreadsheet programs (Excel, WPS) open it as UTF-8 with the BOM.</summary>
    public const string CsvContentType = "text/csv; charset=utf-8";

    /// <summary>
    /// One row per called member, headers and values in the reader's language, times in the community's local time;
    /// UTF-8 with BOM (opens in spreadsheet programs); cells that could start a formula are quoted with '.
    /// </summary>
    private byte[] Csv(Language language, Muster muster, IReadOnlyList<(MusterRegion Region, IReadOnlyList<RollCall.Entry> Entries)> regions, DirectorySnapshot directory, IReadOnlyDictionary<long, int> points)
    {
        var sb = new StringBuilder();
        sb.Append(texts.Get(language, "mu.csv.header")).Append("\r\n");
        var drill = texts.Get(language, muster.Plan.Drill ? "mu.csv.yes" : "mu.csv.no");
        foreach (var (region, entries) in regions)
        {
            var told = region.MembersToldAt ?? muster.LaunchedAt;
            var regionName = RegionName(directory, region, language);
            foreach (var e in entries)
            {
                var a = e.Answer;
                var name = e.Profile is null ? string.Empty : (e.Profile.LastName is null ? e.Profile.FirstName : e.Profile.FirstName + " " + e.Profile.LastName);
                string[] cells =
                [
                    muster.Code, drill, regionName, MusterView.Num(a.UserId), name, e.Profile?.Phone ?? string.Empty,
                    texts.Get(language, "mu.status." + a.Status), MusterView.PlainDetail(texts, language, a, Offset), Local(a.AnsweredAt), Local(a.FirstAnsweredAt),
                    a.FirstAnsweredAt is { } first ? Math.Max(0, (first - told).TotalMinutes).ToString("0.##", CultureInfo.InvariantCulture) : string.Empty,
                    a.PhonedBy is { } by ? MusterView.Num(by) : string.Empty,
                    a.History.Count.ToString(CultureInfo.InvariantCulture),
                    muster.RemindersSent.ToString(CultureInfo.InvariantCulture),
                    texts.Get(language, e.Unreachable ? "mu.status.Unreachable" : e.Delivered ? "mu.csv.delivered" : e.Delivery is null ? "mu.csv.not_sent" : "mu.csv.sending"),
                    points.GetValueOrDefault(a.UserId).ToString(CultureInfo.InvariantCulture),
                ];
                sb.Append(string.Join(",", cells.Select(CsvCell))).Append("\r\n");
            }
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(sb.ToString())];
    }

    /// <summary>A time in the community's local time, as spreadsheets read it ("2026-12-03 15:20:00").</summary>
    private string Local(DateTimeOffset? at) => at?.ToOffset(Offset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? string.Empty;

    public static string CsvCell(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // A spreadsheet runs a cell that starts with = + - @ (or a TAB or CR before one) as a formula: quote it as text,
        // except plain phone numbers and signed numbers.
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !IsPhoneOrNumber(value))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static bool IsPhoneOrNumber(string value) => value.Length > 1 && value[1..].All(char.IsAsciiDigit) && value[0] is '+' or '-';
}
