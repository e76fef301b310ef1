using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Wishes;

namespace MusterBot.Flows.Wishes;

public sealed partial class WishFlow
{
    /// <summary>/wish: text → optional photo → category → optional wanted-by date → confirm.</summary>
    private void BeginFiling(FlowContext ctx)
    {
        if (ctx.Profile.RegisteredAt is null)
        {
            ctx.Reply(ctx.T("wi.f.register_first"), Menu(ctx));
            return;
        }

        Move(ctx, WishStep.Idle, WishTrigger.Begin, []);
        ctx.Reply(ctx.T("wi.f.ask_text", MaxTextLength), CancelFiling(ctx));
    }

    /// <summary>
    /// "File it as a micro-wish" under the main flow's answer to free text: the text the resident typed (kept in their
    /// conversation) becomes the wish's text and filing goes on at the photo step.
    /// </summary>
    private void BeginWithText(FlowContext ctx)
    {
        var text = ctx.Conversation.Flow == MainFlow.FlowName ? ctx.Conversation.Data.GetValueOrDefault(MainFlow.FreeTextKey)?.Trim() : null;
        if (text is not { Length: > 0 } || text.Length > MaxTextLength)
        {
            ctx.AnswerButton(ctx.T("button.expired_hint"));
            return;
        }

        if (ctx.Profile.RegisteredAt is null)
        {
            ctx.AnswerButton();
            ctx.Reply(ctx.T("wi.f.register_first"), Menu(ctx));
            return;
        }

        ctx.AnswerButton();
        if (ctx.Event is ButtonPressed { MessageId: { } messageId })
        {
            ctx.Effects.EditMarkup(ctx.ChatId, messageId, null);
        }

        Move(ctx, WishStep.Idle, WishTrigger.Begin, []);
        Move(ctx, WishStep.Text, WishTrigger.Typed, new Dictionary<string, string> { ["text"] = text });
        ctx.Reply(ctx.T("wi.f.text_taken", Html.Escape(text)) + "\n" + ctx.T("wi.f.ask_photo"), PhotoButtons(ctx));
    }

    private static InlineMarkup CancelFiling(FlowContext ctx) => new([[CancelFilingButton(ctx)]]);

    private static InlineButton CancelFilingButton(FlowContext ctx) => new(ctx.T("button.cancel"), new WishButton.CancelFiling().Encode());

