using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Groups;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Musters;

/// <summary>
/// Musters in region groups (issue #20, point 2). When a region's members are told (relay, escalation, directly), the
/// order is also posted in the region's linked group with check-in buttons that any called member can press there, and
/// the region's roll call is posted once under it — pinned where the bot may pin — and edited in place by the same
/// refresh as the convenors' roll calls. A press in the group is checked against the muster's called list; everything
/// it leads to (ETA, reasons, the member's own order) goes to the presser's private chat. The group never sees a phone,
/// a reason for absence or who could not be reached.
/// </summary>
public sealed partial class MusterFlow
{
    public bool AllowsInGroup(string data) => MusterButton.Codec.Decode(data) is MusterButton.GroupCheckIn;

    /// <summary>The outbox tag of the order posted in a region's group (edited at the close).</summary>
    public static string GroupOrderTag(int number, string regionId) => $"mg:{MusterView.Num(number)}:{regionId}";

    /// <summary>
    /// Posts the order and the roll call in every linked group of the region the bot may post in and that has not had
    /// them yet; returns the region with those groups added (the caller stores it).
    /// </summary>
    private async ValueTask<MusterRegion> PostToGroupsAsync(FlowContext ctx, Muster muster, MusterRegion region, CancellationToken cancellationToken)
    {
        if (region.Workplace is not null || region.RegionId == Muster.NoRegion)
        {
            return region;
        }

        var ids = await ctx.Reader.MembersAsync(Sets.GroupFor(ctx.Shard, GroupTarget.Region, region.RegionId), Shards.Root, cancellationToken).ConfigureAwait(false);
        if (ids.Count == 0)
        {
            return region;
        }

        var links = (await ctx.Reader.GetManyAsync<GroupLink>(ids.Select(id => DocKeys.Group(long.Parse(id, CultureInfo.InvariantCulture))).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<GroupLink>()
            .Where(l => l.CanPost && l.Community == ctx.Shard && !region.GroupChats.Contains(l.ChatId))
            .ToList();
        if (links.Count == 0)
        {
            return region;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var view = await RollCall.LoadShownAsync(ctx.Reader, muster, region, cancellationToken).ConfigureAwait(false);
        var chats = region.GroupChats.ToList();
        foreach (var link in links)
        {
            var language = link.Language;
            var regionName = RegionName(directory, region, language);
            ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, link.ChatId, new SendText(GroupOrder(language, muster, regionName), GroupCheckInButtons(language, ctx.Shard, muster.Number)))
            {
                Tag = GroupOrderTag(muster.Number, region.RegionId),
            });
            var html = RollCall.RenderGroup(texts, language, muster, regionName, view, ctx.Now, Offset);
            var tag = RollCall.Tag(muster.Number, link.ChatId, region.RegionId);
            ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, link.ChatId, new SendText(html) { DisableNotification = true }) { Tag = tag });
            if (link.CanPin)
            {
                ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, link.ChatId, new PinMessage(0) { TargetTag = tag }));
            }

            ctx.Effects.Put(DocKeys.RollCallPanel(muster.Number, link.ChatId, region.RegionId), new RollCallPanel(muster.Number, link.ChatId, region.RegionId)
            {
                LastHtml = html,
                LastAt = ctx.Now,
                InGroup = true,
                Language = language,
            });
            chats.Add(link.ChatId);
        }

        ArmRefresh(ctx, muster.Number, keepExisting: true);
        return region with { GroupChats = chats };
    }

    /// <summary>The order as a region's group reads it: the members' order, for whom it is, and that answers stay private.</summary>
    private string GroupOrder(Language language, Muster muster, string regionName) =>
        MusterView.Order(texts, language, muster, Offset, [], askToAnswer: false) + "\n\n"
        + texts.Format(language, "mu.grp.order_for", Html.Escape(regionName)) + "\n"
        + texts.Get(language, "mu.grp.order_hint");

    private InlineMarkup GroupCheckInButtons(Language language, long community, int number)
    {
        InlineButton Button(CheckInStatus status) => new(MusterView.StatusName(texts, language, status), new MusterButton.GroupCheckIn(community, number, status).Data);
        return new InlineMarkup([
            [Button(CheckInStatus.Acknowledged), Button(CheckInStatus.OnTheWay)],
            [Button(CheckInStatus.Arrived), Button(CheckInStatus.CantCome)]]);
    }

    /// <summary>
    /// A check-in pressed in a group: only a member the muster called (in this community) may answer there; anyone else
    /// is told, politely and only them, that the order is not for them. The answer is then decided exactly as in private.
    /// </summary>
    private async ValueTask OnGroupCheckInAsync(FlowContext ctx, MusterStep step, MusterButton.GroupCheckIn button, CancellationToken cancellationToken)
    {
        if (button.Community != ctx.Shard)
        {
            // The presser does not live in the community whose muster this is: they cannot be on its list.
            ctx.AnswerButton(ctx.T("mu.grp.not_for_you"), alert: true);
            return;
        }

        await ctx.Reader.PrefetchAsync([DocKeys.Muster(button.Number), DocKeys.MusterAnswer(button.Number, ctx.Profile.Id)], cancellationToken).ConfigureAwait(false);
        var muster = await MusterStore.LoadHeaderAsync(ctx.Reader, button.Number, cancellationToken).ConfigureAwait(false);
        if (muster is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"), alert: true);
            return;
        }

        var answer = await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        if (!muster.IsOpen)
        {
            ctx.AnswerButton(ctx.T("mu.closed", muster.Code), alert: true);
            return;
        }

        if (answer is null)
        {
            ctx.AnswerButton(ctx.T("mu.grp.not_for_you"), alert: true);
            return;
        }

        await OnAnswerButtonAsync(ctx, step, new MusterButton.CheckIn(muster.Number, button.Status), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Before a refresh: a region's group that is no longer linked to it (unlinked, the bot removed, or the group became a
    /// supergroup — its link moved to the new id) is dropped from the region, and the order and roll call are posted
    /// in the groups linked to it now (the new id of a migrated group). Returns the muster with those regions.
    /// </summary>
    private async ValueTask<Muster> FollowGroupsAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        foreach (var region in muster.Regions.Where(r => r.GroupChats.Count > 0).ToList())
        {
            var links = await ctx.Reader.GetManyAsync<GroupLink>(region.GroupChats.Select(DocKeys.Group).ToList(), cancellationToken).ConfigureAwait(false);
            var gone = region.GroupChats.Where((chat, i) => links[i] is not { Target: GroupTarget.Region } link || link.TargetId != region.RegionId || link.Community != ctx.Shard).ToList();
            if (gone.Count == 0)
            {
                continue;
            }

            foreach (var chat in gone)
            {
                ctx.Effects.Delete(DocKeys.RollCallPanel(muster.Number, chat, region.RegionId));
            }

            var kept = region with { GroupChats = [.. region.GroupChats.Except(gone)] };
            var posted = await PostToGroupsAsync(ctx, muster, kept, cancellationToken).ConfigureAwait(false);
            MusterStore.PutRegion(ctx.Effects, muster.Number, posted);
            muster = muster.WithRegion(posted);
        }

        return muster;
    }

    /// <summary>At the close: each group's roll call shows the final count, the order loses its buttons and the roll call is unpinned.</summary>
    private async ValueTask CloseGroupsAsync(FlowContext ctx, Muster closed, MusterRegion region, IReadOnlyList<RollCall.Entry> entries, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        if (region.GroupChats.Count == 0)
        {
            return;
        }

        var view = RollCall.ViewOf(closed, entries);
        var links = await ctx.Reader.GetManyAsync<GroupLink>(region.GroupChats.Select(DocKeys.Group).ToList(), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < region.GroupChats.Count; i++)
        {
            var chat = region.GroupChats[i];
            var panel = await ctx.Reader.GetAsync<RollCallPanel>(DocKeys.RollCallPanel(closed.Number, chat, region.RegionId), cancellationToken).ConfigureAwait(false);
            var language = panel?.Language ?? links[i]?.Language ?? Language.Zh;
            var regionName = RegionName(directory, region, language);
            var tag = RollCall.Tag(closed.Number, chat, region.RegionId);
            ctx.Effects.Publish(new OutboxMessage(Lane.Normal, chat, new EditText(0, RollCall.RenderGroup(texts, language, closed, regionName, view, ctx.Now, Offset), null) { TargetTag = tag }));
            ctx.Effects.Publish(new OutboxMessage(Lane.Normal, chat, new EditText(0, GroupOrder(language, closed, regionName) + "\n\n" + texts.Get(language, "mu.grp.closed"), null)
            {
                TargetTag = GroupOrderTag(closed.Number, region.RegionId),
            }));
            if (links[i] is { CanPin: true })
            {
                ctx.Effects.Publish(new OutboxMessage(Lane.Normal, chat, new PinMessage(0, Unpin: true) { TargetTag = tag }));
            }
        }
    }
}
