using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using MusterBot.State.Timers;

namespace MusterBot.Flows.Musters;

public sealed partial class MusterFlow
{
    /// <summary>Sets a community timer of the muster's parts (musters, welfare checks, posts): decided as the system, in this shard.</summary>
    internal static void SetTimer(FlowContext ctx, string id, DateTimeOffset dueAt) =>
        ctx.Effects.SetTimer(new TimerEntry(TimerIdIn(ctx.Shard, id), dueAt, SystemUser, id));

    internal static void CancelTimer(FlowContext ctx, string id) => ctx.Effects.CancelTimer(TimerIdIn(ctx.Shard, id));

    /// <summary>
    /// The id of a community timer: its payload, prefixed with <c>@{shard}:</c> outside the root shard, so the same
    /// muster number in two communities names two timers, and the timer is decided in the shard it belongs to.
    /// </summary>
    public static string TimerIdIn(long shard, string id) =>
        shard == State.Documents.Shards.Root ? id : "@" + shard.ToString(CultureInfo.InvariantCulture) + ":" + id;

    /// <summary>
    /// The id of a community timer that names its shard even when it is the root (a street's or city's timer set by a
    /// decision in one of its communities must still live and be decided in the node's shard).
    /// </summary>
    public static string TimerIdAt(long shard, string id) => "@" + shard.ToString(CultureInfo.InvariantCulture) + ":" + id;

