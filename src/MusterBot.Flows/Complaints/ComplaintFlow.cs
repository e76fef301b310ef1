using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Stats;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.State.Timers;
using Stateless;
using Stateless.Graph;
using Stateless.Reflection;

namespace MusterBot.Flows.Complaints;

/// <summary>
/// Complaints and appeals (诉求), a closed loop — 件件有着落、事事有回音: a resident files one (/complain; in emergency mode
/// "report a hazard" files an urgent public-safety one), a similar open one in the same grid and category can be joined
/// instead, it goes to the grid's handler (or an administrator assigns it), the handler accepts or returns it, posts
/// progress and the result, the resident gives feedback and may reopen; deadlines warn and escalate (督办); /stats gives
/// the figures. Handlers see only their complaints, residents only their own, administrators all; every change is in
/// the complaint's audit trail.
/// </summary>
public sealed partial class ComplaintFlow(TextCatalog texts, IOptions<ComplaintOptions> options, IOptions<FlowOptions> flowOptions, Dashboard.DashboardLink? dashboard = null) : IFlow, IMySection
{
    public const string FlowName = "complaint";
    private const int MaxDescription = 1000;
    private const int MaxNote = 500;

    private readonly ComplaintOptions _options = options.Value;

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["complain", "stats"];

    public bool OwnsButton(string data) => ComplaintButton.Codec.Owns(data);

    public int Order => 20;

    private static readonly ComplaintStep[] FilingSteps =
        [ComplaintStep.Category, ComplaintStep.Description, ComplaintStep.Photos, ComplaintStep.Location, ComplaintStep.Anonymous, ComplaintStep.Similar, ComplaintStep.Confirm];

    /// <summary>
    /// Two diagrams, both from Stateless: the conversation (filing and typed inputs) and the complaint's lifecycle.
    /// FlowDiagramTests puts this text in one mermaid block of docs/flows/complaint.md, so the lifecycle closes that block
    /// and opens its own under a heading.
    /// </summary>
    public string ToMermaid()
    {
        var step = ComplaintStep.Idle;
        var conversation = new StateMachine<ComplaintStep, ComplaintTrigger>(() => step, s => step = s);
        ConfigureConversation(conversation, () => false, () => false);
        var status = ComplaintStatus.Unassigned;
        var lifecycle = new StateMachine<ComplaintStatus, ComplaintAction>(() => status, s => status = s);
        ConfigureLifecycle(lifecycle, ComplaintRights.Diagram);
        return Diagram(conversation.GetInfo()) + "```\n\n## Lifecycle of a complaint\n\n"
            + "What can happen to a complaint in each status; a guard names who may do it (the flow refuses everyone else politely).\n\n```mermaid\n"
            + Diagram(lifecycle.GetInfo());
    }

    private static string Diagram(Stateless.Reflection.StateMachineInfo info) => MermaidGraph.Format(info).ReplaceLineEndings("\n").TrimEnd('\n') + "\n";

