using System.Globalization;
using MusterBot.Flows.Runtime;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Groups;
using MusterBot.State.Records.Wishes;

namespace MusterBot.Flows.Wishes;

/// <summary>
/// Wishes in grid groups (issue #20, point 3). An approved wish of a grid is also announced in the grid's linked group
/// (and the group of the resident's building, if linked)
/// with a claim button: the public view only (the code, category, grid and what is wished; never the resident's name,
/// phone or building). The announcement is one of the wish's cards, so it follows the wish: "taken" once a member
/// claims it, the button back if it is given back. A press there is the presser's own claim, checked as in private —
/// the first claim wins — and everything it leads to (the resident's contact) goes to their private chat.
/// </summary>
public sealed partial class WishFlow
{
    private const string CardGroup = "group";

    /// <summary>Announces the wish in its grid's linked groups and its resident's building's the bot may post in (held in emergency mode, like any notice); returns their cards.</summary>
    private async ValueTask<List<ObjectCard>> AnnounceInGroupsAsync(FlowContext ctx, Wish wish, CardScene scene, CancellationToken cancellationToken)
    {
        var cards = new List<ObjectCard>();
        if (wish.GridId is null)
        {
            return cards;
        }

        var ids = (await ctx.Reader.MembersAsync(Sets.GroupFor(ctx.Shard, GroupTarget.Grid, wish.GridId), Shards.Root, cancellationToken).ConfigureAwait(false)).ToList();
        if (scene.Resident is { BuildingId: { } building } resident && resident.GridId == wish.GridId)
        {
            // The group of the resident's building too (the building is not named there: the grid is).
            ids.AddRange(await ctx.Reader.MembersAsync(Sets.GroupFor(ctx.Shard, GroupTarget.Building, wish.GridId + "/" + building), Shards.Root, cancellationToken).ConfigureAwait(false));
        }

        if (ids.Count == 0)
        {
            return cards;
        }

        var links = await ctx.Reader.GetManyAsync<GroupLink>(ids.Select(id => DocKeys.Group(long.Parse(id, CultureInfo.InvariantCulture))).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var link in links.OfType<GroupLink>().Where(l => l.CanPost && l.Community == ctx.Shard && wish.Cards.All(c => c.ChatId != l.ChatId)))
        {
            var tag = ObjectCards.Tag(CardKey(wish), CardGroup);
            var view = GroupCard(link.Language, scene);
            Notices.Notify(ctx, link.ChatId, view.Html, view.Markup, tag);
            cards.Add(new ObjectCard(link.ChatId, tag, CardGroup, link.Language));
        }

        return cards;
    }

    /// <summary>The announcement in a group: the public view, and the claim button while the wish is open.</summary>
    private CardView GroupCard(Language language, CardScene scene)
    {
        var wish = scene.Wish;
        var html = texts.Get(language, "wi.m.announce") + "\n" + WishView.Public(texts, language, wish, scene.Directory);
        return wish.Status switch
        {
            WishStatus.Open => new CardView(html + "\n\n" + texts.Get(language, "wi.grp.hint"), new InlineMarkup([[
                new InlineButton(texts.Format(language, "wi.btn.claim", wish.Code), new WishButton.GroupClaim(scene.Community, wish.Number).Encode())]])),
            WishStatus.Claimed or WishStatus.Done or WishStatus.Closed => new CardView(html + "\n" + texts.Get(language, "wi.m.card_taken"), null),
            _ => new CardView(html + "\n" + texts.Format(language, "wi.card.status", WishView.Status(texts, language, wish.Status)), null),
        };
    }

    /// <summary>"Claim" pressed in a group: only a member of the wish's community may claim it; then as any claim.</summary>
    private async ValueTask GroupClaimAsync(FlowContext ctx, WishButton.GroupClaim claim, CancellationToken cancellationToken)
    {
        if (claim.Community != ctx.Shard || !IsMember(ctx))
        {
            ctx.AnswerButton(ctx.T("wi.grp.members_only"), alert: true);
            return;
        }

        if (claim.Number < 0 || await ctx.Reader.GetAsync<Wish>(DocKeys.Wish(claim.Number), cancellationToken).ConfigureAwait(false) is not { } wish)
        {
            ctx.AnswerButton(ctx.T("button.stale"), alert: true);
            return;
        }

        await ClaimAsync(ctx, wish, null, cancellationToken).ConfigureAwait(false);
    }
}
