using System.Globalization;
using MusterBot.State.Outbox;
using MusterBot.State.Records;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// The cards of an object (a complaint, a wish): messages the bot sent about it that are edited whenever the object
/// changes, so no chat keeps a stale status or buttons that no longer apply. A card is sent with an outbox tag of its
/// own (<see cref="Tag"/>) and edited later with <c>EditText.TargetTag</c> (the sender finds the message id; the edit
/// carries the tag too, so the newest delivery record of the tag keeps pointing at the message). Like
/// <see cref="Notices"/>, a card and its edits are held in emergency mode unless urgent, and released in order.
/// </summary>
public static class ObjectCards
{
    /// <summary>The tag of an object's <paramref name="sequence"/>-th card, e.g. <c>cp:12:3</c>.</summary>
    public static string Tag(string prefix, int number, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}:{number}:{sequence}");

    /// <summary>Sends a new card (tagged <see cref="ObjectCard.Tag"/>): urgent on the emergency lane, otherwise as a notice.</summary>
    public static void Send(FlowContext ctx, ObjectCard card, string html, Markup? markup, bool urgent)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(card);
        if (urgent || !ctx.Emergency)
        {
            ctx.Effects.Send(card.ChatId, html, markup, urgent ? Lane.Emergency : Lane.Normal, card.Tag);
            return;
        }

        Hold(ctx, new HeldNotice(card.ChatId, html, markup, ctx.Now) { Tag = card.Tag });
    }

    /// <summary>Edits a card to <paramref name="html"/> and <paramref name="markup"/> (no buttons when null).</summary>
    public static void Edit(FlowContext ctx, ObjectCard card, string html, InlineMarkup? markup, bool urgent)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(card);
        if (card.Tag is null && card.MessageId is null)
        {
            return;
        }

        if (urgent || !ctx.Emergency)
        {
            ctx.Effects.Publish(EditMessage(urgent ? Lane.Emergency : Lane.Normal, card.ChatId, card.Tag, card.MessageId, html, markup));
            return;
        }

        Hold(ctx, new HeldNotice(card.ChatId, html, markup, ctx.Now) { Tag = card.Tag, MessageId = card.MessageId, Edit = true });
    }

    /// <summary>The outbox message of a card's edit (also used when a held edit is released).</summary>
    public static OutboxMessage EditMessage(Lane lane, long chatId, string? tag, int? messageId, string html, InlineMarkup? markup) =>
        new(lane, chatId, new EditText(tag is null ? messageId ?? 0 : 0, html, markup) { TargetTag = tag }) { Tag = tag };

    private static void Hold(FlowContext ctx, HeldNotice notice)
    {
        var id = Guid.NewGuid().ToString("N");
        ctx.Effects.Put(DocKeys.HeldNotice(id), notice);
        ctx.Effects.AddToSet(Sets.HeldNotices, id);
    }
}
