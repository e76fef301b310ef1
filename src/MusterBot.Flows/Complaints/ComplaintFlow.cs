using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Engine;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.State.Timers;

namespace MusterBot.Flows.Complaints;

/// <summary>
/// Complaints and appeals (诉求), a closed loop — 件件有着落、事事有回音: a resident files one (/complain; in emergency mode
/// "report a hazard" files an urgent public-safety one), a similar open one in the same grid and category can be joined
/// instead, it goes to the grid's handler (or an administrator assigns it), the handler accepts or returns it, posts
/// progress and the result, the resident gives feedback and may reopen; deadlines warn and escalate (督办); /stats gives
/// the figures. Handlers see only their complaints, residents only their own, administrators all; every change is in
/// the complaint's audit trail.
/// </summary>
public sealed partial class ComplaintFlow(TextCatalog texts, IOptions<ComplaintOptions> options, IOptions<FlowOptions> flowOptions) : IFlow, IMySection
{
    public const string FlowName = "complaint";
    private const string P = "cp:";
    private const int MaxDescription = 1000;
    private const int MaxNote = 500;

    private readonly ComplaintOptions _options = options.Value;

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["complain", "stats"];

    public bool OwnsButton(string data) => data.StartsWith(P, StringComparison.Ordinal);

    public int Order => 20;

    private static readonly ComplaintStep[] FilingSteps =
        [ComplaintStep.Category, ComplaintStep.Description, ComplaintStep.Photos, ComplaintStep.Location, ComplaintStep.Anonymous, ComplaintStep.Similar, ComplaintStep.Confirm];

    private static readonly ComplaintStep[] InputSteps =
        [ComplaintStep.ReturnReason, ComplaintStep.Progress, ComplaintStep.Result, ComplaintStep.ExtendReason, ComplaintStep.ReopenComment];

    public string ToMermaid()
    {
        var step = ComplaintStep.Idle;
        var machine = new StateMachine<ComplaintStep, ComplaintTrigger>(() => step, s => step = s);
        Configure(machine, () => ComplaintStep.Idle);
        return machine.ToMermaidGraph(ComplaintStep.Idle);
    }

    private static void Configure(StateMachine<ComplaintStep, ComplaintTrigger> machine, Func<ComplaintStep> target)
    {
        machine.Configure(ComplaintStep.Idle)
            .Permit(ComplaintTrigger.Begin, ComplaintStep.Category)
            .Permit(ComplaintTrigger.BeginHazard, ComplaintStep.Description)
            .PermitDynamic(ComplaintTrigger.Ask, target, InputSteps)
            .InternalTransition(ComplaintTrigger.Stay, _ => { });
        machine.Configure(ComplaintStep.Filing).Permit(ComplaintTrigger.Cancel, ComplaintStep.Idle).InternalTransition(ComplaintTrigger.Stay, _ => { });
        foreach (var step in FilingSteps)
        {
            machine.Configure(step).SubstateOf(ComplaintStep.Filing);
        }

        machine.Configure(ComplaintStep.Category).Permit(ComplaintTrigger.Next, ComplaintStep.Description);
        machine.Configure(ComplaintStep.Description).Permit(ComplaintTrigger.Next, ComplaintStep.Photos);
        machine.Configure(ComplaintStep.Photos).Permit(ComplaintTrigger.Next, ComplaintStep.Location);
        machine.Configure(ComplaintStep.Location).PermitDynamic(ComplaintTrigger.Next, target, ComplaintStep.Anonymous, ComplaintStep.Confirm);
        machine.Configure(ComplaintStep.Anonymous).Permit(ComplaintTrigger.Next, ComplaintStep.Confirm).Permit(ComplaintTrigger.Similar, ComplaintStep.Similar);
        machine.Configure(ComplaintStep.Similar).Permit(ComplaintTrigger.Next, ComplaintStep.Confirm).Permit(ComplaintTrigger.Join, ComplaintStep.Idle);
        machine.Configure(ComplaintStep.Confirm).Permit(ComplaintTrigger.Submit, ComplaintStep.Idle);
        foreach (var step in InputSteps)
        {
            machine.Configure(step).Permit(ComplaintTrigger.Done, ComplaintStep.Idle).Permit(ComplaintTrigger.Cancel, ComplaintStep.Idle).InternalTransition(ComplaintTrigger.Stay, _ => { });
        }
    }

