using System.Globalization;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Records;
using MusterBot.State.Records.Wishes;

namespace MusterBot.Flows.Wishes;

public sealed partial class WishFlow : ILeaveSection
{
    /// <summary>
    /// A member leaves: every wish they claimed and have not done yet is released as a release by the claimer is
    /// (open again, announced again, the administrators told), in the same commit as their leaving.
    /// </summary>
    public async ValueTask HandBackAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var me = ctx.Profile.Id;
        var numbers = (await ctx.Reader.MembersAsync(Sets.WishesClaimedBy(me), cancellationToken).ConfigureAwait(false))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
        var wishes = await ctx.Reader.GetManyAsync<Wish>(numbers.Select(DocKeys.Wish).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var wish in wishes.OfType<Wish>().Where(w => w.Status == WishStatus.Claimed && w.ClaimedBy == me))
        {
            var reopened = (wish with
            {
                Status = WishStatus.Open,
                ClaimedBy = null,
                ClaimedAt = null,
                AssignedBy = null,
                Releases = [.. wish.Releases, new WishRelease(me, ctx.Now, "left")],
            }).With(new WishEvent(ctx.Now, me, "released") { Detail = "claimer left" });
            Save(ctx, wish, reopened);
            ctx.Effects.CancelTimer(new WishTimer.Stale(wish.Number).Id);
            SetTimer(ctx, new WishTimer.Widen(wish.Number), ctx.Now + _options.WidenAfter);
            await AnnounceAsync(ctx, reopened, community: reopened.GridId is null || reopened.WidenedAt is not null, cancellationToken, except: me).ConfigureAwait(false);
            await TellStaffAsync(ctx, language => texts.Format(language, "wi.rv.claimer_left", wish.Code, Html.Escape(ctx.Profile.FirstName)), cancellationToken).ConfigureAwait(false);
        }
    }
}
