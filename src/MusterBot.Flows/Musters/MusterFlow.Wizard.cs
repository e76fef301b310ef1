using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Engine;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Musters;

public sealed partial class MusterFlow
{
    private const int MaxRallyLength = 200;
    private const int MaxTemplateNameLength = 30;
    private const int MaxTemplates = 10;
    private static readonly int[] SkillCounts = [0, 1, 2, 3, 5, 10];
    private static readonly int[] ReportWithin = [30, 60, 120, 240];

    private static readonly MusterStep[] WizardSteps =
    [
        MusterStep.Kind, MusterStep.Scope, MusterStep.PickRegions, MusterStep.PickGrids, MusterStep.PickSkills, MusterStep.Rally,
        MusterStep.Pin, MusterStep.ReportBy, MusterStep.DrillOrReal, MusterStep.ResidentNotice, MusterStep.Preview, MusterStep.TemplateName,
    ];

    public string ToMermaid()
    {
        var step = MusterStep.Idle;
        var machine = new StateMachine<MusterStep, MusterTrigger>(() => step, s => step = s);
        Configure(machine, () => MusterStep.Idle);
        return machine.ToMermaidGraph(MusterStep.Idle);
    }

    /// <summary>The wizard and the typed inputs as a state machine; the decision picks the trigger and, where dynamic, the target.</summary>
    private static void Configure(StateMachine<MusterStep, MusterTrigger> machine, Func<MusterStep> target)
    {
        machine.Configure(MusterStep.Idle)
            .Permit(MusterTrigger.Begin, MusterStep.Kind)
            .Permit(MusterTrigger.AskReason, MusterStep.ReasonText)
            .Permit(MusterTrigger.AskLocation, MusterStep.ArrivedLocation)
            .Permit(MusterTrigger.AskNotice, MusterStep.ModeNotice)
            .InternalTransition(MusterTrigger.Stay, _ => { })
            .InternalTransition(MusterTrigger.Cancel, _ => { });
        machine.Configure(MusterStep.Wizard)
            .Permit(MusterTrigger.Cancel, MusterStep.Idle)
            .PermitReentry(MusterTrigger.Begin)
            .InternalTransition(MusterTrigger.Stay, _ => { })
            .PermitDynamic(MusterTrigger.Back, target, WizardSteps);
        foreach (var step in WizardSteps)
        {
            machine.Configure(step).SubstateOf(MusterStep.Wizard);
        }

        machine.Configure(MusterStep.Kind).Permit(MusterTrigger.Next, MusterStep.Scope).Permit(MusterTrigger.TemplatePicked, MusterStep.Preview);
        machine.Configure(MusterStep.Scope).PermitDynamic(MusterTrigger.Next, target, MusterStep.PickRegions, MusterStep.PickGrids, MusterStep.PickSkills, MusterStep.Rally);
        machine.Configure(MusterStep.PickRegions).Permit(MusterTrigger.Next, MusterStep.Rally);
        machine.Configure(MusterStep.PickGrids).Permit(MusterTrigger.Next, MusterStep.Rally);
        machine.Configure(MusterStep.PickSkills).Permit(MusterTrigger.Next, MusterStep.Rally);
        machine.Configure(MusterStep.Rally).Permit(MusterTrigger.Next, MusterStep.Pin);
        machine.Configure(MusterStep.Pin).Permit(MusterTrigger.Next, MusterStep.ReportBy);
        machine.Configure(MusterStep.ReportBy).Permit(MusterTrigger.Next, MusterStep.DrillOrReal);
        machine.Configure(MusterStep.DrillOrReal).PermitDynamic(MusterTrigger.Next, target, MusterStep.ResidentNotice, MusterStep.Preview);
        machine.Configure(MusterStep.ResidentNotice).Permit(MusterTrigger.Next, MusterStep.Preview);
        machine.Configure(MusterStep.Preview).Permit(MusterTrigger.Launch, MusterStep.Idle).Permit(MusterTrigger.Save, MusterStep.TemplateName);
        machine.Configure(MusterStep.TemplateName).Permit(MusterTrigger.Next, MusterStep.Preview);
        foreach (var input in new[] { MusterStep.ReasonText, MusterStep.ArrivedLocation, MusterStep.ModeNotice })
        {
            machine.Configure(input).Permit(MusterTrigger.Done, MusterStep.Idle).Permit(MusterTrigger.Cancel, MusterStep.Idle).InternalTransition(MusterTrigger.Stay, _ => { });
        }
    }

