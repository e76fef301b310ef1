using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Stats;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;

namespace MusterBot.Flows.Complaints;

/// <summary>
/// The cards of a complaint: every message the bot sends about it with a status or buttons (to administrators, its
/// handlers, the filer and joiners) is recorded on the complaint (<see cref="Complaint.Cards"/>) and edited on every
/// change, so each shows the current status and only the buttons of that status (<see cref="ObjectCards"/>).
/// </summary>
public sealed partial class ComplaintFlow
{
    private const string CardTagPrefix = "cp";

    /// <summary>At most this many cards are kept per complaint (the oldest is then no longer edited).</summary>
    private const int MaxCards = 40;

    private static class View
    {
        public const string Admin = "admin";
        public const string Handler = "handler";
        public const string Resident = "resident";

        /// <summary>A resident's card of the latest result: the result, the feedback buttons, then the status.</summary>
        public const string Result = "result";
    }

    /// <summary>A card to send with a change: to whom, whose view, its head in their language; or the pressed message to turn into one.</summary>
    private sealed record NewCard(UserProfile Person, string View, Func<Language, string> Head)
    {
        public int? PressedMessageId { get; init; }
    }

    /// <summary>What a card shows besides the complaint: the grid names, the filer and the handler.</summary>
    private sealed record CardData(DirectorySnapshot Directory, UserProfile? Filer, UserProfile? Handler);

