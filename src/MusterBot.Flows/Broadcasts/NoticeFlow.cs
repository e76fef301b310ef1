using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Broadcasts;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Groups;
using MusterBot.State.Timers;
using Stateless;
using Stateless.Graph;

namespace MusterBot.Flows.Broadcasts;

/// <summary>
/// /notice (issue #20, point 4): an administrator (any grid) or a grid worker (their own grid) writes an ordinary notice —
/// 停水通知, a vaccination day, a meeting — with an optional photo, for the residents of chosen grids or buildings and
/// their linked groups, to go now or at a set time. The preview says how many people will get it. Each copy has a
/// "read" button; the sender sees how many of the recipients pressed it. A notice is held during emergency mode like
/// every normal-time notice unless it is marked urgent. At a scheduled time the targets are checked again: a deleted
/// grid or building is left out (and the sender told), and a notice left with nobody is not sent.
/// </summary>
public sealed class NoticeFlow(TextCatalog texts, TimeSpan? utcOffset = null) : IFlow
{
    public const string FlowName = "notice";
    public const int MaxText = 1000;
    private const int MaxCaption = 1024;
    private const int MaxChoices = 40;
    private const int ListSize = 5;
    private static readonly TimeSpan MaxAhead = TimeSpan.FromDays(30);
    private readonly TimeSpan _offset = utcOffset ?? TimeSpan.FromHours(8);

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["notice"];

    public bool OwnsButton(string data) => NoticeButton.Codec.Owns(data);

    /// <summary>"Read" is pressed in linked groups too.</summary>
    public bool AllowsInGroup(string data) => NoticeButton.Codec.Decode(data) is NoticeButton.Read;

    public string ToMermaid()
    {
        var step = NoticeStep.Idle;
        var machine = new StateMachine<NoticeStep, NoticeTrigger>(() => step, s => step = s);
        Configure(machine);
        return MermaidGraph.Format(machine.GetInfo()).ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
    }

    private static void Configure(StateMachine<NoticeStep, NoticeTrigger> machine)
    {
        machine.Configure(NoticeStep.Idle).Permit(NoticeTrigger.Begin, NoticeStep.Targets);
        machine.Configure(NoticeStep.Writing).Permit(NoticeTrigger.Cancel, NoticeStep.Idle);
        machine.Configure(NoticeStep.Targets).SubstateOf(NoticeStep.Writing).Permit(NoticeTrigger.TargetsChosen, NoticeStep.Text);
        machine.Configure(NoticeStep.Text).SubstateOf(NoticeStep.Writing)
            .Permit(NoticeTrigger.Typed, NoticeStep.Photo)
            .Permit(NoticeTrigger.PhotoSent, NoticeStep.When);
        machine.Configure(NoticeStep.Photo).SubstateOf(NoticeStep.Writing)
            .Permit(NoticeTrigger.PhotoSent, NoticeStep.When)
            .Permit(NoticeTrigger.SkipPhoto, NoticeStep.When);
        machine.Configure(NoticeStep.When).SubstateOf(NoticeStep.Writing).Permit(NoticeTrigger.TimeChosen, NoticeStep.Confirm);
        machine.Configure(NoticeStep.Confirm).SubstateOf(NoticeStep.Writing).Permit(NoticeTrigger.Send, NoticeStep.Idle);
    }

    /// <summary>True (and the conversation moved) when <paramref name="step"/> takes <paramref name="trigger"/>.</summary>
    private static bool Move(FlowContext ctx, NoticeStep step, NoticeTrigger trigger, Dictionary<string, string> data)
    {
        var current = step;
        var machine = new StateMachine<NoticeStep, NoticeTrigger>(() => current, s => current = s);
        Configure(machine);
        if (!machine.CanFire(trigger))
        {
            return false;
        }

        machine.Fire(trigger);
        ctx.Conversation = current == NoticeStep.Idle
            ? MainFlow.Idle(ctx.Now)
            : new ConversationState(FlowName, current.ToString()) { Data = data, UpdatedAt = ctx.Now };
        return true;
    }