    /// <summary>The shard a community timer's id names (null: none named — the shard of the commit that sets it).</summary>
    public static long? ShardOfTimer(string timerId)
    {
        ArgumentNullException.ThrowIfNull(timerId);
        if (!timerId.StartsWith('@'))
        {
            return null;
        }

        var colon = timerId.IndexOf(':', StringComparison.Ordinal);
        return colon > 1 && long.TryParse(timerId.AsSpan(1, colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var shard) && shard > 0 ? shard : null;
    }

    /// <summary>A community timer came due (its payload is a <see cref="MusterTimer"/>; anything else is ignored).</summary>
    private async ValueTask OnTimerAsync(FlowContext ctx, string payload, CancellationToken cancellationToken)
    {
        switch (MusterTimer.Codec.Decode(payload))
        {
            case null:
                return;
            case MusterTimer.TreeStep step:
                await TreeStepAsync(ctx, step, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTimer.TreePanels panels:
                await TreePanelsAsync(ctx, panels, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTimer.TreeModeStep modeStep:
                await TreeModeStepAsync(ctx, modeStep, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTimer.TreeSweep sweep:
                await TreeSweepAsync(ctx, sweep, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTimer.TreeRelease release:
                await TreeReleaseAsync(ctx, release, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTimer.TreeEscalate escalate:
                await TreeEscalateAsync(ctx, escalate, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTimer.TreeCloseStep close:
                await TreeCloseStepAsync(ctx, close, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTimer.TreeStart start:
                await TreeStartAsync(ctx, start, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTimer.TreeModeStart modeStart:
                await TreeModeStartAsync(ctx, modeStart, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTimer.TreeCloseStart closeStart:
                await TreeCloseStartAsync(ctx, closeStart, cancellationToken).ConfigureAwait(false);
                return;
        }

        var timer = MusterTimer.Codec.Decode(payload)!;

        var muster = await MusterStore.LoadAsync(ctx.Reader, timer.Number, cancellationToken).ConfigureAwait(false);
        if (muster is null || !muster.IsOpen)
        {
            // A closed muster's timers were cancelled; one already claimed is consumed here and does nothing.
            return;
        }

        switch (timer)
        {
            case MusterTimer.RefreshPanels:
                await RefreshPanelsAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTimer.Escalate escalate:
                await EscalateAsync(ctx, muster, escalate.RegionId, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTimer.Remind:
                await RemindAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTimer.Nudge:
                await NudgeAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTimer.AutoClose:
                await CloseAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>
    /// Re-renders every live roll call of a muster. Changed ones are edited (the sender keeps at most one edit per
    /// message per interval) and another refresh is armed, so answers that raced this one are shown next time. When
    /// nothing changed, the regions' change markers are written back with the versions read: an answer committed
    /// meanwhile makes this decision run again and see it.
    /// </summary>
    private async ValueTask RefreshPanelsAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        // A community's part of a street's or city's muster also keeps the launcher's tally up to date.
        await WriteTallyAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
        muster = await FollowGroupsAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
        var markers = new List<(State.Documents.DocKey Key, ChangeMarker? Marker)>();
        foreach (var region in muster.Regions)
        {
            var key = DocKeys.ChangeMarker(muster.Number, region.RegionId);
            markers.Add((key, await ctx.Reader.GetAsync<ChangeMarker>(key, cancellationToken).ConfigureAwait(false)));
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var panels = muster.AdminPanelChats.Select(chat => (Chat: chat, Region: (MusterRegion?)null))
            .Concat(muster.Regions.SelectMany(r => r.PanelChats.Concat(r.GroupChats).Select(chat => (Chat: chat, Region: (MusterRegion?)r))))
            .ToList();
        var viewByRegion = new Dictionary<string, RollCall.RegionView>();
        var changed = false;
        var pending = false;
        foreach (var (chat, region) in panels)
        {
            var panelKey = DocKeys.RollCallPanel(muster.Number, chat, region?.RegionId);
            if (await ctx.Reader.GetAsync<RollCallPanel>(panelKey, cancellationToken).ConfigureAwait(false) is not { } panel)
            {
                continue;
            }

            // A group's roll call is in the group's language (no person's profile to read there).
            var viewer = panel.InGroup ? null : await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(chat), cancellationToken).ConfigureAwait(false);
            var language = panel.InGroup ? panel.Language : viewer?.Language ?? Language.Zh;
            string html;
            InlineMarkup? markup;
            if (region is null)
            {
                html = await RenderCommunityAsync(ctx, muster, directory, language, cancellationToken).ConfigureAwait(false);
                markup = RollCall.CommunityPanelButtons(texts, language, muster, _dashboard);
            }
            else
            {
                // Only what the roll call shows is read: counts and ids from sets, the documents of the names it has room for.
                if (!viewByRegion.TryGetValue(region.RegionId, out var view))
                {
                    view = await RollCall.LoadShownAsync(ctx.Reader, muster, region, cancellationToken).ConfigureAwait(false);
                    viewByRegion[region.RegionId] = view;
                    pending |= region.MembersToldAt is not null && view.Pending;
                }

                html = panel.InGroup
                    ? RollCall.RenderGroup(texts, language, muster, RegionName(directory, region, language), view, ctx.Now, Offset)
                    : RollCall.RenderRegion(texts, language, muster, region, RegionName(directory, region, language), view, ctx.Now, Offset);
                markup = panel.InGroup ? null : RollCall.RegionPanelButtons(texts, language, muster, region.RegionId, _dashboard);
            }

            if (!string.Equals(WithoutClock(html), WithoutClock(panel.LastHtml), StringComparison.Ordinal))
            {
                ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, chat, new EditText(0, html, markup) { TargetTag = RollCall.Tag(muster.Number, chat, region?.RegionId) }));
                ctx.Effects.Put(panelKey, panel with { LastHtml = html, LastAt = ctx.Now });
                changed = true;
            }
        }

        if (changed || pending)
        {
            // Another round follows: it shows answers that raced this one, and deliveries still on their way.
            ArmRefresh(ctx, muster.Number, keepExisting: false);
        }

        if (!changed)
        {
            foreach (var (key, marker) in markers)
            {
                // Written back with the version read: fails (and this refresh runs again) if an answer touched it since.
                ctx.Effects.Put(key, marker ?? new ChangeMarker(ctx.Now));
            }
        }
    }

    /// <summary>The "updated at" line alone does not make a roll call different.</summary>
    private static string WithoutClock(string? html)
    {
        if (html is null)
        {
            return string.Empty;
        }

        var cut = html.LastIndexOf('\n');
        return cut < 0 ? html : html[..cut];
    }

    /// <summary>T1: the convenor has not acknowledged (or not relayed): escalate.</summary>
    private async ValueTask EscalateAsync(FlowContext ctx, Muster muster, string regionId, CancellationToken cancellationToken)
    {
        var region = muster.Region(regionId);
        if (region is null || region.MembersToldAt is not null)
        {
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var sent = await SendMemberOrdersAsync(ctx, muster, regionId, cancellationToken).ConfigureAwait(false);
        var updated = region with { MembersToldAt = ctx.Now };
        var convenor = region.ConvenorId is { } cid ? await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(cid), cancellationToken).ConfigureAwait(false) : null;
        var convenorName = convenor is null ? "—" : Texts.Html.Escape(convenor.FirstName);
        string Waited(Language language) => MusterView.Duration(texts, language, _options.AcknowledgeWithin);
        if (region.AcknowledgedAt is null)
        {
            updated = updated with { EscalatedAt = ctx.Now };
            UserProfile? backup = null;
            if (region.BackupConvenorId is { } backupId && backupId != region.ConvenorId
                && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(backupId), cancellationToken).ConfigureAwait(false) is { } found)
            {
                backup = found;
                var html = MusterView.ConvenorOrder(texts, backup.Language, muster, updated, directory.RegionName(regionId), Offset, asBackup: true)
                    + "\n\n" + texts.Format(backup.Language, "mu.esc.backup", convenorName, Waited(backup.Language), sent);
                ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, backup.ChatId, new SendText(html, MusterView.ConvenorButtons(texts, backup.Language, muster, updated))) { Tag = "mc:" + MusterView.Num(muster.Number) });
            }

            // Says who was told: the backup convenor (by name) and the members, or the members only when there is no backup.
            var regionName = Texts.Html.Escape(directory.RegionName(regionId));
            await TellAdminsAsync(ctx, muster, language => MusterView.DrillLine(texts, language, muster.Plan) + (backup is null
                ? texts.Format(language, "mu.esc.admin_no_backup", muster.Code, regionName, convenorName, Waited(language), sent)
                : texts.Format(language, "mu.esc.admin", muster.Code, regionName, convenorName, Waited(language), Texts.Html.Escape(backup.FirstName), sent)), cancellationToken).ConfigureAwait(false);
        }
        else if (convenor is not null)
        {
            ctx.Effects.Send(convenor.ChatId, MusterView.DrillLine(texts, convenor.Language, muster.Plan) + texts.Format(convenor.Language, "mu.esc.sent_direct", muster.Code, sent), lane: Lane.Emergency);
        }

        updated = await PostToGroupsAsync(ctx, muster, updated, cancellationToken).ConfigureAwait(false);
        MusterStore.PutRegion(ctx.Effects, muster.Number, updated);

        // Live roll calls show the escalation (and the orders' deliveries) without waiting for the next answer.
        Touch(ctx, muster, regionId);
    }

    private static async ValueTask TellAdminsAsync(FlowContext ctx, Muster muster, Func<Language, string> html, CancellationToken cancellationToken)
    {
        var chats = new HashSet<long>(muster.AdminPanelChats) { muster.LaunchedBy };
        foreach (var chat in chats)
        {
            var profile = await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(chat), cancellationToken).ConfigureAwait(false);
            ctx.Effects.Send(chat, html(profile?.Language ?? Language.Zh), lane: Lane.Emergency);
        }
    }

    /// <summary>A reminder round: every told member who has not answered gets the order again (at most MaxReminders rounds).</summary>
    private async ValueTask RemindAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        if (muster.RemindersSent >= _options.MaxReminders)
        {
            return;
        }

        var round = muster.RemindersSent + 1;
        foreach (var region in muster.Regions.Where(r => r.MembersToldAt is not null))
        {
            var entries = await RollCall.LoadRegionAsync(ctx.Reader, muster.Number, region.RegionId, cancellationToken).ConfigureAwait(false);
            foreach (var entry in entries.Where(e => e.Answer.Status == CheckInStatus.NoAnswer && e.Profile is { BlockedBot: false } && e.Delivery != DeliveryStatus.Unreachable))
            {
                var profile = entry.Profile!;
                var html = texts.Format(profile.Language, "mu.reminder", round) + "\n\n" + MusterView.Order(texts, profile.Language, muster, Offset, entry.Answer.MatchedSkills);
                ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, profile.ChatId, new SendText(html, MusterView.CheckInButtons(texts, profile.Language, muster.Number)))
                {
                    Tag = "mr:" + MusterView.Num(muster.Number),
                });
            }
        }

        MusterStore.PutHeader(ctx.Effects, muster with { RemindersSent = round });
    }

    /// <summary>T2: a convenor whose region has answered below the configured share gets a nudge.</summary>
    private async ValueTask NudgeAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        foreach (var region in muster.Regions.Where(r => r.HasConvenor && r.Targeted > 0))
        {
            var counts = await RollCall.CountFromSetsAsync(ctx.Reader, muster, region, cancellationToken).ConfigureAwait(false);
            var share = (double)counts.Answered / counts.Targeted;
            if (share >= _options.NudgeBelowShare)
            {
                continue;
            }

            var percent = (int)Math.Round(share * 100);
            foreach (var convenorId in new[] { region.ConvenorId, region.EscalatedAt is null ? null : region.BackupConvenorId }.OfType<long>().Distinct())
            {
                if (await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(convenorId), cancellationToken).ConfigureAwait(false) is not { } convenor)
                {
                    continue;
                }

                var html = MusterView.DrillLine(texts, convenor.Language, muster.Plan)
                    + texts.Format(convenor.Language, "mu.nudge", muster.Code, Texts.Html.Escape(directory.RegionName(region.RegionId)), percent, counts.Of(CheckInStatus.NoAnswer));
                ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, convenor.ChatId, new SendText(html, new InlineMarkup([[
                    new InlineButton(texts.Get(convenor.Language, "mu.btn.noanswer"), new MusterButton.AskNonResponders(muster.Number, region.RegionId).Data)]]))));
            }
        }
    }
}
