using System.Globalization;
using System.Text;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using Stateless;
using Stateless.Graph;

namespace MusterBot.Flows.Posts;

/// <summary>
/// Front-line posts of a muster (ding gang ding ze, dui hao ru zuo): an administrator or convenor of the muster defines
/// posts (kind, place, how many people), arrived members pick one with open places, and the staff name a post leader.
/// Each post has its own roll call (staffed / needed, who is there). Shifts, handover, automatic assignment and "need
/// more people" are not built yet.
/// </summary>
public sealed class PostFlow(TextCatalog texts) : IFlow
{
    public const string FlowName = "posts";
    public const int MaxPlaceLength = 40;
    private static readonly int[] NeededChoices = [1, 2, 3, 5, 10, 20];

    private enum Step
    {
        Idle,
        AwaitingPlace,
        AwaitingNeeded,
    }

    private enum Trigger
    {
        Pressed,
        KindChosen,
        PlaceTyped,
        NeededChosen,
        Cancelled,
        Other,
    }

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = [];

    public bool OwnsButton(string data) => PostButton.Codec.Owns(data);

    public string ToMermaid()
    {
        var step = Step.Idle;
        return MermaidGraph.Format(Build(() => step, s => step = s, () => Task.FromResult(Step.Idle)).GetInfo()) + "\n";
    }