    private static void Move(FlowContext ctx, ComplaintStep from, ComplaintTrigger trigger, Dictionary<string, string>? data = null, ComplaintStep target = ComplaintStep.Idle)
    {
        var step = from;
        var machine = new StateMachine<ComplaintStep, ComplaintTrigger>(() => step, s => step = s);
        Configure(machine, () => target);
        machine.Fire(trigger);
        ctx.Conversation = step == ComplaintStep.Idle
            ? MainFlow.Idle(ctx.Now)
            : new ConversationState(FlowName, step.ToString()) { Data = data ?? new Dictionary<string, string>(ctx.Conversation.Data), UpdatedAt = ctx.Now };
    }

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var step = ctx.Conversation.Flow == FlowName && Enum.TryParse<ComplaintStep>(ctx.Conversation.Step, out var s) ? s : ComplaintStep.Idle;
        switch (ctx.Event)
        {
            case TimerFired timer:
                await OnTimerAsync(ctx, timer.Payload, cancellationToken).ConfigureAwait(false);
                return;
            case CommandReceived { Command: "complain" } command:
                // "Report a hazard" exists only in emergency mode; outside it the argument files an ordinary complaint.
                BeginFiling(ctx, hazard: ctx.Emergency && command.Argument.Trim() == "hazard");
                return;
            case CommandReceived { Command: "stats" }:
                await StatsAsync(ctx, "month", csv: false, cancellationToken).ConfigureAwait(false);
                return;
            case ButtonPressed press:
                await OnButtonAsync(ctx, step, press.Data.Split(':'), cancellationToken).ConfigureAwait(false);
                return;
            default:
                await OnInputAsync(ctx, step, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private async ValueTask OnButtonAsync(FlowContext ctx, ComplaintStep step, string[] parts, CancellationToken cancellationToken)
    {
        var action = parts.Length > 1 ? parts[1] : string.Empty;
        switch (action)
        {
            case "f":
                await OnFilingButtonAsync(ctx, step, parts, cancellationToken).ConfigureAwait(false);
                return;
            case "x":
                ctx.AnswerButton();
                if (step != ComplaintStep.Idle)
                {
                    Move(ctx, step, ComplaintTrigger.Cancel);
                }

                ctx.Show(ctx.T("cancel.done"), null);
                return;
            case "st" or "csv" when parts.Length == 3:
                await StatsAsync(ctx, parts[2], csv: action == "csv", cancellationToken).ConfigureAwait(false);
                return;
        }

        if (parts.Length < 3 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || await ctx.Reader.GetAsync<Complaint>(DocKeys.Complaint(number), cancellationToken).ConfigureAwait(false) is not { } complaint)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        var arg = parts.Length > 3 ? parts[3] : string.Empty;
        switch (action)
        {
            case "as":
                await AssignListAsync(ctx, complaint, cancellationToken).ConfigureAwait(false);
                return;
            case "asg" when long.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var handlerId):
                await AssignAsync(ctx, complaint, handlerId, cancellationToken).ConfigureAwait(false);
                return;
            case "acc":
                await AcceptAsync(ctx, complaint, cancellationToken).ConfigureAwait(false);
                return;
            case "ret" or "note" or "res":
                AskHandlerInput(ctx, complaint, action switch { "ret" => ComplaintStep.ReturnReason, "note" => ComplaintStep.Progress, _ => ComplaintStep.Result });
                return;
            case "ext" when int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is 1 or 3 or 7:
                AskExtendReason(ctx, complaint, days);
                return;
            case "ext":
                ShowExtendChoices(ctx, complaint);
                return;
            case "fb":
                await FeedbackAsync(ctx, complaint, arg, cancellationToken).ConfigureAwait(false);
                return;
            case "ro":
                AskReopen(ctx, complaint);
                return;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
        }
    }

    private async ValueTask OnInputAsync(FlowContext ctx, ComplaintStep step, CancellationToken cancellationToken)
    {
        if (FilingSteps.Contains(step))
        {
            await OnFilingInputAsync(ctx, step, cancellationToken).ConfigureAwait(false);
            return;
        }

        var complaint = ctx.Conversation.Data.TryGetValue("n", out var n) && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? await ctx.Reader.GetAsync<Complaint>(DocKeys.Complaint(number), cancellationToken).ConfigureAwait(false)
            : null;
        if (complaint is null || step == ComplaintStep.Idle)
        {
            ctx.Conversation = MainFlow.Idle(ctx.Now);
            ctx.Reply(ctx.T("unknown.text"), Menu(ctx));
            return;
        }

        var text = (ctx.Event as TextReceived)?.Text.Trim();
        var photo = ctx.Event as PhotoReceived;
        if (step == ComplaintStep.Result && photo is not null)
        {
            text = photo.Caption?.Trim() ?? string.Empty;
        }

        if ((text is null || text.Length == 0 || text.Length > MaxNote) && !(step == ComplaintStep.Result && photo is not null))
        {
            ctx.Reply(ctx.T("cp.input_length", MaxNote), CancelButton(ctx));
            return;
        }

        var days = int.TryParse(ctx.Conversation.Data.GetValueOrDefault("d"), NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : 0;
        Move(ctx, step, ComplaintTrigger.Done);
        switch (step)
        {
            case ComplaintStep.ReturnReason:
                await ReturnAsync(ctx, complaint, text!, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintStep.Progress:
                await ProgressAsync(ctx, complaint, text!, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintStep.Result:
                await ResolveAsync(ctx, complaint, text!, photo?.FileId, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintStep.ExtendReason:
                await ExtendAsync(ctx, complaint, days, text!, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintStep.ReopenComment:
                await ReopenAsync(ctx, complaint, text!, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private static InlineMarkup CancelButton(FlowContext ctx) => new([[new InlineButton(ctx.T("button.cancel"), P + "x")]]);

    private ReplyKeyboard Menu(FlowContext ctx) => CommandCatalog.Menu(ctx.Roles, ctx.Language, texts, ctx.Emergency);


    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    private string Time(DateTimeOffset at) => at.ToOffset(_options.UtcOffset).ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);

    private string Category(Language language, ComplaintCategory category) => texts.Get(language, "cp.cat." + category);

    private string Status(Language language, ComplaintStatus status) => texts.Get(language, "cp.status." + status);

    private static void Save(FlowContext ctx, Complaint before, Complaint after)
    {
        ctx.Effects.Put(DocKeys.Complaint(after.Number), after);
        if (before.IsOpen && !after.IsOpen)
        {
            ctx.Effects.RemoveFromSet(Sets.OpenComplaints(after.GridId, after.Category), Num(after.Number));
        }

        if (before.HandlerId != after.HandlerId)
        {
            if (before.HandlerId is { } old)
            {
                ctx.Effects.RemoveFromSet(Sets.ComplaintsHandledBy(old), Num(after.Number));
            }

            if (after.HandlerId is { } handler)
            {
                ctx.Effects.AddToSet(Sets.ComplaintsHandledBy(handler), Num(after.Number));
            }
        }
    }

    private static void SetTimer(FlowContext ctx, string id, DateTimeOffset dueAt) =>
        ctx.Effects.SetTimer(new TimerEntry(id, dueAt, Musters.MusterFlow.SystemUser, id));

    private static string TimerId(string kind, int number) => $"{P}{kind}:{Num(number)}";

    /// <summary>Warnings and overdue checks for both deadlines (replacing earlier ones).</summary>
    private static void ArmDeadlines(FlowContext ctx, Complaint complaint)
    {
        if (complaint.FirstResponseAt is null)
        {
            SetTimer(ctx, TimerId("wresp", complaint.Number), complaint.RespondBy - ComplaintOptions.WarnBefore(complaint.RespondBy - complaint.FiledAt));
            SetTimer(ctx, TimerId("dresp", complaint.Number), complaint.RespondBy);
        }

        if (complaint.ResolvedAt is null)
        {
            var window = complaint.ResolveBy - complaint.FiledAt;
            SetTimer(ctx, TimerId("wres", complaint.Number), complaint.ResolveBy - ComplaintOptions.WarnBefore(window));
            SetTimer(ctx, TimerId("dres", complaint.Number), complaint.ResolveBy);
        }
    }

    private static void CancelDeadlines(FlowContext ctx, int number, bool response, bool resolution)
    {
        if (response)
        {
            ctx.Effects.CancelTimer(TimerId("wresp", number));
            ctx.Effects.CancelTimer(TimerId("dresp", number));
        }

        if (resolution)
        {
            ctx.Effects.CancelTimer(TimerId("wres", number));
            ctx.Effects.CancelTimer(TimerId("dres", number));
        }
    }

    private static async ValueTask<UserProfile?> ProfileAsync(FlowContext ctx, long? id, CancellationToken cancellationToken) =>
        id is { } userId ? await ctx.Reader.GetAsync<UserProfile>(DocKeys.User(userId), cancellationToken).ConfigureAwait(false) : null;

    /// <summary>Tells the filer and everyone who joined (held in emergency mode unless urgent).</summary>
    private static async ValueTask TellResidentsAsync(FlowContext ctx, Complaint complaint, Func<Language, string> html, Func<Language, InlineMarkup?>? markup, CancellationToken cancellationToken, bool filerOnlyMarkup = true)
    {
        foreach (var id in complaint.Audience)
        {
            var person = await ProfileAsync(ctx, id, cancellationToken).ConfigureAwait(false);
            if (person is null || person.BlockedBot)
            {
                continue;
            }

            var buttons = markup is not null && (!filerOnlyMarkup || id == complaint.FiledBy) ? markup(person.Language) : null;
            Tell(ctx, complaint, person, html(person.Language), buttons);
        }
    }

    private static void Tell(FlowContext ctx, Complaint complaint, UserProfile person, string html, Markup? markup)
    {
        if (complaint.Urgent)
        {
            ctx.Effects.Send(person.ChatId, html, markup, Lane.Emergency);
        }
        else
        {
            Notices.Notify(ctx, person.ChatId, html, markup);
        }
    }

    private ValueTask<IReadOnlyList<UserProfile>> AdminsAsync(FlowContext ctx, CancellationToken cancellationToken) =>
        Staff.AdministratorsAsync(ctx.Reader, flowOptions.Value, cancellationToken);

    private async ValueTask TellAdminsAsync(FlowContext ctx, Complaint complaint, Func<Language, string> html, Func<Language, InlineMarkup?>? markup, CancellationToken cancellationToken)
    {
        foreach (var admin in await AdminsAsync(ctx, cancellationToken).ConfigureAwait(false))
        {
            if (!admin.BlockedBot)
            {
                Tell(ctx, complaint, admin, html(admin.Language), markup?.Invoke(admin.Language));
            }
        }
    }

    /// <summary>The card: administrators see who filed it (even when anonymous); a handler sees "anonymous".</summary>
    private string Card(Language language, Complaint complaint, UserProfile? filer, UserProfile? handler, DirectorySnapshot directory, bool forAdmin)
    {
        var sb = new StringBuilder();
        sb.Append(complaint.Urgent ? texts.Get(language, "cp.card.urgent") + " " : string.Empty);
        sb.Append(texts.Format(language, "cp.card.head", complaint.Code, Category(language, complaint.Category), Html.Escape(directory.GridName(complaint.GridId)))).Append('\n');
        sb.Append(Html.Escape(complaint.Description)).Append('\n');
        var who = complaint.Anonymous && !forAdmin
            ? texts.Get(language, "cp.card.anonymous")
            : Html.Escape(filer is null ? "—" : filer.FirstName) + (filer?.Phone is { } phone ? " <code>" + Html.Escape(phone) + "</code>" : string.Empty)
              + (complaint.Anonymous ? " " + texts.Get(language, "cp.card.anonymous_mark") : string.Empty);
        sb.Append(texts.Format(language, "cp.card.filer", who)).Append('\n');
        if (complaint.Followers.Count > 0)
        {
            sb.Append(texts.Format(language, "cp.card.followers", complaint.Followers.Count)).Append('\n');
        }

        if (complaint.Latitude is { } lat && complaint.Longitude is { } lon)
        {
            sb.Append(texts.Format(language, "cp.card.location", lat.ToString("0.00000", CultureInfo.InvariantCulture), lon.ToString("0.00000", CultureInfo.InvariantCulture))).Append('\n');
        }

        if (complaint.PhotoFileIds.Count > 0)
        {
            sb.Append(texts.Format(language, "cp.card.photos", complaint.PhotoFileIds.Count)).Append('\n');
        }

        sb.Append(texts.Format(language, "cp.card.status", Status(language, complaint.Status), handler is null ? "—" : Html.Escape(handler.FirstName))).Append('\n');
        sb.Append(texts.Format(language, "cp.card.deadlines", Time(complaint.RespondBy), Time(complaint.ResolveBy)));
        return sb.ToString();
    }
}
