using System.Globalization;
using MusterBot.Flows.Events;
using MusterBot.State.Outbox;
using MusterBot.State.Records;

namespace MusterBot.Flows.Runtime;

/// <summary>What a card shows: its text and its buttons.</summary>
public sealed record CardView(string Html, InlineMarkup? Markup)
{
    /// <summary>Same text and same buttons (labels and callback data), row by row.</summary>
    public bool SameAs(CardView? other) =>
        other is not null && Html == other.Html && Flatten(Markup).SequenceEqual(Flatten(other.Markup), StringComparer.Ordinal);

    private static IEnumerable<string> Flatten(InlineMarkup? markup) =>
        markup is null ? [] : markup.Rows.SelectMany((row, i) => row.Select(b => i + "\u0001" + b.Text + "\u0001" + b.CallbackData + "\u0001" + b.Url));
}

/// <summary>
/// The cards of an object (a wish, a complaint): messages in other people's chats that must show the object's current
/// state and only the buttons that still apply. Each card is sent with an outbox tag <c>{object}:{kind}</c> (one card
/// per chat and kind; a newer one of the same kind takes over) and recorded on the object as an <see cref="ObjectCard"/>;
/// on every change the flow renders each card for the state before and after and edits only those that look different
/// (<see cref="Refresh"/>), aiming the edit at the tag (<c>EditText.TargetTag</c>), so it needs no Telegram message id
/// and the sender coalesces edits of the same message.
/// </summary>
public static class ObjectCards
{
    /// <summary>The outbox tag of an object's card of a kind, e.g. <c>wish:12:review</c>.</summary>
    public static string Tag(string objectKey, string kind) => objectKey + ":" + kind;

    /// <summary>The cards with <paramref name="card"/> recorded (replacing the one of the same chat and kind).</summary>
    public static IReadOnlyList<ObjectCard> With(IReadOnlyList<ObjectCard> cards, ObjectCard card)
    {
        ArgumentNullException.ThrowIfNull(cards);
        ArgumentNullException.ThrowIfNull(card);
        return [.. cards.Where(c => c.ChatId != card.ChatId || c.Kind != card.Kind), card];
    }

    /// <summary>Sends a card to a person as a normal-time notice (held in emergency mode) with its tag; returns the card to record.</summary>
    public static ObjectCard Notify(FlowContext ctx, UserProfile person, string objectKey, string kind, CardView view)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(view);
        var tag = Tag(objectKey, kind);
        Notices.Notify(ctx, person.ChatId, view.Html, view.Markup, tag);
        return new ObjectCard(person.ChatId, tag, kind, person.Language);
    }

    /// <summary>
    /// Shows a card in the presser's own chat: after a press, edits the pressed message (and tags that edit, so later
    /// edits find the message); otherwise sends it. Returns the card to record.
    /// </summary>
    public static ObjectCard Show(FlowContext ctx, string objectKey, string kind, CardView view)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(view);
        var tag = Tag(objectKey, kind);
        ctx.AnswerButton();
        OutgoingAction action = ctx.PressedMessageId is { } messageId
            ? new EditText(messageId, view.Html, view.Markup)
            : new SendText(view.Html, view.Markup);
        ctx.Effects.Publish(new OutboxMessage(Lane.Reply, ctx.ChatId, action) { Tag = tag });
        return new ObjectCard(ctx.ChatId, tag, kind, ctx.Language);
    }

    /// <summary>
    /// Edits every card whose view changed: <paramref name="render"/> gives a card's view (null: leave it as it is).
    /// Cards in <paramref name="skip"/> (shown or sent afresh in this decision) are left alone. Returns how many edits.
    /// </summary>
    public static int Refresh(FlowContext ctx, IEnumerable<ObjectCard> cards, Func<ObjectCard, CardView?> render, IReadOnlyCollection<ObjectCard>? skip = null)
    {
        ArgumentNullException.ThrowIfNull(cards);
        ArgumentNullException.ThrowIfNull(render);
        var edits = 0;
        foreach (var card in cards)
        {
            if (skip is not null && skip.Any(s => s.ChatId == card.ChatId && s.Tag == card.Tag))
            {
                continue;
            }

            if (render(card) is { } view)
            {
                Notices.NotifyEdit(ctx, card.ChatId, card.Tag, view.Html, view.Markup);
                edits++;
            }
        }

        return edits;
    }

    /// <summary>
    /// Edits every card that looks different after the change (<paramref name="before"/> and <paramref name="after"/>
    /// render one card for the object as it was and as it is).
    /// </summary>
    public static int RefreshChanged(FlowContext ctx, IEnumerable<ObjectCard> cards, Func<ObjectCard, CardView?> before, Func<ObjectCard, CardView?> after, IReadOnlyCollection<ObjectCard>? skip = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return Refresh(ctx, cards, card => after(card) is { } now && !now.SameAs(before(card)) ? now : null, skip);
    }

    // A complaint's cards (ComplaintCard: numbered tags, a kept head, held edits by tag or message id).

    /// <summary>The tag of an object's <paramref name="sequence"/>-th card, e.g. <c>cp:12:3</c>.</summary>
    public static string Tag(string prefix, int number, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}:{number}:{sequence}");

    /// <summary>Sends a new card (tagged <see cref="ComplaintCard.Tag"/>): urgent on the emergency lane, otherwise as a notice.</summary>
    public static void Send(FlowContext ctx, ComplaintCard card, string html, Markup? markup, bool urgent)
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
    public static void Edit(FlowContext ctx, ComplaintCard card, string html, InlineMarkup? markup, bool urgent)
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
