using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Musters;

public sealed partial class MusterFlow
{
    /// <summary>Who a plan calls, grouped by region (members without a known region in <see cref="Muster.NoRegion"/>).</summary>
    private sealed record Targets(IReadOnlyList<(string RegionId, IReadOnlyList<UserProfile> Members)> Groups, int Away)
    {
        /// <summary>The launching administrator is a member the scope would call (then the preview offers "include me").</summary>
        public bool LauncherInScope { get; init; }

        public bool LauncherIncluded { get; init; }

        public int Count => Groups.Sum(g => g.Members.Count);
    }

    /// <summary>
    /// Registered members matching the scope; members who marked themselves away are left out (and counted). The
    /// convenor who gets a region's convenor order is not called as a member of it; a backup convenor is a member like
    /// any other (called and counted) until they take over. The launching administrator is not called unless they are
    /// a member in scope and chose "include me" on the preview.
    /// </summary>
    private async ValueTask<Targets> TargetsAsync(FlowContext ctx, MusterPlan plan, DirectorySnapshot directory, bool includeLauncher, CancellationToken cancellationToken, TreeLaunch? part = null, IReadOnlySet<long>? exclude = null)
    {
        var launcherInScope = false;
        var ids = part is { Entry.OwnMembers: false } ? [] : await ctx.Reader.MembersAsync(Sets.PeopleWithRole(Roles.Member), cancellationToken).ConfigureAwait(false);
        var workplaceOf = new Dictionary<long, string>();
        if (part?.Target is { } target)
        {
            // A community's part of a street's or city's muster: also the workplace-region members who live here,
            // grouped under their workplace region (its convenor relays at the street's or city's level).
            foreach (var (key, members) in target.Workplace)
            {
                foreach (var member in members)
                {
                    workplaceOf.TryAdd(member, key);
                }
            }

            ids = [.. ids.Union(workplaceOf.Keys.Select(Sets.Member), StringComparer.Ordinal)];
        }

        var profiles = await ctx.Reader.GetManyAsync<UserProfile>(ids.Select(id => DocKeys.User(long.Parse(id, CultureInfo.InvariantCulture))).ToList(), cancellationToken).ConfigureAwait(false);
        var today = DateOnly.FromDateTime(ctx.Now.ToOffset(Offset).DateTime);
        var away = 0;
        var chosen = new List<UserProfile>();
        foreach (var profile in profiles)
        {
            if (profile is not { RegisteredAt: not null } || (part is not null && !profile.Roles.HasFlag(Roles.Member)) || exclude?.Contains(profile.Id) == true)
            {
                continue;
            }

            var inScope = plan.Scope.Kind switch
            {
                MusterScopeKind.Regions => profile.RegionId is { } r && plan.Scope.RegionIds.Contains(r),
                MusterScopeKind.Grids => profile.GridId is { } g && plan.Scope.GridIds.Contains(g),
                MusterScopeKind.Skills => profile.Skills.Any(plan.Scope.SkillsNeeded.ContainsKey),
                _ => true,
            };
            if (!inScope)
            {
                continue;
            }

            if (part?.Target is { } t && t.Convenors.Contains(profile.Id))
            {
                // A workplace convenor: ordered at the street's or city's level.
                continue;
            }

            var region = workplaceOf.ContainsKey(profile.Id) ? null : directory.Region(profile.RegionId);
            if (region is not null && (region.ConvenorId ?? region.BackupConvenorId) == profile.Id)
            {
                continue;
            }

            if (profile.AwayUntil is { } until && until >= today)
            {
                away++;
                continue;
            }

            if (profile.Id == ctx.Profile.Id)
            {
                launcherInScope = true;
                if (!includeLauncher)
                {
                    continue;
                }
            }

            chosen.Add(profile);
        }

        var groups = chosen
            .GroupBy(p => workplaceOf.TryGetValue(p.Id, out var key) ? key : directory.Region(p.RegionId) is not null ? p.RegionId! : Muster.NoRegion)
            .OrderBy(g => g.Key == Muster.NoRegion ? 1 : 0).ThenBy(g => g.Key.Length).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<UserProfile>)g.OrderBy(p => p.Id).ToList()))
            .ToList();
        return new Targets(groups, away) { LauncherInScope = launcherInScope, LauncherIncluded = launcherInScope && includeLauncher };
    }

    /// <summary>
    /// Launches: numbers the muster, creates every called member's answer, sends each region's convenor the order
    /// (regions without a convenor, and members without a region, get it directly, after every convenor's order), arms
    /// T1/T2/reminders/the close, gives the launching administrator a live roll call, and turns emergency mode on for a
    /// real muster. One commit. A community's part of a street's or city's muster (<paramref name="part"/>) also calls
    /// the workplace-region members who live here, each region as a group whose orders wait for its convenor's relay.
    /// </summary>
    /// <remarks>
    /// A follow-up for a post (<paramref name="forPost"/>, a post leader's "need more people") is launched in the name
    /// of the muster it reinforces (<paramref name="launchedBy"/>, its launcher): the presser gets no live roll call and
    /// no report — those carry every member's phone and stay with administrators.
    /// </remarks>
    private async ValueTask<Muster> LaunchAsync(FlowContext ctx, MusterPlan plan, DirectorySnapshot directory, bool includeLauncher, CancellationToken cancellationToken, TreeLaunch? part = null, PostCall? forPost = null, IReadOnlySet<long>? exclude = null, long? launchedBy = null)
    {
        var tree = part?.Tree;
        var counters = await ctx.Reader.GetAsync<CommunityCounters>(DocKeys.Counters, cancellationToken).ConfigureAwait(false) ?? new CommunityCounters();
        var number = counters.Musters + 1;
        ctx.Effects.Put(DocKeys.Counters, counters with { Musters = number });
        var targets = await TargetsAsync(ctx, plan, directory, includeLauncher, cancellationToken, part, exclude).ConfigureAwait(false);
        var reportBy = ctx.Now.AddMinutes(plan.ReportWithinMinutes);
        var regions = new List<MusterRegion>();
        foreach (var (regionId, members) in targets.Groups)
        {
            if (part is not null && part.Names.TryGetValue(regionId, out var workplaceName))
            {
                // Held until the workplace convenor relays (or was relayed already, before this part was written).
                regions.Add(new MusterRegion(regionId, members.Count) { Workplace = regionId, Name = workplaceName, MembersToldAt = part.Released.Contains(regionId) ? ctx.Now : null });
                continue;
            }

            var known = directory.Region(regionId);
            var region = new MusterRegion(regionId, members.Count) { ConvenorId = known?.ConvenorId, BackupConvenorId = known?.BackupConvenorId };
            regions.Add(region.HasConvenor ? region : region with { MembersToldAt = ctx.Now });
        }

        // Regions with a convenor but nobody to call still get the order: the convenor may be needed in person.
        foreach (var region in directory.Regions.Where(r => r.ConvenorId is not null && regions.All(x => x.RegionId != r.Id)
                     && (plan.Scope.Kind == MusterScopeKind.Everyone || (plan.Scope.Kind == MusterScopeKind.Regions && plan.Scope.RegionIds.Contains(r.Id)))))
        {
            regions.Add(new MusterRegion(region.Id, 0) { ConvenorId = region.ConvenorId, BackupConvenorId = region.BackupConvenorId });
        }

        var muster = new Muster(number, plan, tree?.LaunchedBy ?? launchedBy ?? ctx.Profile.Id, ctx.Now)
        {
            ReportBy = reportBy,
            EndsAt = _options.AutoCloseAfterReportBy is { } after ? reportBy + after : null,
            Regions = regions,
            AdminPanelChats = tree is null && forPost is null ? [ctx.ChatId] : [],
            Origin = part is null ? null : new TreeOrigin(part.Tree.NodeId, part.Tree.Number, part.Entry.ReportTo),
            ForPost = forPost,
        };
        MusterStore.PutHeader(ctx.Effects, muster);
        foreach (var region in muster.Regions)
        {
            MusterStore.PutRegion(ctx.Effects, number, region);
        }
        ctx.Effects.AddToSet(Sets.OpenMusters, MusterView.Num(number));
        ctx.Effects.AddToSet(Sets.AllMusters, MusterView.Num(number));

        foreach (var (regionId, members) in targets.Groups)
        {
            foreach (var member in members)
            {
                var memberId = Sets.Member(member.Id);
                ctx.Effects.AddToSet(Sets.MusterTargets(number, regionId), memberId);
                ctx.Effects.AddToSet(Sets.MustersOf(member.Id), MusterView.Num(number));
                ctx.Effects.Put(DocKeys.MusterAnswer(number, member.Id), new MusterAnswer(number, member.Id, regionId) { MatchedSkills = Matched(plan, member) });
            }
        }

        // Convenors' orders are published first; the members told directly come after them.
        foreach (var region in muster.Regions.Where(r => r.HasConvenor))
        {
            var convenorId = region.ConvenorId ?? region.BackupConvenorId!.Value;
            var convenor = await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(convenorId), cancellationToken).ConfigureAwait(false);
            var language = convenor?.Language ?? Language.Zh;
            var html = MusterView.ConvenorOrder(texts, language, muster, region, directory.RegionName(region.RegionId), Offset, asBackup: region.ConvenorId is null);
            ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, convenor?.ChatId ?? convenorId, new SendText(html, MusterView.ConvenorButtons(texts, language, muster, region)))
            {
                Tag = "mc:" + MusterView.Num(number),
                SendFirst = true,
            });
            SetTimer(ctx, new MusterTimer.Escalate(number, region.RegionId).Id, ctx.Now + _options.AcknowledgeWithin);
        }

        if (plan.Latitude is { } lat && plan.Longitude is { } lon)
        {
            foreach (var chat in muster.Regions.Where(r => r.HasConvenor).Select(r => r.ConvenorId ?? r.BackupConvenorId!.Value))
            {
                ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, chat, new SendLocation(lat, lon)) { Tag = "mc:" + MusterView.Num(number), SendFirst = true });
            }
        }

        foreach (var (regionId, members) in targets.Groups)
        {
            if (muster.Region(regionId) is { HasConvenor: false, MembersToldAt: not null } direct)
            {
                foreach (var member in members)
                {
                    SendMemberOrder(ctx, muster, regionId, member);
                }

                // A region without a convenor: its group gets the order now too.
                var posted = await PostToGroupsAsync(ctx, muster, direct, cancellationToken).ConfigureAwait(false);
                if (!ReferenceEquals(posted, direct))
                {
                    MusterStore.PutRegion(ctx.Effects, number, posted);
                    muster = muster.WithRegion(posted);
                }
            }
        }

        var schedule = _options.ReminderSchedule.Take(_options.MaxReminders).ToList();
        for (var i = 0; i < schedule.Count; i++)
        {
            SetTimer(ctx, new MusterTimer.Remind(number, i + 1).Id, ctx.Now + schedule[i]);
        }

        SetTimer(ctx, new MusterTimer.Nudge(number).Id, ctx.Now + _options.NudgeAfter);
        if (muster.EndsAt is { } endsAt)
        {
            SetTimer(ctx, new MusterTimer.AutoClose(number).Id, endsAt);
        }

        if (tree is null && forPost is null)
        {
            ctx.Show(ctx.T(plan.Drill ? "mu.launched_drill" : "mu.launched", muster.Code, targets.Count, muster.Regions.Count(r => r.HasConvenor)), null);
            var panel = await RenderCommunityAsync(ctx, muster, directory, ctx.Language, cancellationToken).ConfigureAwait(false);
            SendPanel(ctx, muster, null, panel, RollCall.CommunityPanelButtons(texts, ctx.Language, muster, _dashboard));
        }

        if (!plan.Drill)
        {
            var mode = await ctx.Reader.GetAsync<CommunityMode>(DocKeys.Mode, cancellationToken).ConfigureAwait(false);
            if (mode is not { Emergency: true })
            {
                await SwitchModeAsync(ctx, emergency: true, plan.Notice, number, cancellationToken, plan.Kind).ConfigureAwait(false);
            }
        }

        return muster;
    }
}