    /// <summary>/muster (launch wizard), /muster close, /muster list.</summary>
    private async ValueTask OnMusterCommandAsync(FlowContext ctx, string argument, CancellationToken cancellationToken)
    {
        if (!ctx.Has(Roles.Admin))
        {
            Refuse(ctx, "role.admin");
            return;
        }

        var open = new List<Muster>();
        foreach (var number in await OpenMusterNumbersAsync(ctx, cancellationToken).ConfigureAwait(false))
        {
            if (await MusterStore.LoadHeaderAsync(ctx.Reader, number, cancellationToken).ConfigureAwait(false) is { } m)
            {
                open.Add(m);
            }
        }

        var arg = argument.Trim().ToLowerInvariant();
        if (arg is "close" or "list" or "\u7ED3\u675F")
        {
            if (open.Count == 0)
            {
                ctx.Reply(ctx.T("mu.none_open"), Menu(ctx));
                return;
            }

            var sb = new StringBuilder(ctx.T("mu.list.head")).Append('\n');
            foreach (var m in open)
            {
                sb.Append(ListLine(ctx.Language, m)).Append('\n');
            }

            var rows = open.Select(m => new InlineButton(ctx.T("mu.btn.close_n", m.Code), $"{P}cl:{MusterView.Num(m.Number)}")).Rows(2);
            ctx.Reply(sb.ToString(), new InlineMarkup(rows));
            return;
        }

        var data = new Dictionary<string, string>();
        ctx.Conversation = new ConversationState(FlowName, nameof(MusterStep.Kind)) { Data = data, UpdatedAt = ctx.Now };
        if (open.Count > 0)
        {
            ctx.Reply(ctx.T("mu.w.open_note", string.Join(", ", open.Select(m => m.Code))));
        }

        var templates = await ctx.Reader.GetAsync<MusterTemplates>(DocKeys.MusterTemplates, cancellationToken).ConfigureAwait(false) ?? new MusterTemplates();
        ctx.Reply(KindText(ctx), KindButtons(ctx, templates));
    }

    private string ListLine(Language language, Muster m) =>
        (m.Plan.Drill ? texts.Get(language, "mu.drill_short") + " " : string.Empty)
        + $"<b>{m.Code}</b> {MusterView.KindName(texts, language, m.Plan)} · {Html.Escape(m.Plan.RallyText)} · {MusterView.Time(m.LaunchedAt, Offset)}";