    private static StateMachine<Step, Trigger> Build(Func<Step> read, Action<Step> write, Func<Task<Step>> act)
    {
        var machine = new StateMachine<Step, Trigger>(read, write);
        async Task Act() => await act().ConfigureAwait(false);
        machine.Configure(Step.Idle)
            .InternalTransitionAsync(Trigger.Pressed, _ => Act())
            .PermitDynamicAsync(Trigger.KindChosen, act, "ask the place", Destinations.To((Step.AwaitingPlace, "staff"), (Step.Idle, "refused")))
            .PermitDynamicAsync(Trigger.Cancelled, act, "left", Destinations.To((Step.Idle, "left")));
        machine.Configure(Step.AwaitingPlace).SubstateOf(Step.Idle)
            .PermitDynamicAsync(Trigger.PlaceTyped, act, "checked", Destinations.To((Step.AwaitingNeeded, "a place"), (Step.AwaitingPlace, "too long or empty")));
        machine.Configure(Step.AwaitingNeeded).SubstateOf(Step.Idle)
            .PermitDynamicAsync(Trigger.NeededChosen, act, "created", Destinations.To((Step.Idle, "created")));
        return machine;
    }

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var step = ctx.Conversation.Flow == FlowName && Enum.TryParse<Step>(ctx.Conversation.Step, out var s) ? s : Step.Idle;
        var data = step == Step.Idle ? new Dictionary<string, string>() : new Dictionary<string, string>(ctx.Conversation.Data);
        var button = ctx.Event is ButtonPressed press ? PostButton.Codec.Decode(press.Data) : null;
        var trigger = ctx.Event switch
        {
            ButtonPressed when button is PostButton.Kind => Trigger.KindChosen,
            ButtonPressed when button is PostButton.Needed => Trigger.NeededChosen,
            ButtonPressed when button is PostButton.Cancel => Trigger.Cancelled,
            ButtonPressed => Trigger.Pressed,
            TextReceived => Trigger.PlaceTyped,
            _ => Trigger.Other,
        };
        var machine = Build(() => step, x => step = x, async () => await DecideAsync(ctx, button, step, data, cancellationToken).ConfigureAwait(false));
        machine.OnUnhandledTrigger((current, t) =>
        {
            if (t == Trigger.NeededChosen)
            {
                ctx.AnswerButton(ctx.T("button.stale"));
            }
            else if (current == Step.AwaitingPlace)
            {
                ctx.Reply(ctx.T("po.ask.place", MaxPlaceLength));
            }
            else
            {
                ctx.Reply(ctx.T("hh.hint.buttons"));
            }
        });
        await machine.FireAsync(trigger).ConfigureAwait(false);
        ctx.Conversation = step == Step.Idle
            ? (ctx.Conversation.Flow == FlowName ? MainFlow.Idle(ctx.Now) : ctx.Conversation)
            : new ConversationState(FlowName, step.ToString()) { Data = data, UpdatedAt = ctx.Now };
    }

    private async Task<Step> DecideAsync(FlowContext ctx, PostButton? button, Step step, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        if (ctx.Event is TextReceived text)
        {
            return Place(ctx, text.Text, data);
        }

        if (button is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return step;
        }

        var muster = await MusterStore.LoadAsync(ctx.Reader, button.Number, cancellationToken).ConfigureAwait(false);
        if (muster is null)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return Step.Idle;
        }

        if (!muster.IsOpen)
        {
            MusterStaff.AnswerClosed(ctx, ctx.T("mu.closed", muster.Code));

            return Step.Idle;
        }

        var staff = IsStaff(ctx, muster);
        switch (button)
        {
            case PostButton.List or PostButton.OpenList:
                if (!staff && !await ArrivedAsync(ctx, muster, cancellationToken).ConfigureAwait(false))
                {
                    ctx.AnswerButton(ctx.T("po.arrived_only"), alert: true);
                    return step;
                }

                await ListAsync(ctx, muster, fresh: button is PostButton.OpenList, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.Cancel:
                ctx.AnswerButton();
                ctx.Show(ctx.T("cancel.done"), null);
                return Step.Idle;
            case PostButton.View view:
                await ViewAsync(ctx, muster, view.Post, staff, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.Join join:
                await JoinAsync(ctx, muster, join.Post, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.Leave leave:
                await LeaveAsync(ctx, muster, leave.Post, cancellationToken).ConfigureAwait(false);
                return step;
        }

        // The rest define and lead posts: the muster's administrators and convenors only.
        if (!staff)
        {
            ctx.AnswerButton(ctx.T("wf.staff_only"), alert: true);
            return step;
        }

        switch (button)
        {
            case PostButton.Create:
                var kinds = Enum.GetValues<PostKind>().Select(k => new InlineButton(ctx.T("po.kind." + k), PostButton.Codec.Encode(new PostButton.Kind(muster.Number, k)))).Rows(2);
                kinds.Add([new InlineButton(ctx.T("reg.button.cancel"), PostButton.Codec.Encode(new PostButton.Cancel(muster.Number)))]);
                ctx.Show(ctx.T("po.ask.kind", muster.Code), new InlineMarkup(kinds));
                return step;
            case PostButton.Kind kind when Enum.IsDefined(kind.What):
                data.Clear();
                data["m"] = muster.Number.ToString(CultureInfo.InvariantCulture);
                data["kind"] = kind.What.ToString();
                ctx.Show(ctx.T("po.ask.place", MaxPlaceLength), new InlineMarkup([[new InlineButton(ctx.T("reg.button.cancel"), PostButton.Codec.Encode(new PostButton.Cancel(muster.Number)))]]));
                return Step.AwaitingPlace;
            case PostButton.Needed needed:
                return await CreateAsync(ctx, muster, needed.Count, data, cancellationToken).ConfigureAwait(false);
            case PostButton.PickLeader pick:
                await PickLeaderAsync(ctx, muster, pick.Post, null, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.Leader leader:
                await PickLeaderAsync(ctx, muster, leader.Post, leader.UserId, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.Remove remove:
                if (await LoadPostAsync(ctx, muster, remove.Post, cancellationToken).ConfigureAwait(false) is not { } post)
                {
                    ctx.AnswerButton(ctx.T("po.gone"), alert: true);
                    return step;
                }

                var count = (int)await ctx.Reader.CountAsync(Sets.PostMembers(muster.Number, post.Number), cancellationToken).ConfigureAwait(false);
                ctx.Show(ctx.T("po.remove.ask", post.Code, Html.Escape(post.Place), count), new InlineMarkup([[
                    new InlineButton(ctx.T("po.btn.remove_yes"), PostButton.Codec.Encode(new PostButton.RemoveYes(muster.Number, post.Number))),
                    new InlineButton(ctx.T("reg.button.cancel"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]]));
                return step;
            case PostButton.RemoveYes remove:
                await RemoveAsync(ctx, muster, remove.Post, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.Skills skills:
                await SkillsAsync(ctx, muster, skills.Post, null, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.ToggleSkill toggle when Enum.IsDefined(toggle.Skill):
                await SkillsAsync(ctx, muster, toggle.Post, toggle.Skill, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.Fill:
                await FillAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
                return step;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return step;
        }
    }

    /// <summary>An administrator, or a convenor (or backup) of one of the muster's regions.</summary>
    private static bool IsStaff(FlowContext ctx, Muster muster) => MusterStaff.Is(ctx, muster);

    private static async ValueTask<bool> ArrivedAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken) =>
        await ctx.Reader.GetAsync<MusterAnswer>(DocKeys.MusterAnswer(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false) is { Status: CheckInStatus.Arrived };

    private static async ValueTask<MusterPost?> LoadPostAsync(FlowContext ctx, Muster muster, int number, CancellationToken cancellationToken) =>
        number <= 0 ? null : await ctx.Reader.GetAsync<MusterPost>(DocKeys.Post(muster.Number, number), cancellationToken).ConfigureAwait(false);

    private static async ValueTask<List<MusterPost>> PostsAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        var numbers = (await ctx.Reader.MembersAsync(Sets.Posts(muster.Number), cancellationToken).ConfigureAwait(false)).Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
        return [.. (await ctx.Reader.GetManyAsync<MusterPost>(numbers.Select(n => DocKeys.Post(muster.Number, n)).ToList(), cancellationToken).ConfigureAwait(false)).OfType<MusterPost>()];
    }

    private string KindName(Language language, PostKind kind) => texts.Get(language, "po.kind." + kind);

    /// <summary>The muster's posts, staffed / needed each; members see the join buttons of posts with open places.</summary>
    public async ValueTask<(string Html, InlineMarkup Markup)> ListViewAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(muster);
        var posts = await PostsAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
        var seat = await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        var sb = new StringBuilder(MusterView.DrillLine(texts, ctx.Language, muster.Plan)).Append(ctx.T("po.list.title", muster.Code));
        var rows = new List<IReadOnlyList<InlineButton>>();
        foreach (var post in posts)
        {
            var staffed = (int)await ctx.Reader.CountAsync(Sets.PostMembers(muster.Number, post.Number), cancellationToken).ConfigureAwait(false);
            var mark = seat?.Post == post.Number ? " \U0001F4CD" : string.Empty;
            sb.Append('\n').Append(ctx.T("po.list.line", post.Code, KindName(ctx.Language, post.Kind), Html.Escape(post.Place), staffed, post.Needed)).Append(mark);
            rows.Add([new InlineButton($"{post.Code} {KindName(ctx.Language, post.Kind)} · {post.Place} {staffed}/{post.Needed}", PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]);
        }

        if (posts.Count == 0)
        {
            sb.Append('\n').Append(ctx.T("po.list.none"));
        }

        if (IsStaff(ctx, muster))
        {
            rows.Add(posts.Count == 0
                ? [new InlineButton(ctx.T("po.btn.new"), PostButton.Codec.Encode(new PostButton.Create(muster.Number)))]
                : [new InlineButton(ctx.T("po.btn.new"), PostButton.Codec.Encode(new PostButton.Create(muster.Number))), new InlineButton(ctx.T("po.btn.fill"), PostButton.Codec.Encode(new PostButton.Fill(muster.Number)))]);
        }

        return (sb.ToString(), new InlineMarkup(rows));
    }

    private async ValueTask ListAsync(FlowContext ctx, Muster muster, bool fresh, CancellationToken cancellationToken)
    {
        var (html, markup) = await ListViewAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
        if (fresh)
        {
            ctx.AnswerButton();
            ctx.Reply(html, markup);
        }
        else
        {
            ctx.Show(html, markup);
        }
    }

    private static Step Place(FlowContext ctx, string text, Dictionary<string, string> data)
    {
        var place = Households.HouseholdFields.OneLine(text);
        if (place.Length == 0 || Households.HouseholdFields.Length(place) > MaxPlaceLength)
        {
            ctx.Reply(ctx.T("po.ask.place", MaxPlaceLength));
            return Step.AwaitingPlace;
        }

        data["place"] = place;
        var number = int.Parse(data["m"], CultureInfo.InvariantCulture);
        var rows = NeededChoices.Select(n => new InlineButton(n.ToString(CultureInfo.InvariantCulture), PostButton.Codec.Encode(new PostButton.Needed(number, n)))).Rows(3);
        rows.Add([new InlineButton(ctx.T("reg.button.cancel"), PostButton.Codec.Encode(new PostButton.Cancel(number)))]);
        ctx.Reply(ctx.T("po.ask.needed", Html.Escape(place)), new InlineMarkup(rows));
        return Step.AwaitingNeeded;
    }

    private async Task<Step> CreateAsync(FlowContext ctx, Muster muster, int needed, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        if (!NeededChoices.Contains(needed) || data.GetValueOrDefault("m") != muster.Number.ToString(CultureInfo.InvariantCulture)
            || !Enum.TryParse<PostKind>(data.GetValueOrDefault("kind"), out var kind) || data.GetValueOrDefault("place") is not { Length: > 0 } place)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return Step.Idle;
        }

        var counter = await ctx.Reader.GetAsync<PostCounter>(DocKeys.PostCounter(muster.Number), cancellationToken).ConfigureAwait(false) ?? new PostCounter(0);
        var post = new MusterPost(muster.Number, counter.Last + 1, kind, place) { Needed = needed, CreatedAt = ctx.Now, CreatedBy = ctx.Profile.Id };
        ctx.Effects.Put(DocKeys.PostCounter(muster.Number), new PostCounter(post.Number));
        ctx.Effects.Put(DocKeys.Post(muster.Number, post.Number), post);
        ctx.Effects.AddToSet(Sets.Posts(muster.Number), post.Number.ToString(CultureInfo.InvariantCulture));
        if (!muster.HasPosts)
        {
            MusterStore.PutHeader(ctx.Effects, muster with { HasPosts = true });
        }

        // Members already arrived and at no post hear of it (later arrivals are shown the posts when they arrive).
        foreach (var id in await Households.Welfare.ArrivedAsync(ctx.Reader, muster, cancellationToken).ConfigureAwait(false))
        {
            if (await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, id), cancellationToken).ConfigureAwait(false) is null
                && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(id), cancellationToken).ConfigureAwait(false) is { BlockedBot: false } member)
            {
                ctx.Effects.Send(member.ChatId, MusterView.DrillLine(texts, member.Language, muster.Plan) + texts.Format(member.Language, "po.new_post", muster.Code, post.Code, KindName(member.Language, kind), Html.Escape(place), needed),
                    new InlineMarkup([[new InlineButton(texts.Get(member.Language, "po.btn.join"), PostButton.Codec.Encode(new PostButton.Join(muster.Number, post.Number)))]]), Lane.Emergency);
            }
        }

        ctx.AnswerButton();
        ctx.Show(ctx.T("po.created", post.Code, KindName(ctx.Language, kind), Html.Escape(place), needed), new InlineMarkup([[new InlineButton(ctx.T("po.btn.list"), PostButton.Codec.Encode(new PostButton.List(muster.Number)))]]));
        return Step.Idle;
    }

    /// <summary>A post's own roll call: staffed / needed, its leader and who stands there; the buttons the presser may use.</summary>
    private async ValueTask<bool> ViewAsync(FlowContext ctx, Muster muster, int number, bool staff, CancellationToken cancellationToken, MusterPost? changed = null)
    {
        if ((changed ?? await LoadPostAsync(ctx, muster, number, cancellationToken).ConfigureAwait(false)) is not { } post)
        {
            ctx.AnswerButton(ctx.T("po.gone"), alert: true);
            return false;
        }

        var arrived = await ArrivedAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
        if (!staff && !arrived)
        {
            ctx.AnswerButton(ctx.T("po.arrived_only"), alert: true);
            return false;
        }

        var ids = (await ctx.Reader.MembersAsync(Sets.PostMembers(muster.Number, post.Number), cancellationToken).ConfigureAwait(false)).Select(n => long.Parse(n, CultureInfo.InvariantCulture)).ToList();
        var people = (await ctx.Reader.GetManyAsync<UserProfile>(ids.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false)).OfType<UserProfile>().OrderBy(p => p.Id != post.LeaderId).ThenBy(p => p.FirstName, StringComparer.Ordinal).ToList();
        var leader = people.FirstOrDefault(p => p.Id == post.LeaderId);
        var sb = new StringBuilder(MusterView.DrillLine(texts, ctx.Language, muster.Plan));
        sb.Append(ctx.T("po.view", post.Code, KindName(ctx.Language, post.Kind), Html.Escape(post.Place), ids.Count, post.Needed, leader is null ? ctx.T("wf.nobody") : Html.Escape(leader.FirstName)));
        if (post.Skills.Count > 0)
        {
            sb.Append('\n').Append(ctx.T("po.view.skills", MusterView.SkillList(texts, ctx.Language, post.Skills)));
        }

        foreach (var p in people.Take(40))
        {
            sb.Append("\n\u2022 ").Append(Html.Escape(p.FirstName)).Append(p.Id == post.LeaderId ? " \U0001F451" : string.Empty);
            if (staff && p.Phone is { } phone)
            {
                sb.Append(" <code>").Append(Html.Escape(phone)).Append("</code>");
            }
        }

        var rows = new List<IReadOnlyList<InlineButton>>();
        var here = ids.Contains(ctx.Profile.Id);
        if (arrived && !here && ids.Count < post.Needed)
        {
            rows.Add([new InlineButton(ctx.T("po.btn.join"), PostButton.Codec.Encode(new PostButton.Join(muster.Number, post.Number)))]);
        }
        else if (here)
        {
            rows.Add([new InlineButton(ctx.T("po.btn.leave"), PostButton.Codec.Encode(new PostButton.Leave(muster.Number, post.Number)))]);
        }

        if (staff)
        {
            rows.Add([
                new InlineButton(ctx.T("po.btn.leader"), PostButton.Codec.Encode(new PostButton.PickLeader(muster.Number, post.Number))),
                new InlineButton(ctx.T("po.btn.skills"), PostButton.Codec.Encode(new PostButton.Skills(muster.Number, post.Number))),
                new InlineButton(ctx.T("po.btn.remove"), PostButton.Codec.Encode(new PostButton.Remove(muster.Number, post.Number)))]);
        }

        rows.Add([new InlineButton(ctx.T("po.btn.list"), PostButton.Codec.Encode(new PostButton.List(muster.Number)))]);
        ctx.Show(sb.ToString(), new InlineMarkup(rows));
        return true;
    }

    /// <summary>An arrived member takes an open place; a member at another post moves (one post at a time).</summary>
    private async ValueTask JoinAsync(FlowContext ctx, Muster muster, int number, CancellationToken cancellationToken)
    {
        if (!await ArrivedAsync(ctx, muster, cancellationToken).ConfigureAwait(false))
        {
            ctx.AnswerButton(ctx.T("po.arrived_only"), alert: true);
            return;
        }

        if (await LoadPostAsync(ctx, muster, number, cancellationToken).ConfigureAwait(false) is not { } post)
        {
            ctx.AnswerButton(ctx.T("po.gone"), alert: true);
            return;
        }

        // The post's own document is written back too, so two members taking its last place conflict and are decided again.
        ctx.Effects.Put(DocKeys.Post(muster.Number, post.Number), post);
        var seat = await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        if (seat?.Post == post.Number)
        {
            ctx.AnswerButton(ctx.T("po.already_here", post.Code));
            return;
        }

        var staffed = await ctx.Reader.CountAsync(Sets.PostMembers(muster.Number, post.Number), cancellationToken).ConfigureAwait(false);
        if (staffed >= post.Needed)
        {
            ctx.AnswerButton(ctx.T("po.full", post.Code), alert: true);
            return;
        }

        var me = ctx.Profile.Id.ToString(CultureInfo.InvariantCulture);
        if (seat is not null)
        {
            ctx.Effects.RemoveFromSet(Sets.PostMembers(muster.Number, seat.Post), me);
            if (await LoadPostAsync(ctx, muster, seat.Post, cancellationToken).ConfigureAwait(false) is { } left && left.LeaderId == ctx.Profile.Id)
            {
                // The leader who moves on leaves the post without a leader (the staff name another).
                ctx.Effects.Put(DocKeys.Post(muster.Number, left.Number), left with { LeaderId = null });
            }
        }

        ctx.Effects.AddToSet(Sets.PostMembers(muster.Number, post.Number), me);
        ctx.Effects.Put(DocKeys.PostSeat(muster.Number, ctx.Profile.Id), new PostSeat(muster.Number, ctx.Profile.Id, post.Number) { Since = ctx.Now });
        ctx.AnswerButton(ctx.T("po.joined_toast", post.Code));
        ctx.Show(ctx.T("po.joined", post.Code, KindName(ctx.Language, post.Kind), Html.Escape(post.Place)), new InlineMarkup([[
            new InlineButton(ctx.T("po.btn.view"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]]));
    }

    private async ValueTask LeaveAsync(FlowContext ctx, Muster muster, int number, CancellationToken cancellationToken)
    {
        var seat = await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        if (seat?.Post != number)
        {
            ctx.AnswerButton(ctx.T("po.not_here"), alert: true);
            return;
        }

        ctx.Effects.RemoveFromSet(Sets.PostMembers(muster.Number, number), ctx.Profile.Id.ToString(CultureInfo.InvariantCulture));
        ctx.Effects.Delete(DocKeys.PostSeat(muster.Number, ctx.Profile.Id));
        if (await LoadPostAsync(ctx, muster, number, cancellationToken).ConfigureAwait(false) is { } post && post.LeaderId == ctx.Profile.Id)
        {
            ctx.Effects.Put(DocKeys.Post(muster.Number, number), post with { LeaderId = null });
        }

        ctx.AnswerButton(ctx.T("po.left"));
        await ListAsync(ctx, muster, fresh: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The staff name the post leader among those at the post (or choose whom, <paramref name="userId"/> null); the leader is told.</summary>
    private async ValueTask PickLeaderAsync(FlowContext ctx, Muster muster, int number, long? userId, CancellationToken cancellationToken)
    {
        if (await LoadPostAsync(ctx, muster, number, cancellationToken).ConfigureAwait(false) is not { } post)
        {
            ctx.AnswerButton(ctx.T("po.gone"), alert: true);
            return;
        }

        var ids = (await ctx.Reader.MembersAsync(Sets.PostMembers(muster.Number, post.Number), cancellationToken).ConfigureAwait(false)).Select(n => long.Parse(n, CultureInfo.InvariantCulture)).ToList();
        var people = (await ctx.Reader.GetManyAsync<UserProfile>(ids.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false)).OfType<UserProfile>().ToList();
        if (userId is null)
        {
            if (people.Count == 0)
            {
                ctx.AnswerButton(ctx.T("po.leader.nobody"), alert: true);
                return;
            }

            var rows = people.Select(p => new InlineButton(p.FirstName, PostButton.Codec.Encode(new PostButton.Leader(muster.Number, post.Number, p.Id)))).Rows(2);
            rows.Add([new InlineButton(ctx.T("hh.button.back"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]);
            ctx.Show(ctx.T("po.leader.pick", post.Code, Html.Escape(post.Place)), new InlineMarkup(rows));
            return;
        }

        if (people.FirstOrDefault(p => p.Id == userId) is not { } leader)
        {
            ctx.AnswerButton(ctx.T("po.leader.not_here"), alert: true);
            return;
        }

        var led = post with { LeaderId = leader.Id };
        ctx.Effects.Put(DocKeys.Post(muster.Number, post.Number), led);
        if (!leader.BlockedBot)
        {
            ctx.Effects.Send(leader.ChatId, MusterView.DrillLine(texts, leader.Language, muster.Plan) + texts.Format(leader.Language, "po.leader.told", muster.Code, post.Code, KindName(leader.Language, post.Kind), Html.Escape(post.Place)),
                new InlineMarkup([[new InlineButton(texts.Get(leader.Language, "po.btn.view"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]]), Lane.Emergency);
        }

        ctx.AnswerButton(ctx.T("po.leader.done", post.Code, leader.FirstName));
        await ViewAsync(ctx, muster, post.Number, staff: true, cancellationToken, led).ConfigureAwait(false);
    }

    /// <summary>A post removed with members on it: each is told and shown the posts to pick another; nothing of theirs is lost (their answers stay).</summary>
    private async ValueTask RemoveAsync(FlowContext ctx, Muster muster, int number, CancellationToken cancellationToken)
    {
        if (await LoadPostAsync(ctx, muster, number, cancellationToken).ConfigureAwait(false) is not { } post)
        {
            ctx.AnswerButton(ctx.T("po.gone"), alert: true);
            return;
        }

        var ids = (await ctx.Reader.MembersAsync(Sets.PostMembers(muster.Number, post.Number), cancellationToken).ConfigureAwait(false)).Select(n => long.Parse(n, CultureInfo.InvariantCulture)).ToList();
        foreach (var id in ids)
        {
            ctx.Effects.RemoveFromSet(Sets.PostMembers(muster.Number, post.Number), id.ToString(CultureInfo.InvariantCulture));
            ctx.Effects.Delete(DocKeys.PostSeat(muster.Number, id));
            if (await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(id), cancellationToken).ConfigureAwait(false) is { BlockedBot: false } member)
            {
                ctx.Effects.Send(member.ChatId, MusterView.DrillLine(texts, member.Language, muster.Plan) + texts.Format(member.Language, "po.removed_member", muster.Code, post.Code, Html.Escape(post.Place)),
                    new InlineMarkup([[new InlineButton(texts.Get(member.Language, "po.btn.list"), PostButton.Codec.Encode(new PostButton.List(muster.Number)))]]), Lane.Emergency);
            }
        }

        ctx.Effects.Delete(DocKeys.Post(muster.Number, post.Number));
        ctx.Effects.RemoveFromSet(Sets.Posts(muster.Number), post.Number.ToString(CultureInfo.InvariantCulture));
        ctx.AnswerButton(ctx.T("po.removed", post.Code, ids.Count));
        await ListAsync(ctx, muster, fresh: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The skills a post asks for, as toggles (<paramref name="toggle"/> one of them first).</summary>
    private async ValueTask SkillsAsync(FlowContext ctx, Muster muster, int number, Skill? toggle, CancellationToken cancellationToken)
    {
        if (await LoadPostAsync(ctx, muster, number, cancellationToken).ConfigureAwait(false) is not { } post)
        {
            ctx.AnswerButton(ctx.T("po.gone"), alert: true);
            return;
        }

        if (toggle is { } skill)
        {
            post = post with { Skills = post.Skills.Contains(skill) ? [.. post.Skills.Where(s => s != skill)] : [.. Enum.GetValues<Skill>().Where(s => s == skill || post.Skills.Contains(s))] };
            ctx.Effects.Put(DocKeys.Post(muster.Number, post.Number), post);
        }

        var rows = Enum.GetValues<Skill>().Select(s => new InlineButton((post.Skills.Contains(s) ? "\u2705 " : string.Empty) + texts.Get(ctx.Language, "skill." + s), PostButton.Codec.Encode(new PostButton.ToggleSkill(muster.Number, post.Number, s)))).Rows(3);
        rows.Add([new InlineButton(ctx.T("hh.button.done"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]);
        ctx.Show(ctx.T("po.skills.ask", post.Code, Html.Escape(post.Place)), new InlineMarkup(rows));
    }

    /// <summary>
    /// "Fill the posts": every arrived member at no post is given a place — first at a post asking for a skill they bring,
    /// then at the post with the most open places — until the places run out. Each member is told their post.
    /// </summary>
    private async ValueTask FillAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        var posts = await PostsAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
        var open = new Dictionary<int, int>();
        foreach (var post in posts)
        {
            // Each post's document is written back: a member taking a place meanwhile makes this decision run again.
            ctx.Effects.Put(DocKeys.Post(muster.Number, post.Number), post);
            open[post.Number] = post.Needed - (int)await ctx.Reader.CountAsync(Sets.PostMembers(muster.Number, post.Number), cancellationToken).ConfigureAwait(false);
        }

        var arrived = await Households.Welfare.ArrivedAsync(ctx.Reader, muster, cancellationToken).ConfigureAwait(false);
        var free = new List<UserProfile>();
        foreach (var id in arrived.Order())
        {
            if (await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, id), cancellationToken).ConfigureAwait(false) is null
                && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(id), cancellationToken).ConfigureAwait(false) is { } member)
            {
                free.Add(member);
            }
        }

        var placed = 0;
        foreach (var member in free.OrderByDescending(m => posts.Any(p => p.Skills.Intersect(m.Skills).Any())))
        {
            var post = posts.Where(p => open[p.Number] > 0 && p.Skills.Intersect(member.Skills).Any()).OrderByDescending(p => open[p.Number]).FirstOrDefault()
                ?? posts.Where(p => open[p.Number] > 0 && p.Skills.Count == 0).OrderByDescending(p => open[p.Number]).FirstOrDefault()
                ?? posts.Where(p => open[p.Number] > 0).OrderByDescending(p => open[p.Number]).FirstOrDefault();
            if (post is null)
            {
                break;
            }

            open[post.Number]--;
            placed++;
            ctx.Effects.AddToSet(Sets.PostMembers(muster.Number, post.Number), member.Id.ToString(CultureInfo.InvariantCulture));
            ctx.Effects.Put(DocKeys.PostSeat(muster.Number, member.Id), new PostSeat(muster.Number, member.Id, post.Number) { Since = ctx.Now });
            if (!member.BlockedBot)
            {
                ctx.Effects.Send(member.ChatId, MusterView.DrillLine(texts, member.Language, muster.Plan) + texts.Format(member.Language, "po.placed", muster.Code, post.Code, KindName(member.Language, post.Kind), Html.Escape(post.Place)),
                    new InlineMarkup([[new InlineButton(texts.Get(member.Language, "po.btn.view"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]]), Lane.Emergency);
            }
        }

        ctx.AnswerButton(ctx.T("po.filled", placed, free.Count - placed), alert: true);
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
}
