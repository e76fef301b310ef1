using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Households;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Households;

public sealed partial class WelfareFlow
{
    private const int BuiltInBits = 8;

    /// <summary>The grids a muster's check covers: the muster's grids when it calls by grid, else every grid.</summary>
    private static List<string> GridsOf(Muster muster, DirectorySnapshot directory) =>
        muster.Plan.Scope.Kind == MusterScopeKind.Grids && muster.Plan.Scope.GridIds.Count > 0
            ? muster.Plan.Scope.GridIds.Where(g => directory.Grid(g) is not null).ToList()
            : directory.Grids.Select(g => g.Id).ToList();

    private static WelfarePlan PlanOf(FlowContext ctx, Muster muster, DirectorySnapshot directory, IReadOnlyList<string> custom, int mask, int maxPerMember) =>
        new(ctx.Now, ctx.Profile.Id)
        {
            GridIds = GridsOf(muster, directory),
            Tags = Enum.GetValues<HouseholdTag>().Where(t => (mask & (1 << (int)t)) != 0).ToList(),
            CustomTags = custom.Where((_, i) => i + BuiltInBits < 31 && (mask & (1 << (i + BuiltInBits))) != 0).ToList(),
            MaxPerMember = maxPerMember,
        };

    private static async ValueTask<List<Household>> CoveredAsync(FlowContext ctx, WelfarePlan plan, CancellationToken cancellationToken)
    {
        var households = new List<Household>();
        foreach (var grid in plan.GridIds)
        {
            var numbers = (await ctx.Reader.MembersAsync(Sets.HouseholdsInGrid(grid), cancellationToken).ConfigureAwait(false)).Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
            households.AddRange((await ctx.Reader.GetManyAsync<Household>(numbers.Select(DocKeys.Household).ToList(), cancellationToken).ConfigureAwait(false)).OfType<Household>().Where(plan.Covers));
        }

        return households;
    }