    private static bool IsStaff(FlowContext ctx) => ctx.Has(Roles.Admin | Roles.Handler);

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var step = ctx.Conversation.Flow == FlowName && Enum.TryParse<NoticeStep>(ctx.Conversation.Step, out var s) ? s : NoticeStep.Idle;
        var data = new Dictionary<string, string>(ctx.Conversation.Data);
        switch (ctx.Event)
        {
            case TimerFired timer when NoticeButton.Codec.Decode(timer.Payload) is NoticeButton.Due due:
                await DueAsync(ctx, due.Number, cancellationToken).ConfigureAwait(false);
                return;
            case TimerFired:
                return;
            case ButtonPressed press:
                await PressedAsync(ctx, step, data, NoticeButton.Codec.Decode(press.Data), cancellationToken).ConfigureAwait(false);
                return;
            case CommandReceived:
                if (!IsStaff(ctx))
                {
                    ctx.Reply(ctx.T("not_allowed", ctx.T("nt.role")));
                    return;
                }

                await ListAsync(ctx, cancellationToken).ConfigureAwait(false);
                return;
            case TextReceived text when step == NoticeStep.Text:
                await TextAsync(ctx, step, data, text.Text.Trim(), null, cancellationToken).ConfigureAwait(false);
                return;
            case PhotoReceived photo when step == NoticeStep.Text:
                await TextAsync(ctx, step, data, photo.Caption?.Trim() ?? string.Empty, photo.FileId, cancellationToken).ConfigureAwait(false);
                return;
            case PhotoReceived photo when step == NoticeStep.Photo:
                data["p"] = photo.FileId;
                if (Move(ctx, step, NoticeTrigger.PhotoSent, data))
                {
                    AskWhen(ctx);
                }

                return;
            case TextReceived text when step == NoticeStep.When:
                await TypedTimeAsync(ctx, step, data, text.Text.Trim(), cancellationToken).ConfigureAwait(false);
                return;
            default:
                Hint(ctx, step);
                return;
        }
    }

    /// <summary>Anything a step does not take: the step's question again, kindly.</summary>
    private void Hint(FlowContext ctx, NoticeStep step)
    {
        switch (step)
        {
            case NoticeStep.Targets:
                ctx.Reply(ctx.T("nt.hint.targets"), CancelMarkup(ctx));
                return;
            case NoticeStep.Text:
                ctx.Reply(ctx.T("nt.ask.text", MaxText), CancelMarkup(ctx));
                return;
            case NoticeStep.Photo:
                ctx.Reply(ctx.T("nt.hint.photo"), PhotoMarkup(ctx));
                return;
            case NoticeStep.When:
                AskWhen(ctx);
                return;
            case NoticeStep.Confirm:
                ctx.Reply(ctx.T("nt.hint.confirm"), CancelMarkup(ctx));
                return;
            default:
                ctx.Conversation = MainFlow.Idle(ctx.Now);
                ctx.Reply(ctx.T("unknown.text"), CommandCatalog.Menu(ctx.Roles, ctx.Language, texts, ctx.Emergency));
                return;
        }
    }

    private static InlineMarkup CancelMarkup(FlowContext ctx) => new([[new InlineButton(ctx.T("reg.button.cancel"), new NoticeButton.Cancel().Data)]]);

    private static InlineMarkup PhotoMarkup(FlowContext ctx) => new([[
        new InlineButton(ctx.T("nt.btn.no_photo"), new NoticeButton.SkipPhoto().Data),
        new InlineButton(ctx.T("reg.button.cancel"), new NoticeButton.Cancel().Data)]]);

    // ---- buttons ----

    private async ValueTask PressedAsync(FlowContext ctx, NoticeStep step, Dictionary<string, string> data, NoticeButton? button, CancellationToken cancellationToken)
    {
        if (button is NoticeButton.Read read)
        {
            await ReadAsync(ctx, read, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (button is null or NoticeButton.Due)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (!IsStaff(ctx))
        {
            ctx.AnswerButton(ctx.T("not_allowed", ctx.T("nt.role")), alert: true);
            return;
        }

        switch (button)
        {
            case NoticeButton.Compose:
                await BeginAsync(ctx, step, cancellationToken).ConfigureAwait(false);
                return;
            case NoticeButton.Stats stats:
                await StatsAsync(ctx, stats.Number, cancellationToken).ConfigureAwait(false);
                return;
            case NoticeButton.CancelScheduled cancel:
                await CancelScheduledAsync(ctx, cancel.Number, cancellationToken).ConfigureAwait(false);
                return;
            case NoticeButton.Cancel when step is not NoticeStep.Idle:
                Move(ctx, step, NoticeTrigger.Cancel, data);
                ctx.Show(ctx.T("cancel.done"), null);
                return;
            case NoticeButton.Toggle toggle when step == NoticeStep.Targets:
                await ToggleAsync(ctx, data, toggle.Target, cancellationToken).ConfigureAwait(false);
                return;
            case NoticeButton.Done when step == NoticeStep.Targets:
                if (Targets(data).Count == 0)
                {
                    // An empty selection: nothing to send it to.
                    ctx.AnswerButton(ctx.T("nt.targets.none"), alert: true);
                    return;
                }

                Move(ctx, step, NoticeTrigger.TargetsChosen, data);
                ctx.Show(ctx.T("nt.ask.text", MaxText), CancelMarkup(ctx));
                return;
            case NoticeButton.SkipPhoto when step == NoticeStep.Photo:
                Move(ctx, step, NoticeTrigger.SkipPhoto, data);
                ctx.AnswerButton();
                AskWhen(ctx, edit: true);
                return;
            case NoticeButton.SendTime time when step == NoticeStep.When:
                var at = At(ctx, time.Choice);
                if (at is null && time.Choice != NoticeWhen.Now)
                {
                    ctx.AnswerButton(ctx.T("nt.when.past"), alert: true);
                    return;
                }

                data["w"] = at is { } due ? due.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : string.Empty;
                Move(ctx, step, NoticeTrigger.TimeChosen, data);
                await PreviewAsync(ctx, data, edit: true, cancellationToken).ConfigureAwait(false);
                return;
            case NoticeButton.Urgent when step == NoticeStep.Confirm:
                data["u"] = data.GetValueOrDefault("u") == "1" ? "0" : "1";
                ctx.Conversation = ctx.Conversation with { Data = data, UpdatedAt = ctx.Now };
                await PreviewAsync(ctx, data, edit: true, cancellationToken).ConfigureAwait(false);
                return;
            case NoticeButton.Send when step == NoticeStep.Confirm:
                await SendAsync(ctx, step, data, cancellationToken).ConfigureAwait(false);
                return;
            default:
                // A wizard button of another step, or after the notice was sent: an old message.
                ctx.AnswerButton(ctx.T("button.expired_hint"));
                return;
        }
    }

    // ---- the list ----

    /// <summary>/notice: the newest notices (a grid worker's own; every one for an administrator) and "new notice".</summary>
    private async ValueTask ListAsync(FlowContext ctx, CancellationToken cancellationToken)
    {
        var numbers = (await ctx.Reader.MembersAsync(Sets.Notices, cancellationToken).ConfigureAwait(false))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).OrderDescending().ToList();
        var notices = (await ctx.Reader.GetManyAsync<Notice>(numbers.Select(DocKeys.Notice).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<Notice>().Where(n => ctx.Has(Roles.Admin) || n.By == ctx.Profile.Id).Take(ListSize).ToList();
        var sb = new StringBuilder(ctx.T("nt.list.title"));
        var rows = new List<IReadOnlyList<InlineButton>> { new[] { new InlineButton(ctx.T("nt.btn.new"), new NoticeButton.Compose().Data) } };
        var actions = new List<InlineButton>();
        foreach (var notice in notices)
        {
            var read = notice.Status == NoticeStatus.Sent ? await ctx.Reader.CountAsync(Sets.NoticeRead(notice.Number), cancellationToken).ConfigureAwait(false) : 0;
            sb.Append('\n').Append(Line(ctx.Language, notice, read));
            actions.Add(notice.Status == NoticeStatus.Scheduled
                ? new InlineButton(ctx.T("nt.btn.cancel_scheduled", notice.Code), new NoticeButton.CancelScheduled(notice.Number).Data)
                : new InlineButton("📊 " + notice.Code, new NoticeButton.Stats(notice.Number).Data));
        }

        if (notices.Count == 0)
        {
            sb.Append('\n').Append(ctx.T("nt.list.none"));
        }

        rows.AddRange(actions.Rows(2));
        ctx.Conversation = MainFlow.Idle(ctx.Now);
        ctx.Reply(sb.ToString(), new InlineMarkup(rows));
    }

    private string Line(Language language, Notice notice, long read) => notice.Status switch
    {
        NoticeStatus.Scheduled => texts.Format(language, "nt.line.scheduled", notice.Code, Time(notice.SendAt ?? notice.CreatedAt), TargetNames(notice)),
        NoticeStatus.Sent => texts.Format(language, "nt.line.sent", notice.Code, Time(notice.SentAt ?? notice.CreatedAt), TargetNames(notice), notice.Recipients, read),
        NoticeStatus.Cancelled => texts.Format(language, "nt.line.cancelled", notice.Code, TargetNames(notice)),
        _ => texts.Format(language, "nt.line.dropped", notice.Code, TargetNames(notice)),
    };

    private static string TargetNames(Notice notice) => Html.Escape(string.Join("、", notice.Targets.Select(t => t.Name)));

    private string Time(DateTimeOffset at) => at.ToOffset(_offset).ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);

    // ---- the wizard ----

    private static async ValueTask BeginAsync(FlowContext ctx, NoticeStep step, CancellationToken cancellationToken)
    {
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        if (Choices(ctx, directory).Count == 0)
        {
            ctx.AnswerButton(ctx.T(ctx.Has(Roles.Admin) ? "nt.targets.no_grids" : "nt.targets.no_own_grid"), alert: true);
            return;
        }

        var data = new Dictionary<string, string>();
        if (step != NoticeStep.Idle)
        {
            Move(ctx, step, NoticeTrigger.Cancel, data);
        }

        Move(ctx, NoticeStep.Idle, NoticeTrigger.Begin, data);
        ctx.Show(ctx.T("nt.ask.targets"), TargetsMarkup(ctx, directory, []));
    }

    /// <summary>What a person may send to: every grid and building for an administrator; a grid worker's own grid and its buildings.</summary>
    private static List<(string Id, string Name)> Choices(FlowContext ctx, DirectorySnapshot directory)
    {
        var grids = ctx.Has(Roles.Admin) ? directory.Grids : directory.Grid(ctx.Profile.GridId) is { } own ? [own] : [];
        return grids.SelectMany(g => new[] { (g.Id, ctx.T("nt.target.grid", g.Name)) }
                .Concat(g.Buildings.Select(b => (g.Id + "/" + b.Id, ctx.T("nt.target.building", b.Name, g.Name)))))
            .Take(MaxChoices)
            .ToList();
    }

    private static List<string> Targets(Dictionary<string, string> data) =>
        data.TryGetValue("t", out var t) && t.Length > 0 ? [.. t.Split(',')] : [];

    private static InlineMarkup TargetsMarkup(FlowContext ctx, DirectorySnapshot directory, IReadOnlyCollection<string> chosen)
    {
        var rows = Choices(ctx, directory)
            .Select(c => new InlineButton((chosen.Contains(c.Id) ? "\u2611\uFE0F " : "\u2B1C ") + c.Name, new NoticeButton.Toggle(c.Id).Data))
            .Rows(2);
        rows.Add([new InlineButton(ctx.T("mu.btn.done"), new NoticeButton.Done().Data), new InlineButton(ctx.T("reg.button.cancel"), new NoticeButton.Cancel().Data)]);
        return new InlineMarkup(rows);
    }

    private static async ValueTask ToggleAsync(FlowContext ctx, Dictionary<string, string> data, string target, CancellationToken cancellationToken)
    {
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        if (Choices(ctx, directory).All(c => c.Id != target))
        {
            // Deleted since, or not this person's to choose (a forged press).
            ctx.AnswerButton(ctx.T("button.stale"), alert: true);
            return;
        }

        var chosen = Targets(data);
        if (!chosen.Remove(target))
        {
            chosen.Add(target);
        }

        data["t"] = string.Join(',', chosen);
        ctx.Conversation = ctx.Conversation with { Data = data, UpdatedAt = ctx.Now };
        ctx.Show(ctx.T("nt.ask.targets"), TargetsMarkup(ctx, directory, chosen));
    }

    /// <summary>The text (typed, or a photo's caption); a photo without a caption is kept and the text asked for.</summary>
    private async ValueTask TextAsync(FlowContext ctx, NoticeStep step, Dictionary<string, string> data, string text, string? photo, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        if (photo is not null)
        {
            data["p"] = photo;
        }

        if (text.Length == 0 && photo is not null)
        {
            ctx.Conversation = ctx.Conversation with { Data = data, UpdatedAt = ctx.Now };
            ctx.Reply(ctx.T("nt.photo_kept"), CancelMarkup(ctx));
            return;
        }

        if (text.Length is 0 or > MaxText)
        {
            ctx.Reply(ctx.T("nt.text_length", MaxText, text.Length), CancelMarkup(ctx));
            return;
        }

        data["x"] = text;
        if (data.ContainsKey("p"))
        {
            Move(ctx, step, NoticeTrigger.PhotoSent, data);
            AskWhen(ctx);
            return;
        }

        Move(ctx, step, NoticeTrigger.Typed, data);
        ctx.Reply(ctx.T("nt.ask.photo"), PhotoMarkup(ctx));
    }

    private void AskWhen(FlowContext ctx, bool edit = false)
    {
        var choices = new List<InlineButton> { new(ctx.T("nt.when.Now"), new NoticeButton.SendTime(NoticeWhen.Now).Data), new(ctx.T("nt.when.InOneHour"), new NoticeButton.SendTime(NoticeWhen.InOneHour).Data) };
        if (At(ctx, NoticeWhen.Tonight) is not null)
        {
            choices.Add(new(ctx.T("nt.when.Tonight"), new NoticeButton.SendTime(NoticeWhen.Tonight).Data));
        }

        choices.Add(new(ctx.T("nt.when.TomorrowMorning"), new NoticeButton.SendTime(NoticeWhen.TomorrowMorning).Data));
        var rows = choices.Rows(2);
        rows.Add([new InlineButton(ctx.T("reg.button.cancel"), new NoticeButton.Cancel().Data)]);
        var html = ctx.T("nt.ask.when", ctx.Now.ToOffset(_offset).AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (edit)
        {
            ctx.Show(html, new InlineMarkup(rows));
        }
        else
        {
            ctx.Reply(html, new InlineMarkup(rows));
        }
    }

    /// <summary>The time a choice stands for (null: at once, or tonight when it is already evening).</summary>
    private DateTimeOffset? At(FlowContext ctx, NoticeWhen choice)
    {
        var local = ctx.Now.ToOffset(_offset);
        var today = new DateTimeOffset(local.Date, _offset);
        return choice switch
        {
            NoticeWhen.InOneHour => ctx.Now.AddHours(1),
            NoticeWhen.Tonight when local.TimeOfDay < new TimeSpan(18, 30, 0) => today.AddHours(19),
            NoticeWhen.TomorrowMorning => today.AddDays(1).AddHours(8),
            _ => null,
        };
    }

    private static readonly string[] TimeFormats = ["yyyy-MM-dd HH:mm", "yyyy-M-d H:mm", "MM-dd HH:mm", "M-d H:mm", "HH:mm", "H:mm"];

    /// <summary>A typed time ("2026-12-08 09:30", "12-08 09:30", "09:30" = the next such time), in the community's time zone.</summary>
    private async ValueTask TypedTimeAsync(FlowContext ctx, NoticeStep step, Dictionary<string, string> data, string text, CancellationToken cancellationToken)
    {
        var local = ctx.Now.ToOffset(_offset);
        if (!DateTime.TryParseExact(text.Replace('/', '-').Replace('：', ':'), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            ctx.Reply(ctx.T("nt.when.format"), CancelMarkup(ctx));
            return;
        }

        var hasDate = text.Contains('-', StringComparison.Ordinal) || text.Contains('/', StringComparison.Ordinal);
        var hasYear = text.Count(c => c is '-' or '/') == 2;
        if (hasDate && !hasYear && parsed.Day > DateTime.DaysInMonth(local.Year, parsed.Month))
        {
            // 02-29 outside a leap year.
            ctx.Reply(ctx.T("nt.when.format"), CancelMarkup(ctx));
            return;
        }

        var at = new DateTimeOffset(hasYear ? parsed : new DateTime(local.Year, hasDate ? parsed.Month : local.Month, hasDate ? parsed.Day : local.Day, parsed.Hour, parsed.Minute, 0), _offset);
        if (!hasDate && at <= ctx.Now)
        {
            at = at.AddDays(1);
        }
        else if (hasDate && !hasYear && at < ctx.Now.AddDays(-1))
        {
            at = at.AddYears(1);
        }

        if (at <= ctx.Now)
        {
            ctx.Reply(ctx.T("nt.when.past"), CancelMarkup(ctx));
            return;
        }

        if (at - ctx.Now > MaxAhead)
        {
            ctx.Reply(ctx.T("nt.when.too_far", MaxAhead.Days), CancelMarkup(ctx));
            return;
        }

        data["w"] = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Move(ctx, step, NoticeTrigger.TimeChosen, data);
        await PreviewAsync(ctx, data, edit: false, cancellationToken).ConfigureAwait(false);
    }

    private static DateTimeOffset? Due(Dictionary<string, string> data) =>
        data.TryGetValue("w", out var w) && long.TryParse(w, CultureInfo.InvariantCulture, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    /// <summary>Who a notice reaches: the registered people living in its grids or buildings, and the linked groups there.</summary>
    private sealed record Audience(IReadOnlyList<UserProfile> People, IReadOnlyList<GroupLink> Groups, IReadOnlyList<NoticeTarget> Valid, IReadOnlyList<NoticeTarget> Gone)
    {
        public bool Empty => People.Count == 0 && Groups.Count == 0;
    }

    private static async ValueTask<Audience> AudienceAsync(FlowContext ctx, DirectorySnapshot directory, IReadOnlyList<NoticeTarget> targets, CancellationToken cancellationToken)
    {
        var valid = targets.Where(t => directory.Grid(t.GridId) is { } g && (t.BuildingId is null || g.Buildings.Any(b => b.Id == t.BuildingId))).ToList();
        var gone = targets.Except(valid).ToList();
        var people = new Dictionary<long, UserProfile>();
        foreach (var grid in valid.Select(t => t.GridId).Distinct())
        {
            var ids = await ctx.Reader.MembersAsync(Sets.PeopleInGrid(grid), cancellationToken).ConfigureAwait(false);
            var profiles = await ctx.Reader.GetManyAsync<UserProfile>(ids.Select(id => DocKeys.User(long.Parse(id, CultureInfo.InvariantCulture))).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var person in profiles.OfType<UserProfile>())
            {
                if (!person.BlockedBot && valid.Any(t => t.GridId == person.GridId && (t.BuildingId is null || t.BuildingId == person.BuildingId)))
                {
                    people[person.Id] = person;
                }
            }
        }

        var groups = new Dictionary<long, GroupLink>();
        foreach (var target in valid)
        {
            var set = target.BuildingId is null
                ? Sets.GroupFor(ctx.Shard, GroupTarget.Grid, target.GridId)
                : Sets.GroupFor(ctx.Shard, GroupTarget.Building, target.GridId + "/" + target.BuildingId);
            var ids = await ctx.Reader.MembersAsync(set, Shards.Root, cancellationToken).ConfigureAwait(false);
            var links = await ctx.Reader.GetManyAsync<GroupLink>(ids.Select(id => DocKeys.Group(long.Parse(id, CultureInfo.InvariantCulture))).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var link in links.OfType<GroupLink>().Where(l => l.CanPost && l.Community == ctx.Shard))
            {
                groups[link.ChatId] = link;
            }
        }

        return new Audience([.. people.Values.OrderBy(p => p.Id)], [.. groups.Values.OrderBy(g => g.ChatId)], valid, gone);
    }

    private static List<NoticeTarget> TargetsOf(FlowContext ctx, DirectorySnapshot directory, Dictionary<string, string> data)
    {
        var names = Choices(ctx, directory).ToDictionary(c => c.Id, c => c.Name, StringComparer.Ordinal);
        return Targets(data).Where(names.ContainsKey)
            .Select(t => t.Split('/') is [var g, var b] ? new NoticeTarget(g, b) { Name = names[t] } : new NoticeTarget(t) { Name = names[t] })
            .ToList();
    }

    /// <summary>The preview: what, to whom (how many people and groups), when, urgent or not; send or cancel.</summary>
    private async ValueTask PreviewAsync(FlowContext ctx, Dictionary<string, string> data, bool edit, CancellationToken cancellationToken)
    {
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var targets = TargetsOf(ctx, directory, data);
        var audience = await AudienceAsync(ctx, directory, targets, cancellationToken).ConfigureAwait(false);
        var urgent = data.GetValueOrDefault("u") == "1";
        var due = Due(data);
        var sb = new StringBuilder(ctx.T("nt.preview.title"));
        sb.Append('\n').Append(ctx.T("nt.preview.to", Html.Escape(string.Join("、", targets.Select(t => t.Name)))));
        sb.Append('\n').Append(ctx.T("nt.preview.count", audience.People.Count, audience.Groups.Count));
        sb.Append('\n').Append(due is { } at ? ctx.T("nt.preview.at", Time(at)) : ctx.T("nt.preview.now"));
        sb.Append('\n').Append(ctx.T(urgent ? "nt.preview.urgent" : ctx.Emergency ? "nt.preview.held_now" : "nt.preview.normal"));
        sb.Append("\n\n").Append(Body(ctx.Language, "N-?", data.GetValueOrDefault("x") ?? string.Empty));
        if (data.ContainsKey("p"))
        {
            sb.Append('\n').Append(ctx.T("nt.preview.photo"));
        }

        var rows = new List<IReadOnlyList<InlineButton>>();
        if (audience.Empty)
        {
            // Nobody lives there (registered) and no group is linked: nothing to send.
            sb.Append("\n\n").Append(ctx.T("nt.preview.nobody"));
        }
        else
        {
            rows.Add([new InlineButton(due is { } when ? ctx.T("nt.btn.schedule", Time(when)) : ctx.T("nt.btn.send"), new NoticeButton.Send().Data)]);
            rows.Add([new InlineButton(ctx.T(urgent ? "nt.btn.urgent_on" : "nt.btn.urgent_off"), new NoticeButton.Urgent().Data)]);
        }

        rows.Add([new InlineButton(ctx.T("reg.button.cancel"), new NoticeButton.Cancel().Data)]);
        if (edit)
        {
            ctx.Show(sb.ToString(), new InlineMarkup(rows));
        }
        else
        {
            ctx.Reply(sb.ToString(), new InlineMarkup(rows));
        }
    }

    /// <summary>The notice as its readers see it.</summary>
    private string Body(Language language, string code, string text) =>
        texts.Format(language, "nt.body.head", code) + "\n" + Html.Escape(text);

    /// <summary>"Send" on the preview: numbered, then sent at once or scheduled (the audience is checked again first).</summary>
    private async ValueTask SendAsync(FlowContext ctx, NoticeStep step, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var targets = TargetsOf(ctx, directory, data);
        var audience = await AudienceAsync(ctx, directory, targets, cancellationToken).ConfigureAwait(false);
        if (targets.Count == 0 || audience.Empty || !data.TryGetValue("x", out var text))
        {
            ctx.AnswerButton(ctx.T("nt.preview.nobody"), alert: true);
            return;
        }

        var due = Due(data);
        if (due is { } at && at <= ctx.Now)
        {
            // The time chosen has passed while the preview waited: choose again.
            Move(ctx, step, NoticeTrigger.Send, data);
            ctx.AnswerButton(ctx.T("nt.when.past"), alert: true);
            return;
        }

        var counters = await ctx.Reader.GetAsync<CommunityCounters>(DocKeys.Counters, cancellationToken).ConfigureAwait(false) ?? new CommunityCounters();
        var number = counters.Notices + 1;
        ctx.Effects.Put(DocKeys.Counters, counters with { Notices = number });
        var notice = new Notice(number, ctx.Profile.Id, ctx.Now, text, targets)
        {
            PhotoFileId = data.GetValueOrDefault("p"),
            Urgent = data.GetValueOrDefault("u") == "1",
            SendAt = due,
            Status = NoticeStatus.Scheduled,
            SenderChat = ctx.Profile.ChatId,
            SenderLanguage = ctx.Language,
        };
        ctx.Effects.AddToSet(Sets.Notices, Num(number));
        Move(ctx, step, NoticeTrigger.Send, data);
        if (due is { } when)
        {
            ctx.Effects.Put(DocKeys.Notice(number), notice);
            var timer = new NoticeButton.Due(number).Data;
            ctx.Effects.SetTimer(new TimerEntry(timer, when, Musters.MusterFlow.SystemUser, timer));
            ctx.AnswerButton();
            ctx.Show(ctx.T("nt.scheduled", notice.Code, Time(when), audience.People.Count, audience.Groups.Count),
                new InlineMarkup([[new InlineButton(ctx.T("nt.btn.cancel_scheduled", notice.Code), new NoticeButton.CancelScheduled(number).Data)]]));
            return;
        }

        var sent = Deliver(ctx, notice, audience);
        ctx.Effects.Put(DocKeys.Notice(number), sent);
        ctx.AnswerButton();
        ctx.Show(StatsText(ctx.Language, sent, 0), StatsMarkup(ctx.Language, sent));
    }

    /// <summary>
    /// Sends the notice to every person and group of the audience (held in emergency mode unless urgent), records who got
    /// it, and returns the notice as sent.
    /// </summary>
    private Notice Deliver(FlowContext ctx, Notice notice, Audience audience)
    {
        var tag = "nt:" + Num(notice.Number);
        void To(long chat, Language language)
        {
            var html = Body(language, notice.Code, notice.Text);
            var markup = new InlineMarkup([[new InlineButton(texts.Get(language, "nt.btn.read"), new NoticeButton.Read(ctx.Shard, notice.Number).Data)]]);
            if (notice.PhotoFileId is { } photo)
            {
                // The text rides on the photo when it fits a caption; otherwise the photo comes first, then the text.
                var fits = html.Length <= MaxCaption;
                Publish(ctx, notice.Urgent, chat, new SendPhoto(photo, fits ? html : texts.Format(language, "nt.body.head", notice.Code), fits ? markup : null), tag);
                if (fits)
                {
                    return;
                }
            }

            Publish(ctx, notice.Urgent, chat, new SendText(html, markup), tag);
        }

        foreach (var person in audience.People)
        {
            To(person.ChatId, person.Language);
            ctx.Effects.AddToSet(Sets.NoticeRecipients(notice.Number), Num(person.Id));
        }

        foreach (var group in audience.Groups)
        {
            To(group.ChatId, group.Language);
        }

        return notice with
        {
            Status = NoticeStatus.Sent,
            SentAt = ctx.Now,
            Recipients = audience.People.Count,
            Groups = audience.Groups.Count,
            Targets = audience.Valid,
        };
    }

    /// <summary>An urgent notice goes out on the emergency lane whatever the mode; any other is a normal-time notice (held in emergency mode).</summary>
    private static void Publish(FlowContext ctx, bool urgent, long chat, OutgoingAction action, string tag)
    {
        if (urgent || !ctx.Emergency)
        {
            ctx.Effects.Publish(new OutboxMessage(urgent ? Lane.Emergency : Lane.Normal, chat, action) { Tag = tag });
            return;
        }

        switch (action)
        {
            case SendPhoto photo:
                Notices.NotifyPhoto(ctx, chat, photo.FileId, photo.CaptionHtml ?? string.Empty, photo.Markup, tag);
                return;
            case SendText text:
                Notices.Notify(ctx, chat, text.Html, text.Markup, tag);
                return;
        }
    }

    private string StatsText(Language language, Notice notice, long read)
    {
        var sb = new StringBuilder(texts.Format(language, "nt.stats.head", notice.Code, Time(notice.SentAt ?? notice.CreatedAt), TargetNames(notice)));
        sb.Append('\n').Append(texts.Format(language, "nt.stats.sent", notice.Recipients, notice.Groups));
        sb.Append('\n').Append(texts.Format(language, "nt.stats.read", read, notice.Recipients));
        if (notice.Urgent)
        {
            sb.Append('\n').Append(texts.Get(language, "nt.preview.urgent"));
        }

        return sb.ToString();
    }

    private InlineMarkup StatsMarkup(Language language, Notice notice) =>
        new([[new InlineButton(texts.Get(language, "nt.btn.refresh"), new NoticeButton.Stats(notice.Number).Data)]]);

    /// <summary>A notice of this community the presser may see: an administrator any, a grid worker their own.</summary>
    private static async ValueTask<Notice?> MineAsync(FlowContext ctx, int number, CancellationToken cancellationToken)
    {
        var notice = number > 0 ? await ctx.Reader.GetAsync<Notice>(DocKeys.Notice(number), cancellationToken).ConfigureAwait(false) : null;
        if (notice is null || !(ctx.Has(Roles.Admin) || notice.By == ctx.Profile.Id))
        {
            ctx.AnswerButton(ctx.T("button.stale"), alert: true);
            return null;
        }

        return notice;
    }

    private async ValueTask StatsAsync(FlowContext ctx, int number, CancellationToken cancellationToken)
    {
        if (await MineAsync(ctx, number, cancellationToken).ConfigureAwait(false) is not { } notice)
        {
            return;
        }

        if (notice.Status != NoticeStatus.Sent)
        {
            ctx.AnswerButton();
            ctx.Show(Line(ctx.Language, notice, 0), null);
            return;
        }

        var read = await ctx.Reader.CountAsync(Sets.NoticeRead(number), cancellationToken).ConfigureAwait(false);
        ctx.AnswerButton(ctx.T("nt.stats.read", read, notice.Recipients));
        ctx.Show(StatsText(ctx.Language, notice, read), StatsMarkup(ctx.Language, notice));
    }

    private async ValueTask CancelScheduledAsync(FlowContext ctx, int number, CancellationToken cancellationToken)
    {
        if (await MineAsync(ctx, number, cancellationToken).ConfigureAwait(false) is not { } notice)
        {
            return;
        }

        if (notice.Status != NoticeStatus.Scheduled)
        {
            ctx.AnswerButton(ctx.T("nt.cancel.too_late", notice.Code), alert: true);
            ctx.Show(Line(ctx.Language, notice, await ctx.Reader.CountAsync(Sets.NoticeRead(number), cancellationToken).ConfigureAwait(false)), null);
            return;
        }

        ctx.Effects.Put(DocKeys.Notice(number), notice with { Status = NoticeStatus.Cancelled });
        ctx.Effects.CancelTimer(new NoticeButton.Due(number).Data);
        ctx.AnswerButton();
        ctx.Show(ctx.T("nt.cancel.done", notice.Code), null);
    }

    // ---- the scheduled time ----

    /// <summary>A scheduled notice's time: sent to what is left of its targets, or dropped (the sender is told either way).</summary>
    private async ValueTask DueAsync(FlowContext ctx, int number, CancellationToken cancellationToken)
    {
        var notice = await ctx.Reader.GetAsync<Notice>(DocKeys.Notice(number), cancellationToken).ConfigureAwait(false);
        if (notice is not { Status: NoticeStatus.Scheduled })
        {
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var audience = await AudienceAsync(ctx, directory, notice.Targets, cancellationToken).ConfigureAwait(false);
        var language = notice.SenderLanguage;
        var goneNames = Html.Escape(string.Join("、", audience.Gone.Select(t => t.Name)));
        if (audience.Valid.Count == 0 || audience.Empty)
        {
            ctx.Effects.Put(DocKeys.Notice(number), notice with { Status = NoticeStatus.Dropped });
            ctx.Effects.Send(notice.SenderChat, audience.Valid.Count == 0
                ? texts.Format(language, "nt.due.gone_all", notice.Code, goneNames)
                : texts.Format(language, "nt.due.nobody", notice.Code), lane: Lane.Normal);
            return;
        }

        var sent = Deliver(ctx, notice, audience);
        ctx.Effects.Put(DocKeys.Notice(number), sent);
        var html = texts.Format(language, "nt.due.sent", notice.Code) + "\n" + StatsText(language, sent, 0);
        if (audience.Gone.Count > 0)
        {
            html += "\n" + texts.Format(language, "nt.due.gone_some", goneNames);
        }

        ctx.Effects.Send(notice.SenderChat, html, StatsMarkup(language, sent), Lane.Normal);
    }

    // ---- residents ----

    /// <summary>"Read": counted once for someone the notice was sent to; anyone else (a group member it was not for) is thanked.</summary>
    private static async ValueTask ReadAsync(FlowContext ctx, NoticeButton.Read read, CancellationToken cancellationToken)
    {
        var me = Num(ctx.Profile.Id);
        if (read.Community != ctx.Shard || read.Number <= 0
            || await ctx.Reader.GetAsync<Notice>(DocKeys.Notice(read.Number), cancellationToken).ConfigureAwait(false) is null)
        {
            ctx.AnswerButton(ctx.T("nt.read.thanks"));
            return;
        }

        if (!await ctx.Reader.HasMemberAsync(Sets.NoticeRecipients(read.Number), me, cancellationToken).ConfigureAwait(false))
        {
            ctx.AnswerButton(ctx.T("nt.read.thanks"));
            return;
        }

        if (await ctx.Reader.HasMemberAsync(Sets.NoticeRead(read.Number), me, cancellationToken).ConfigureAwait(false))
        {
            ctx.AnswerButton(ctx.T("nt.read.already"));
        }
        else
        {
            ctx.Effects.AddToSet(Sets.NoticeRead(read.Number), me);
            ctx.AnswerButton(ctx.T("nt.read.done"));
        }

        if (ctx.PressedMessageId is { } messageId)
        {
            // Their copy shows it is read (a second press is told so).
            ctx.Effects.EditMarkup(ctx.ChatId, messageId, new InlineMarkup([[new InlineButton(ctx.T("nt.btn.is_read"), read.Data)]]), Lane.Normal);
        }
    }

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