    /// <summary>Input a filing step accepts (the conversation machine said so): the wish's text, its photo, a typed date.</summary>
    private async ValueTask OnFilingInputAsync(FlowContext ctx, WishStep step, WishTrigger trigger, CancellationToken cancellationToken)
    {
        var data = new Dictionary<string, string>(ctx.Conversation.Data);
        switch (ctx.Event)
        {
            case TextReceived text when step == WishStep.Text:
                var wishText = text.Text.Trim();
                if (wishText.Length == 0 || wishText.Length > MaxTextLength)
                {
                    ctx.Reply(ctx.T("wi.f.text_length", MaxTextLength, wishText.Length), CancelFiling(ctx));
                    return;
                }

                data["text"] = wishText;
                Move(ctx, step, trigger, data);
                ctx.Reply(ctx.T("wi.f.ask_photo"), PhotoButtons(ctx));
                return;
            case PhotoReceived photo:
                data["photo"] = photo.FileId;
                Move(ctx, step, trigger, data);
                ctx.Reply(ctx.T("wi.f.photo_saved") + "\n" + ctx.T("wi.f.ask_category"), CategoryButtons(ctx));
                return;
            case TextReceived typed:
                if (!TryParseDate(typed.Text.Trim(), Today(ctx), out var date))
                {
                    ctx.Reply(ctx.T("wi.f.date_format"), DateButtons(ctx));
                    return;
                }

                if (date < Today(ctx))
                {
                    ctx.Reply(ctx.T("wi.f.date_past"), DateButtons(ctx));
                    return;
                }

                data["date"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                Move(ctx, step, trigger, data);
                await ShowPreviewAsync(ctx, data, edit: false, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>The wizard's buttons, each a trigger of the conversation machine (a press the step does not accept is answered there).</summary>
    private async ValueTask OnFilingButtonAsync(FlowContext ctx, WishStep step, WishButton button, CancellationToken cancellationToken)
    {
        var trigger = button switch
        {
            WishButton.SkipPhoto => WishTrigger.SkipPhoto,
            WishButton.PickCategory => WishTrigger.PickCategory,
            WishButton.PickDate => WishTrigger.PickDate,
            WishButton.Submit => WishTrigger.Submit,
            _ => WishTrigger.CancelFiling,
        };
        if (!Accepts(ctx, step, trigger))
        {
            return;
        }

        var data = new Dictionary<string, string>(ctx.Conversation.Data);
        switch (button)
        {
            case WishButton.SkipPhoto:
                ctx.AnswerButton();
                Move(ctx, step, trigger, data);
                ctx.Show(ctx.T("wi.f.ask_category"), CategoryButtons(ctx));
                return;
            case WishButton.PickCategory pick:
                ctx.AnswerButton();
                data["cat"] = pick.Category.ToString();
                Move(ctx, step, trigger, data);
                ctx.Show(ctx.T("wi.f.ask_date"), DateButtons(ctx));
                return;
            case WishButton.PickDate pick:
                ctx.AnswerButton();
                if (pick.By == WantedBy.None)
                {
                    data.Remove("date");
                }
                else
                {
                    var by = pick.By == WantedBy.Week ? Today(ctx).AddDays(7) : Today(ctx).AddMonths(1);
                    data["date"] = by.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                }

                Move(ctx, step, trigger, data);
                await ShowPreviewAsync(ctx, data, edit: true, cancellationToken).ConfigureAwait(false);
                return;
            case WishButton.Submit:
                await SubmitAsync(ctx, data, cancellationToken).ConfigureAwait(false);
                Move(ctx, step, trigger);
                return;
            default:
                ctx.AnswerButton();
                Move(ctx, step, trigger);
                ctx.Show(ctx.T("wi.f.cancelled"), null);
                return;
        }
    }

    private static InlineMarkup PhotoButtons(FlowContext ctx) => new([[new InlineButton(ctx.T("wi.btn.no_photo"), new WishButton.SkipPhoto().Encode()), CancelFilingButton(ctx)]]);

    private InlineMarkup CategoryButtons(FlowContext ctx)
    {
        var rows = Enum.GetValues<WishCategory>().Select(c => new InlineButton(WishView.Category(texts, ctx.Language, c), new WishButton.PickCategory(c).Encode())).Rows(2);
        rows.Add([CancelFilingButton(ctx)]);
        return new InlineMarkup(rows);
    }

    private static InlineMarkup DateButtons(FlowContext ctx) => new([
        [new InlineButton(ctx.T("wi.btn.week"), new WishButton.PickDate(WantedBy.Week).Encode()), new InlineButton(ctx.T("wi.btn.month"), new WishButton.PickDate(WantedBy.Month).Encode())],
        [new InlineButton(ctx.T("wi.btn.no_date"), new WishButton.PickDate(WantedBy.None).Encode()), CancelFilingButton(ctx)]]);

    private static InlineMarkup ConfirmButtons(FlowContext ctx) => new([[new InlineButton(ctx.T("wi.btn.submit"), new WishButton.Submit().Encode()), CancelFilingButton(ctx)]]);

    /// <summary>Dates as people type them: 2026-12-01, 2026/12/1, 12-01, 12月1日.</summary>
    public static bool TryParseDate(string text, DateOnly today, out DateOnly date)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = text.Replace('/', '-').Replace('.', '-').Replace("\u5E74", "-", StringComparison.Ordinal).Replace("\u6708", "-", StringComparison.Ordinal)
            .Replace("\u65E5", string.Empty, StringComparison.Ordinal).Replace("\u53F7", string.Empty, StringComparison.Ordinal).Trim('-', ' ');
        var parts = normalized.Split('-', StringSplitOptions.RemoveEmptyEntries);
        date = default;
        if (parts.Length is < 2 or > 3 || !parts.All(p => p.All(char.IsAsciiDigit) && p.Length <= 4))
        {
            return false;
        }

        var numbers = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var (year, month, day) = numbers.Length == 3 ? (numbers[0], numbers[1], numbers[2]) : (today.Year, numbers[0], numbers[1]);
        if (year is < 2000 or > 2100 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        if (numbers.Length == 2 && date < today)
        {
            // "12-01" typed in December for next January means next year.
            date = date.AddYears(1);
        }

        return true;
    }

    private async ValueTask ShowPreviewAsync(FlowContext ctx, Dictionary<string, string> data, bool edit, CancellationToken cancellationToken)
    {
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var draft = Draft(ctx, data, 0);
        var sb = new StringBuilder(ctx.T("wi.f.preview_head")).Append("\n\n");
        sb.Append(WishView.Public(texts, ctx.Language, draft, directory).Replace("W-0000", "W-?", StringComparison.Ordinal));
        if (edit)
        {
            ctx.Show(sb.ToString(), ConfirmButtons(ctx));
        }
        else
        {
            ctx.Reply(sb.ToString(), ConfirmButtons(ctx));
        }
    }

    private static Wish Draft(FlowContext ctx, Dictionary<string, string> data, int number) =>
        new(number, ctx.Profile.Id, data.GetValueOrDefault("text") ?? string.Empty,
            Enum.TryParse<WishCategory>(data.GetValueOrDefault("cat"), out var c) ? c : WishCategory.Other, ctx.Now)
        {
            GridId = ctx.Profile.GridId,
            PhotoFileId = data.GetValueOrDefault("photo"),
            WantedBy = DateOnly.TryParseExact(data.GetValueOrDefault("date"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null,
        };

    /// <summary>Files the wish: numbered, stored as pending, the resident gets the number, the reviewers a card.</summary>
    private async ValueTask SubmitAsync(FlowContext ctx, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        var counters = await ctx.Reader.GetAsync<CommunityCounters>(DocKeys.Counters, cancellationToken).ConfigureAwait(false) ?? new CommunityCounters();
        var number = counters.Wishes + 1;
        ctx.Effects.Put(DocKeys.Counters, counters with { Wishes = number });
        var wish = Draft(ctx, data, number).With(new WishEvent(ctx.Now, ctx.Profile.Id, "filed"));
        var filed = ObjectCards.Show(ctx, CardKey(wish), CardFiled, FiledCard(ctx.Language, wish));
        var reviewCards = await NotifyReviewersAsync(ctx, wish, cancellationToken).ConfigureAwait(false);
        ctx.Effects.Put(DocKeys.Wish(number), wish with { Cards = [filed, .. reviewCards] });
        ctx.Effects.AddToSet(Sets.WishesWithStatus(WishStatus.Pending), Num(number));
        await Stats.CommunityTally.WishChangedAsync(ctx, null, wish, _options.UtcOffset, null, cancellationToken).ConfigureAwait(false);
        ctx.Effects.AddToSet(Sets.WishesOf(ctx.Profile.Id), Num(number));
    }

    /// <summary>Administrators, and the grid workers of the wish's grid, get the review card (returned, to be kept up to date).</summary>
    private async ValueTask<List<ObjectCard>> NotifyReviewersAsync(FlowContext ctx, Wish wish, CancellationToken cancellationToken)
    {
        var ids = (await Staff.AdministratorsAsync(ctx.Reader, flowOptions.Value, cancellationToken).ConfigureAwait(false)).Select(p => p.Id).ToHashSet();

        if (wish.GridId is { } grid)
        {
            var inGrid = (await ctx.Reader.MembersAsync(Sets.PeopleInGrid(grid), cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            foreach (var id in await ctx.Reader.MembersAsync(Sets.PeopleWithRole(Roles.Handler), cancellationToken).ConfigureAwait(false))
            {
                if (inGrid.Contains(id))
                {
                    ids.Add(long.Parse(id, CultureInfo.InvariantCulture));
                }
            }
        }

        var scene = await SceneAsync(ctx, wish, cancellationToken).ConfigureAwait(false);
        var reviewers = await ctx.Reader.GetManyAsync<UserProfile>(ids.Order().Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false);
        var cards = new List<ObjectCard>();
        foreach (var reviewer in reviewers.OfType<UserProfile>().Where(r => !r.BlockedBot))
        {
            cards.Add(ObjectCards.Notify(ctx, reviewer, CardKey(wish), CardReview, StaffCard(reviewer.Language, scene)));
            if (wish.PhotoFileId is { } photo)
            {
                Notices.NotifyPhoto(ctx, reviewer.ChatId, photo, Html.Escape(wish.Code));
            }
        }

        return cards;
    }

    private InlineMarkup ReviewButtons(Language language, Wish wish)
    {
        var n = wish.Number;
        var rows = new List<IReadOnlyList<InlineButton>>
        {
            new[] { new InlineButton(texts.Get(language, "wi.btn.approve"), new WishButton.Approve(n).Encode()) },
        };
        if (WishView.SkillsFor(wish.Category).Count > 0)
        {
            rows.Add([new InlineButton(texts.Get(language, "wi.btn.approve_skilled"), new WishButton.ApproveSkilled(n).Encode())]);
        }

        rows.Add([new InlineButton(texts.Get(language, "wi.btn.category"), new WishButton.ShowCategories(n).Encode()), new InlineButton(texts.Get(language, "wi.btn.reject"), new WishButton.Reject(n).Encode())]);
        rows.Add([new InlineButton(texts.Get(language, "wi.btn.duplicate"), new WishButton.MarkDuplicate(n).Encode())]);
        return new InlineMarkup(rows);
    }
}
