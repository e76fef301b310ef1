using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Org;

namespace MusterBot.Flows.Org;

/// <summary>
/// A node's administrators: <see cref="OrgNode.Admins"/> (root shard) and each one's <see cref="UserProfile.AdminOf"/>
/// (in the shard where they live) are written together; the processor makes that one commit per shard.
/// </summary>
public static class OrgAdmins
{
    /// <summary>
    /// /start with a code: when it is an invitation to administer a node (<see cref="Invite.AppointsNodeAdmin"/>, or an
    /// administrator invitation for a node above a community written before that mark; stored in the root shard), redeems
    /// it and returns true; any other code is left to registration (a community's administrator invitation registers the
    /// person in that community as its administrator).
    /// </summary>
    public static async ValueTask<bool> TryRedeemAsync(FlowContext ctx, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var key = DocKeys.Invite(code).In(Shards.Root);
        var invite = await ctx.Reader.GetAsync<Invite>(key, cancellationToken).ConfigureAwait(false);
        if (invite is not { Role: Roles.Admin, NodeId: { } nodeId })
        {
            return false;
        }

        var node = await OrgFlow.ReadNodeAsync(ctx, nodeId, cancellationToken).ConfigureAwait(false);
        if (!invite.AppointsNodeAdmin && (node is null || node.Level == OrgLevel.Community))
        {
            // A community administrator's invitation (from the community's panel): registration, in that community.
            return false;
        }

        var menu = CommandCatalog.Menu(ctx.Roles, ctx.Language, ctx.Texts, ctx.Emergency);
        if (!invite.IsUsable(ctx.Now))
        {
            ctx.Reply(ctx.T("start.invite_invalid"), menu);
            return true;
        }

        if (node is null || node.RemovedAt is not null)
        {
            ctx.Reply(ctx.T("org.invite.node_gone"), menu);
            return true;
        }

        if (node.Admins.Contains(ctx.Event.UserId) && ctx.Profile.AdminOf.Contains(node.Id))
        {
            // Already an administrator here: the link stays usable for the person it was meant for.
            ctx.Reply(ctx.T("org.invite.already", Html.Escape(node.Name)), menu);
            return true;
        }

        ctx.Effects.Put(key, invite with { Uses = invite.Uses + 1 });
        Appoint(ctx, node);
        var (creator, _) = await ReadPersonAsync(ctx, invite.CreatedBy, cancellationToken).ConfigureAwait(false);
        if (creator is not null && creator.Id != ctx.Event.UserId)
        {
            ctx.Effects.Send(creator.ChatId, ctx.Texts.Format(creator.Language, "org.notice.appointed", Html.Escape(DisplayName(ctx.Profile)), Html.Escape(node.Name)), lane: Lane.Normal);
        }

        return true;
    }

    /// <summary>
    /// Makes the person of the decision an administrator of <paramref name="node"/>: the node lists them (root shard), their
    /// profile lists the node (their shard; they count as registered, so it never expires), their command menu gets
    /// /admin, and they are told what they can now do.
    /// </summary>
    public static void Appoint(FlowContext ctx, OrgNode node)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(node);
        var userId = ctx.Event.UserId;
        if (!node.Admins.Contains(userId))
        {
            ctx.Effects.Put(DocKeys.OrgNode(node.Id), node with { Admins = [.. node.Admins, userId] });
        }

        ctx.Profile = ctx.Profile with
        {
            AdminOf = ctx.Profile.AdminOf.Contains(node.Id) ? ctx.Profile.AdminOf : [.. ctx.Profile.AdminOf, node.Id],
            RegisteredAt = ctx.Profile.RegisteredAt ?? ctx.Now,
        };
        ctx.Effects.Publish(new OutboxMessage(Lane.Normal, ctx.ChatId, new SetChatCommands(true) { Language = ctx.Language }));
        var level = OrgFlow.LevelName(ctx, node.Level);
        var can = node.Level == OrgLevel.Community
            ? ctx.T("org.invite.can_community")
            : ctx.T("org.invite.can", OrgFlow.LevelName(ctx, node.Level + 1));
        ctx.Reply(ctx.T("org.invite.welcome", Html.Escape(node.Name), level, can), CommandCatalog.Menu(ctx.Roles, ctx.Language, ctx.Texts, ctx.Emergency));
    }

    /// <summary>
    /// Removes <paramref name="userId"/> from the node's administrators and the node from their profile (where they live),
    /// tells them, and takes /admin off their command menu when they administer nothing else. Returns the node after.
    /// </summary>
    public static OrgNode Dismiss(FlowContext ctx, OrgNode node, long userId, UserProfile? person, long shard)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(node);
        var after = node with { Admins = node.Admins.Where(id => id != userId).ToList() };
        ctx.Effects.Put(DocKeys.OrgNode(node.Id), after);
        if (person is not null)
        {
            var changed = person with { AdminOf = person.AdminOf.Where(id => id != node.Id).ToList() };
            if (changed.AdminOf.Count != person.AdminOf.Count)
            {
                ctx.Effects.PutProfile(person, changed, shard);
            }

            ctx.Effects.Send(person.ChatId, ctx.Texts.Format(person.Language, "org.notice.dismissed", Html.Escape(node.Name)), lane: Lane.Normal);
            if (changed.AdminOf.Count == 0 && !changed.Roles.HasFlag(Roles.Admin))
            {
                ctx.Effects.Publish(new OutboxMessage(Lane.Normal, person.ChatId, new SetChatCommands(false) { Language = person.Language }));
            }
        }

        return after;
    }

    /// <summary>Another person's profile, read where they live (<see cref="PersonHome"/>; none = the root shard), and that shard.</summary>
    public static async ValueTask<(UserProfile? Person, long Shard)> ReadPersonAsync(FlowContext ctx, long userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (userId == ctx.Event.UserId)
        {
            return (ctx.Profile, ctx.Shard);
        }

        var home = await ctx.Reader.GetAsync<PersonHome>(DocKeys.Home(userId), cancellationToken).ConfigureAwait(false);
        var shard = home?.Shard ?? Shards.Root;
        return (await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(userId).In(shard), cancellationToken).ConfigureAwait(false), shard);
    }

    public static string DisplayName(UserProfile person)
    {
        ArgumentNullException.ThrowIfNull(person);
        return string.IsNullOrEmpty(person.LastName) ? person.FirstName : person.FirstName + " " + person.LastName;
    }
}
