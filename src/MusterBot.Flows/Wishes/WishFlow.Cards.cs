using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Wishes;

namespace MusterBot.Flows.Wishes;

/// <summary>
/// The cards of a wish (<see cref="ObjectCards"/>): every message about it in someone's chat follows its state. Review
/// cards (administrators and the grid's workers) show the status and the staff buttons that still apply; announcements
/// lose their claim button once someone took the wish (the claimer's own becomes their card); the claimer's card, the
/// resident's confirmation and the resident's "done, please rate" message drop buttons that no longer apply.
/// </summary>
public sealed partial class WishFlow
{
    private const string CardReview = "review";
    private const string CardAnnounce = "announce";
    private const string CardAnnounceAll = "announce_all";
    private const string CardClaimer = "claimer";
    private const string CardFiled = "filed";
    private const string CardDone = "done";

    private static string CardKey(Wish wish) => "wish:" + Num(wish.Number);

    /// <summary>What the cards of a wish are drawn from: the wish and the people it names.</summary>
    private sealed record CardScene(Wish Wish, UserProfile? Resident, UserProfile? Claimer, DirectorySnapshot Directory)
    {
        /// <summary>The community (shard) the wish lives in: a group's claim button names it.</summary>
        public long Community { get; init; }
    }

    private static async ValueTask<CardScene> SceneAsync(FlowContext ctx, Wish wish, CancellationToken cancellationToken) => new(
        wish,
        wish.ResidentId == ctx.Profile.Id ? ctx.Profile : await ProfileAsync(ctx, wish.ResidentId, cancellationToken).ConfigureAwait(false),
        wish.ClaimedBy == ctx.Profile.Id ? ctx.Profile : await ProfileAsync(ctx, wish.ClaimedBy, cancellationToken).ConfigureAwait(false),
        await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false)) { Community = ctx.Shard };

    /// <summary>
    /// Writes the wish (status sets too) and edits every card of it that now looks different. Cards in
    /// <paramref name="fresh"/> were sent or shown by this decision and are left alone.
    /// </summary>
    private async ValueTask SaveAsync(FlowContext ctx, Wish before, Wish after, CancellationToken cancellationToken, params ObjectCard[] fresh)
    {
        var cards = after.Cards;
        foreach (var card in fresh)
        {
            cards = ObjectCards.With(cards, card);
        }

        after = after with { Cards = cards };
        Save(ctx, before, after);
        await Stats.CommunityTally.WishChangedAsync(ctx, before, after, _options.UtcOffset, null, cancellationToken).ConfigureAwait(false);
        if (before.Cards.Count == 0)
        {
            return;
        }

        var was = await SceneAsync(ctx, before, cancellationToken).ConfigureAwait(false);
        var now = await SceneAsync(ctx, after, cancellationToken).ConfigureAwait(false);
        ObjectCards.RefreshChanged(ctx, before.Cards, card => RenderCard(card, was), card => RenderCard(card, now), fresh);
    }

    /// <summary>One card of the wish as it should look now (null: a kind this version does not know; left alone).</summary>
    private CardView? RenderCard(ObjectCard card, CardScene scene)
    {
        var language = card.Language;
        var mine = scene.Claimer is { } claimer && claimer.ChatId == card.ChatId;
        return card.Kind switch
        {
            CardReview => StaffCard(language, scene),
            // An announcement to someone who claimed the wish: often the very message that became their card (the claim
            // button was pressed there), which the claimer card keeps up to date; it is left alone.
            CardAnnounce or CardAnnounceAll when scene.Wish.Cards.Any(c => c.ChatId == card.ChatId && c.Kind == CardClaimer) => null,
            CardAnnounce or CardAnnounceAll when mine => ClaimerCard(language, scene),
            CardAnnounce or CardAnnounceAll => AnnouncementCard(language, scene, card.Kind == CardAnnounceAll),
            CardClaimer when mine => ClaimerCard(language, scene),
            CardClaimer => new CardView(WishView.Public(texts, language, scene.Wish, scene.Directory) + "\n" + texts.Get(language, "wi.m.card_released"), null),
            CardFiled => FiledCard(language, scene.Wish),
            CardGroup => GroupCard(language, scene),
            CardDone => DoneCard(language, scene),
            _ => null,
        };
    }

    /// <summary>Administrators and grid workers: everything, the status, and what staff can still do.</summary>
    private CardView StaffCard(Language language, CardScene scene)
    {
        var wish = scene.Wish;
        var html = (wish.Status == WishStatus.Pending ? texts.Get(language, "wi.rv.new") + "\n" : string.Empty)
            + WishView.ForStaff(texts, language, wish, scene.Resident, scene.Claimer, scene.Directory);
        InlineMarkup? markup = wish.Status switch
        {
            WishStatus.Pending => ReviewButtons(language, wish),
            WishStatus.Open => new InlineMarkup([[new InlineButton(texts.Get(language, "wi.btn.assign"), new WishButton.AssignList(wish.Number, 0).Encode())]]),
            _ => null,
        };
        return new CardView(html, markup);
    }

    /// <summary>
    /// An announcement to a member who has not taken it: the claim button while it is open; once taken, "already taken"
    /// (the same words while claimed, done and closed, so those changes edit nothing).
    /// </summary>
    private CardView AnnouncementCard(Language language, CardScene scene, bool community)
    {
        var wish = scene.Wish;
        var html = texts.Get(language, community ? "wi.m.announce_community" : "wi.m.announce") + "\n" + WishView.Public(texts, language, wish, scene.Directory);
        return wish.Status switch
        {
            WishStatus.Open => new CardView(html, ClaimButton(language, wish)),
            WishStatus.Claimed or WishStatus.Done or WishStatus.Closed => new CardView(html + "\n" + texts.Get(language, "wi.m.card_taken"), null),
            _ => new CardView(html + "\n" + texts.Format(language, "wi.card.status", WishView.Status(texts, language, wish.Status)), null),
        };
    }

    /// <summary>The claimer's card: whom to contact, and "done" / "give back" while it is theirs to do.</summary>
    private CardView ClaimerCard(Language language, CardScene scene)
    {
        var wish = scene.Wish;
        var body = WishView.ForClaimer(texts, language, wish, scene.Resident, scene.Directory);
        if (wish.Status == WishStatus.Claimed)
        {
            var head = texts.Format(language, wish.AssignedBy is null ? "wi.m.claimed_head" : "wi.m.assigned_to_you", wish.Code);
            return new CardView(head + "\n" + body, ClaimerButtons(language, wish));
        }

        var html = texts.Format(language, "wi.my.claimed", wish.Code, WishView.Status(texts, language, wish.Status)) + "\n" + body;
        if (wish.Rating is { } stars)
        {
            html += "\n" + texts.Format(language, "wi.card.rating", WishView.Stars(stars), Html.Escape(wish.RatingComment ?? string.Empty)).TrimEnd();
        }

        return new CardView(html, null);
    }

    /// <summary>The resident's "received" message: the withdraw button while nobody has taken the wish.</summary>
    private CardView FiledCard(Language language, Wish wish) => new(
        texts.Format(language, "wi.f.filed", wish.Code),
        wish.Status is WishStatus.Pending or WishStatus.Open
            ? new InlineMarkup([[new InlineButton(texts.Get(language, "wi.btn.withdraw"), new WishButton.Withdraw(wish.Number).Encode())]])
            : null);

    /// <summary>The resident's "done, please confirm" message: rating and "not done yet" while it waits for them.</summary>
    private CardView DoneCard(Language language, CardScene scene)
    {
        var wish = scene.Wish;
        var html = texts.Format(language, "wi.r.done", wish.Code, Html.Escape(scene.Claimer?.FirstName ?? "—"));
        if (wish.DoneNote is { Length: > 0 } note)
        {
            html += "\n" + texts.Format(language, "wi.r.done_note", Html.Escape(note));
        }

        return wish.Status switch
        {
            WishStatus.Done => new CardView(html + "\n" + texts.Get(language, "wi.r.rate_ask"), RatingButtons(language, wish)),
            WishStatus.Closed when wish.Rating is { } stars => new CardView(html + "\n" + texts.Format(language, "wi.r.rated", WishView.Stars(stars)), null),
            WishStatus.Claimed => new CardView(html + "\n" + texts.Get(language, "wi.r.card_not_done"), null),
            _ => new CardView(html + "\n" + texts.Format(language, "wi.card.status", WishView.Status(texts, language, wish.Status)), null),
        };
    }
}