    private async ValueTask OnWizardButtonAsync(FlowContext ctx, MusterStep step, string[] parts, CancellationToken cancellationToken)
    {
        if (!ctx.Has(Roles.Admin))
        {
            if (parts.Length >= 3 && parts[2] == "x" && step != MusterStep.Idle)
            {
                // Members use the same cancel button for a typed reason.
                ctx.AnswerButton();
                ctx.Conversation = MainFlow.Idle(ctx.Now);
                ctx.Show(ctx.T("cancel.done"), null);
                return;
            }

            Refuse(ctx, "role.admin");
            return;
        }

        if (parts.Length < 3 || (step == MusterStep.Idle && parts[2] != "x") || (!WizardSteps.Contains(step) && step != MusterStep.Idle && parts[2] != "x"))
        {
            ctx.AnswerButton(ctx.T("button.expired_hint"));
            return;
        }

        var data = new Dictionary<string, string>(ctx.Conversation.Data);
        var target = step;
        var trigger = MusterTrigger.Stay;
        var action = parts[2];
        var arg = parts.Length > 3 ? parts[3] : string.Empty;
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        switch (action)
        {
            case "x":
                trigger = MusterTrigger.Cancel;
                target = MusterStep.Idle;
                ctx.Show(ctx.T("mu.w.cancelled"), null);
                break;
            case "back":
                trigger = MusterTrigger.Back;
                target = PreviousStep(step, data);
                break;
            case "k" when step == MusterStep.Kind && Enum.TryParse<MusterKind>(arg, out var kind) && Enum.IsDefined(kind):
                data["kind"] = kind.ToString();
                (trigger, target) = (MusterTrigger.Next, MusterStep.Scope);
                break;
            case "t" when step == MusterStep.Kind && int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var index):
                var templates = await ctx.Reader.GetAsync<MusterTemplates>(DocKeys.MusterTemplates, cancellationToken).ConfigureAwait(false);
                if (templates is null || index >= templates.Items.Count)
                {
                    ctx.AnswerButton(ctx.T("button.stale"));
                    break;
                }

                Fill(data, templates.Items[index].Plan);
                (trigger, target) = (MusterTrigger.TemplatePicked, MusterStep.Preview);
                break;
            case "s" when step == MusterStep.Scope && Enum.TryParse<MusterScopeKind>(arg, out var scope) && Enum.IsDefined(scope):
                data["scope"] = scope.ToString();
                trigger = MusterTrigger.Next;
                target = scope switch
                {
                    MusterScopeKind.Regions => MusterStep.PickRegions,
                    MusterScopeKind.Grids => MusterStep.PickGrids,
                    MusterScopeKind.Skills => MusterStep.PickSkills,
                    _ => MusterStep.Rally,
                };
                break;
            case "r" when step == MusterStep.PickRegions && directory.Region(arg) is not null:
                Toggle(data, "regions", arg);
                break;
            case "g" when step == MusterStep.PickGrids && directory.Grid(arg) is not null:
                Toggle(data, "grids", arg);
                break;
            case "sk" when step == MusterStep.PickSkills && Enum.TryParse<Skill>(arg, out var skill) && Enum.IsDefined(skill):
                var needed = SkillsOf(data);
                var current = needed.GetValueOrDefault(skill);
                var next = SkillCounts[(Array.IndexOf(SkillCounts, current) + 1) % SkillCounts.Length];
                needed[skill] = next;
                data["skills"] = string.Join(";", needed.Where(kv => kv.Value > 0).Select(kv => kv.Key + "=" + kv.Value.ToString(CultureInfo.InvariantCulture)));
                break;
            case "ok" when step is MusterStep.PickRegions or MusterStep.PickGrids or MusterStep.PickSkills:
                var chosen = step switch
                {
                    MusterStep.PickRegions => List(data, "regions").Count,
                    MusterStep.PickGrids => List(data, "grids").Count,
                    _ => SkillsOf(data).Count(kv => kv.Value > 0),
                };
                if (chosen == 0)
                {
                    ctx.AnswerButton(ctx.T("mu.w.pick_one"), alert: true);
                    break;
                }

                (trigger, target) = (MusterTrigger.Next, MusterStep.Rally);
                break;
            case "skip" when step == MusterStep.Pin:
                data.Remove("lat");
                data.Remove("lon");
                (trigger, target) = (MusterTrigger.Next, MusterStep.ReportBy);
                break;
            case "rb" when step == MusterStep.ReportBy && int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var within) && ReportWithin.Contains(within):
                data["within"] = arg;
                (trigger, target) = (MusterTrigger.Next, MusterStep.DrillOrReal);
                break;
            case "dr" when step == MusterStep.DrillOrReal && arg is "0" or "1":
                data["drill"] = arg;
                (trigger, target) = (MusterTrigger.Next, arg == "1" ? MusterStep.Preview : MusterStep.ResidentNotice);
                break;
            case "skip" when step == MusterStep.ResidentNotice:
                data.Remove("notice");
                (trigger, target) = (MusterTrigger.Next, MusterStep.Preview);
                break;
            case "go" when step == MusterStep.Preview:
                await LaunchAsync(ctx, PlanOf(data), directory, cancellationToken).ConfigureAwait(false);
                (trigger, target) = (MusterTrigger.Launch, MusterStep.Idle);
                break;
            case "save" when step == MusterStep.Preview:
                (trigger, target) = (MusterTrigger.Save, MusterStep.TemplateName);
                break;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
        }

        // Answered here, after the cases that answer with a hint ("choose at least one", stale template): a press is answered once.
        ctx.AnswerButton();
        var machine = new StateMachine<MusterStep, MusterTrigger>(() => step, s => step = s);
        Configure(machine, () => target);
        machine.Fire(trigger);
        ctx.Conversation = step == MusterStep.Idle
            ? MainFlow.Idle(ctx.Now)
            : new ConversationState(FlowName, step.ToString()) { Data = data, UpdatedAt = ctx.Now };
        if (trigger is MusterTrigger.Cancel or MusterTrigger.Launch)
        {
            return;
        }

        await ShowStepAsync(ctx, step, data, directory, edit: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Typed input inside the wizard: the rally point, a location pin, a template name.</summary>
    private async ValueTask OnWizardInputAsync(FlowContext ctx, MusterStep step, CancellationToken cancellationToken)
    {
        if (!ctx.Has(Roles.Admin))
        {
            ctx.Conversation = MainFlow.Idle(ctx.Now);
            ctx.Reply(ctx.T("unknown.text"), Menu(ctx));
            return;
        }

        var data = new Dictionary<string, string>(ctx.Conversation.Data);
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var next = step;
        switch (step)
        {
            case MusterStep.Rally when ctx.Event is TextReceived text:
                var rally = text.Text.Trim();
                if (rally.Length == 0 || rally.Length > MaxRallyLength)
                {
                    ctx.Reply(ctx.T("mu.w.rally_length", MaxRallyLength), WizardNav(ctx, back: true));
                    return;
                }

                data["rally"] = rally;
                next = MusterStep.Pin;
                break;
            case MusterStep.Pin when ctx.Event is LocationShared location:
                data["lat"] = location.Latitude.ToString("R", CultureInfo.InvariantCulture);
                data["lon"] = location.Longitude.ToString("R", CultureInfo.InvariantCulture);
                next = MusterStep.ReportBy;
                break;
            case MusterStep.ResidentNotice when ctx.Event is TextReceived text:
                var notice = text.Text.Trim();
                if (notice.Length == 0 || notice.Length > MaxNoticeLength)
                {
                    ctx.Reply(ctx.T("mu.mode.notice_length", MaxNoticeLength), WizardNav(ctx, back: true));
                    return;
                }

                data["notice"] = notice;
                next = MusterStep.Preview;
                break;
            case MusterStep.TemplateName when ctx.Event is TextReceived text:
                var name = text.Text.Trim();
                if (name.Length == 0 || name.Length > MaxTemplateNameLength)
                {
                    ctx.Reply(ctx.T("mu.w.template_length", MaxTemplateNameLength), WizardNav(ctx, back: true));
                    return;
                }

                var templates = await ctx.Reader.GetAsync<MusterTemplates>(DocKeys.MusterTemplates, cancellationToken).ConfigureAwait(false) ?? new MusterTemplates();
                var items = templates.Items.Where(t => !string.Equals(t.Name, name, StringComparison.Ordinal)).ToList();
                items.Insert(0, new MusterTemplate(name, PlanOf(data), ctx.Profile.Id, ctx.Now));
                ctx.Effects.Put(DocKeys.MusterTemplates, templates with { Items = items.Take(MaxTemplates).ToList() });
                ctx.Reply(ctx.T("mu.w.template_saved", Html.Escape(name)));
                next = MusterStep.Preview;
                break;
            default:
                // Anything else where a button is expected: show the step again with a hint.
                ctx.Reply(ctx.T("mu.w.use_buttons"));
                await ShowStepAsync(ctx, step, data, directory, edit: false, cancellationToken).ConfigureAwait(false);
                return;
        }

        var machine = new StateMachine<MusterStep, MusterTrigger>(() => step, s => step = s);
        Configure(machine, () => next);
        machine.Fire(MusterTrigger.Next);
        ctx.Conversation = new ConversationState(FlowName, step.ToString()) { Data = data, UpdatedAt = ctx.Now };
        await ShowStepAsync(ctx, step, data, directory, edit: false, cancellationToken).ConfigureAwait(false);
    }

    private static MusterStep PreviousStep(MusterStep step, Dictionary<string, string> data) => step switch
    {
        MusterStep.Scope => MusterStep.Kind,
        MusterStep.PickRegions or MusterStep.PickGrids or MusterStep.PickSkills => MusterStep.Scope,
        MusterStep.Rally => data.GetValueOrDefault("scope") switch
        {
            nameof(MusterScopeKind.Regions) => MusterStep.PickRegions,
            nameof(MusterScopeKind.Grids) => MusterStep.PickGrids,
            nameof(MusterScopeKind.Skills) => MusterStep.PickSkills,
            _ => MusterStep.Scope,
        },
        MusterStep.Pin => MusterStep.Rally,
        MusterStep.ReportBy => MusterStep.Pin,
        MusterStep.DrillOrReal => MusterStep.ReportBy,
        MusterStep.ResidentNotice => MusterStep.DrillOrReal,
        MusterStep.Preview => data.GetValueOrDefault("drill") == "1" ? MusterStep.DrillOrReal : MusterStep.ResidentNotice,
        MusterStep.TemplateName => MusterStep.Preview,
        _ => MusterStep.Kind,
    };

    private async ValueTask ShowStepAsync(FlowContext ctx, MusterStep step, Dictionary<string, string> data, DirectorySnapshot directory, bool edit, CancellationToken cancellationToken)
    {
        void Show(string html, InlineMarkup markup)
        {
            if (edit)
            {
                ctx.Show(html, markup);
            }
            else
            {
                ctx.Reply(html, markup);
            }
        }

        switch (step)
        {
            case MusterStep.Kind:
                var templates = await ctx.Reader.GetAsync<MusterTemplates>(DocKeys.MusterTemplates, cancellationToken).ConfigureAwait(false) ?? new MusterTemplates();
                Show(KindText(ctx), KindButtons(ctx, templates));
                return;
            case MusterStep.Scope:
                var scopes = Enum.GetValues<MusterScopeKind>().Select(s => new InlineButton(ctx.T("mu.scope." + s), $"{P}w:s:{s}")).Rows(2);
                scopes.AddRange(WizardNav(ctx, back: true).Rows);
                Show(ctx.T("mu.w.scope"), new InlineMarkup(scopes));
                return;
            case MusterStep.PickRegions:
                var chosenRegions = List(data, "regions");
                Show(ctx.T("mu.w.regions"), PickMarkup(ctx, directory.Regions.Select(r => (r.Id, r.Name, chosenRegions.Contains(r.Id))), "r"));
                return;
            case MusterStep.PickGrids:
                var chosenGrids = List(data, "grids");
                Show(ctx.T("mu.w.grids"), PickMarkup(ctx, directory.Grids.Select(g => (g.Id, g.Name, chosenGrids.Contains(g.Id))), "g"));
                return;
            case MusterStep.PickSkills:
                var needed = SkillsOf(data);
                var skillRows = Enum.GetValues<Skill>().Select(s => new InlineButton(
                    ctx.T("skill." + s) + (needed.GetValueOrDefault(s) is var c and > 0 ? " \u00D7" + c.ToString(CultureInfo.InvariantCulture) : string.Empty),
                    $"{P}w:sk:{s}")).Rows(3);
                skillRows.Add([new InlineButton(ctx.T("mu.btn.done"), $"{P}w:ok")]);
                skillRows.AddRange(WizardNav(ctx, back: true).Rows);
                Show(ctx.T("mu.w.skills"), new InlineMarkup(skillRows));
                return;
            case MusterStep.Rally:
                Show(ctx.T("mu.w.rally", MaxRallyLength), WizardNav(ctx, back: true));
                return;
            case MusterStep.Pin:
                var pin = new List<IReadOnlyList<InlineButton>> { new[] { new InlineButton(ctx.T("mu.btn.skip"), $"{P}w:skip") } };
                pin.AddRange(WizardNav(ctx, back: true).Rows);
                Show(ctx.T("mu.w.pin"), new InlineMarkup(pin));
                return;
            case MusterStep.ReportBy:
                var times = ReportWithin.Select(m => new InlineButton(ctx.T("mu.w.within", m >= 60 ? ctx.T("mu.hours", m / 60) : ctx.T("mu.minutes", m)), $"{P}w:rb:{m.ToString(CultureInfo.InvariantCulture)}")).Rows(2);
                times.AddRange(WizardNav(ctx, back: true).Rows);
                Show(ctx.T("mu.w.report_by"), new InlineMarkup(times));
                return;
            case MusterStep.DrillOrReal:
                var kinds = new List<IReadOnlyList<InlineButton>> { new[] { new InlineButton(ctx.T("mu.btn.drill"), $"{P}w:dr:1"), new InlineButton(ctx.T("mu.btn.real"), $"{P}w:dr:0") } };
                kinds.AddRange(WizardNav(ctx, back: true).Rows);
                Show(ctx.T("mu.w.drill"), new InlineMarkup(kinds));
                return;
            case MusterStep.ResidentNotice:
                var noticeRows = new List<IReadOnlyList<InlineButton>> { new[] { new InlineButton(ctx.T("mu.btn.standard_notice"), $"{P}w:skip") } };
                noticeRows.AddRange(WizardNav(ctx, back: true).Rows);
                Show(ctx.T("mu.w.notice", MaxNoticeLength), new InlineMarkup(noticeRows));
                return;
            case MusterStep.Preview:
                var plan = PlanOf(data);
                var targets = await TargetsAsync(ctx, plan, directory, cancellationToken).ConfigureAwait(false);
                var preview = new List<IReadOnlyList<InlineButton>>
                {
                    new[] { new InlineButton(ctx.T(plan.Drill ? "mu.btn.launch_drill" : "mu.btn.launch"), $"{P}w:go") },
                    new[] { new InlineButton(ctx.T("mu.btn.save_template"), $"{P}w:save") },
                };
                preview.AddRange(WizardNav(ctx, back: true).Rows);
                Show(PreviewText(ctx, plan, targets, directory), new InlineMarkup(preview));
                return;
            case MusterStep.TemplateName:
                Show(ctx.T("mu.w.template_name", MaxTemplateNameLength), WizardNav(ctx, back: true));
                return;
        }
    }

    private static string KindText(FlowContext ctx) => ctx.T("mu.w.kind");

    private static InlineMarkup KindButtons(FlowContext ctx, MusterTemplates templates)
    {
        var rows = Enum.GetValues<MusterKind>().Select(k => new InlineButton(ctx.T("mu.kind." + k), $"{P}w:k:{k}")).Rows(3);
        rows.AddRange(templates.Items.Select((t, i) => new InlineButton("\U0001F4BE " + t.Name, $"{P}w:t:{i.ToString(CultureInfo.InvariantCulture)}")).Rows(2));
        rows.AddRange(WizardNav(ctx, back: false).Rows);
        return new InlineMarkup(rows);
    }

    private static InlineMarkup PickMarkup(FlowContext ctx, IEnumerable<(string Id, string Name, bool Chosen)> items, string code)
    {
        var rows = items.Select(i => new InlineButton((i.Chosen ? "\u2611\uFE0F " : "\u2B1C ") + i.Name, $"{P}w:{code}:{i.Id}")).Rows(2);
        rows.Add([new InlineButton(ctx.T("mu.btn.done"), $"{P}w:ok")]);
        rows.AddRange(WizardNav(ctx, back: true).Rows);
        return new InlineMarkup(rows);
    }

    private static InlineMarkup WizardNav(FlowContext ctx, bool back)
    {
        var row = new List<InlineButton>();
        if (back)
        {
            row.Add(new InlineButton(ctx.T("mu.btn.back"), $"{P}w:back"));
        }

        row.Add(new InlineButton(ctx.T("button.cancel"), $"{P}w:x"));
        return new InlineMarkup([row]);
    }

    private string PreviewText(FlowContext ctx, MusterPlan plan, Targets targets, DirectorySnapshot directory)
    {
        var sb = new StringBuilder();
        sb.Append(ctx.T("mu.w.preview_head")).Append("\n\n");
        var sample = new Muster(0, plan, ctx.Profile.Id, ctx.Now) { ReportBy = ctx.Now.AddMinutes(plan.ReportWithinMinutes) };
        sb.Append(MusterView.Order(texts, ctx.Language, sample, Offset, []).Replace("M-0", "M-?", StringComparison.Ordinal)).Append("\n\n");
        if (plan.Latitude is not null)
        {
            sb.Append(ctx.T("mu.w.pin_set")).Append('\n');
        }

        sb.Append(ctx.T("mu.w.preview_scope", ScopeText(ctx, plan, directory))).Append('\n');
        sb.Append(ctx.T("mu.w.preview_count", targets.Count, targets.Groups.Count(g => g.RegionId != Muster.NoRegion))).Append('\n');
        foreach (var group in targets.Groups)
        {
            var region = directory.Region(group.RegionId);
            sb.Append("· ").Append(Html.Escape(RegionName(directory, group.RegionId, ctx.Language))).Append(": ").Append(group.Members.Count.ToString(CultureInfo.InvariantCulture));
            sb.Append(region?.ConvenorId is null && region?.BackupConvenorId is null ? " " + ctx.T("mu.w.preview_direct") : string.Empty).Append('\n');
        }

        if (targets.Away > 0)
        {
            sb.Append(ctx.T("mu.w.preview_away", targets.Away)).Append('\n');
        }

        sb.Append(plan.Drill ? ctx.T("mu.w.preview_drill") : ctx.T("mu.w.preview_real"));
        if (!plan.Drill)
        {
            var mode = new CommunityMode(true) { Since = ctx.Now, Notice = plan.Notice, Kind = plan.Kind };
            sb.Append("\n\n").Append(ModeNoticeText(ctx.Language, mode));
        }
        return sb.ToString();
    }

    private static string ScopeText(FlowContext ctx, MusterPlan plan, DirectorySnapshot directory) => plan.Scope.Kind switch
    {
        MusterScopeKind.Regions => ctx.T("mu.scope.Regions") + ": " + Html.Escape(string.Join(", ", plan.Scope.RegionIds.Select(directory.RegionName))),
        MusterScopeKind.Grids => ctx.T("mu.scope.Grids") + ": " + Html.Escape(string.Join(", ", plan.Scope.GridIds.Select(directory.GridName))),
        MusterScopeKind.Skills => ctx.T("mu.scope.Skills") + ": " + string.Join(", ", plan.Scope.SkillsNeeded.Select(kv => ctx.T("skill." + kv.Key) + " \u00D7" + kv.Value.ToString(CultureInfo.InvariantCulture))),
        _ => ctx.T("mu.scope.Everyone"),
    };

    private static void Toggle(Dictionary<string, string> data, string key, string id)
    {
        var list = List(data, key);
        if (!list.Remove(id))
        {
            list.Add(id);
        }

        data[key] = string.Join(",", list);
    }

    private static List<string> List(Dictionary<string, string> data, string key) =>
        data.TryGetValue(key, out var v) && v.Length > 0 ? [.. v.Split(',')] : [];

    private static Dictionary<Skill, int> SkillsOf(Dictionary<string, string> data)
    {
        var result = new Dictionary<Skill, int>();
        foreach (var pair in List(data, "skills").SelectMany(s => s.Split(';')))
        {
            var kv = pair.Split('=');
            if (kv.Length == 2 && Enum.TryParse<Skill>(kv[0], out var skill) && int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                result[skill] = n;
            }
        }

        return result;
    }

    private static MusterPlan PlanOf(Dictionary<string, string> data)
    {
        var kind = Enum.TryParse<MusterKind>(data.GetValueOrDefault("kind"), out var k) ? k : MusterKind.Other;
        var scopeKind = Enum.TryParse<MusterScopeKind>(data.GetValueOrDefault("scope"), out var s) ? s : MusterScopeKind.Everyone;
        var scope = new MusterScope(scopeKind)
        {
            RegionIds = scopeKind == MusterScopeKind.Regions ? List(data, "regions") : [],
            GridIds = scopeKind == MusterScopeKind.Grids ? List(data, "grids") : [],
            SkillsNeeded = scopeKind == MusterScopeKind.Skills ? SkillsOf(data).Where(kv => kv.Value > 0).ToDictionary() : new Dictionary<Skill, int>(),
        };
        return new MusterPlan(kind, scope)
        {
            RallyText = data.GetValueOrDefault("rally") ?? string.Empty,
            Latitude = double.TryParse(data.GetValueOrDefault("lat"), NumberStyles.Float, CultureInfo.InvariantCulture, out var lat) ? lat : null,
            Longitude = double.TryParse(data.GetValueOrDefault("lon"), NumberStyles.Float, CultureInfo.InvariantCulture, out var lon) ? lon : null,
            ReportWithinMinutes = int.TryParse(data.GetValueOrDefault("within"), NumberStyles.None, CultureInfo.InvariantCulture, out var w) ? w : 60,
            Drill = data.GetValueOrDefault("drill") == "1",
            Notice = data.GetValueOrDefault("drill") == "1" ? null : data.GetValueOrDefault("notice"),
        };
    }

    private static void Fill(Dictionary<string, string> data, MusterPlan plan)
    {
        data.Clear();
        data["kind"] = plan.Kind.ToString();
        data["scope"] = plan.Scope.Kind.ToString();
        data["regions"] = string.Join(",", plan.Scope.RegionIds);
        data["grids"] = string.Join(",", plan.Scope.GridIds);
        data["skills"] = string.Join(";", plan.Scope.SkillsNeeded.Select(kv => kv.Key + "=" + kv.Value.ToString(CultureInfo.InvariantCulture)));
        data["rally"] = plan.RallyText;
        if (plan.Latitude is { } lat && plan.Longitude is { } lon)
        {
            data["lat"] = lat.ToString("R", CultureInfo.InvariantCulture);
            data["lon"] = lon.ToString("R", CultureInfo.InvariantCulture);
        }

        data["within"] = plan.ReportWithinMinutes.ToString(CultureInfo.InvariantCulture);
        data["drill"] = plan.Drill ? "1" : "0";
        if (plan.Notice is { } notice)
        {
            data["notice"] = notice;
        }
    }
}
