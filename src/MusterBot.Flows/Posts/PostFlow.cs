using System.Globalization;
using System.Text;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using Microsoft.Extensions.Options;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;
using Stateless;
using Stateless.Graph;

namespace MusterBot.Flows.Posts;

/// <summary>
/// Front-line posts of a muster (ding gang ding ze, dui hao ru zuo): an administrator or convenor of the muster defines
/// posts (kind, place, how many people per shift, the rota, a pin), arrived members pick a place or are given one (by
/// skill, then distance, then open places; or by the staff), the staff name a post leader, shifts hand over with a
/// reminder, the leader can call a follow-up muster for more people, and administrators form temporary party branches.
/// Each post has its own roll call (staffed / needed per shift, who is there).
/// </summary>
public sealed partial class PostFlow(TextCatalog texts, IOptions<MusterOptions> options) : IFlow
{
    public const string FlowName = "posts";
    public const int MaxPlaceLength = 40;
    private static readonly int[] NeededChoices = [1, 2, 3, 5, 10, 20];

    /// <summary>The rotas offered for a new post: shifts × hours (1 × 0: no rota).</summary>
    private static readonly (int Shifts, int Hours)[] RotaChoices = [(1, 0), (2, 4), (3, 4), (2, 6), (2, 8), (3, 8), (2, 12)];

    private readonly MusterOptions _options = options.Value;

    private TimeSpan Offset => _options.UtcOffset;

    private enum Step
    {
        Idle,
        AwaitingPlace,
        AwaitingNeeded,
        AwaitingRota,
        AwaitingLocation,
    }

