using System.Globalization;
using System.Text;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Posts;

/// <summary>
/// Temporary party branches (lin shi dang zhi bu): an administrator forms one for a post (its members, every shift) or
/// for the arrived members at no branch, and names its secretary. Members taking a place at a post later join its
/// branch; members who leave the post leave it (the secretary stays). Members see their branch; the close writes it to
/// their emergency record and points.
/// </summary>
public sealed partial class PostFlow
{
    /// <summary>The muster's branches and the buttons to form more (<paramref name="formed"/>: one formed in this decision, not stored yet).</summary>
    private async ValueTask BranchesAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken, TempBranch? formed = null)
    {
        if (!ctx.Has(Roles.Admin))
        {
            ctx.AnswerButton(ctx.T("po.branch.admin_only"), alert: true);
            return;
        }

        var posts = await PostsAsync(ctx.Reader, muster.Number, cancellationToken).ConfigureAwait(false);
        var branches = await BranchListAsync(ctx.Reader, muster.Number, cancellationToken).ConfigureAwait(false);
        if (formed is not null)
        {
            branches.Add(formed);
            posts = [.. posts.Select(p => p.Number == formed.Post ? p with { Branch = formed.Number } : p)];
        }

        var names = (await ctx.Reader.GetManyAsync<UserProfile>(branches.Select(b => DocKeys.User(b.SecretaryId)).ToList(), cancellationToken).ConfigureAwait(false)).OfType<UserProfile>().ToDictionary(p => p.Id, p => p.FirstName);
        var sb = new StringBuilder(MusterView.DrillLine(texts, ctx.Language, muster.Plan)).Append(ctx.T("po.branch.title", muster.Code));
        foreach (var branch in branches)
        {
            sb.Append('\n').Append(BranchLine(ctx.Language, branch, posts, names.GetValueOrDefault(branch.SecretaryId, "?")));
        }

        if (branches.Count == 0)
        {
            sb.Append('\n').Append(ctx.T("po.branch.none"));
        }

        var rows = posts.Where(p => p.Branch is null)
            .Select(p => new InlineButton(ctx.T("po.btn.form_for", p.Code), PostButton.Codec.Encode(new PostButton.FormBranch(muster.Number, p.Number)))).Rows(2);
        rows.Add([new InlineButton(ctx.T("po.btn.form_rest"), PostButton.Codec.Encode(new PostButton.FormBranch(muster.Number, 0)))]);
        rows.Add([new InlineButton(ctx.T("po.btn.list"), PostButton.Codec.Encode(new PostButton.List(muster.Number)))]);
        ctx.AnswerButton();
        ctx.Show(sb.ToString(), new InlineMarkup(rows));
    }

    internal static async ValueTask<List<TempBranch>> BranchListAsync(DocReader reader, int muster, CancellationToken cancellationToken)
    {
        var numbers = (await reader.MembersAsync(Sets.Branches(muster), cancellationToken).ConfigureAwait(false)).Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
        return [.. (await reader.GetManyAsync<TempBranch>(numbers.Select(n => DocKeys.Branch(muster, n)).ToList(), cancellationToken).ConfigureAwait(false)).OfType<TempBranch>()];
    }

    /// <summary>"B-1 · P-1 🚧 checkpoint · East gate: secretary Alice, 4 members".</summary>
    internal string BranchLine(Language language, TempBranch branch, IReadOnlyList<MusterPost> posts, string secretary) =>
        texts.Format(language, "po.branch.line", branch.Code, BranchFor(language, branch, posts), Html.Escape(secretary), branch.Members.Count);

    private string BranchFor(Language language, TempBranch branch, IReadOnlyList<MusterPost> posts) =>
        branch.Post is not { } p ? texts.Get(language, "po.branch.whole")
        : posts.FirstOrDefault(x => x.Number == p) is { } post ? Html.Escape(PostName(language, post))
        : texts.Format(language, "po.branch.post_removed", "P-" + p.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Forms a branch: for a post, its members in every shift; for <paramref name="number"/> 0, the arrived members in no
    /// branch. First the secretary is chosen among them, then the branch is formed and each member is told.
    /// </summary>
    private async ValueTask FormBranchAsync(FlowContext ctx, Muster muster, int number, long? secretaryId, CancellationToken cancellationToken)
    {
        if (!ctx.Has(Roles.Admin))
        {
            ctx.AnswerButton(ctx.T("po.branch.admin_only"), alert: true);
            return;
        }

        MusterPost? post = null;
        List<UserProfile> members;
        if (number > 0)
        {
            if (await LoadPostAsync(ctx, muster, number, cancellationToken).ConfigureAwait(false) is not { } found)
            {
                ctx.AnswerButton(ctx.T("po.gone"), alert: true);
                return;
            }

            post = found;
            if (post.Branch is { } existing)
            {
                ctx.AnswerButton(ctx.T("po.branch.exists", post.Code, "B-" + existing.ToString(CultureInfo.InvariantCulture)), alert: true);
                return;
            }

            // Written back: a member joining the post meanwhile (or a second "form") makes this decision run again.
            ctx.Effects.Put(DocKeys.Post(muster.Number, post.Number), post);
            members = [.. (await StaffingAsync(ctx.Reader, post, cancellationToken).ConfigureAwait(false)).People.Select(p => p.Person)];
        }
        else
        {
            members = [];
            foreach (var id in (await ArrivedAllAsync(ctx.Reader, muster, cancellationToken).ConfigureAwait(false)).Order())
            {
                if (await ctx.Reader.GetAsync<BranchSeat>(DocKeys.BranchSeat(muster.Number, id), cancellationToken).ConfigureAwait(false) is null
                    && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(id), cancellationToken).ConfigureAwait(false) is { } member)
                {
                    members.Add(member);
                }
            }
        }

        // A secretary stays with their branch: they cannot be its secretary and another's.
        var secretaries = (await BranchListAsync(ctx.Reader, muster.Number, cancellationToken).ConfigureAwait(false)).Select(b => b.SecretaryId).ToHashSet();
        if (members.Count == 0)
        {
            ctx.AnswerButton(ctx.T("po.branch.nobody"), alert: true);
            return;
        }

        if (secretaryId is null)
        {
            var rows = members.Where(m => !secretaries.Contains(m.Id)).Take(20).Select(p => new InlineButton(p.FirstName, PostButton.Codec.Encode(new PostButton.Secretary(muster.Number, number, p.Id)))).Rows(2);
            rows.Add([new InlineButton(ctx.T("hh.button.back"), PostButton.Codec.Encode(new PostButton.Branches(muster.Number)))]);
            ctx.AnswerButton();
            ctx.Show(ctx.T("po.branch.pick_secretary", post is null ? ctx.T("po.branch.whole") : Html.Escape(PostName(ctx.Language, post)), members.Count), new InlineMarkup(rows));
            return;
        }

        if (members.FirstOrDefault(m => m.Id == secretaryId && !secretaries.Contains(m.Id)) is not { } secretary)
        {
            ctx.AnswerButton(ctx.T("po.branch.not_member"), alert: true);
            return;
        }

        var counter = await ctx.Reader.GetAsync<PostCounter>(DocKeys.PostCounter(muster.Number), cancellationToken).ConfigureAwait(false) ?? new PostCounter(0);
        var branch = new TempBranch(muster.Number, counter.LastBranch + 1, secretary.Id) { Post = post?.Number, FormedAt = ctx.Now, FormedBy = ctx.Profile.Id };
        ctx.Effects.Put(DocKeys.PostCounter(muster.Number), counter with { LastBranch = branch.Number });
        ctx.Effects.AddToSet(Sets.Branches(muster.Number), branch.Number.ToString(CultureInfo.InvariantCulture));
        ctx.Effects.Put(DocKeys.Branch(muster.Number, branch.Number), branch);
        if (post is not null)
        {
            ctx.Effects.Put(DocKeys.Post(muster.Number, post.Number), post with { Branch = branch.Number });
        }

        // The secretary first, so the members' messages can name them.
        foreach (var member in members.OrderBy(m => m.Id != secretary.Id))
        {
            await JoinBranchAsync(ctx, muster, member, branch.Number, cancellationToken, tell: false).ConfigureAwait(false);
        }

        var formed = await PendingAsync<TempBranch>(ctx, DocKeys.Branch(muster.Number, branch.Number), cancellationToken).ConfigureAwait(false) ?? branch;
        var posts = post is null ? [] : new[] { post };
        foreach (var member in members.Where(m => !m.BlockedBot))
        {
            ctx.Effects.Send(member.ChatId, MusterView.DrillLine(texts, member.Language, muster.Plan) + texts.Format(member.Language, member.Id == secretary.Id ? "po.branch.told_secretary" : "po.branch.told",
                    muster.Code, formed.Code, BranchFor(member.Language, formed, posts), Html.Escape(secretary.FirstName), formed.Members.Count),
                new InlineMarkup([[new InlineButton(texts.Get(member.Language, "po.btn.my_branch"), PostButton.Codec.Encode(new PostButton.MyBranch(muster.Number)))]]), Lane.Emergency);
        }

        ctx.AnswerButton(ctx.T("po.branch.formed", formed.Code, formed.Members.Count));
        await BranchesAsync(ctx, muster, cancellationToken, formed).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts a member in a branch (out of another one they were in, unless they are its secretary — a secretary stays with
    /// their branch). <paramref name="tell"/>: the member is told (joining a post that has a branch).
    /// </summary>
    private async ValueTask JoinBranchAsync(FlowContext ctx, Muster muster, UserProfile member, int number, CancellationToken cancellationToken, bool tell = true)
    {
        var branch = await PendingAsync<TempBranch>(ctx, DocKeys.Branch(muster.Number, number), cancellationToken).ConfigureAwait(false);
        var seat = await PendingAsync<BranchSeat>(ctx, DocKeys.BranchSeat(muster.Number, member.Id), cancellationToken).ConfigureAwait(false);
        if (branch is null || seat?.Branch == number)
        {
            return;
        }

        if (seat is not null && await PendingAsync<TempBranch>(ctx, DocKeys.Branch(muster.Number, seat.Branch), cancellationToken).ConfigureAwait(false) is { } old)
        {
            if (old.SecretaryId == member.Id)
            {
                return;
            }

            ctx.Effects.Put(DocKeys.Branch(muster.Number, old.Number), old with { Members = [.. old.Members.Where(m => m != member.Id)] });
        }

        var joined = branch with { Members = [.. branch.Members, member.Id] };
        ctx.Effects.Put(DocKeys.Branch(muster.Number, number), joined);
        ctx.Effects.Put(DocKeys.BranchSeat(muster.Number, member.Id), new BranchSeat(muster.Number, member.Id, number));
        if (tell && !member.BlockedBot)
        {
            var secretary = (await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(joined.SecretaryId), cancellationToken).ConfigureAwait(false))?.FirstName ?? "?";
            var posts = await PostsAsync(ctx.Reader, muster.Number, cancellationToken).ConfigureAwait(false);
            ctx.Effects.Send(member.ChatId, MusterView.DrillLine(texts, member.Language, muster.Plan) + texts.Format(member.Language, "po.branch.told", muster.Code, joined.Code, BranchFor(member.Language, joined, posts), Html.Escape(secretary), joined.Members.Count),
                new InlineMarkup([[new InlineButton(texts.Get(member.Language, "po.btn.my_branch"), PostButton.Codec.Encode(new PostButton.MyBranch(muster.Number)))]]), Lane.Emergency);
        }
    }

    /// <summary>A member who leaves a post leaves the branch formed for it (its secretary stays); <paramref name="post"/> null: any branch (no longer arrived).</summary>
    private static async ValueTask LeaveBranchOfAsync(FlowContext ctx, int muster, long userId, int? post, CancellationToken cancellationToken)
    {
        if (await PendingAsync<BranchSeat>(ctx, DocKeys.BranchSeat(muster, userId), cancellationToken).ConfigureAwait(false) is not { } seat
            || await PendingAsync<TempBranch>(ctx, DocKeys.Branch(muster, seat.Branch), cancellationToken).ConfigureAwait(false) is not { } branch
            || (post is not null && branch.Post != post) || branch.SecretaryId == userId)
        {
            return;
        }

        ctx.Effects.Put(DocKeys.Branch(muster, branch.Number), branch with { Members = [.. branch.Members.Where(m => m != userId)] });
        ctx.Effects.Delete(DocKeys.BranchSeat(muster, userId));
    }

    /// <summary>A member's own branch: what it is for, its secretary and members.</summary>
    private async ValueTask MyBranchAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        if (await ctx.Reader.GetAsync<BranchSeat>(DocKeys.BranchSeat(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false) is not { } seat
            || await ctx.Reader.GetAsync<TempBranch>(DocKeys.Branch(muster.Number, seat.Branch), cancellationToken).ConfigureAwait(false) is not { } branch)
        {
            ctx.AnswerButton(ctx.T("po.branch.not_in"), alert: true);
            return;
        }

        var posts = await PostsAsync(ctx.Reader, muster.Number, cancellationToken).ConfigureAwait(false);
        var people = (await ctx.Reader.GetManyAsync<UserProfile>(branch.Members.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false)).OfType<UserProfile>()
            .OrderBy(p => p.Id != branch.SecretaryId).ThenBy(p => p.FirstName, StringComparer.Ordinal).ToList();
        var secretary = people.FirstOrDefault(p => p.Id == branch.SecretaryId)?.FirstName ?? "?";
        var sb = new StringBuilder(MusterView.DrillLine(texts, ctx.Language, muster.Plan))
            .Append(ctx.T("po.branch.view", branch.Code, BranchFor(ctx.Language, branch, posts), Html.Escape(secretary), people.Count));
        foreach (var p in people.Take(40))
        {
            sb.Append("\n\u2022 ").Append(Html.Escape(p.FirstName)).Append(p.Id == branch.SecretaryId ? ctx.T("po.branch.secretary_mark") : string.Empty);
        }

        ctx.AnswerButton();
        ctx.Reply(sb.ToString(), new InlineMarkup([[new InlineButton(ctx.T("po.btn.list"), PostButton.Codec.Encode(new PostButton.List(muster.Number)))]]));
    }
}