    /// <summary>
    /// Writes the complaint (and its index sets), edits every card it has when something they show changed, and sends
    /// the new cards (recorded on it) — all in this decision's commit.
    /// </summary>
    private async ValueTask SaveAsync(FlowContext ctx, Complaint before, Complaint after, CancellationToken cancellationToken, IReadOnlyList<NewCard>? cards = null)
    {
        var fresh = (cards ?? []).Where(c => !c.Person.BlockedBot).ToList();
        var changed = Shown(before) != Shown(after) && after.Cards.Count > 0;
        if (changed || fresh.Count > 0)
        {
            var data = await CardDataAsync(ctx, after, cancellationToken).ConfigureAwait(false);
            // A new result card replaces the person's older ones: they say so once, without buttons, and are no longer edited.
            var newResults = fresh.Where(c => c.View == View.Result).Select(c => c.Person.Id).ToHashSet();
            var retired = after.Cards.Where(c => c.View == View.Result && newResults.Contains(c.UserId)).ToList();
            foreach (var card in retired)
            {
                ObjectCards.Edit(ctx, card, texts.Format(card.Language, "cp.r.superseded", after.Code), null, after.Urgent);
            }

            if (changed)
            {
                foreach (var card in after.Cards.Except(retired))
                {
                    var (html, markup) = Render(card, after, data, ctx.Now);
                    ObjectCards.Edit(ctx, card, html, markup, after.Urgent);
                }
            }

            var list = after.Cards.Except(retired).ToList();
            var sent = after.CardsSent;
            foreach (var add in fresh)
            {
                var card = new ComplaintCard(add.Person.Id, add.Person.ChatId, add.View, add.Person.Language) { Head = add.Head(add.Person.Language) };
                if (add.PressedMessageId is { } messageId)
                {
                    card = card with { MessageId = messageId };
                    var (html, markup) = Render(card, after, data, ctx.Now);
                    ctx.Show(html, markup);
                }
                else
                {
                    card = card with { Tag = ObjectCards.Tag(CardTagPrefix, after.Number, ++sent) };
                    var (html, markup) = Render(card, after, data, ctx.Now);
                    ObjectCards.Send(ctx, card, html, markup, after.Urgent);
                }

                list.Add(card);
            }

            if (list.Count > MaxCards)
            {
                list.RemoveRange(0, list.Count - MaxCards);
            }

            after = after with { Cards = list, CardsSent = sent };
        }

        Save(ctx, before, after);
        await CommunityTally.ComplaintChangedAsync(ctx, before, after, _options.UtcOffset, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the cards show; when it is unchanged, no card is edited.</summary>
    private static string Shown(Complaint c) => string.Join(
        '|', c.Status, c.HandlerId, c.RespondBy.UtcTicks, c.ResolveBy.UtcTicks, c.Feedback, c.Followers.Count, c.Result, c.SupervisionReason, c.SupervisedAt?.UtcTicks, c.ResolvedAt is null);

    private static async ValueTask<CardData> CardDataAsync(FlowContext ctx, Complaint complaint, CancellationToken cancellationToken) =>
        new(await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false),
            await ProfileAsync(ctx, complaint.FiledBy, cancellationToken).ConfigureAwait(false),
            await ProfileAsync(ctx, complaint.HandlerId, cancellationToken).ConfigureAwait(false));

    /// <summary>A card as it should look now: its head, the complaint in the view's words, what to do next, and the buttons of the status.</summary>
    private (string Html, InlineMarkup? Markup) Render(ComplaintCard card, Complaint complaint, CardData data, DateTimeOffset now)
    {
        var language = card.Language;
        var sb = new StringBuilder(card.Head);
        void Line(string text)
        {
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }

            sb.Append(text);
        }

        if (card.View == View.Result)
        {
            // Rendered from the complaint, so it never shows a result that was reopened as if it stood.
            var result = Html.Escape(complaint.Result is { Length: > 0 } r ? r : "—");
            Line(complaint.Status is ComplaintStatus.Resolved or ComplaintStatus.Closed
                ? texts.Format(language, "cp.r.resolved", complaint.Code, result)
                : texts.Format(language, "cp.r.card_head", complaint.Code) + "\n" + texts.Format(language, "cp.card.last_result", result));
        }

        if (card.View is View.Resident or View.Result)
        {
            var filer = card.UserId == complaint.FiledBy;
            if (filer && complaint.Status == ComplaintStatus.Resolved && complaint.Feedback is null)
            {
                Line(texts.Get(language, "cp.r.feedback_ask"));
                return (sb.ToString(), FeedbackButtons(language, complaint));
            }

            Line(texts.Format(language, "cp.card.status_only", Status(language, complaint.Status)));
            if (filer && complaint.Feedback is { } given && complaint.Status is ComplaintStatus.Resolved or ComplaintStatus.Supervised or ComplaintStatus.Closed)
            {
                Line(texts.Format(language, "cp.card.your_feedback", texts.Get(language, "cp.fb." + given)));
            }

            var reopen = filer && complaint.Status == ComplaintStatus.Resolved && complaint.Feedback == Satisfaction.Dissatisfied
                && complaint.ResolvedAt is { } at && now <= at + _options.ReopenWithin;
            return (sb.ToString(), reopen ? new InlineMarkup([[new InlineButton(texts.Get(language, "cp.btn.reopen"), new ComplaintButton.Reopen(complaint.Number).Encode())]]) : null);
        }

        var admin = card.View == View.Admin;
        Line(Card(language, complaint, data.Filer, data.Handler, data.Directory, forAdmin: admin));
        if (complaint.Status == ComplaintStatus.Supervised)
        {
            // 督办: what the administrators and the handler need to act: the last result and what the resident said.
            Line(texts.Format(language, "cp.card.last_result", Html.Escape(complaint.Result is { Length: > 0 } result ? result : "—")));
            Line(texts.Format(language, "cp.card.resident_says", complaint.SupervisionReason is { } reason ? Html.Escape(reason) : texts.Get(language, "cp.card.not_yet")));
        }
        else if (complaint.Result is { Length: > 0 } result && complaint.Status is ComplaintStatus.Resolved or ComplaintStatus.Closed)
        {
            Line(texts.Format(language, "cp.card.result", Html.Escape(result)));
        }

        var current = card.UserId == complaint.HandlerId;
        var next = (admin, current, complaint.Status) switch
        {
            (true, _, ComplaintStatus.Unassigned) => "cp.next.assign",
            (true, _, ComplaintStatus.Supervised) => "cp.next.supervise",
            (false, true, ComplaintStatus.Assigned) => "cp.next.accept",
            (false, true, ComplaintStatus.InProgress) => "cp.next.resolve",
            (false, true, ComplaintStatus.Supervised) => "cp.next.redo",
            (false, false, not ComplaintStatus.Closed) when complaint.HandlerId is not null => "cp.next.moved",
            _ => null,
        };
        if (next is not null)
        {
            Line(texts.Get(language, next));
        }

        var markup = admin
            ? complaint.IsOpen ? AdminButtons(language, complaint) : null
            : current ? HandlerButtons(language, complaint) : null;
        return (sb.ToString(), markup);
    }

    /// <summary>A new card for each administrator (their view, with the filer's name) headed by <paramref name="head"/>.</summary>
    private async ValueTask<List<NewCard>> AdminCardsAsync(FlowContext ctx, Func<Language, string> head, CancellationToken cancellationToken) =>
        [.. (await AdminsAsync(ctx, cancellationToken).ConfigureAwait(false)).Select(admin => new NewCard(admin, View.Admin, head))];

    /// <summary>A new card for each resident of the complaint (the filer and those who joined) headed by <paramref name="head"/>.</summary>
    private static async ValueTask<List<NewCard>> ResidentCardsAsync(FlowContext ctx, Complaint complaint, string view, Func<Language, string> head, CancellationToken cancellationToken)
    {
        var cards = new List<NewCard>();
        foreach (var id in complaint.Audience)
        {
            if (await ProfileAsync(ctx, id, cancellationToken).ConfigureAwait(false) is { } person)
            {
                cards.Add(new NewCard(person, view, head));
            }
        }

        return cards;
    }
}