    private enum Trigger
    {
        Pressed,
        KindChosen,
        PlaceTyped,
        NeededChosen,
        RotaChosen,
        LocationSent,
        Cancelled,
        TimerDue,
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
            .InternalTransitionAsync(Trigger.TimerDue, _ => Act())
            .PermitDynamicAsync(Trigger.KindChosen, act, "ask the place", Destinations.To((Step.AwaitingPlace, "staff"), (Step.Idle, "refused")))
            .PermitDynamicAsync(Trigger.Cancelled, act, "left", Destinations.To((Step.Idle, "left")));
        machine.Configure(Step.AwaitingPlace).SubstateOf(Step.Idle)
            .PermitDynamicAsync(Trigger.PlaceTyped, act, "checked", Destinations.To((Step.AwaitingNeeded, "a place"), (Step.AwaitingPlace, "too long or empty")));
        machine.Configure(Step.AwaitingNeeded).SubstateOf(Step.Idle)
            .PermitDynamicAsync(Trigger.NeededChosen, act, "ask the rota", Destinations.To((Step.AwaitingRota, "a count"), (Step.Idle, "stale")));
        machine.Configure(Step.AwaitingRota).SubstateOf(Step.Idle)
            .PermitDynamicAsync(Trigger.RotaChosen, act, "ask the pin", Destinations.To((Step.AwaitingLocation, "a rota"), (Step.Idle, "stale")));
        machine.Configure(Step.AwaitingLocation).SubstateOf(Step.Idle)
            .PermitDynamicAsync(Trigger.LocationSent, act, "created", Destinations.To((Step.Idle, "created")));
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
            TimerFired => Trigger.TimerDue,
            ButtonPressed when button is PostButton.Kind => Trigger.KindChosen,
            ButtonPressed when button is PostButton.Needed => Trigger.NeededChosen,
            ButtonPressed when button is PostButton.Rota => Trigger.RotaChosen,
            ButtonPressed when button is PostButton.NoLocation => Trigger.LocationSent,
            ButtonPressed when button is PostButton.Cancel => Trigger.Cancelled,
            ButtonPressed => Trigger.Pressed,
            TextReceived => Trigger.PlaceTyped,
            LocationShared => Trigger.LocationSent,
            _ => Trigger.Other,
        };
        var machine = Build(() => step, x => step = x, async () => await DecideAsync(ctx, button, step, data, cancellationToken).ConfigureAwait(false));
        machine.OnUnhandledTrigger((current, t) =>
        {
            if (t is Trigger.NeededChosen or Trigger.RotaChosen || (t == Trigger.LocationSent && ctx.Event is ButtonPressed))
            {
                ctx.AnswerButton(ctx.T("button.stale"));
            }
            else if (current == Step.AwaitingPlace)
            {
                ctx.Reply(ctx.T("po.ask.place", MaxPlaceLength));
            }
            else if (current == Step.AwaitingLocation)
            {
                ctx.Reply(ctx.T("po.ask.location"), NoLocationMarkup(ctx, data));
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
        if (ctx.Event is TimerFired timer)
        {
            await OnTimerAsync(ctx, timer.Payload, cancellationToken).ConfigureAwait(false);
            return step;
        }

        if (ctx.Event is TextReceived text)
        {
            return Place(ctx, text.Text, data);
        }

        if (ctx.Event is LocationShared pin)
        {
            return await CreateAsync(ctx, data, pin.Latitude, pin.Longitude, cancellationToken).ConfigureAwait(false);
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
                await JoinAsync(ctx, muster, join.Post, null, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.JoinShift join:
                await JoinAsync(ctx, muster, join.Post, join.Shift, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.Leave leave:
                await LeaveAsync(ctx, muster, leave.Post, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.Handover handover:
                await HandoverAsync(ctx, muster, handover.Post, handover.Shift, staff, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.More more:
                await MoreAsync(ctx, muster, more.Post, staff, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.MyBranch:
                await MyBranchAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.Rota rota:
                return await RotaAsync(ctx, muster, rota, data, staff).ConfigureAwait(false);
            case PostButton.NoLocation:
                return await CreateAsync(ctx, data, null, null, cancellationToken).ConfigureAwait(false);
        }

        // The rest define and lead posts: the muster's administrators and convenors only (branches: administrators).
        if (!staff)
        {
            ctx.AnswerButton(ctx.T("wf.staff_only"), alert: true);
            return step;
        }

        switch (button)
        {
            case PostButton.Create:
                var kinds = Enum.GetValues<PostKind>().Select(k => new InlineButton(ctx.T("po.kind." + k), PostButton.Codec.Encode(new PostButton.Kind(muster.Number, k)))).Rows(2);
                kinds.Add([CancelButton(ctx, muster.Number)]);
                ctx.Show(ctx.T("po.ask.kind", muster.Code), new InlineMarkup(kinds));
                return step;
            case PostButton.Kind kind when Enum.IsDefined(kind.What):
                data.Clear();
                data["m"] = muster.Number.ToString(CultureInfo.InvariantCulture);
                data["kind"] = kind.What.ToString();
                ctx.Show(ctx.T("po.ask.place", MaxPlaceLength), new InlineMarkup([[CancelButton(ctx, muster.Number)]]));
                return Step.AwaitingPlace;
            case PostButton.Needed needed:
                return Needed(ctx, muster, needed.Count, data);
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
            case PostButton.Assign assign:
                await AssignAsync(ctx, muster, assign.Post, null, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.AssignTo assign:
                await AssignAsync(ctx, muster, assign.Post, assign.UserId, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.Branches:
                await BranchesAsync(ctx, muster, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.FormBranch form:
                await FormBranchAsync(ctx, muster, form.Post, null, cancellationToken).ConfigureAwait(false);
                return step;
            case PostButton.Secretary secretary:
                await FormBranchAsync(ctx, muster, secretary.Post, secretary.UserId, cancellationToken).ConfigureAwait(false);
                return step;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return step;
        }
    }

    private static InlineButton CancelButton(FlowContext ctx, int muster) =>
        new(ctx.T("reg.button.cancel"), PostButton.Codec.Encode(new PostButton.Cancel(muster)));

    /// <summary>An administrator, or a convenor (or backup) of one of the muster's regions.</summary>
    private static bool IsStaff(FlowContext ctx, Muster muster) => MusterStaff.Is(ctx, muster);

    /// <summary>
    /// Arrived in the muster, or in one of its follow-up musters ("need more people": their arrivals count as arrived
    /// here for the posts), or standing at one of its posts.
    /// </summary>
    private static async ValueTask<bool> ArrivedAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        if (await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false) is not null)
        {
            return true;
        }

        var numbers = (await FollowUpsAsync(ctx.Reader, muster.Number, cancellationToken).ConfigureAwait(false)).Prepend(muster.Number);
        var answers = await ctx.Reader.GetManyAsync<MusterAnswer>(numbers.Select(n => DocKeys.MusterAnswer(n, ctx.Profile.Id)).ToList(), cancellationToken).ConfigureAwait(false);
        return answers.Any(a => a is { Status: CheckInStatus.Arrived });
    }

    /// <summary>The follow-up musters called for the muster's posts.</summary>
    internal static async ValueTask<IReadOnlyList<int>> FollowUpsAsync(DocReader reader, int muster, CancellationToken cancellationToken) =>
        [.. (await PostsAsync(reader, muster, cancellationToken).ConfigureAwait(false)).SelectMany(p => p.FollowUps).Distinct().Order()];

    /// <summary>Every member arrived in the muster or in one of its follow-up musters.</summary>
    internal static async ValueTask<IReadOnlyList<long>> ArrivedAllAsync(DocReader reader, Muster muster, CancellationToken cancellationToken)
    {
        var all = new List<long>(await Households.Welfare.ArrivedAsync(reader, muster, cancellationToken).ConfigureAwait(false));
        foreach (var number in await FollowUpsAsync(reader, muster.Number, cancellationToken).ConfigureAwait(false))
        {
            if (await MusterStore.LoadHeaderAsync(reader, number, cancellationToken).ConfigureAwait(false) is { } followUp)
            {
                all.AddRange(await Households.Welfare.ArrivedAsync(reader, followUp, cancellationToken).ConfigureAwait(false));
            }
        }

        return [.. all.Distinct()];
    }

    private static async ValueTask<MusterPost?> LoadPostAsync(FlowContext ctx, Muster muster, int number, CancellationToken cancellationToken) =>
        number <= 0 ? null : await ctx.Reader.GetAsync<MusterPost>(DocKeys.Post(muster.Number, number), cancellationToken).ConfigureAwait(false);

    internal static async ValueTask<List<MusterPost>> PostsAsync(DocReader reader, int muster, CancellationToken cancellationToken)
    {
        var numbers = (await reader.MembersAsync(Sets.Posts(muster), cancellationToken).ConfigureAwait(false)).Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
        return [.. (await reader.GetManyAsync<MusterPost>(numbers.Select(n => DocKeys.Post(muster, n)).ToList(), cancellationToken).ConfigureAwait(false)).OfType<MusterPost>()];
    }

    /// <summary>Who stands at a post, with their shift (profiles of people who left the community are skipped).</summary>
    public sealed record Staffing(MusterPost Post, IReadOnlyList<(UserProfile Person, PostSeat Seat)> People)
    {
        public int In(int shift) => People.Count(p => p.Seat.Shift == shift);

        public int OpenIn(int shift) => Post.Needed - In(shift);

        public IEnumerable<UserProfile> Of(int shift) => People.Where(p => p.Seat.Shift == shift).Select(p => p.Person);
    }

    internal static async ValueTask<Staffing> StaffingAsync(DocReader reader, MusterPost post, CancellationToken cancellationToken)
    {
        var ids = (await reader.MembersAsync(Sets.PostMembers(post.Muster, post.Number), cancellationToken).ConfigureAwait(false)).Select(n => long.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
        var seats = await reader.GetManyAsync<PostSeat>(ids.Select(id => DocKeys.PostSeat(post.Muster, id)).ToList(), cancellationToken).ConfigureAwait(false);
        var people = await reader.GetManyAsync<UserProfile>(ids.Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false);
        var list = new List<(UserProfile, PostSeat)>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (people[i] is { } person)
            {
                var seat = seats[i] is { Post: var p } found && p == post.Number ? found : new PostSeat(post.Muster, ids[i], post.Number);
                list.Add((person, seat with { Shift = Math.Clamp(seat.Shift, 1, post.Shifts) }));
            }
        }

        return new Staffing(post, [.. list.OrderBy(p => p.Item1.Id != post.LeaderId).ThenBy(p => p.Item1.FirstName, StringComparer.Ordinal).ThenBy(p => p.Item1.Id)]);
    }

    private string KindName(Language language, PostKind kind) => texts.Get(language, "po.kind." + kind);

    /// <summary>"P-1 🚧 checkpoint · East gate".</summary>
    internal string PostName(Language language, MusterPost post) => $"{post.Code} {KindName(language, post.Kind)} · {post.Place}";

    /// <summary>"Shift 2 16:00–24:00" (empty without a rota).</summary>
    internal string ShiftName(Language language, MusterPost post, int shift) =>
        post.HasRota ? texts.Format(language, "po.shift", shift, MusterView.Time(post.ShiftStart(shift), Offset), MusterView.Time(post.ShiftEnd(shift), Offset)) : string.Empty;

    /// <summary>"2/2 · 1/2": staffed / needed in each shift still to come (the current one first).</summary>
    private static string Counts(Staffing staffing, DateTimeOffset now) =>
        string.Join(" \u00b7 ", Enumerable.Range(1, staffing.Post.Shifts).Where(s => s >= staffing.Post.ShiftAt(now)).Select(s => $"{staffing.In(s)}/{staffing.Post.Needed}"));

    /// <summary>The muster's posts, staffed / needed each; members see the join buttons of posts with open places.</summary>
    public async ValueTask<(string Html, InlineMarkup Markup)> ListViewAsync(FlowContext ctx, Muster muster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(muster);
        var posts = await PostsAsync(ctx.Reader, muster.Number, cancellationToken).ConfigureAwait(false);
        var seat = await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        var sb = new StringBuilder(MusterView.DrillLine(texts, ctx.Language, muster.Plan)).Append(ctx.T("po.list.title", muster.Code));
        var rows = new List<IReadOnlyList<InlineButton>>();
        foreach (var post in posts)
        {
            var staffing = await StaffingAsync(ctx.Reader, post, cancellationToken).ConfigureAwait(false);
            var counts = Counts(staffing, ctx.Now);
            var mark = seat?.Post == post.Number ? " \U0001F4CD" : string.Empty;
            sb.Append('\n').Append(ctx.T("po.list.line", post.Code, KindName(ctx.Language, post.Kind), Html.Escape(post.Place), counts)).Append(mark);
            rows.Add([new InlineButton($"{PostName(ctx.Language, post)} {counts}", PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]);
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
            if (ctx.Has(Roles.Admin) && posts.Count > 0)
            {
                rows.Add([new InlineButton(ctx.T("po.btn.branches"), PostButton.Codec.Encode(new PostButton.Branches(muster.Number)))]);
            }
        }

        if (await ctx.Reader.GetAsync<BranchSeat>(DocKeys.BranchSeat(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false) is not null)
        {
            rows.Add([new InlineButton(ctx.T("po.btn.my_branch"), PostButton.Codec.Encode(new PostButton.MyBranch(muster.Number)))]);
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
        rows.Add([CancelButton(ctx, number)]);
        ctx.Reply(ctx.T("po.ask.needed", Html.Escape(place)), new InlineMarkup(rows));
        return Step.AwaitingNeeded;
    }

    private static bool Pending(Dictionary<string, string> data, Muster muster) =>
        data.GetValueOrDefault("m") == muster.Number.ToString(CultureInfo.InvariantCulture) && data.ContainsKey("place");

    /// <summary>How many per shift: then the rota.</summary>
    private static Step Needed(FlowContext ctx, Muster muster, int needed, Dictionary<string, string> data)
    {
        if (!NeededChoices.Contains(needed) || !Pending(data, muster))
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return Step.Idle;
        }

        data["needed"] = needed.ToString(CultureInfo.InvariantCulture);
        var rows = RotaChoices.Select(r => new InlineButton(r.Shifts == 1 ? ctx.T("po.rota.none") : ctx.T("po.rota.choice", r.Shifts, r.Hours), PostButton.Codec.Encode(new PostButton.Rota(muster.Number, r.Shifts, r.Hours)))).Rows(2);
        rows.Add([CancelButton(ctx, muster.Number)]);
        ctx.AnswerButton();
        ctx.Show(ctx.T("po.ask.rota", Html.Escape(data["place"]), needed), new InlineMarkup(rows));
        return Step.AwaitingRota;
    }

    private static ValueTask<Step> RotaAsync(FlowContext ctx, Muster muster, PostButton.Rota rota, Dictionary<string, string> data, bool staff)
    {
        if (!staff)
        {
            ctx.AnswerButton(ctx.T("wf.staff_only"), alert: true);
            return ValueTask.FromResult(Step.Idle);
        }

        if (!RotaChoices.Contains((rota.Shifts, rota.Hours)) || !Pending(data, muster) || !data.ContainsKey("needed"))
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return ValueTask.FromResult(Step.Idle);
        }

        data["shifts"] = rota.Shifts.ToString(CultureInfo.InvariantCulture);
        data["hours"] = rota.Hours.ToString(CultureInfo.InvariantCulture);
        ctx.AnswerButton();
        ctx.Show(ctx.T("po.ask.location"), NoLocationMarkup(ctx, data));
        return ValueTask.FromResult(Step.AwaitingLocation);
    }

    private static InlineMarkup NoLocationMarkup(FlowContext ctx, Dictionary<string, string> data)
    {
        var number = int.TryParse(data.GetValueOrDefault("m"), NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 0;
        return new InlineMarkup([[new InlineButton(ctx.T("po.btn.no_location"), PostButton.Codec.Encode(new PostButton.NoLocation(number))), CancelButton(ctx, number)]]);
    }

    /// <summary>
    /// Creates the post from the conversation (kind, place, count, rota) and the pin if one was sent; arms the rota's
    /// reminders and handover checks; tells the arrived members at no post.
    /// </summary>
    private async Task<Step> CreateAsync(FlowContext ctx, Dictionary<string, string> data, double? latitude, double? longitude, CancellationToken cancellationToken)
    {
        var muster = int.TryParse(data.GetValueOrDefault("m"), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            ? await MusterStore.LoadAsync(ctx.Reader, m, cancellationToken).ConfigureAwait(false)
            : null;
        if (muster is not { IsOpen: true } || !IsStaff(ctx, muster)
            || !Enum.TryParse<PostKind>(data.GetValueOrDefault("kind"), out var kind) || data.GetValueOrDefault("place") is not { Length: > 0 } place
            || !int.TryParse(data.GetValueOrDefault("needed"), NumberStyles.None, CultureInfo.InvariantCulture, out var needed)
            || !int.TryParse(data.GetValueOrDefault("shifts"), NumberStyles.None, CultureInfo.InvariantCulture, out var shifts)
            || !int.TryParse(data.GetValueOrDefault("hours"), NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            || !RotaChoices.Contains((shifts, hours)))
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            if (ctx.Event is not ButtonPressed)
            {
                ctx.Reply(ctx.T("button.stale"));
            }

            return Step.Idle;
        }

        var counter = await ctx.Reader.GetAsync<PostCounter>(DocKeys.PostCounter(muster.Number), cancellationToken).ConfigureAwait(false) ?? new PostCounter(0);
        var post = new MusterPost(muster.Number, counter.Last + 1, kind, place)
        {
            Needed = needed, Shifts = shifts, ShiftHours = hours, ShiftsFrom = ctx.Now, Latitude = latitude, Longitude = longitude, CreatedAt = ctx.Now, CreatedBy = ctx.Profile.Id,
        };
        ctx.Effects.Put(DocKeys.PostCounter(muster.Number), counter with { Last = post.Number });
        ctx.Effects.Put(DocKeys.Post(muster.Number, post.Number), post);
        ctx.Effects.AddToSet(Sets.Posts(muster.Number), post.Number.ToString(CultureInfo.InvariantCulture));
        if (!muster.HasPosts)
        {
            MusterStore.PutHeader(ctx.Effects, muster with { HasPosts = true });
        }

        ArmRota(ctx, post);

        // Members already arrived and at no post hear of it (later arrivals are shown the posts when they arrive).
        foreach (var id in await ArrivedAllAsync(ctx.Reader, muster, cancellationToken).ConfigureAwait(false))
        {
            if (await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, id), cancellationToken).ConfigureAwait(false) is null
                && await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(id), cancellationToken).ConfigureAwait(false) is { BlockedBot: false } member)
            {
                ctx.Effects.Send(member.ChatId, MusterView.DrillLine(texts, member.Language, muster.Plan) + texts.Format(member.Language, "po.new_post", muster.Code, post.Code, KindName(member.Language, kind), Html.Escape(place), needed) + RotaLine(member.Language, post),
                    new InlineMarkup([[new InlineButton(texts.Get(member.Language, "po.btn.join"), PostButton.Codec.Encode(new PostButton.Join(muster.Number, post.Number)))]]), Lane.Emergency);
            }
        }

        ctx.AnswerButton();
        var html = ctx.T("po.created", post.Code, KindName(ctx.Language, kind), Html.Escape(place), needed) + RotaLine(ctx.Language, post);
        var markup = new InlineMarkup([[new InlineButton(ctx.T("po.btn.list"), PostButton.Codec.Encode(new PostButton.List(muster.Number)))]]);
        if (ctx.Event is ButtonPressed)
        {
            ctx.Show(html, markup);
        }
        else
        {
            ctx.Reply(html, markup);
        }

        return Step.Idle;
    }

    /// <summary>"\nShifts: 1 08:00–12:00 · 2 12:00–16:00" (empty without a rota).</summary>
    private string RotaLine(Language language, MusterPost post) =>
        post.HasRota ? "\n" + texts.Format(language, "po.rota.line", string.Join(" \u00b7 ", Enumerable.Range(1, post.Shifts).Select(s => ShiftName(language, post, s)))) : string.Empty;

    /// <summary>A post's own roll call: staffed / needed per shift, its leader and who stands there; the buttons the presser may use.</summary>
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

        var staffing = await StaffingAsync(ctx.Reader, post, cancellationToken).ConfigureAwait(false);
        var leader = staffing.People.Select(p => p.Person).FirstOrDefault(p => p.Id == post.LeaderId);
        var now = post.ShiftAt(ctx.Now);
        var sb = new StringBuilder(MusterView.DrillLine(texts, ctx.Language, muster.Plan));
        sb.Append(ctx.T("po.view", post.Code, KindName(ctx.Language, post.Kind), Html.Escape(post.Place), staffing.In(now), post.Needed, leader is null ? ctx.T("wf.nobody") : Html.Escape(leader.FirstName)));
        if (post.Skills.Count > 0)
        {
            sb.Append('\n').Append(ctx.T("po.view.skills", MusterView.SkillList(texts, ctx.Language, post.Skills)));
        }

        for (var shift = 1; shift <= post.Shifts; shift++)
        {
            if (post.HasRota)
            {
                var over = shift < now || post.IsOver(ctx.Now);
                sb.Append("\n\n<b>").Append(ShiftName(ctx.Language, post, shift)).Append("</b> ").Append(staffing.In(shift)).Append('/').Append(post.Needed)
                    .Append(over ? " " + ctx.T("po.shift_over") : shift == now ? " " + ctx.T("po.on_duty") : string.Empty);
            }

            foreach (var p in staffing.Of(shift).Take(40))
            {
                sb.Append("\n\u2022 ").Append(Html.Escape(p.FirstName)).Append(p.Id == post.LeaderId ? " \U0001F451" : string.Empty);
                if (staff && p.Phone is { } phone)
                {
                    sb.Append(" <code>").Append(Html.Escape(phone)).Append("</code>");
                }
            }

            if (post.Handovers.FirstOrDefault(h => h.Shift == shift) is { } handover)
            {
                var by = staffing.People.Select(p => p.Person).FirstOrDefault(p => p.Id == handover.By)?.FirstName
                    ?? (await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(handover.By), cancellationToken).ConfigureAwait(false))?.FirstName ?? "?";
                sb.Append('\n').Append(ctx.T("po.handed_over_line", shift, shift + 1, MusterView.Time(handover.At, Offset), Html.Escape(by)));
            }
        }

        if (post.FollowUps.Count > 0)
        {
            sb.Append("\n\n").Append(ctx.T("po.follow_ups", string.Join(", ", post.FollowUps.Select(f => "M-" + f.ToString(CultureInfo.InvariantCulture)))));
        }

        var rows = new List<IReadOnlyList<InlineButton>>();
        var mine = staffing.People.FirstOrDefault(p => p.Person.Id == ctx.Profile.Id).Seat;
        if (arrived && !post.IsOver(ctx.Now))
        {
            var joinable = Enumerable.Range(now, post.Shifts - now + 1).Where(s => staffing.OpenIn(s) > 0 && mine?.Shift != s).ToList();
            rows.AddRange(post.HasRota
                ? joinable.Select(s => new InlineButton(ctx.T("po.btn.join_shift", ShiftName(ctx.Language, post, s)), PostButton.Codec.Encode(new PostButton.JoinShift(muster.Number, post.Number, s)))).Rows(1)
                : mine is null && joinable.Count > 0 ? [[new InlineButton(ctx.T("po.btn.join"), PostButton.Codec.Encode(new PostButton.Join(muster.Number, post.Number)))]] : []);
        }

        if (mine is not null)
        {
            var row = new List<InlineButton> { new(ctx.T("po.btn.leave"), PostButton.Codec.Encode(new PostButton.Leave(muster.Number, post.Number))) };
            if (post.HasRota && mine.Shift == now && now < post.Shifts && post.Handovers.All(h => h.Shift != now))
            {
                row.Insert(0, new InlineButton(ctx.T("po.btn.handover"), PostButton.Codec.Encode(new PostButton.Handover(muster.Number, post.Number, now))));
            }

            rows.Add(row);
        }

        if (staff || post.LeaderId == ctx.Profile.Id)
        {
            rows.Add([new InlineButton(ctx.T("po.btn.more"), PostButton.Codec.Encode(new PostButton.More(muster.Number, post.Number)))]);
        }

        if (staff)
        {
            rows.Add([
                new InlineButton(ctx.T("po.btn.assign"), PostButton.Codec.Encode(new PostButton.Assign(muster.Number, post.Number))),
                new InlineButton(ctx.T("po.btn.leader"), PostButton.Codec.Encode(new PostButton.PickLeader(muster.Number, post.Number)))]);
            rows.Add([
                new InlineButton(ctx.T("po.btn.skills"), PostButton.Codec.Encode(new PostButton.Skills(muster.Number, post.Number))),
                new InlineButton(ctx.T("po.btn.remove"), PostButton.Codec.Encode(new PostButton.Remove(muster.Number, post.Number)))]);
        }

        rows.Add([new InlineButton(ctx.T("po.btn.list"), PostButton.Codec.Encode(new PostButton.List(muster.Number)))]);
        ctx.Show(sb.ToString(), new InlineMarkup(rows));
        return true;
    }

    /// <summary>
    /// An arrived member takes an open place (in <paramref name="shift"/>, or the first shift from now with room); a
    /// member at another post or shift moves (one place at a time).
    /// </summary>
    private async ValueTask JoinAsync(FlowContext ctx, Muster muster, int number, int? shift, CancellationToken cancellationToken)
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
        var staffing = await StaffingAsync(ctx.Reader, post, cancellationToken).ConfigureAwait(false);
        var now = post.ShiftAt(ctx.Now);
        if (shift is { } wanted && (wanted < 1 || wanted > post.Shifts))
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (post.IsOver(ctx.Now))
        {
            ctx.AnswerButton(ctx.T("po.rota_over", post.Code), alert: true);
            return;
        }

        if (shift is { } past && past < now)
        {
            ctx.AnswerButton(ctx.T("po.shift_past"), alert: true);
            return;
        }

        if (seat?.Post == post.Number && (shift is null || seat.Shift == shift))
        {
            ctx.AnswerButton(ctx.T("po.already_here", post.Code));
            return;
        }

        int? chosen = shift is { } s ? (staffing.OpenIn(s) > 0 ? s : null) : Enumerable.Range(now, post.Shifts - now + 1).Cast<int?>().FirstOrDefault(x => staffing.OpenIn(x!.Value) > 0);
        if (chosen is not { } place)
        {
            ctx.AnswerButton(ctx.T("po.full", post.Code), alert: true);
            return;
        }

        await SeatAsync(ctx, muster, ctx.Profile, post, place, seat, cancellationToken).ConfigureAwait(false);
        ctx.AnswerButton(ctx.T("po.joined_toast", post.Code));
        ctx.Show(ctx.T("po.joined", post.Code, KindName(ctx.Language, post.Kind), Html.Escape(post.Place)) + ShiftSuffix(ctx.Language, post, place), new InlineMarkup([[
            new InlineButton(ctx.T("po.btn.view"), PostButton.Codec.Encode(new PostButton.View(muster.Number, post.Number)))]]));
    }

    /// <summary>" — Shift 2 16:00–20:00" (empty without a rota).</summary>
    private string ShiftSuffix(Language language, MusterPost post, int shift) =>
        post.HasRota ? " \u2014 " + ShiftName(language, post, shift) : string.Empty;

    /// <summary>
    /// Puts a member at a post and shift: out of their old post (a leader who moves leaves it without a leader) and its
    /// branch, into the new post's branch if it has one. The new post is written by the caller.
    /// </summary>
    private async ValueTask SeatAsync(FlowContext ctx, Muster muster, UserProfile member, MusterPost post, int shift, PostSeat? old, CancellationToken cancellationToken)
    {
        var id = member.Id.ToString(CultureInfo.InvariantCulture);
        if (old is not null && old.Post != post.Number)
        {
            ctx.Effects.RemoveFromSet(Sets.PostMembers(muster.Number, old.Post), id);
            if (await PendingAsync<MusterPost>(ctx, DocKeys.Post(muster.Number, old.Post), cancellationToken).ConfigureAwait(false) is { } left && left.LeaderId == member.Id)
            {
                ctx.Effects.Put(DocKeys.Post(muster.Number, left.Number), left with { LeaderId = null });
            }

            await LeaveBranchOfAsync(ctx, muster.Number, member.Id, old.Post, cancellationToken).ConfigureAwait(false);
        }

        ctx.Effects.AddToSet(Sets.PostMembers(muster.Number, post.Number), id);
        ctx.Effects.Put(DocKeys.PostSeat(muster.Number, member.Id), new PostSeat(muster.Number, member.Id, post.Number) { Shift = shift, Since = ctx.Now });
        if (old?.Post != post.Number && post.Branch is { } branch)
        {
            await JoinBranchAsync(ctx, muster, member, branch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A document as this decision has it: written earlier in the decision, else as stored.</summary>
    internal static async ValueTask<T?> PendingAsync<T>(FlowContext ctx, State.Documents.DocKey key, CancellationToken cancellationToken)
        where T : class
    {
        if (ctx.Effects.Writes.TryGetValue(key, out var pending))
        {
            return pending.Json is { } json ? RecordJson.Deserialize<T>(json) : null;
        }

        return await ctx.Reader.GetAsync<T>(key, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask LeaveAsync(FlowContext ctx, Muster muster, int number, CancellationToken cancellationToken)
    {
        var seat = await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, ctx.Profile.Id), cancellationToken).ConfigureAwait(false);
        if (seat?.Post != number)
        {
            ctx.AnswerButton(ctx.T("po.not_here"), alert: true);
            return;
        }

        await UnseatAsync(ctx, muster.Number, ctx.Profile.Id, cancellationToken).ConfigureAwait(false);
        ctx.AnswerButton(ctx.T("po.left"));
        await ListAsync(ctx, muster, fresh: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes a member off their post (leaving it, or no longer arrived): the seat and the set, the post's leadership, the
    /// post's branch (<paramref name="anyBranch"/>: any branch but one they are secretary of). The post is written back
    /// even when unchanged, so a leader being named or a branch being formed at the same moment is decided again.
    /// </summary>
    internal static async ValueTask UnseatAsync(FlowContext ctx, int muster, long userId, CancellationToken cancellationToken, bool anyBranch = false)
    {
        var seat = await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster, userId), cancellationToken).ConfigureAwait(false);
        if (seat is not null)
        {
            ctx.Effects.RemoveFromSet(Sets.PostMembers(muster, seat.Post), userId.ToString(CultureInfo.InvariantCulture));
            ctx.Effects.Delete(DocKeys.PostSeat(muster, userId));
            if (await PendingAsync<MusterPost>(ctx, DocKeys.Post(muster, seat.Post), cancellationToken).ConfigureAwait(false) is { } post)
            {
                ctx.Effects.Put(DocKeys.Post(muster, post.Number), post.LeaderId == userId ? post with { LeaderId = null } : post);
            }
        }

        if (seat is not null || anyBranch)
        {
            await LeaveBranchOfAsync(ctx, muster, userId, anyBranch ? null : seat!.Post, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The staff name the post leader among those at the post (or choose whom, <paramref name="userId"/> null); the leader is told.</summary>
    private async ValueTask PickLeaderAsync(FlowContext ctx, Muster muster, int number, long? userId, CancellationToken cancellationToken)
    {
        if (await LoadPostAsync(ctx, muster, number, cancellationToken).ConfigureAwait(false) is not { } post)
        {
            ctx.AnswerButton(ctx.T("po.gone"), alert: true);
            return;
        }

        var people = (await StaffingAsync(ctx.Reader, post, cancellationToken).ConfigureAwait(false)).People.Select(p => p.Person).ToList();
        if (userId is null)
        {
            if (people.Count == 0)
            {
                ctx.AnswerButton(ctx.T("po.leader.nobody"), alert: true);
                return;
            }

            var rows = people.Take(20).Select(p => new InlineButton(p.FirstName, PostButton.Codec.Encode(new PostButton.Leader(muster.Number, post.Number, p.Id)))).Rows(2);
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

            // The seat is read, so its delete is checked: a member who moved to another post meanwhile keeps that seat.
            if (await ctx.Reader.GetAsync<PostSeat>(DocKeys.PostSeat(muster.Number, id), cancellationToken).ConfigureAwait(false) is { } seat && seat.Post == post.Number)
            {
                ctx.Effects.Delete(DocKeys.PostSeat(muster.Number, id));
            }

            await LeaveBranchOfAsync(ctx, muster.Number, id, post.Number, cancellationToken).ConfigureAwait(false);
            if (await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(id), cancellationToken).ConfigureAwait(false) is { BlockedBot: false } member)
            {
                ctx.Effects.Send(member.ChatId, MusterView.DrillLine(texts, member.Language, muster.Plan) + texts.Format(member.Language, "po.removed_member", muster.Code, post.Code, Html.Escape(post.Place)),
                    new InlineMarkup([[new InlineButton(texts.Get(member.Language, "po.btn.list"), PostButton.Codec.Encode(new PostButton.List(muster.Number)))]]), Lane.Emergency);
            }
        }

        CancelRota(ctx, post);
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
}
