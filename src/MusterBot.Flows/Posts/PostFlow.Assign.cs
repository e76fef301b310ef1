using System.Globalization;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Posts;

public sealed partial class PostFlow
{
    /// <summary>Counts offered to a post leader who needs more people.</summary>
    internal static readonly int[] MoreChoices = [1, 2, 3, 5, 10];

    /// <summary>Great-circle distance in metres (haversine).</summary>
    internal static double Metres(double lat1, double lon1, double lat2, double lon2)
    {
        const double R = 6_371_000;
        static double Rad(double d) => d * Math.PI / 180;
        var dLat = Rad(lat2 - lat1);
        var dLon = Rad(lon2 - lon1);
        var a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) + (Math.Cos(Rad(lat1)) * Math.Cos(Rad(lat2)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * R * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    /// <summary>One open place: a post and a shift, with how far the member is (null: unknown).</summary>
    private sealed record Slot(MusterPost Post, int Shift, int Open, bool SkillMatch, bool NoSkillAsked, bool OnDutyNow, double? Distance);

    /// <summary>
    /// The best open place for a member: a post asking for a skill they bring, then one asking for none, then any; within
    /// each, a place on the shift on duty now before a later shift's, then the nearest post (when both the post's pin and
    /// the member's check-in location are known), then the post with the most open places; at each post the earliest
    /// shift from now with room. Pure: tested without a store.
    /// </summary>
    internal static (MusterPost Post, int Shift)? Choose(UserProfile member, (double Lat, double Lon)? at, IReadOnlyList<MusterPost> posts, Func<MusterPost, int, int> open, DateTimeOffset now)
    {
        var slots = new List<Slot>();
        foreach (var post in posts.Where(p => !p.IsOver(now)))
        {
            var shift = Enumerable.Range(post.ShiftAt(now), post.Shifts - post.ShiftAt(now) + 1).FirstOrDefault(s => open(post, s) > 0);
            if (shift == 0)
            {
                continue;
            }

            double? distance = at is { } a && post.Latitude is { } lat && post.Longitude is { } lon ? Metres(a.Lat, a.Lon, lat, lon) : null;
            slots.Add(new Slot(post, shift, open(post, shift), post.Skills.Intersect(member.Skills).Any(), post.Skills.Count == 0, shift == post.ShiftAt(now), distance));
        }

        var best = slots
            .OrderByDescending(s => s.SkillMatch)
            .ThenByDescending(s => s.NoSkillAsked)
            .ThenByDescending(s => s.OnDutyNow)
            .ThenBy(s => s.Distance ?? double.MaxValue)
            .ThenByDescending(s => s.Open)
            .ThenBy(s => s.Post.Number)
            .FirstOrDefault();
        return best is null ? null : (best.Post, best.Shift);
    }

    /// <summary>
    /// "Fill the posts": every arrived member at no post is given a place (<see cref="Choose"/>) until the places run
    /// out. Members bringing a skill some post asks for go first. Each member is told their post and shift.
    /// </summary>
    private async ValueTask FillAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        var posts = await PostsAsync(ctx.Reader, muster.Number, cancellationToken).ConfigureAwait(false);
        var taken = new Dictionary<(int Post, int Shift), int>();
        foreach (var post in posts)
        {
            // Each post's document is written back: a member taking a place meanwhile makes this decision run again.
            ctx.Effects.Put(DocKeys.Post(muster.Number, post.Number), post);
            var staffing = await StaffingAsync(ctx.Reader, post, cancellationToken).ConfigureAwait(false);
            for (var s = 1; s <= post.Shifts; s++)
            {
                taken[(post.Number, s)] = staffing.In(s);
            }
        }

        var arrived = await ArrivedAllAsync(ctx.Reader, muster, cancellationToken).ConfigureAwait(false);
        var free = new List<(UserProfile Member, (double, double)? At)>();
        foreach (var id in arrived.Order())
        {
            if (await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, id), cancellationToken).ConfigureAwait(false) is null
                && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(id), cancellationToken).ConfigureAwait(false) is { } member)
            {
                var answer = await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(muster.Number, id), cancellationToken).ConfigureAwait(false);
                free.Add((member, answer is { Latitude: { } lat, Longitude: { } lon } ? (lat, lon) : null));
            }
        }

        var placed = 0;
        foreach (var (member, at) in free.OrderByDescending(m => posts.Any(p => p.Skills.Intersect(m.Member.Skills).Any())))
        {
            if (Choose(member, at, posts, (p, s) => p.Needed - taken[(p.Number, s)], ctx.Now) is not { } slot)
            {
                break;
            }

            var (post, shift) = slot;
            taken[(post.Number, shift)]++;
            placed++;
            await SeatAsync(ctx, muster, member, post, shift, null, cancellationToken).ConfigureAwait(false);
            TellPlaced(ctx, muster, member, post, shift);
        }

        ctx.AnswerButton(ctx.T("po.filled", placed, free.Count - placed), alert: true);
    }

    private void TellPlaced(FlowContext ctx, Muster muster, UserProfile member, MusterPost post, int shift)
    {
        if (member.BlockedBot)
        {
            return;
        }

        ctx.Effects.Send(member.ChatId, MusterView.DrillLine(texts, member.Language, muster.Plan) + texts.Format(member.Language, "po.placed", muster.Code, post.Code, KindName(member.Language, post.Kind), Html.Escape(post.Place)) + ShiftSuffix(member.Language, post, shift),
            new InlineMarkup([[new InlineButton(texts.Get(member.Language, "po.btn.view"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]]), Lane.Emergency);
    }

    /// <summary>The staff place one arrived member at no post here (<paramref name="userId"/> null: choose whom, up to 20 shown).</summary>
    private async ValueTask AssignAsync(FlowContext ctx, Muster muster, int number, long? userId, CancellationToken cancellationToken)
    {
        if (await LoadPostAsync(ctx, muster, number, cancellationToken).ConfigureAwait(false) is not { } post)
        {
            ctx.AnswerButton(ctx.T("po.gone"), alert: true);
            return;
        }

        var free = new List<UserProfile>();
        foreach (var id in (await ArrivedAllAsync(ctx.Reader, muster, cancellationToken).ConfigureAwait(false)).Order())
        {
            if ((userId is null || id == userId)
                && await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, id), cancellationToken).ConfigureAwait(false) is null
                && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(id), cancellationToken).ConfigureAwait(false) is { } member)
            {
                free.Add(member);
            }
        }

        if (userId is null)
        {
            if (free.Count == 0)
            {
                ctx.AnswerButton(ctx.T("po.assign.nobody"), alert: true);
                return;
            }

            // Those bringing a skill the post asks for first.
            var rows = free.OrderByDescending(m => post.Skills.Intersect(m.Skills).Any()).ThenBy(m => m.FirstName, StringComparer.Ordinal).Take(20)
                .Select(m => new InlineButton((post.Skills.Intersect(m.Skills).Any() ? "\U0001F6E0 " : string.Empty) + m.FirstName, PostButton.Codec.Encode(new PostButton.AssignTo(muster.Number, post.Number, m.Id)))).Rows(2);
            rows.Add([new InlineButton(ctx.T("hh.button.back"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]);
            ctx.AnswerButton();
            ctx.Show(ctx.T("po.assign.pick", post.Code, Html.Escape(post.Place), free.Count), new InlineMarkup(rows));
            return;
        }

        if (free.FirstOrDefault() is not { } chosen)
        {
            ctx.AnswerButton(ctx.T("po.assign.taken"), alert: true);
            return;
        }

        ctx.Effects.Put(DocKeys.Post(muster.Number, post.Number), post);
        var staffing = await StaffingAsync(ctx.Reader, post, cancellationToken).ConfigureAwait(false);
        var now = post.ShiftAt(ctx.Now);
        var shift = post.IsOver(ctx.Now) ? 0 : Enumerable.Range(now, post.Shifts - now + 1).FirstOrDefault(s => staffing.OpenIn(s) > 0);
        if (shift == 0)
        {
            ctx.AnswerButton(ctx.T("po.full", post.Code), alert: true);
            return;
        }

        await SeatAsync(ctx, muster, chosen, post, shift, null, cancellationToken).ConfigureAwait(false);
        TellPlaced(ctx, muster, chosen, post, shift);
        ctx.AnswerButton(ctx.T("po.assign.done", chosen.FirstName, post.Code));
        await ViewAsync(ctx, muster, post.Number, staff: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>/my: the member's post and shift and their branch in an open muster, with the buttons to open them (nothing when at no post and in no branch).</summary>
    internal async ValueTask ShowMineAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        var seat = await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        var post = seat is null ? null : await ctx.Reader.GetAsync<MusterPost>(DocKeys.Post(muster.Number, seat.Post), cancellationToken).ConfigureAwait(false);
        var branchSeat = await ctx.Reader.GetAsync<BranchSeat>(DocKeys.BranchSeat(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        if (post is null && branchSeat is null)
        {
            return;
        }

        var line = PostRecord.MemberLine(texts, ctx.Language, new PostService
        {
            Post = post?.Code, Kind = post?.Kind, Place = post?.Place, Shift = post is { HasRota: true } ? seat!.Shift : 0, Leader = post?.LeaderId == ctx.Profile.Id,
            Branch = branchSeat is null ? null : "B-" + branchSeat.Branch.ToString(CultureInfo.InvariantCulture),
        });
        var row = new List<InlineButton>();
        if (post is not null)
        {
            row.Add(new InlineButton(ctx.T("po.btn.view"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number))));
        }

        if (branchSeat is not null)
        {
            row.Add(new InlineButton(ctx.T("po.btn.my_branch"), PostButton.Codec.Encode(new PostButton.MyBranch(muster.Number))));
        }

        ctx.Reply(muster.Code + " " + line, new InlineMarkup([row]));
    }

    /// <summary>A member arrived in a muster with posts and is at none: they are shown the posts.</summary>
    public static async ValueTask OnArrivalAsync(FlowContext ctx, TextCatalog texts, Muster muster, UserProfile member, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(muster);
        ArgumentNullException.ThrowIfNull(member);
        if (!muster.HasPosts || !muster.IsOpen || member.BlockedBot
            || await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, member.Id), cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        ctx.Effects.Send(member.ChatId, MusterView.DrillLine(texts, member.Language, muster.Plan) + texts.Format(member.Language, "po.pick", muster.Code),
            new InlineMarkup([[new InlineButton(texts.Get(member.Language, "po.btn.list"), PostButton.Codec.Encode(new PostButton.OpenList(muster.Number)))]]), Lane.Emergency);
    }

    /// <summary>
    /// A member arrived in a follow-up muster for a post ("need more people"): they are seated at that post of the muster it
    /// reinforces, in the first shift from now with room, and the post leader is told. If the post is full (or gone, or
    /// its muster closed) they are told to report to the staff instead.
    /// </summary>
    internal async ValueTask OnFollowUpArrivalAsync(FlowContext ctx, Muster followUp, UserProfile member, CancellationToken cancellationToken)
    {
        if (followUp.ForPost is not { } call)
        {
            return;
        }

        var muster = await MusterStore.LoadHeaderAsync(ctx.Reader, call.Muster, cancellationToken).ConfigureAwait(false);
        var post = muster is { IsOpen: true } ? await ctx.Reader.GetAsync<MusterPost>(DocKeys.Post(call.Muster, call.Post), cancellationToken).ConfigureAwait(false) : null;
        var seat = await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(call.Muster, member.Id), cancellationToken).ConfigureAwait(false);
        if (muster is null || post is null)
        {
            Tell(member, "po.more.arrived_gone", followUp.Code);
            return;
        }

        if (seat?.Post == post.Number)
        {
            return;
        }

        ctx.Effects.Put(DocKeys.Post(call.Muster, post.Number), post);
        var staffing = await StaffingAsync(ctx.Reader, post, cancellationToken).ConfigureAwait(false);
        var now = post.ShiftAt(ctx.Now);
        var shift = post.IsOver(ctx.Now) ? 0 : Enumerable.Range(now, post.Shifts - now + 1).FirstOrDefault(s => staffing.OpenIn(s) > 0);
        if (shift == 0)
        {
            Tell(member, "po.more.arrived_full", followUp.Code, post.Code);
            return;
        }

        await SeatAsync(ctx, muster, member, post, shift, seat, cancellationToken).ConfigureAwait(false);
        TellPlaced(ctx, muster, member, post, shift);
        if (post.LeaderId is { } leaderId && leaderId != member.Id
            && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(leaderId), cancellationToken).ConfigureAwait(false) is { BlockedBot: false } leader)
        {
            ctx.Effects.Send(leader.ChatId, MusterView.DrillLine(texts, leader.Language, muster.Plan) + texts.Format(leader.Language, "po.more.arrived_leader", post.Code, Html.Escape(member.FirstName), followUp.Code, staffing.In(shift) + 1, post.Needed) + ShiftSuffix(leader.Language, post, shift),
                new InlineMarkup([[new InlineButton(texts.Get(leader.Language, "po.btn.view"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]]), Lane.Emergency);
        }

        void Tell(UserProfile to, string key, params object[] args)
        {
            if (!to.BlockedBot)
            {
                ctx.Effects.Send(to.ChatId, texts.Format(to.Language, key, args), lane: Lane.Emergency);
            }
        }
    }

    /// <summary>
    /// The post leader (or the staff) needs more people: how many. The answer is a muster button — the muster flow
    /// launches the follow-up muster (<see cref="MusterButton.FollowUp"/>).
    /// </summary>
    private static async ValueTask MoreAsync(FlowContext ctx, Muster muster, int number, bool staff, CancellationToken cancellationToken)
    {
        if (await LoadPostAsync(ctx, muster, number, cancellationToken).ConfigureAwait(false) is not { } post)
        {
            ctx.AnswerButton(ctx.T("po.gone"), alert: true);
            return;
        }

        if (!staff && post.LeaderId != ctx.Profile.Id)
        {
            ctx.AnswerButton(ctx.T("po.more.leader_only"), alert: true);
            return;
        }

        var rows = MoreChoices.Select(n => new InlineButton("+" + n.ToString(CultureInfo.InvariantCulture), new MusterButton.FollowUp(muster.Number, post.Number, n).Data)).Rows(5);
        rows.Add([new InlineButton(ctx.T("hh.button.back"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]);
        ctx.AnswerButton();
        ctx.Show(ctx.T("po.more.ask", post.Code, Html.Escape(post.Place)), new InlineMarkup(rows));
    }
}
