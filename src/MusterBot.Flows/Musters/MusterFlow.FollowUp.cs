using System.Globalization;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Posts;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Musters;

/// <summary>Front-line posts as the muster flow meets them: arrivals, and a post leader's call for more people.</summary>
public sealed partial class MusterFlow
{
    private PostFlow? _posts;

    /// <summary>The posts' decisions this flow calls (stateless: the same texts and options).</summary>
    private PostFlow PostSide => _posts ??= new PostFlow(texts, Options.Create(_options));

    /// <summary>A member arrived: a follow-up muster seats them at its post; a muster with posts shows them the posts.</summary>
    private async ValueTask OnPostArrivalAsync(FlowContext ctx, Muster muster, UserProfile member, CancellationToken cancellationToken)
    {
        if (muster.ForPost is not null)
        {
            await PostSide.OnFollowUpArrivalAsync(ctx, muster, member, cancellationToken).ConfigureAwait(false);
        }

        if (muster.HasPosts)
        {
            await PostFlow.OnArrivalAsync(ctx, texts, muster, member, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A member's answer left "arrived": their place at a post of the muster (or of the muster a follow-up reinforces) is given up.</summary>
    private static async ValueTask OnPostLeftAsync(FlowContext ctx, Muster muster, long userId, CancellationToken cancellationToken)
    {
        if (muster.ForPost is { } call)
        {
            await PostFlow.UnseatAsync(ctx, call.Muster, userId, cancellationToken, anyBranch: true).ConfigureAwait(false);
        }
        else if (muster.HasPosts)
        {
            await PostFlow.UnseatAsync(ctx, muster.Number, userId, cancellationToken, anyBranch: true).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// "Need more people" (a post leader, or the muster's staff): launches a follow-up muster with the muster's kind and
    /// scope, its rally point the post (and the post's pin), calling everyone in scope who has not arrived or is not at a
    /// post already. Its arrivals are seated at the post. One open follow-up per post at a time.
    /// </summary>
    private async ValueTask FollowUpAsync(FlowContext ctx, Muster muster, int number, int count, CancellationToken cancellationToken)
    {
        var post = number > 0 ? await ctx.Reader.GetAsync<MusterPost>(DocKeys.Post(muster.Number, number), cancellationToken).ConfigureAwait(false) : null;
        if (post is null)
        {
            ctx.AnswerButton(ctx.T("po.gone"), alert: true);
            return;
        }

        var seat = await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        if (!MusterStaff.Is(ctx, muster) && (post.LeaderId != ctx.Profile.Id || seat?.Post != post.Number))
        {
            ctx.AnswerButton(ctx.T("po.more.leader_only"), alert: true);
            return;
        }

        if (!PostFlow.MoreChoices.Contains(count) || muster.ForPost is not null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        var open = await ctx.Reader.MembersAsync(Sets.OpenMusters, cancellationToken).ConfigureAwait(false);
        if (post.FollowUps.Count > 0 && post.FollowUps[^1] is var last && open.Contains(MusterView.Num(last)))
        {
            ctx.AnswerButton(ctx.T("po.more.already", "M-" + MusterView.Num(last)), alert: true);
            return;
        }

        // Not called again: members arrived (in the muster or an earlier follow-up) or standing at a post.
        var exclude = new HashSet<long>(await PostFlow.ArrivedAllAsync(ctx.Reader, muster, cancellationToken).ConfigureAwait(false));
        foreach (var other in await PostFlow.PostsAsync(ctx.Reader, muster.Number, cancellationToken).ConfigureAwait(false))
        {
            exclude.UnionWith((await ctx.Reader.MembersAsync(Sets.PostMembers(muster.Number, other.Number), cancellationToken).ConfigureAwait(false)).Select(id => long.Parse(id, CultureInfo.InvariantCulture)));
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var plan = muster.Plan with
        {
            RallyText = post.Code + " " + post.Place,
            Latitude = post.Latitude ?? muster.Plan.Latitude,
            Longitude = post.Latitude is null ? muster.Plan.Longitude : post.Longitude,
            ReportWithinMinutes = 30,
            Notice = null,
        };
        var targets = await TargetsAsync(ctx, plan, directory, includeLauncher: false, cancellationToken, exclude: exclude).ConfigureAwait(false);
        if (targets.Count == 0)
        {
            ctx.AnswerButton(ctx.T("po.more.nobody"), alert: true);
            return;
        }

        // Launched in the name of the muster's launcher (the roll call and the report, with every phone, stay with the
        // administrators). The post gets the places asked for: the shift on duty needs its staffed count plus the count.
        // The post's document is written back: a second press (or a second leader) conflicts and is decided again.
        var staffing = await PostFlow.StaffingAsync(ctx.Reader, post, cancellationToken).ConfigureAwait(false);
        var needed = Math.Max(post.Needed, staffing.In(post.ShiftAt(ctx.Now)) + count);
        var followUp = await LaunchAsync(ctx, plan, directory, includeLauncher: false, cancellationToken, forPost: new PostCall(muster.Number, post.Number, count), exclude: exclude, launchedBy: muster.LaunchedBy).ConfigureAwait(false);
        ctx.Effects.Put(DocKeys.Post(muster.Number, post.Number), post with { FollowUps = [.. post.FollowUps, followUp.Number], Needed = needed });
        ctx.AnswerButton(ctx.T("po.more.launched_toast", followUp.Code));
        ctx.Show(ctx.T("po.more.launched", followUp.Code, post.Code, targets.Count, needed), new InlineMarkup([[
            new InlineButton(ctx.T("po.btn.open_post"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]]));

        // The muster's launcher hears of it.
        if (muster.LaunchedBy != ctx.Profile.Id && muster.LaunchedBy != SystemUser
            && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(muster.LaunchedBy), cancellationToken).ConfigureAwait(false) is { BlockedBot: false } launcher)
        {
            ctx.Effects.Send(launcher.ChatId, MusterView.DrillLine(texts, launcher.Language, muster.Plan) + texts.Format(launcher.Language, "po.more.told_staff", muster.Code, post.Code, Html.Escape(post.Place), Html.Escape(ctx.Profile.FirstName), count, followUp.Code, targets.Count),
                lane: Lane.Emergency);
        }
    }
}
