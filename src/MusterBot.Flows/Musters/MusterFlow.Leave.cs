using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Musters;

public sealed partial class MusterFlow : ILeaveSection
{
    /// <summary>
    /// A convenor leaves: their seats in every open muster are emptied and their live roll calls stop. Where they led a
    /// region whose members were not told yet, the region is escalated at once as after AcknowledgeWithin: the order goes
    /// to its members directly, the backup convenor gets it, the administrators are told.
    /// </summary>
    public async ValueTask HandBackAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var me = ctx.Profile.Id;
        DirectorySnapshot? directory = null;
        foreach (var number in await OpenMusterNumbersAsync(ctx, cancellationToken).ConfigureAwait(false))
        {
            if (await MusterStore.LoadAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false) is not { IsOpen: true } muster)
            {
                continue;
            }

            foreach (var region in muster.Regions.Where(r => r.ConvenorId == me || r.BackupConvenorId == me || r.PanelChats.Contains(ctx.ChatId)))
            {
                var led = region.ConvenorId == me;
                var updated = region with
                {
                    ConvenorId = led ? null : region.ConvenorId,
                    BackupConvenorId = region.BackupConvenorId == me ? null : region.BackupConvenorId,
                    PanelChats = region.PanelChats.Where(chat => chat != ctx.ChatId).ToList(),
                };
                if (led)
                {
                    directory ??= await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
                    updated = await EscalateLeftAsync(ctx, muster, updated, directory, cancellationToken).ConfigureAwait(false);
                }

                MusterStore.PutRegion(ctx.Effects, muster.Number, updated);
                Touch(ctx, muster.WithRegion(updated), region.RegionId);
            }
        }
    }

    /// <summary>The region's convenor left: members not told yet get the order now, the backup and the administrators are told.</summary>
    private async ValueTask<MusterRegion> EscalateLeftAsync(FlowContext ctx, Muster muster, MusterRegion region, DirectorySnapshot directory, CancellationToken cancellationToken)
    {
        var name = Texts.Html.Escape(ctx.Profile.FirstName);
        var regionName = Texts.Html.Escape(directory.RegionName(region.RegionId));
        if (region.MembersToldAt is not null)
        {
            await TellAdminsAsync(ctx, muster, language => MusterView.DrillLine(texts, language, muster.Plan) + texts.Format(language, "mu.esc.admin_left_told", muster.Code, regionName, name), cancellationToken).ConfigureAwait(false);
            return region;
        }

        // The order goes to the region's members directly (not to the one leaving, whose profile goes with this commit).
        var ids = await ctx.Reader.MembersAsync(Sets.MusterTargets(muster.Number, region.RegionId), cancellationToken).ConfigureAwait(false);
        var members = await ctx.Reader.GetManyAsync<UserProfile>(ids.Select(id => DocKeys.User(long.Parse(id, CultureInfo.InvariantCulture))).ToList(), cancellationToken).ConfigureAwait(false);
        var sent = 0;
        foreach (var member in members.OfType<UserProfile>().Where(p => p.Id != ctx.Profile.Id))
        {
            SendMemberOrder(ctx, muster, region.RegionId, member);
            sent++;
        }

        var updated = await PostToGroupsAsync(ctx, muster, region with { MembersToldAt = ctx.Now, EscalatedAt = ctx.Now }, cancellationToken).ConfigureAwait(false);
        CancelTimer(ctx, new MusterTimer.Escalate(muster.Number, region.RegionId).Id);
        UserProfile? backup = null;
        if (region.BackupConvenorId is { } backupId
            && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(backupId), cancellationToken).ConfigureAwait(false) is { } found)
        {
            backup = found;
            var html = MusterView.ConvenorOrder(texts, backup.Language, muster, updated, directory.RegionName(region.RegionId), Offset, asBackup: true, convenorLeft: true)
                + "\n\n" + texts.Format(backup.Language, "mu.esc.backup_left", name, sent);
            ctx.Effects.Publish(new OutboxMessage(Lane.Emergency, backup.ChatId, new SendText(html, MusterView.ConvenorButtons(texts, backup.Language, muster, updated))) { Tag = "mc:" + MusterView.Num(muster.Number) });
        }

        await TellAdminsAsync(ctx, muster, language => MusterView.DrillLine(texts, language, muster.Plan) + (backup is null
            ? texts.Format(language, "mu.esc.admin_left_no_backup", muster.Code, regionName, name, sent)
            : texts.Format(language, "mu.esc.admin_left", muster.Code, regionName, name, Texts.Html.Escape(backup.FirstName), sent)), cancellationToken).ConfigureAwait(false);
        return updated;
    }
}