    /// <summary>The start's preview: which households (toggles), how many in which grids, how many members have arrived.</summary>
    private async ValueTask SetupAsync(FlowContext ctx, Muster muster, int mask, bool fresh, CancellationToken cancellationToken)
    {
        if (!ctx.Has(Roles.Admin))
        {
            ctx.AnswerButton(ctx.T("not_allowed", ctx.T("role.admin")), alert: true);
            return;
        }

        if (muster.Welfare is not null)
        {
            await PanelAsync(ctx, muster, fresh, cancellationToken).ConfigureAwait(false);
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var custom = (await ctx.Reader.GetAsync<HouseholdTagList>(DocKeys.HouseholdTags, cancellationToken).ConfigureAwait(false))?.Names ?? [];
        var plan = PlanOf(ctx, muster, directory, custom, mask, _options.WelfareMaxPerMember);
        var covered = await CoveredAsync(ctx, plan, cancellationToken).ConfigureAwait(false);
        var arrived = (await Welfare.ArrivedAsync(ctx.Reader, muster, cancellationToken).ConfigureAwait(false)).Count;
        string Mark(bool on, string name) => (on ? "\u2705 " : string.Empty) + name;
        var rows = Enum.GetValues<HouseholdTag>()
            .Select(t => new InlineButton(Mark((mask & (1 << (int)t)) != 0, ctx.T(HouseholdFields.TagKey(t))), B(new WelfareButton.Setup(muster.Number, mask ^ (1 << (int)t))))).Rows(2);
        rows.AddRange(custom.Select((name, i) => (name, i)).Where(c => c.i + BuiltInBits < 31)
            .Select(c => new InlineButton(Mark((mask & (1 << (c.i + BuiltInBits))) != 0, c.name), B(new WelfareButton.Setup(muster.Number, mask ^ (1 << (c.i + BuiltInBits)))))).Rows(2));
        if (covered.Count > 0)
        {
            rows.Add([new InlineButton(ctx.T("wf.btn.start", covered.Count), B(new WelfareButton.Start(muster.Number, mask)))]);
        }

        var which = plan.Tags.Count == 0 && plan.CustomTags.Count == 0
            ? ctx.T("wf.setup.all_tagged")
            : string.Join(ctx.T("hh.tag_separator"), plan.Tags.Select(t => ctx.T(HouseholdFields.TagKey(t))).Concat(plan.CustomTags.Select(Html.Escape)));
        var grids = string.Join(ctx.T("hh.tag_separator"), plan.GridIds.Select(g => Html.Escape(directory.GridName(g)) + " " + covered.Count(h => h.GridId == g).ToString(CultureInfo.InvariantCulture)));
        Show(ctx, ctx.T("wf.setup", muster.Code, which, covered.Count, grids, arrived, plan.MaxPerMember) + (covered.Count == 0 ? "\n" + ctx.T("wf.setup.none") : string.Empty), new InlineMarkup(rows), fresh);
    }

    /// <summary>
    /// Starts the check: a visit for every covered household (with a copy of its address, tags and phones), the households
    /// of each grid given to its arrived members, the reminders set. A second start (another administrator, a second press)
    /// is refused by the muster's version and shows the progress instead.
    /// </summary>
    private async ValueTask StartAsync(FlowContext ctx, Muster muster, int mask, CancellationToken cancellationToken)
    {
        if (!ctx.Has(Roles.Admin))
        {
            ctx.AnswerButton(ctx.T("not_allowed", ctx.T("role.admin")), alert: true);
            return;
        }

        if (muster.Welfare is not null)
        {
            ctx.AnswerButton(ctx.T("wf.already"));
            await PanelAsync(ctx, muster, fresh: false, cancellationToken).ConfigureAwait(false);
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var custom = (await ctx.Reader.GetAsync<HouseholdTagList>(DocKeys.HouseholdTags, cancellationToken).ConfigureAwait(false))?.Names ?? [];
        var plan = PlanOf(ctx, muster, directory, custom, mask, _options.WelfareMaxPerMember);
        var covered = await CoveredAsync(ctx, plan, cancellationToken).ConfigureAwait(false);
        if (covered.Count == 0)
        {
            ctx.AnswerButton(ctx.T("wf.setup.none"), alert: true);
            return;
        }

        // Every arrival writes its region's change marker: reading them here makes an arrival committed while this decision
        // runs conflict with it (decided again, the new member is among the arrived), instead of missing its share.
        foreach (var region in muster.Regions)
        {
            await ctx.Reader.GetAsync<ChangeMarker>(DocKeys.ChangeMarker(muster.Number, region.RegionId), cancellationToken).ConfigureAwait(false);
        }

        RefreshRollCalls(ctx, muster.Number);
        var started = muster with { Welfare = plan with { Households = covered.Count } };
        MusterStore.PutHeader(ctx.Effects, started);
        var visits = covered.Select(h => new HouseholdVisit(muster.Number, h.Number, h.GridId, h.BuildingId)
        {
            Unit = h.Unit, Room = h.Room, Tags = h.Tags, CustomTags = h.CustomTags, People = h.People, Phones = h.Phones,
        }).ToList();
        // The arrived members of each grid get their share; the rest wait for members who arrive later.
        var arrived = await Welfare.ArrivedAsync(ctx.Reader, muster, cancellationToken).ConfigureAwait(false);
        var profiles = (await ctx.Reader.GetManyAsync<UserProfile>(arrived.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false)).OfType<UserProfile>().ToList();
        var assigned = new HashSet<int>();
        foreach (var grid in plan.GridIds)
        {
            var members = profiles.Where(p => p.GridId == grid).ToList();
            var shares = Welfare.Distribute(visits.Where(v => v.GridId == grid), members, [], plan.MaxPerMember, directory, ctx.Now);
            Welfare.Give(ctx, texts, started, shares, members, directory);
            assigned.UnionWith(shares.Values.SelectMany(l => l).Select(v => v.Household));
        }

        foreach (var visit in visits)
        {
            ctx.Effects.AddToSet(Sets.Visits(muster.Number), MusterView.Num(visit.Household));
            if (!assigned.Contains(visit.Household))
            {
                ctx.Effects.Put(DocKeys.Visit(muster.Number, visit.Household), visit);
                ctx.Effects.AddToSet(Sets.VisitsUnassigned(muster.Number, visit.GridId), MusterView.Num(visit.Household));
            }
        }

        var given = assigned.Count;
        SetTimer(ctx, new WelfareTimer.Remind(muster.Number), ctx.Now + _options.WelfareRemindAfter);
        SetTimer(ctx, new WelfareTimer.EscalateUnchecked(muster.Number), ctx.Now + _options.WelfareEscalateAfter);
        ctx.AnswerButton();
        ctx.Show(ctx.T("wf.started", muster.Code, covered.Count, given, covered.Count - given), new InlineMarkup([[new InlineButton(ctx.T("wf.btn.panel"), B(new WelfareButton.Panel(muster.Number)))]]));
    }

    /// <summary>The presser's households in a muster, each with its mark.</summary>
    private async ValueTask MineAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        var mine = await VisitsOfAsync(ctx, muster.Number, ctx.Profile.Id, cancellationToken).ConfigureAwait(false);
        if (mine.Count == 0)
        {
            ctx.AnswerButton(ctx.T("wf.mine.none", muster.Code), alert: true);
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        ctx.Show(ctx.T("wf.mine", muster.Code, mine.Count(v => v.Outcome != VisitOutcome.Unchecked), mine.Count), Welfare.VisitButtons(texts, ctx.Language, muster.Number, mine, directory));
    }

    private static async ValueTask<List<HouseholdVisit>> VisitsOfAsync(FlowContext ctx, int number, long userId, CancellationToken cancellationToken)
    {
        var numbers = (await ctx.Reader.MembersAsync(Sets.VisitsOf(number, userId), cancellationToken).ConfigureAwait(false)).Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
        return (await ctx.Reader.GetManyAsync<HouseholdVisit>(numbers.Select(h => DocKeys.Visit(number, h)).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<HouseholdVisit>().Where(v => v.AssignedTo == userId).ToList();
    }

    /// <summary>
    /// A household's card for the member visiting it: the household as it is now (its copy from the start if it was deleted
    /// since), what was reported, and the report buttons.
    /// </summary>
    private async ValueTask ShowVisitAsync(FlowContext ctx, Muster muster, HouseholdVisit visit, CancellationToken cancellationToken, string? note = null)
    {
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var now = await ctx.Reader.GetAsync<Household>(DocKeys.Household(visit.Household), cancellationToken).ConfigureAwait(false);
        var shown = now is null ? visit : visit with { Unit = now.Unit, Room = now.Room, Tags = now.Tags, CustomTags = now.CustomTags, People = now.People, Phones = now.Phones };
        var none = ctx.T("hh.card.none");
        var sb = new StringBuilder(MusterView.DrillLine(texts, ctx.Language, muster.Plan));
        sb.Append(ctx.T("wf.visit.title", muster.Code, Code(visit.Household), Html.Escape(Welfare.Address(shown, directory))));
        sb.Append('\n').Append(ctx.T("hh.card.tags", Html.Escape(Welfare.TagNames(shown, texts, ctx.Language))));
        sb.Append('\n').Append(ctx.T("hh.card.people", shown.People.Count == 0 ? none : Html.Escape(string.Join(ctx.T("hh.tag_separator"), shown.People))));
        sb.Append('\n').Append(ctx.T("hh.card.phones", shown.Phones.Count == 0 ? none : string.Join(" ", shown.Phones.Select(p => "<code>" + Html.Escape(p) + "</code>"))));
        sb.Append('\n').Append(ctx.T("wf.visit.outcome", Welfare.Mark(visit.Outcome) + " " + ctx.T("wf.outcome." + visit.Outcome)));
        if (visit.Outcome == VisitOutcome.NeedsHelp)
        {
            sb.Append(" · ").Append(Welfare.Needs(texts, ctx.Language, visit)).Append(" · ").Append(ctx.T("wf.help." + (visit.Help ?? HelpStatus.Open)));
        }

        if (note is not null)
        {
            sb.Append("\n\n").Append(note);
        }

        ctx.Show(sb.ToString(), new InlineMarkup([
            [Report(ctx, muster, visit, VisitOutcome.Safe), new InlineButton(Welfare.Mark(VisitOutcome.NeedsHelp) + " " + ctx.T("wf.outcome.NeedsHelp"), B(new WelfareButton.Help(muster.Number, visit.Household)))],
            [Report(ctx, muster, visit, VisitOutcome.NotHome), Report(ctx, muster, visit, VisitOutcome.Moved)],
            [new InlineButton(ctx.T("wf.btn.mine"), B(new WelfareButton.Mine(muster.Number)))],
        ]));
    }

    private static InlineButton Report(FlowContext ctx, Muster muster, HouseholdVisit visit, VisitOutcome outcome) =>
        new(Welfare.Mark(outcome) + " " + ctx.T("wf.outcome." + outcome), B(new WelfareButton.Report(muster.Number, visit.Household, outcome)));

    /// <summary>Records what the member found; the same report again changes nothing.</summary>
    private async ValueTask ReportAsync(FlowContext ctx, Muster muster, HouseholdVisit visit, VisitOutcome outcome, CancellationToken cancellationToken)
    {
        if (visit.Outcome == outcome)
        {
            ctx.AnswerButton(ctx.T("wf.same", ctx.T("wf.outcome." + outcome)));
            return;
        }

        if (visit.Help is HelpStatus.Open or HelpStatus.Taken)
        {
            ctx.AnswerButton(ctx.T("wf.help.open_first"), alert: true);
            return;
        }

        var after = Record(ctx, muster, visit, visit with { Outcome = outcome, ReportedBy = ctx.Profile.Id, ReportedAt = ctx.Now });
        ctx.AnswerButton(ctx.T("wf.saved", ctx.T("wf.outcome." + outcome)));
        await ShowVisitAsync(ctx, muster, after, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a visit and keeps the outcome sets in step; the live roll calls are refreshed.</summary>
    private HouseholdVisit Record(FlowContext ctx, Muster muster, HouseholdVisit before, HouseholdVisit after)
    {
        ctx.Effects.Put(DocKeys.Visit(muster.Number, after.Household), after);
        RefreshRollCalls(ctx, muster.Number);
        if (before.Outcome != after.Outcome)
        {
            if (before.Outcome != VisitOutcome.Unchecked)
            {
                ctx.Effects.RemoveFromSet(Sets.VisitsWith(muster.Number, before.Outcome), MusterView.Num(after.Household));
            }

            ctx.Effects.AddToSet(Sets.VisitsWith(muster.Number, after.Outcome), MusterView.Num(after.Household));
        }

        var open = after.Help is HelpStatus.Open or HelpStatus.Taken;
        if (open != (before.Help is HelpStatus.Open or HelpStatus.Taken))
        {
            if (open)
            {
                ctx.Effects.AddToSet(Sets.HelpOpen(muster.Number), MusterView.Num(after.Household));
            }
            else
            {
                ctx.Effects.RemoveFromSet(Sets.HelpOpen(muster.Number), MusterView.Num(after.Household));
            }
        }

        return after;
    }

    /// <summary>
    /// "Needs help": the first report makes an urgent request for the convenor and the administrators (emergency lane),
    /// escalated if nobody takes it in time; a second one for the same household while the request is open adds what is
    /// needed to that same request (said so), and a new request is made only after the earlier one was done.
    /// </summary>
    private async ValueTask NeedAsync(FlowContext ctx, Muster muster, HouseholdVisit visit, HelpNeed need, CancellationToken cancellationToken)
    {
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var address = Welfare.Address(visit, directory);
        if (visit.Help is HelpStatus.Open or HelpStatus.Taken)
        {
            var merged = Record(ctx, muster, visit, visit with { Needs = visit.Needs.Contains(need) ? visit.Needs : [.. visit.Needs, need], Outcome = VisitOutcome.NeedsHelp });
            ctx.AnswerButton();
            ctx.Show(ctx.T("wf.help.merged", Code(visit.Household), Html.Escape(address), Welfare.Needs(texts, ctx.Language, merged)) + "\n" + ctx.T("wf.detail.ask"),
                new InlineMarkup([[new InlineButton(ctx.T("wf.btn.detail_done"), B(new WelfareButton.DetailDone(muster.Number, visit.Household)))]]));
            if (!merged.Needs.SequenceEqual(visit.Needs))
            {
                await NotifyStaffAsync(ctx, muster, merged, directory, "wf.help.update", escalated: false, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var after = Record(ctx, muster, visit, visit with
        {
            Outcome = VisitOutcome.NeedsHelp, ReportedBy = ctx.Profile.Id, ReportedAt = ctx.Now, Needs = [need], Help = HelpStatus.Open, HelpAt = ctx.Now,
            HelpTakenBy = null, HelpTakenAt = null, HelpDoneAt = null, HelpEscalatedAt = null,
        });
        await NotifyStaffAsync(ctx, muster, after, directory, "wf.help.new", escalated: false, cancellationToken).ConfigureAwait(false);
        SetTimer(ctx, new WelfareTimer.HelpUntaken(muster.Number, visit.Household), ctx.Now + _options.HelpEscalateAfter);
        ctx.AnswerButton();
        ctx.Show(ctx.T("wf.help.sent", Code(visit.Household), Html.Escape(address), Welfare.Needs(texts, ctx.Language, after)) + "\n" + ctx.T("wf.detail.ask"),
            new InlineMarkup([[new InlineButton(ctx.T("wf.btn.detail_done"), B(new WelfareButton.DetailDone(muster.Number, visit.Household)))]]));
    }

    /// <summary>Who hears of a request for help: the visiting member's convenors, the administrators, and the launcher.</summary>
    private static async ValueTask<List<UserProfile>> StaffAsync(FlowContext ctx, Muster muster, HouseholdVisit visit, bool escalated, CancellationToken cancellationToken)
    {
        var ids = new List<long> { muster.LaunchedBy };
        ids.AddRange((await ctx.Reader.MembersAsync(Sets.PeopleWithRole(Roles.Admin), cancellationToken).ConfigureAwait(false)).Select(id => long.Parse(id, CultureInfo.InvariantCulture)));
        if (visit.AssignedTo is { } member && await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(muster.Number, member), cancellationToken).ConfigureAwait(false) is { } answer
            && muster.Region(answer.RegionId) is { } region)
        {
            if (region.ConvenorId is { } convenor)
            {
                ids.Add(convenor);
            }

            if (escalated && region.BackupConvenorId is { } backup)
            {
                ids.Add(backup);
            }
        }

        var distinct = ids.Where(id => id != MusterFlow.SystemUser).Distinct().ToList();
        return (await ctx.Reader.GetManyAsync<UserProfile>(distinct.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<UserProfile>().Where(p => !p.BlockedBot).ToList();
    }

    private async ValueTask NotifyStaffAsync(FlowContext ctx, Muster muster, HouseholdVisit visit, DirectorySnapshot directory, string key, bool escalated, CancellationToken cancellationToken)
    {
        var reporter = visit.ReportedBy is { } r ? await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(r), cancellationToken).ConfigureAwait(false) : null;
        foreach (var staff in await StaffAsync(ctx, muster, visit, escalated, cancellationToken).ConfigureAwait(false))
        {
            var language = staff.Language;
            var sb = new StringBuilder(MusterView.DrillLine(texts, language, muster.Plan));
            sb.Append(texts.Format(language, key, muster.Code, Code(visit.Household), Html.Escape(Welfare.Address(visit, directory)), Welfare.Needs(texts, language, visit),
                MusterView.Duration(texts, language, _options.HelpEscalateAfter)));
            sb.Append('\n').Append(texts.Format(language, "hh.card.tags", Html.Escape(Welfare.TagNames(visit, texts, language))));
            if (visit.Phones.Count > 0)
            {
                sb.Append('\n').Append(texts.Format(language, "hh.card.phones", string.Join(" ", visit.Phones.Select(p => "<code>" + Html.Escape(p) + "</code>"))));
            }

            if (reporter is not null)
            {
                sb.Append('\n').Append(texts.Format(language, "wf.help.by", Html.Escape(reporter.FirstName), reporter.Phone is { } phone ? "<code>" + Html.Escape(phone) + "</code>" : string.Empty));
            }

            var buttons = visit.Help == HelpStatus.Open
                ? new InlineMarkup([[new InlineButton(texts.Get(language, "wf.btn.take"), B(new WelfareButton.Take(muster.Number, visit.Household))), new InlineButton(texts.Get(language, "wf.btn.panel"), B(new WelfareButton.OpenPanel(muster.Number)))]])
                : new InlineMarkup([[new InlineButton(texts.Get(language, "wf.btn.panel"), B(new WelfareButton.OpenPanel(muster.Number)))]]);
            ctx.Effects.Send(staff.ChatId, sb.ToString(), buttons, Lane.Emergency);
        }
    }

    /// <summary>A photo or location sent while adding to a request: kept on the visit and passed to the staff.</summary>
    private async ValueTask DetailAsync(FlowContext ctx, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        if (!int.TryParse(data.GetValueOrDefault("m"), CultureInfo.InvariantCulture, out var number) || !int.TryParse(data.GetValueOrDefault("h"), CultureInfo.InvariantCulture, out var household))
        {
            return;
        }

        var muster = await MusterStore.LoadAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false);
        var visit = await ctx.Reader.GetAsync<HouseholdVisit>(DocKeys.Visit(number, household), cancellationToken).ConfigureAwait(false);
        if (muster is not { IsOpen: true } || visit is null || visit.AssignedTo != ctx.Profile.Id)
        {
            ctx.Reply(ctx.T("wf.not_yours"));
            return;
        }

        var after = ctx.Event switch
        {
            PhotoReceived photo => visit with { PhotoFileId = photo.FileId },
            LocationShared location => visit with { Latitude = location.Latitude, Longitude = location.Longitude },
            _ => visit,
        };
        Record(ctx, muster, visit, after);
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        foreach (var staff in await StaffAsync(ctx, muster, visit, escalated: visit.HelpEscalatedAt is not null, cancellationToken).ConfigureAwait(false))
        {
            var caption = texts.Format(staff.Language, "wf.detail.caption", muster.Code, Code(visit.Household), Html.Escape(Welfare.Address(visit, directory)));
            if (ctx.Event is PhotoReceived photo)
            {
                ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, staff.ChatId, new SendPhoto(photo.FileId, caption)));
            }
            else if (ctx.Event is LocationShared location)
            {
                ctx.Effects.Send(staff.ChatId, caption, lane: Lane.Emergency);
                ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, staff.ChatId, new SendLocation(location.Latitude, location.Longitude)));
            }
        }

        ctx.Reply(ctx.T(ctx.Event is PhotoReceived ? "wf.detail.photo" : "wf.detail.location"), new InlineMarkup([[new InlineButton(ctx.T("wf.btn.detail_done"), B(new WelfareButton.DetailDone(number, household)))]]));
    }

    /// <summary>A convenor or administrator takes a request: the first press wins; the member is told who handles it.</summary>
    private async ValueTask TakeAsync(FlowContext ctx, Muster muster, int household, CancellationToken cancellationToken)
    {
        if (!IsStaff(ctx, muster))
        {
            ctx.AnswerButton(ctx.T("wf.staff_only"), alert: true);
            return;
        }

        var visit = await ctx.Reader.GetAsync<HouseholdVisit>(DocKeys.Visit(muster.Number, household), cancellationToken).ConfigureAwait(false);
        if (visit?.Help is not { } help)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (help != HelpStatus.Open)
        {
            var taker = visit.HelpTakenBy is { } t ? await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(t), cancellationToken).ConfigureAwait(false) : null;
            ctx.AnswerButton(help == HelpStatus.Done ? ctx.T("wf.help.already_done") : ctx.T("wf.help.already_taken", taker?.FirstName ?? "—"), alert: true);
            return;
        }

        var after = Record(ctx, muster, visit, visit with { Help = HelpStatus.Taken, HelpTakenBy = ctx.Profile.Id, HelpTakenAt = ctx.Now });
        ctx.Effects.CancelTimer(MusterFlow.TimerIdIn(ctx.Shard, new WelfareTimer.HelpUntaken(muster.Number, household).Id));
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        ctx.AnswerButton(ctx.T("wf.help.taken_you"));
        if (ctx.Event is ButtonPressed { MessageId: { } id })
        {
            ctx.Effects.EditMarkup(ctx.ChatId, id, null);
        }

        ctx.Reply(ctx.T("wf.help.taken", Code(household), Html.Escape(Welfare.Address(after, directory)), Welfare.Needs(texts, ctx.Language, after)),
            new InlineMarkup([[new InlineButton(ctx.T("wf.btn.done"), B(new WelfareButton.Done(muster.Number, household)))]]));
        if (after.ReportedBy is { } reporter && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(reporter), cancellationToken).ConfigureAwait(false) is { BlockedBot: false } member)
        {
            ctx.Effects.Send(member.ChatId, texts.Format(member.Language, "wf.help.taken_member", Code(household), Html.Escape(Welfare.Address(after, directory)), Html.Escape(ctx.Profile.FirstName)), lane: Lane.Emergency);
        }
    }

    private async ValueTask DoneAsync(FlowContext ctx, Muster muster, int household, CancellationToken cancellationToken)
    {
        var visit = await ctx.Reader.GetAsync<HouseholdVisit>(DocKeys.Visit(muster.Number, household), cancellationToken).ConfigureAwait(false);
        if (visit?.Help is not { } help)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (visit.HelpTakenBy != ctx.Profile.Id && !ctx.Has(Roles.Admin))
        {
            ctx.AnswerButton(ctx.T("wf.help.not_taker"), alert: true);
            return;
        }

        if (help == HelpStatus.Done)
        {
            ctx.AnswerButton(ctx.T("wf.help.already_done"));
            return;
        }

        var after = Record(ctx, muster, visit, visit with { Help = HelpStatus.Done, HelpDoneAt = ctx.Now, HelpTakenBy = visit.HelpTakenBy ?? ctx.Profile.Id, HelpTakenAt = visit.HelpTakenAt ?? ctx.Now });
        ctx.Effects.CancelTimer(MusterFlow.TimerIdIn(ctx.Shard, new WelfareTimer.HelpUntaken(muster.Number, household).Id));
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        ctx.AnswerButton();
        ctx.Show(ctx.T("wf.help.done", Code(household), Html.Escape(Welfare.Address(after, directory))), null);
        if (after.ReportedBy is { } reporter && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(reporter), cancellationToken).ConfigureAwait(false) is { BlockedBot: false } member)
        {
            ctx.Effects.Send(member.ChatId, texts.Format(member.Language, "wf.help.done_member", Code(household), Html.Escape(Welfare.Address(after, directory))), lane: Lane.Normal);
        }
    }
}