    /// <summary>
    /// The conversation: /complain walks the filing steps (a hazard report starts at the description, is never
    /// anonymous and is not offered similar complaints); a button that asks for a reason, a note or a comment waits
    /// for it in an input step. Whatever a step does not accept goes to <see cref="Unhandled"/>, which answers kindly.
    /// </summary>
    private static void ConfigureConversation(StateMachine<ComplaintStep, ComplaintTrigger> machine, Func<bool> urgent, Func<bool> similar)
    {
        machine.Configure(ComplaintStep.Idle)
            .Permit(ComplaintTrigger.Begin, ComplaintStep.Category)
            .Permit(ComplaintTrigger.BeginHazard, ComplaintStep.Description)
            .Permit(ComplaintTrigger.AskReturnReason, ComplaintStep.ReturnReason)
            .Permit(ComplaintTrigger.AskProgress, ComplaintStep.Progress)
            .Permit(ComplaintTrigger.AskResult, ComplaintStep.Result)
            .Permit(ComplaintTrigger.AskExtendReason, ComplaintStep.ExtendReason)
            .Permit(ComplaintTrigger.AskReopenComment, ComplaintStep.ReopenComment)
            .Permit(ComplaintTrigger.AskSupervisionReason, ComplaintStep.SupervisionReason)
            .Ignore(ComplaintTrigger.Cancel);
        machine.Configure(ComplaintStep.Filing)
            .Permit(ComplaintTrigger.CancelFiling, ComplaintStep.Idle)
            .Permit(ComplaintTrigger.Cancel, ComplaintStep.Idle);
        machine.Configure(ComplaintStep.Category).SubstateOf(ComplaintStep.Filing)
            .Permit(ComplaintTrigger.PickCategory, ComplaintStep.Description);
        machine.Configure(ComplaintStep.Description).SubstateOf(ComplaintStep.Filing)
            .Permit(ComplaintTrigger.Typed, ComplaintStep.Photos);
        machine.Configure(ComplaintStep.Photos).SubstateOf(ComplaintStep.Filing)
            .PermitReentry(ComplaintTrigger.PhotoSent)
            .Permit(ComplaintTrigger.PhotosDone, ComplaintStep.Location);
        var afterLocation = new DynamicStateInfos();
        afterLocation.Add(ComplaintStep.Confirm, "hazard");
        afterLocation.Add(ComplaintStep.Anonymous, "otherwise");
        machine.Configure(ComplaintStep.Location).SubstateOf(ComplaintStep.Filing)
            .PermitDynamic(ComplaintTrigger.LocationSent, () => urgent() ? ComplaintStep.Confirm : ComplaintStep.Anonymous, "hazard report?", afterLocation)
            .PermitDynamic(ComplaintTrigger.NoLocation, () => urgent() ? ComplaintStep.Confirm : ComplaintStep.Anonymous, "hazard report?", afterLocation);
        var afterAnonymous = new DynamicStateInfos();
        afterAnonymous.Add(ComplaintStep.Similar, "similar open complaints");
        afterAnonymous.Add(ComplaintStep.Confirm, "none");
        machine.Configure(ComplaintStep.Anonymous).SubstateOf(ComplaintStep.Filing)
            .PermitDynamic(ComplaintTrigger.ChooseAnonymous, () => similar() ? ComplaintStep.Similar : ComplaintStep.Confirm, "similar open complaints?", afterAnonymous);
        machine.Configure(ComplaintStep.Similar).SubstateOf(ComplaintStep.Filing)
            .Permit(ComplaintTrigger.Join, ComplaintStep.Idle)
            .Permit(ComplaintTrigger.FileNew, ComplaintStep.Confirm);
        machine.Configure(ComplaintStep.Confirm).SubstateOf(ComplaintStep.Filing)
            .Permit(ComplaintTrigger.Submit, ComplaintStep.Idle);
        foreach (var step in new[] { ComplaintStep.ReturnReason, ComplaintStep.Progress, ComplaintStep.ExtendReason, ComplaintStep.ReopenComment, ComplaintStep.SupervisionReason })
        {
            machine.Configure(step).Permit(ComplaintTrigger.Typed, ComplaintStep.Idle).Permit(ComplaintTrigger.Cancel, ComplaintStep.Idle);
        }

        machine.Configure(ComplaintStep.Result)
            .Permit(ComplaintTrigger.Typed, ComplaintStep.Idle)
            .Permit(ComplaintTrigger.PhotoSent, ComplaintStep.Idle)
            .Permit(ComplaintTrigger.Cancel, ComplaintStep.Idle);
    }

    /// <summary>The conversation machine on the person's current step; its unhandled-trigger hook answers them.</summary>
    private StateMachine<ComplaintStep, ComplaintTrigger> Conversation(FlowContext ctx, ComplaintStep step, Dictionary<string, string>? data = null, bool similar = false)
    {
        var current = step;
        var values = data ?? new Dictionary<string, string>(ctx.Conversation.Data);
        var machine = new StateMachine<ComplaintStep, ComplaintTrigger>(() => current, s =>
        {
            current = s;
            ctx.Conversation = s == ComplaintStep.Idle
                ? MainFlow.Idle(ctx.Now)
                : new ConversationState(FlowName, s.ToString()) { Data = values, UpdatedAt = ctx.Now };
        });
        ConfigureConversation(machine, () => values.GetValueOrDefault("urgent") == "1", () => similar);
        machine.OnUnhandledTrigger((state, trigger) => Unhandled(ctx, state, trigger));
        return machine;
    }

    /// <summary>Moves the conversation (only along the drawn transitions).</summary>
    private void Move(FlowContext ctx, ComplaintStep from, ComplaintTrigger trigger, Dictionary<string, string>? data = null, bool similar = false) =>
        Conversation(ctx, from, data, similar).Fire(trigger);

