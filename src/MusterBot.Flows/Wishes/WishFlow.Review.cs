using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Wishes;

namespace MusterBot.Flows.Wishes;

public sealed partial class WishFlow
{
    /// <summary>派单: the wish opens for claims and is announced to the grid's members (or only the skilled ones).</summary>
    private async ValueTask ApproveAsync(FlowContext ctx, Wish wish, bool skilledOnly, CancellationToken cancellationToken)
    {
        if (Decide(ctx, wish, WishAction.Approve) is not { } status)
        {
            return;
        }

        var opened = wish with
        {
            Status = status,
            OpenedAt = ctx.Now,
            ReviewedBy = ctx.Profile.Id,
            Skills = skilledOnly ? WishView.SkillsFor(wish.Category) : [],
        };
        opened = opened.With(new WishEvent(ctx.Now, ctx.Profile.Id, "approved") { Detail = skilledOnly ? "skilled members" : null });
        var (announced, cards) = await AnnounceAsync(ctx, opened, community: opened.GridId is null, cancellationToken).ConfigureAwait(false);
        cards.AddRange(await AnnounceInGroupsAsync(ctx, opened, await SceneAsync(ctx, opened, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false));
        SetTimer(ctx, new WishTimer.Widen(wish.Number), ctx.Now + _options.WidenAfter);
        var resident = await ProfileAsync(ctx, wish.ResidentId, cancellationToken).ConfigureAwait(false);
        Tell(ctx, resident, language => texts.Format(language, "wi.r.approved", wish.Code));
        ctx.AnswerButton(ctx.T("wi.rv.approved", announced));
        cards.Add(await ShowStaffCardAsync(ctx, opened, cancellationToken).ConfigureAwait(false));
        await SaveAsync(ctx, wish, opened, cancellationToken, [.. cards]).ConfigureAwait(false);
    }

    /// <summary>The staff card of a wish, edited in place, with what staff can still do (returned, to be kept up to date).</summary>
    private async ValueTask<ObjectCard> ShowStaffCardAsync(FlowContext ctx, Wish wish, CancellationToken cancellationToken) =>
        ObjectCards.Show(ctx, CardKey(wish), CardReview, StaffCard(ctx.Language, await SceneAsync(ctx, wish, cancellationToken).ConfigureAwait(false)));

    private void ShowCategoryPicker(FlowContext ctx, Wish wish)
    {
        if (!Allows(ctx, wish, WishAction.SetCategory))
        {
            return;
        }

        ctx.AnswerButton();
        var rows = Enum.GetValues<WishCategory>().Select(c => new InlineButton(
            (c == wish.Category ? "\u2714\uFE0F " : string.Empty) + WishView.Category(texts, ctx.Language, c), new WishButton.SetCategory(wish.Number, c).Encode())).Rows(2);
        ctx.Show(ctx.T("wi.rv.pick_category", wish.Code), new InlineMarkup(rows));
    }

    private async ValueTask SetCategoryAsync(FlowContext ctx, Wish wish, WishCategory category, CancellationToken cancellationToken)
    {
        if (Decide(ctx, wish, WishAction.SetCategory) is null)
        {
            return;
        }

        var updated = category == wish.Category ? wish : (wish with { Category = category }).With(new WishEvent(ctx.Now, ctx.Profile.Id, "category") { Detail = category.ToString() });
        ctx.AnswerButton(ctx.T("wi.rv.category_set", WishView.Category(texts, ctx.Language, category)));
        var shown = await ShowStaffCardAsync(ctx, updated, cancellationToken).ConfigureAwait(false);
        if (!ReferenceEquals(updated, wish))
        {
            await SaveAsync(ctx, wish, updated, cancellationToken, shown).ConfigureAwait(false);
        }
    }

    private async ValueTask RejectAsync(FlowContext ctx, Wish wish, string reason, CancellationToken cancellationToken)
    {
        if (Decide(ctx, wish, WishAction.Reject) is not { } status)
        {
            return;
        }

        var rejected = (wish with { Status = status, RejectReason = reason, ReviewedBy = ctx.Profile.Id, ClosedAt = ctx.Now })
            .With(new WishEvent(ctx.Now, ctx.Profile.Id, "rejected") { Detail = reason });
        await SaveAsync(ctx, wish, rejected, cancellationToken).ConfigureAwait(false);
        var resident = await ProfileAsync(ctx, wish.ResidentId, cancellationToken).ConfigureAwait(false);
        Tell(ctx, resident, language => texts.Format(language, "wi.r.rejected", wish.Code, Html.Escape(reason)));
        ctx.Reply(ctx.T("wi.rv.rejected", wish.Code), Menu(ctx));
    }

    private async ValueTask MarkDuplicateAsync(FlowContext ctx, Wish wish, int other, CancellationToken cancellationToken)
    {
        if (Decide(ctx, wish, WishAction.MarkDuplicate) is not { } status)
        {
            return;
        }

        var otherCode = "W-" + other.ToString("0000", CultureInfo.InvariantCulture);
        var duplicate = (wish with { Status = status, DuplicateOf = other, ReviewedBy = ctx.Profile.Id, ClosedAt = ctx.Now })
            .With(new WishEvent(ctx.Now, ctx.Profile.Id, "duplicate") { Detail = otherCode });
        await SaveAsync(ctx, wish, duplicate, cancellationToken).ConfigureAwait(false);
        var resident = await ProfileAsync(ctx, wish.ResidentId, cancellationToken).ConfigureAwait(false);
        Tell(ctx, resident, language => texts.Format(language, "wi.r.duplicate", wish.Code, otherCode));
        ctx.Reply(ctx.T("wi.rv.duplicate", wish.Code, otherCode), Menu(ctx));
    }

    /// <summary>Members of the wish's grid (or everyone) to assign it to directly, ten a page.</summary>
    private async ValueTask AssignListAsync(FlowContext ctx, Wish wish, int page, CancellationToken cancellationToken)
    {
        if (!Allows(ctx, wish, WishAction.Assign))
        {
            return;
        }

        var members = await MembersAsync(ctx, wish.GridId, cancellationToken).ConfigureAwait(false);
        var profiles = (await ctx.Reader.GetManyAsync<UserProfile>(members.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<UserProfile>().Where(p => p.Id != wish.ResidentId).OrderBy(p => p.Id).ToList();
        const int size = 10;
        var pages = Math.Max(1, (profiles.Count + size - 1) / size);
        page = Math.Clamp(page, 0, pages - 1);
        var rows = profiles.Skip(page * size).Take(size)
            .Select(p => new InlineButton(WishView.Name(p) + (p.Skills.Count > 0 ? " · " + string.Join("/", p.Skills.Take(2).Select(s => texts.Get(ctx.Language, "skill." + s))) : string.Empty), new WishButton.Assign(wish.Number, p.Id).Encode()))
            .Rows(1);
        var nav = new List<InlineButton>();
        if (page > 0)
        {
            nav.Add(new InlineButton("\u2B05\uFE0F", new WishButton.AssignList(wish.Number, page - 1).Encode()));
        }

        if (page < pages - 1)
        {
            nav.Add(new InlineButton("\u27A1\uFE0F", new WishButton.AssignList(wish.Number, page + 1).Encode()));
        }

        if (nav.Count > 0)
        {
            rows.Add(nav);
        }

        ctx.AnswerButton();
        ctx.Show(profiles.Count == 0 ? ctx.T("wi.rv.no_members", wish.Code) : ctx.T("wi.rv.assign_pick", wish.Code), new InlineMarkup(rows));
    }

    /// <summary>Member ids of a grid (null: of the whole community).</summary>
    private static async ValueTask<IReadOnlyList<long>> MembersAsync(FlowContext ctx, string? gridId, CancellationToken cancellationToken)
    {
        var members = await ctx.Reader.MembersAsync(Sets.PeopleWithRole(Roles.Member), cancellationToken).ConfigureAwait(false);
        IEnumerable<string> ids = members;
        if (gridId is not null)
        {
            var inGrid = (await ctx.Reader.MembersAsync(Sets.PeopleInGrid(gridId), cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            ids = members.Where(inGrid.Contains);
        }

        return ids.Select(id => long.Parse(id, CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>
    /// Announces an open wish to members: of its grid, or (<paramref name="community"/>) to every member not already
    /// told; only to members with the wish's skills when it has some. Never to the resident (nor to <paramref name="except"/>,
    /// the member who just gave it back). Returns how many.
    /// </summary>
    private async ValueTask<(int Count, List<ObjectCard> Cards)> AnnounceAsync(FlowContext ctx, Wish wish, bool community, CancellationToken cancellationToken, long? except = null)
    {
        var all = await MembersAsync(ctx, null, cancellationToken).ConfigureAwait(false);
        var grid = wish.GridId is null ? [] : (await MembersAsync(ctx, wish.GridId, cancellationToken).ConfigureAwait(false)).ToHashSet();
        var targets = community ? all.Where(id => !grid.Contains(id) || wish.GridId is null) : all.Where(grid.Contains);
        var profiles = await ctx.Reader.GetManyAsync<UserProfile>(targets.Where(id => id != wish.ResidentId && id != except).Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false);
        var scene = await SceneAsync(ctx, wish, cancellationToken).ConfigureAwait(false);
        var kind = community ? CardAnnounceAll : CardAnnounce;
        var cards = new List<ObjectCard>();
        foreach (var member in profiles.OfType<UserProfile>())
        {
            if (wish.Skills.Count > 0 && !member.Skills.Any(wish.Skills.Contains))
            {
                continue;
            }

            if (!member.BlockedBot)
            {
                cards.Add(ObjectCards.Notify(ctx, member, CardKey(wish), kind, AnnouncementCard(member.Language, scene, community)));
            }
        }

        return (cards.Count, cards);
    }

    private InlineMarkup ClaimButton(Language language, Wish wish) =>
        new([[new InlineButton(texts.Format(language, "wi.btn.claim", wish.Code), new WishButton.Claim(wish.Number).Encode())]]);

    /// <summary>/wishes: open wishes a member can claim, five a page (public view: no names).</summary>
    private async ValueTask ListOpenAsync(FlowContext ctx, int page, CancellationToken cancellationToken)
    {
        if (!IsMember(ctx) && !ctx.Has(Roles.Admin))
        {
            ctx.Reply(ctx.T("not_allowed", ctx.T("wi.role.members")), Menu(ctx));
            return;
        }

        var numbers = (await ctx.Reader.MembersAsync(Sets.WishesWithStatus(WishStatus.Open), cancellationToken).ConfigureAwait(false))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
        var wishes = (await ctx.Reader.GetManyAsync<Wish>(numbers.Select(DocKeys.Wish).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<Wish>().Where(w => w.Status == WishStatus.Open && w.ResidentId != ctx.Profile.Id && HasASkillFor(w, ctx.Profile))
            .OrderBy(w => w.GridId == ctx.Profile.GridId ? 0 : 1).ThenBy(w => w.Number).ToList();
        ctx.AnswerButton();
        if (wishes.Count == 0)
        {
            ctx.Show(ctx.T("wi.m.none_open"), null);
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var pages = (wishes.Count + PageSize - 1) / PageSize;
        page = Math.Clamp(page, 0, pages - 1);
        var shown = wishes.Skip(page * PageSize).Take(PageSize).ToList();
        var sb = new StringBuilder(ctx.T("wi.m.list_head", wishes.Count, page + 1, pages)).Append("\n\n");
        foreach (var wish in shown)
        {
            sb.Append(WishView.Public(texts, ctx.Language, wish, directory)).Append("\n\n");
        }

        var rows = shown.Select(w => new InlineButton(ctx.T("wi.btn.claim", w.Code), new WishButton.Claim(w.Number).Encode())).Rows(2);
        var nav = new List<InlineButton>();
        if (page > 0)
        {
            nav.Add(new InlineButton("\u2B05\uFE0F", new WishButton.ListPage(page - 1).Encode()));
        }

        if (page < pages - 1)
        {
            nav.Add(new InlineButton("\u27A1\uFE0F", new WishButton.ListPage(page + 1).Encode()));
        }

        if (nav.Count > 0)
        {
            rows.Add(nav);
        }

        ctx.Show(sb.ToString().TrimEnd(), new InlineMarkup(rows));
    }
}
