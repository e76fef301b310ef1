using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;

namespace MusterBot.Flows.Registration;

/// <summary>
/// What opening an invitation link does: the one place where an invitation (found in the root shard, whatever community
/// made it) is redeemed. The person joins the invitation's community (moved there first, then decided again there) and
/// registers with what the invitation fixes; registration takes the use when it is confirmed. A workplace region's
/// invitation (a street, district or city node) moves nobody: only communities are homes.
/// </summary>
public static class InviteRedemption
{
    /// <summary>Opens a usable invitation for the person in <paramref name="ctx"/>.</summary>
    public static async ValueTask OpenAsync(FlowContext ctx, Invite invite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(invite);
        var community = Communities.Of(invite);
        var node = community == ctx.Shard ? null : await Communities.GetAsync(ctx.Reader, community, cancellationToken).ConfigureAwait(false);
        // A workplace region's invitation (its node is a street, a district or the city): only communities are homes, so
        // nobody moves into that node's shard. The person registers where they live (a visitor: nowhere yet, and reports
        // in to a community afterwards) and joins the region in its node (InService/Workplace).
        var workplace = community != ctx.Shard && node is null && await IsWorkplaceAsync(ctx, invite, cancellationToken).ConfigureAwait(false);
        if (community != ctx.Shard && node is null && !workplace)
        {
            if (!(Communities.IsOwn(ctx, invite) && !await Communities.HasTreeAsync(ctx.Reader, cancellationToken).ConfigureAwait(false)))
            {
                // The invitation's community is gone (or was never one): the link is not valid.
                ctx.Reply(ctx.T("start.invite_invalid"), Menu(ctx));
                return;
            }

            // A store without an organisation tree: everybody lives in the root shard, as before.
        }
        else if (node is not null)
        {
            if (Communities.Settled(ctx))
            {
                // A resident, member or staff member of another community is never moved by a link: staff move people.
                var own = await Communities.NameAsync(ctx.Reader, ctx.Shard, cancellationToken).ConfigureAwait(false);
                ctx.Reply(ctx.T("reg.invite.other_community", Html.Escape(own), Html.Escape(node.Name)), Menu(ctx));
                return;
            }

            ctx.MoveFirst(node.Id);
            return;
        }

        var kind = invite.Role switch
        {
            Roles.Convenor => RegKind.Convenor,
            Roles.Handler => RegKind.Handler,
            Roles.Resident => RegKind.Resident,
            _ => RegKind.Member,
        };
        ctx.Reply(ctx.T("start.invite_welcome", Html.Escape(ctx.Profile.FirstName), CommandCatalog.RoleNames(RegistrationFlow.RolesOf(kind), ctx.Language, ctx.Texts)));
        await RegistrationFlow.BeginAsync(ctx, kind, invite, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the invitation is for a workplace region of a live node above the communities.</summary>
    private static async ValueTask<bool> IsWorkplaceAsync(FlowContext ctx, Invite invite, CancellationToken cancellationToken) =>
        invite is { NodeId: { } nodeId, RegionId: not null }
        && InService.Workplace.HoldsWorkRegions(await InService.Workplace.NodeAsync(ctx.Reader, nodeId, cancellationToken).ConfigureAwait(false));

    private static State.Outbox.ReplyKeyboard Menu(FlowContext ctx) => CommandCatalog.Menu(ctx.Roles, ctx.Language, ctx.Texts, ctx.Emergency);
}