    /// <summary>True when the step accepts the trigger; otherwise the unhandled-trigger hook has answered.</summary>
    private bool Accepts(FlowContext ctx, ComplaintStep step, ComplaintTrigger trigger)
    {
        var machine = Conversation(ctx, step);
        if (machine.CanFire(trigger))
        {
            return true;
        }

        machine.Fire(trigger);
        return false;
    }

    /// <summary>A trigger the step does not accept: a kind answer, nothing changes.</summary>
    private void Unhandled(FlowContext ctx, ComplaintStep step, ComplaintTrigger trigger)
    {
        var filing = FilingSteps.Contains(step);
        if (ctx.Event is ButtonPressed)
        {
            // A filing button after the wizard ended is from an old message; any other press fits another step.
            var filingButton = trigger is ComplaintTrigger.CancelFiling or ComplaintTrigger.PickCategory or ComplaintTrigger.PhotosDone or ComplaintTrigger.NoLocation
                or ComplaintTrigger.ChooseAnonymous or ComplaintTrigger.Join or ComplaintTrigger.FileNew or ComplaintTrigger.Submit;
            ctx.AnswerButton(ctx.T(filingButton && !filing ? "button.expired_hint" : "button.stale"));
            return;
        }

        if (filing)
        {
            var data = new Dictionary<string, string>(ctx.Conversation.Data);
            var (key, markup) = step switch
            {
                ComplaintStep.Category => ("cp.f.category_hint", CategoryButtons(ctx)),
                ComplaintStep.Description => ("cp.f.description_hint", CancelFiling(ctx)),
                ComplaintStep.Photos => ("cp.f.photos_hint", PhotosButtons(ctx, Photos(data).Count)),
                ComplaintStep.Location => ("cp.f.location_hint", LocationButtons(ctx)),
                ComplaintStep.Anonymous => ("cp.f.anonymous_hint", AnonymousButtons(ctx)),
                _ => ("cp.f.confirm_hint", ConfirmButtons(ctx)),
            };
            RememberAlbum(ctx);
            ctx.Reply(ctx.T(key, MaxDescription), markup);
            return;
        }

        if (step == ComplaintStep.Idle)
        {
            ctx.Conversation = MainFlow.Idle(ctx.Now);
            RememberAlbum(ctx);
            ctx.Reply(ctx.T("unknown.text"), Menu(ctx));
            return;
        }

        RememberAlbum(ctx);
        ctx.Reply(ctx.T("cp.input_length", MaxNote), CancelButton(ctx));
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
                // An administrator of a street, district or city sees their node; community staff their community.
                if (await OrgScope.TopNodeAsync(ctx, cancellationToken).ConfigureAwait(false) is { } node)
                {
                    await NodeStatsAsync(ctx, node.Id, StatsPeriod.Month, csv: false, cancellationToken).ConfigureAwait(false);
                    return;
                }

                await StatsAsync(ctx, StatsPeriod.Month, csv: false, cancellationToken).ConfigureAwait(false);
                return;
            case ButtonPressed press:
                await OnButtonAsync(ctx, step, ComplaintButton.Codec.Decode(press.Data), cancellationToken).ConfigureAwait(false);
                return;
            default:
                await OnInputAsync(ctx, step, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>A press, decoded once: the wizard's buttons go to the conversation machine, the rest name a complaint.</summary>
    private async ValueTask OnButtonAsync(FlowContext ctx, ComplaintStep step, ComplaintButton? button, CancellationToken cancellationToken)
    {
        switch (button)
        {
            case ComplaintButton.CancelFiling or ComplaintButton.PickCategory or ComplaintButton.PhotosDone or ComplaintButton.NoLocation
                or ComplaintButton.ChooseAnonymous or ComplaintButton.JoinSimilar or ComplaintButton.FileAnyway or ComplaintButton.Submit:
                await OnFilingButtonAsync(ctx, step, button, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.FromText:
                BeginWithText(ctx);
                return;
            case ComplaintButton.CancelInput:
                ctx.AnswerButton();
                Move(ctx, step, ComplaintTrigger.Cancel);
                ctx.Show(ctx.T("cancel.done"), null);
                return;
            case ComplaintButton.Stats stats:
                await StatsAsync(ctx, stats.Period, csv: false, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.StatsCsv stats:
                await StatsAsync(ctx, stats.Period, csv: true, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.NodeStats stats:
                await NodeStatsAsync(ctx, stats.NodeId, stats.Period, csv: false, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.NodeStatsCsv stats:
                await NodeStatsAsync(ctx, stats.NodeId, stats.Period, csv: true, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.OpenEscalated open:
                await OpenEscalatedAsync(ctx, open.Shard, open.Number, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.Urge urge:
                await UrgeAsync(ctx, urge.Shard, urge.Number, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.About about when about.Number >= 0
                && await ctx.Reader.GetAsync<Complaint>(DocKeys.Complaint(about.Number), cancellationToken).ConfigureAwait(false) is { } complaint:
                await OnComplaintButtonAsync(ctx, about, complaint, cancellationToken).ConfigureAwait(false);
                return;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
        }
    }

    private async ValueTask OnComplaintButtonAsync(FlowContext ctx, ComplaintButton.About button, Complaint complaint, CancellationToken cancellationToken)
    {
        switch (button)
        {
            case ComplaintButton.AssignList:
                await AssignListAsync(ctx, complaint, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.Assign assign:
                await AssignAsync(ctx, complaint, assign.HandlerId, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.Accept:
                await AcceptAsync(ctx, complaint, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.GiveBack:
                AskInput(ctx, complaint, ComplaintAction.Return, ComplaintTrigger.AskReturnReason, "cp.ask.ReturnReason");
                return;
            case ComplaintButton.Progress:
                AskInput(ctx, complaint, ComplaintAction.Progress, ComplaintTrigger.AskProgress, "cp.ask.Progress");
                return;
            case ComplaintButton.Resolve:
                AskInput(ctx, complaint, ComplaintAction.Resolve, ComplaintTrigger.AskResult, "cp.ask.Result");
                return;
            case ComplaintButton.Extend { Days: 1 or 3 or 7 } extend:
                AskExtendReason(ctx, complaint, extend.Days);
                return;
            case ComplaintButton.ExtendChoices:
                ShowExtendChoices(ctx, complaint);
                return;
            case ComplaintButton.Feedback feedback:
                await FeedbackAsync(ctx, complaint, feedback.Satisfaction, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.Reopen:
                AskReopen(ctx, complaint);
                return;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
        }
    }

    /// <summary>Typed text or a photo: a filing step, or the reason, note or comment a button asked for.</summary>
    private async ValueTask OnInputAsync(FlowContext ctx, ComplaintStep step, CancellationToken cancellationToken)
    {
        var trigger = ctx.Event switch
        {
            TextReceived => ComplaintTrigger.Typed,
            PhotoReceived => ComplaintTrigger.PhotoSent,
            LocationShared => ComplaintTrigger.LocationSent,
            _ => ComplaintTrigger.Other,
        };
        if (ctx.Event is PhotoReceived { MediaGroupId: { } album } && step != ComplaintStep.Photos && ctx.Conversation.Flow == FlowName
            && ctx.Conversation.Data.GetValueOrDefault("album") == album)
        {
            // The rest of an album whose first photo was already answered: one answer per album, not one per photo.
            return;
        }

        if (FilingSteps.Contains(step))
        {
            if (Accepts(ctx, step, trigger))
            {
                await OnFilingInputAsync(ctx, step, trigger, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var complaint = ctx.Conversation.Data.TryGetValue("n", out var n) && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? await ctx.Reader.GetAsync<Complaint>(DocKeys.Complaint(number), cancellationToken).ConfigureAwait(false)
            : null;
        if (complaint is null || step == ComplaintStep.Idle)
        {
            Unhandled(ctx, ComplaintStep.Idle, trigger);
            return;
        }

        if (!Accepts(ctx, step, trigger))
        {
            return;
        }

        var text = (ctx.Event as TextReceived)?.Text.Trim();
        var photo = ctx.Event as PhotoReceived;
        if (photo is not null)
        {
            // Only the result takes a photo (its caption is the result).
            text = photo.Caption?.Trim() ?? string.Empty;
        }

        if (photo is null && (text is null || text.Length == 0 || text.Length > MaxNote))
        {
            ctx.Reply(ctx.T("cp.input_length", MaxNote), CancelButton(ctx));
            return;
        }

        text ??= string.Empty;

        var days = int.TryParse(ctx.Conversation.Data.GetValueOrDefault("d"), NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : 0;
        Move(ctx, step, trigger);
        switch (step)
        {
            case ComplaintStep.ReturnReason:
                await ReturnAsync(ctx, complaint, text, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintStep.Progress:
                await ProgressAsync(ctx, complaint, text, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintStep.Result:
                await ResolveAsync(ctx, complaint, text, photo?.FileId, cancellationToken).ConfigureAwait(false);
                RememberAlbum(ctx);
                return;
            case ComplaintStep.ExtendReason:
                await ExtendAsync(ctx, complaint, days, text, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintStep.ReopenComment:
                await ReopenAsync(ctx, complaint, text, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintStep.SupervisionReason:
                await ExplainAsync(ctx, complaint, text, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>A button that asks a handler for a reason, a note or the result: allowed when the lifecycle would allow the action.</summary>
    private void AskInput(FlowContext ctx, Complaint complaint, ComplaintAction action, ComplaintTrigger ask, string key)
    {
        if (!Allows(ctx, complaint, action))
        {
            return;
        }

        ctx.AnswerButton();
        Move(ctx, ComplaintStep.Idle, ask, new Dictionary<string, string> { ["n"] = Num(complaint.Number) });
        ctx.Reply(ctx.T(key, complaint.Code, MaxNote), CancelButton(ctx));
    }

    /// <summary>
    /// After answering the first photo of an album, the conversation remembers the album (staying with this flow), so
    /// the album's other photos, which arrive as separate messages, get no answer of their own.
    /// </summary>
    private static void RememberAlbum(FlowContext ctx)
    {
        if (ctx.Event is not PhotoReceived { MediaGroupId: { } album })
        {
            return;
        }

        var keep = ctx.Conversation.Flow == FlowName;
        var data = keep ? new Dictionary<string, string>(ctx.Conversation.Data) : [];
        data["album"] = album;
        ctx.Conversation = keep
            ? ctx.Conversation with { Data = data, UpdatedAt = ctx.Now }
            : new ConversationState(FlowName, nameof(ComplaintStep.Idle)) { Data = data, UpdatedAt = ctx.Now };
    }

    private static InlineMarkup CancelButton(FlowContext ctx) => new([[new InlineButton(ctx.T("button.cancel"), new ComplaintButton.CancelInput().Encode())]]);

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

    private static void SetTimer(FlowContext ctx, ComplaintTimer timer, DateTimeOffset dueAt) =>
        ctx.Effects.SetTimer(new TimerEntry(timer.Id, dueAt, Musters.MusterFlow.SystemUser, timer.Id));

    /// <summary>Warnings and overdue checks for both deadlines (replacing earlier ones).</summary>
    private static void ArmDeadlines(FlowContext ctx, Complaint complaint)
    {
        if (complaint.FirstResponseAt is null)
        {
            SetTimer(ctx, new ComplaintTimer.WarnResponse(complaint.Number), complaint.RespondBy - ComplaintOptions.WarnBefore(complaint.RespondBy - complaint.FiledAt));
            SetTimer(ctx, new ComplaintTimer.ResponseDue(complaint.Number), complaint.RespondBy);
        }

        if (complaint.ResolvedAt is null)
        {
            var window = complaint.ResolveBy - complaint.FiledAt;
            SetTimer(ctx, new ComplaintTimer.WarnResolution(complaint.Number), complaint.ResolveBy - ComplaintOptions.WarnBefore(window));
            SetTimer(ctx, new ComplaintTimer.ResolutionDue(complaint.Number), complaint.ResolveBy);
        }
    }

    private static void CancelDeadlines(FlowContext ctx, int number, bool response, bool resolution)
    {
        if (response)
        {
            ctx.Effects.CancelTimer(new ComplaintTimer.WarnResponse(number).Id);
            ctx.Effects.CancelTimer(new ComplaintTimer.ResponseDue(number).Id);
        }

        if (resolution)
        {
            ctx.Effects.CancelTimer(new ComplaintTimer.WarnResolution(number).Id);
            ctx.Effects.CancelTimer(new ComplaintTimer.ResolutionDue(number).Id);
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

        var status = Status(language, complaint.Status)
            + (complaint.SupervisedAt is not null && complaint.ResolvedAt is null && complaint.Status != ComplaintStatus.Supervised && complaint.IsOpen ? texts.Get(language, "cp.card.supervised_mark") : string.Empty);
        sb.Append(texts.Format(language, "cp.card.status", status, handler is null ? "—" : Html.Escape(handler.FirstName))).Append('\n');
        sb.Append(texts.Format(language, "cp.card.deadlines", Time(complaint.RespondBy), Time(complaint.ResolveBy)));
        return sb.ToString();
    }
}
