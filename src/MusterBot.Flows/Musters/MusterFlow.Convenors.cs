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
    /// <summary>"Acknowledge" or "Relay to my region" on a convenor's order.</summary>
    private async ValueTask AcknowledgeAsync(FlowContext ctx, Muster muster, string regionId, bool relay, CancellationToken cancellationToken)
    {
        var region = muster.Region(regionId);
        if (!IsConvenorOf(ctx, region))
        {
            Refuse(ctx, "role.convenor");
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var regionName = directory.RegionName(regionId);
        if (relay && region!.MembersToldAt is { } told)
        {
            ctx.AnswerButton(ctx.T("mu.conv.already_relayed", MusterView.Time(told, Offset)), alert: true);
            ctx.Show(MusterView.ConvenorOrder(texts, ctx.Language, muster, region, regionName, Offset, region.BackupConvenorId == ctx.Profile.Id) + "\n\n" + ConvenorState(ctx.Language, region), MusterView.ConvenorButtons(texts, ctx.Language, muster, region));
            return;
        }

        if (!relay && region!.AcknowledgedAt is { } acknowledged)
        {
            ctx.AnswerButton(ctx.T("mu.conv.already_acked", MusterView.Time(acknowledged, Offset)));
            return;
        }

        var updated = region! with
        {
            AcknowledgedAt = region.AcknowledgedAt ?? ctx.Now,
            AcknowledgedBy = region.AcknowledgedBy ?? ctx.Profile.Id,
        };
        var notes = new List<string>();
        if (relay)
        {
            var sent = await SendMemberOrdersAsync(ctx, muster, regionId, cancellationToken).ConfigureAwait(false);
            updated = updated with { RelayedAt = ctx.Now, RelayedBy = ctx.Profile.Id, MembersToldAt = ctx.Now };
            updated = await PostToGroupsAsync(ctx, muster, updated, cancellationToken).ConfigureAwait(false);
            notes.Add(ctx.T("mu.conv.relayed", sent));
        }

        var isNewPanel = !updated.PanelChats.Contains(ctx.ChatId);
        if (isNewPanel)
        {
            updated = updated with { PanelChats = [.. updated.PanelChats, ctx.ChatId] };
        }

        var next = muster.WithRegion(updated);
        MusterStore.PutRegion(ctx.Effects, muster.Number, updated);
        // After an escalation the members already have the order: the toast asks for what the order still offers.
        ctx.AnswerButton(relay ? notes[0] : ctx.T(updated.MembersToldAt is null ? "mu.conv.acked" : "mu.conv.acked_told"));
        ctx.Show(MusterView.ConvenorOrder(texts, ctx.Language, next, updated, regionName, Offset, updated.BackupConvenorId == ctx.Profile.Id) + "\n\n" + ConvenorState(ctx.Language, updated), MusterView.ConvenorButtons(texts, ctx.Language, next, updated));
        if (isNewPanel)
        {
            await SendRegionPanelAsync(ctx, next, updated, regionName, cancellationToken).ConfigureAwait(false);
        }

        Touch(ctx, next, regionId);
    }

    private string ConvenorState(Language language, MusterRegion region)
    {
        var sb = new StringBuilder();
        if (region.AcknowledgedAt is { } at)
        {
            sb.Append(texts.Format(language, "mu.rc.conv_ack", MusterView.Time(at, Offset)));
        }

        if (region.MembersToldAt is { } told)
        {
            sb.Append(sb.Length > 0 ? "\n" : string.Empty).Append(texts.Format(language, "mu.conv.members_told", MusterView.Time(told, Offset)));
        }

        return sb.ToString();
    }

    /// <summary>Queues the member order to every called member of a region; returns how many were sent it.</summary>
    private async ValueTask<int> SendMemberOrdersAsync(FlowContext ctx, Muster muster, string regionId, CancellationToken cancellationToken)
    {
        var ids = await ctx.Reader.MembersAsync(Sets.MusterTargets(muster.Number, regionId), cancellationToken).ConfigureAwait(false);
        var profiles = await ctx.Reader.GetManyAsync<UserProfile>(ids.Select(id => DocKeys.User(long.Parse(id, CultureInfo.InvariantCulture))).ToList(), cancellationToken).ConfigureAwait(false);
        var count = 0;
        foreach (var profile in profiles)
        {
            if (profile is null)
            {
                continue;
            }

            SendMemberOrder(ctx, muster, regionId, profile);
            count++;
        }

        return count;
    }

    private void SendMemberOrder(FlowContext ctx, Muster muster, string regionId, UserProfile profile)
    {
        var matched = Matched(muster.Plan, profile);
        var html = MusterView.Order(texts, profile.Language, muster, Offset, matched);
        ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, profile.ChatId, new SendText(html, MusterView.CheckInButtons(texts, profile.Language, muster.Number)))
        {
            Tag = RollCall.OrderTag(muster.Number, regionId),
        });
        if (muster.Plan.Latitude is { } lat && muster.Plan.Longitude is { } lon)
        {
            // The rally point's pin follows the order (one tap opens the map).
            ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, profile.ChatId, new SendLocation(lat, lon)) { Tag = "mp:" + MusterView.Num(muster.Number) });
        }
    }

    private static List<Skill> Matched(MusterPlan plan, UserProfile profile) =>
        profile.Skills.Where(plan.Scope.SkillsNeeded.ContainsKey).Distinct().Order().ToList();

    private async ValueTask SendRegionPanelAsync(FlowContext ctx, Muster muster, MusterRegion region, string regionName, CancellationToken cancellationToken)
    {
        var entries = await RollCall.LoadRegionAsync(ctx.Reader, muster.Number, region.RegionId, cancellationToken).ConfigureAwait(false);
        var html = RollCall.RenderRegion(texts, ctx.Language, muster, region, regionName, entries, ctx.Now, Offset);
        SendPanel(ctx, muster, region.RegionId, html, RollCall.RegionPanelButtons(texts, ctx.Language, muster, region.RegionId, _dashboard));
    }

    private void SendPanel(FlowContext ctx, Muster muster, string? regionId, string html, InlineMarkup markup)
    {
        ctx.Effects.Publish(new OutboxMessage(Lane.Reply, ctx.ChatId, new SendText(html, markup)) { Tag = RollCall.Tag(muster.Number, ctx.ChatId, regionId) });
        ctx.Effects.Put(DocKeys.RollCallPanel(muster.Number, ctx.ChatId, regionId), new RollCallPanel(muster.Number, ctx.ChatId, regionId) { LastHtml = html, LastAt = ctx.Now });
        ArmRefresh(ctx, muster.Number, keepExisting: true);
    }

    /// <summary>/rollcall: a fresh live roll call of every open muster the person convenes or administers.</summary>
    private async ValueTask OnRollCallCommandAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        if (await TreeRollCallAsync(ctx, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (!ctx.Has(Roles.Admin | Roles.Convenor))
        {
            Refuse(ctx, "mu.role.convenor_or_admin");
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var shown = 0;
        foreach (var number in await OpenMusterNumbersAsync(ctx, cancellationToken).ConfigureAwait(false))
        {
            if (await MusterStore.LoadAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false) is not { } muster)
            {
                continue;
            }

            var next = muster;
            if (ctx.Has(Roles.Admin))
            {
                var html = await RenderCommunityAsync(ctx, muster, directory, ctx.Language, cancellationToken).ConfigureAwait(false);
                SendPanel(ctx, muster, null, html, RollCall.CommunityPanelButtons(texts, ctx.Language, muster, _dashboard));
                if (!next.AdminPanelChats.Contains(ctx.ChatId))
                {
                    next = next with { AdminPanelChats = [.. next.AdminPanelChats, ctx.ChatId] };
                    MusterStore.PutHeader(ctx.Effects, next);
                }

                shown++;
            }

            foreach (var region in muster.Regions.Where(r => IsConvenorOf(ctx, r)))
            {
                var view = await RollCall.LoadShownAsync(ctx.Reader, muster, region, cancellationToken).ConfigureAwait(false);
                var html = RollCall.RenderRegion(texts, ctx.Language, muster, region, directory.RegionName(region.RegionId), view, ctx.Now, Offset);
                SendPanel(ctx, muster, region.RegionId, html, RollCall.RegionPanelButtons(texts, ctx.Language, muster, region.RegionId, _dashboard));
                if (!region.PanelChats.Contains(ctx.ChatId))
                {
                    MusterStore.PutRegion(ctx.Effects, muster.Number, region with { PanelChats = [.. region.PanelChats, ctx.ChatId] });
                }

                shown++;
            }

        }

        if (shown == 0)
        {
            ctx.Reply(ctx.T("mu.none_open"), Menu(ctx));
        }
    }

    private async ValueTask<string> RenderCommunityAsync(FlowContext ctx, Muster muster, DirectorySnapshot directory, Language language, CancellationToken cancellationToken)
    {
        var rows = new List<(MusterRegion, string, RollCall.Counts)>();
        foreach (var region in muster.Regions)
        {
            var counts = await RollCall.CountFromSetsAsync(ctx.Reader, muster, region, cancellationToken).ConfigureAwait(false);
            rows.Add((region, RegionName(directory, region, language), counts));
        }

        var welfare = muster.Welfare is null
            ? null
            : Households.Welfare.Line(texts, language, await Households.Welfare.CountAsync(ctx.Reader, muster, cancellationToken).ConfigureAwait(false));
        return RollCall.RenderCommunity(texts, language, muster, ScopeTitle(language, muster.Plan, directory), rows, ctx.Now, Offset, welfare);
    }

    /// <summary>What a community roll call covers: the whole community, or its regions, grids or skills by name.</summary>
    private string ScopeTitle(Language language, MusterPlan plan, DirectorySnapshot directory)
    {
        var separator = texts.Get(language, "role.separator");
        return plan.Scope.Kind switch
        {
            MusterScopeKind.Regions => string.Join(separator, plan.Scope.RegionIds.Select(directory.RegionName)),
            MusterScopeKind.Grids => texts.Format(language, "mu.rc.scope_grids", string.Join(separator, plan.Scope.GridIds.Select(directory.GridName))),
            MusterScopeKind.Skills => texts.Format(language, "mu.rc.scope_skills", MusterView.SkillList(texts, language, plan.Scope.SkillsNeeded.Keys.Order())),
            _ => texts.Get(language, "mu.rc.scope_all"),
        };
    }

    private string RegionName(DirectorySnapshot directory, string regionId, Language language) =>
        regionId == Muster.NoRegion ? texts.Get(language, "mu.no_region") : directory.RegionName(regionId);

    /// <summary>A muster region's name: a workplace region's group carries its own; a community region's comes from the directory.</summary>
    private string RegionName(DirectorySnapshot directory, MusterRegion region, Language language) =>
        region.Workplace is not null && region.Name is { } name ? "\U0001F3E2 " + name : RegionName(directory, region.RegionId, language);

    /// <summary>"Refresh" on a roll call (or "Roll call" on a convenor's order): re-render in place.</summary>
    private async ValueTask RefreshPressedAsync(FlowContext ctx, Muster muster, string? scope, bool newMessage, CancellationToken cancellationToken)
    {
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        if (scope is null)
        {
            if (!ctx.Has(Roles.Admin))
            {
                Refuse(ctx, "role.admin");
                return;
            }

            ctx.AnswerButton(ctx.T("mu.rc.refreshed"));
            var html = await RenderCommunityAsync(ctx, muster, directory, ctx.Language, cancellationToken).ConfigureAwait(false);
            ctx.Show(html, RollCall.CommunityPanelButtons(texts, ctx.Language, muster, _dashboard));
            return;
        }

        var region = muster.Region(scope);
        if (region is null || !(IsConvenorOf(ctx, region) || ctx.Has(Roles.Admin)))
        {
            Refuse(ctx, "role.convenor");
            return;
        }

        var view = await RollCall.LoadShownAsync(ctx.Reader, muster, region, cancellationToken).ConfigureAwait(false);
        var rendered = RollCall.RenderRegion(texts, ctx.Language, muster, region, RegionName(directory, region, ctx.Language), view, ctx.Now, Offset);
        ctx.AnswerButton(ctx.T("mu.rc.refreshed"));
        if (newMessage)
        {
            // "Roll call" pressed on the order: the order stays, the roll call comes as a new live message.
            SendPanel(ctx, muster, region.RegionId, rendered, RollCall.RegionPanelButtons(texts, ctx.Language, muster, region.RegionId, _dashboard));
            if (!region.PanelChats.Contains(ctx.ChatId))
            {
                MusterStore.PutRegion(ctx.Effects, muster.Number, region with { PanelChats = [.. region.PanelChats, ctx.ChatId] });
            }

            return;
        }

        ctx.Show(rendered, RollCall.RegionPanelButtons(texts, ctx.Language, muster, region.RegionId, _dashboard));
    }

    /// <summary>Members of a region with no answer yet (unreachable first), with phone numbers, ten a page.</summary>
    private async ValueTask NonRespondersAsync(FlowContext ctx, Muster muster, string regionId, int page, bool newMessage, CancellationToken cancellationToken)
    {
        var region = muster.Region(regionId);
        if (region is null || !(IsConvenorOf(ctx, region) || ctx.Has(Roles.Admin)))
        {
            Refuse(ctx, "role.convenor");
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var entries = (await RollCall.LoadRegionAsync(ctx.Reader, muster.Number, regionId, cancellationToken).ConfigureAwait(false))
            .Where(e => e.Answer.Status == CheckInStatus.NoAnswer)
            .OrderByDescending(e => e.Unreachable).ThenBy(e => e.Answer.UserId).ToList();
        var pages = Math.Max(1, (entries.Count + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 0, pages - 1);
        var sb = new StringBuilder();
        sb.Append(MusterView.DrillLine(texts, ctx.Language, muster.Plan));
        sb.Append(ctx.T("mu.nr.head", muster.Code, Html.Escape(muster.Region(regionId)?.Name ?? RegionName(directory, regionId, ctx.Language)), entries.Count)).Append('\n');
        var shown = entries.Skip(page * PageSize).Take(PageSize).ToList();
        foreach (var entry in shown)
        {
            sb.Append(entry.Unreachable ? "\U0001F4F5 " : "\u23F3 ").Append(RollCall.NameOf(entry));
            sb.Append(" · ").Append(entry.Profile?.Phone is { } phone ? "<code>" + Html.Escape(phone) + "</code>" : ctx.T("mu.nr.no_phone"));
            if (entry.Answer.PhonedBy is not null)
            {
                sb.Append(" \u260E\uFE0F");
            }

            sb.Append('\n');
        }

        if (entries.Count == 0)
        {
            sb.Append(ctx.T("mu.nr.none"));
        }

        var rows = shown.Select(e => new InlineButton(NamePlain(e), new MusterButton.MemberCard(muster.Number, e.Answer.UserId).Data)).Rows(2);
        var nav = new List<InlineButton>();
        if (page > 0)
        {
            nav.Add(new InlineButton("\u2B05\uFE0F", new MusterButton.NonResponders(muster.Number, regionId, page - 1).Data));
        }

        if (page < pages - 1)
        {
            nav.Add(new InlineButton("\u27A1\uFE0F", new MusterButton.NonResponders(muster.Number, regionId, page + 1).Data));
        }

        if (nav.Count > 0)
        {
            rows.Add(nav);
        }

        ctx.AnswerButton();
        if (newMessage)
        {
            // Asked from a roll call: a new message, so the roll call stays live.
            ctx.Reply(sb.ToString(), new InlineMarkup(rows));
            return;
        }

        ctx.Show(sb.ToString(), new InlineMarkup(rows));
    }

    private static string NamePlain(RollCall.Entry entry)
    {
        var p = entry.Profile;
        var name = p is null ? "#" + MusterView.Num(entry.Answer.UserId) : (p.LastName is null ? p.FirstName : p.FirstName + " " + p.LastName);
        return (entry.Unreachable ? "\U0001F4F5 " : "\u23F3 ") + (name.Length > 24 ? name[..24] : name);
    }

    /// <summary>One member's card for the convenor: reached by phone, or check them in on their behalf.</summary>
    private async ValueTask MemberCardAsync(FlowContext ctx, Muster muster, long userId, CancellationToken cancellationToken)
    {
        if (await ProxyTargetAsync(ctx, muster, userId, cancellationToken).ConfigureAwait(false) is not { } target)
        {
            return;
        }

        if (!target.MayActFor)
        {
            Refuse(ctx, "role.convenor");
            return;
        }

        ctx.AnswerButton();
        ctx.Show(MemberCardText(ctx, muster, target.Answer, target.Profile), MemberCardButtons(ctx, muster, target.Answer));
    }

    private string MemberCardText(FlowContext ctx, Muster muster, MusterAnswer answer, UserProfile? profile)
    {
        var entry = new RollCall.Entry(profile, answer, null);
        var sb = new StringBuilder();
        sb.Append(ctx.T("mu.card.head", muster.Code, RollCall.NameOf(entry))).Append('\n');
        sb.Append(ctx.T("mu.card.phone", profile?.Phone is { } phone ? "<code>" + Html.Escape(phone) + "</code>" : ctx.T("mu.nr.no_phone"))).Append('\n');
        sb.Append(MusterView.StatusName(texts, ctx.Language, answer.Status)).Append(MusterView.Detail(texts, ctx.Language, answer, Offset));
        if (answer.PhonedAt is { } phonedAt)
        {
            sb.Append('\n').Append(ctx.T("mu.card.phoned", MusterView.Time(phonedAt, Offset)));
        }

        return sb.ToString();
    }

    private InlineMarkup MemberCardButtons(FlowContext ctx, Muster muster, MusterAnswer answer)
    {
        var (n, u) = (muster.Number, answer.UserId);
        InlineButton OnBehalf(CheckInStatus status) => new(MusterView.StatusName(texts, ctx.Language, status), new MusterButton.OnBehalf(n, u, status).Data);
        return new InlineMarkup([
            [new InlineButton(ctx.T("mu.btn.phoned"), new MusterButton.Phoned(n, u).Data)],
            [OnBehalf(CheckInStatus.OnTheWay), OnBehalf(CheckInStatus.Arrived)],
            [OnBehalf(CheckInStatus.CantCome)],
            [new InlineButton(ctx.T("mu.btn.back_list"), new MusterButton.NonResponders(n, answer.RegionId, 0).Data)]]);
    }

    /// <summary>The member a convenor's button names, and whether the presser may act for them (their region's convenor, or an administrator).</summary>
    private static async ValueTask<(MusterAnswer Answer, UserProfile? Profile, bool MayActFor)?> ProxyTargetAsync(FlowContext ctx, Muster muster, long userId, CancellationToken cancellationToken)
    {
        var answer = await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(muster.Number, userId), cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return null;
        }

        var mayActFor = IsConvenorOf(ctx, muster.Region(answer.RegionId)) || ctx.Has(Roles.Admin);
        var profile = mayActFor ? await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(userId), cancellationToken).ConfigureAwait(false) : null;
        return (answer, profile, mayActFor);
    }

    /// <summary>A convenor marks a member reached by phone (<paramref name="status"/> null) or answers for them; the check-in machine decides.</summary>
    private async ValueTask ProxyAsync(FlowContext ctx, Muster muster, long userId, CheckInStatus? status, CancellationToken cancellationToken)
    {
        if (await ProxyTargetAsync(ctx, muster, userId, cancellationToken).ConfigureAwait(false) is not { } target)
        {
            return;
        }

        var (answer, profile, mayActFor) = target;
        var trigger = status is { } s ? CheckInMachine.OnBehalfTo(s) : AnswerTrigger.Phoned;
        if (trigger is not { } t)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        var decision = CheckInMachine.Decide(answer.Status, t, muster.IsOpen, mayActFor);
        var what = status is { } named ? MusterView.StatusName(texts, ctx.Language, named) : string.Empty;
        if (!Decided(ctx, (Events.ButtonPressed)ctx.Event, muster, decision, what))
        {
            return;
        }

        MusterAnswer updated;
        if (status is null)
        {
            if (answer.PhonedBy is not null)
            {
                ctx.AnswerButton(ctx.T("mu.card.already_phoned"));
                return;
            }

            updated = answer with { PhonedBy = ctx.Profile.Id, PhonedAt = ctx.Now, History = [.. answer.History, new AnswerChange(answer.Status, ctx.Now, ctx.Profile.Id) { Detail = "phoned" }] };
            Store(ctx, muster, answer, updated);
            ctx.AnswerButton(ctx.T("mu.card.phoned_saved"));
        }
        else
        {
            updated = Answer(ctx, muster, answer, decision.Status, ctx.Profile.Id, "by convenor");
            ctx.AnswerButton(ctx.T("mu.card.proxy_saved", what));
            if (answer.Status == CheckInStatus.Arrived && decision.Status != CheckInStatus.Arrived)
            {
                await OnPostLeftAsync(ctx, muster, answer.UserId, cancellationToken).ConfigureAwait(false);
            }

            if (profile is not null)
            {
                ctx.Effects.Send(profile.ChatId, MusterView.DrillLine(texts, profile.Language, muster.Plan) + texts.Format(profile.Language, "mu.card.member_told", muster.Code, Html.Escape(ctx.Profile.FirstName), MusterView.StatusName(texts, profile.Language, decision.Status)), lane: Lane.Emergency);
                if (decision.Status == CheckInStatus.Arrived)
                {
                    // Marked arrived by the convenor: their share of the welfare check's households, if any wait.
                    await Households.Welfare.AssignOnArrivalAsync(ctx, texts, muster, profile, cancellationToken).ConfigureAwait(false);
                    await OnPostArrivalAsync(ctx, muster, profile, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        ctx.Show(MemberCardText(ctx, muster, updated, profile), MemberCardButtons(ctx, muster, updated));
    }
}
