using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Musters;
using Stateless;
using Stateless.Graph;
using Stateless.Reflection;

namespace MusterBot.Flows.Musters;

public sealed partial class MusterFlow
{
    private const int MaxRallyLength = 200;
    private const int MaxTemplateNameLength = 30;
    private const int MaxTemplates = 10;
    private const string ChosenGuard = "at least one chosen";
    private const string NoticeGuard = "a notice was typed";
    private static readonly int[] SkillCounts = [0, 1, 2, 3, 5, 10];
    private static readonly int[] ReportWithin = [30, 60, 120, 240];

    private static readonly MusterStep[] WizardSteps =
    [
        MusterStep.PickNodes, MusterStep.Kind, MusterStep.Scope, MusterStep.PickRegions, MusterStep.PickGrids, MusterStep.PickSkills, MusterStep.Rally,
        MusterStep.Pin, MusterStep.ReportBy, MusterStep.DrillOrReal, MusterStep.ResidentNotice, MusterStep.Preview, MusterStep.TemplateName,
    ];

    /// <summary>Three diagrams: the person's conversation (the launch wizard and the typed inputs), a member's answer, the community's mode.</summary>
    public string ToMermaid()
    {
        var conversation = new Conversation(MusterStep.Idle, new Dictionary<string, string>());
        return MermaidGraph.Format(conversation.Machine.GetInfo())
            + "\n```\n\n## A member's answer (check-in)\n\n```mermaid\n"
            + CheckInMachine.ToMermaid()
            + "\n```\n\n## The community's mode (/mode)\n\n```mermaid\n"
            + ModeMachine.ToMermaid() + "\n";
    }

    /// <summary>
    /// One decision on a person's muster conversation: the step (external state of a Stateless machine), the wizard's
    /// answers so far, and whether the input is valid (the text fits, the region is known, the time is offered, the
    /// template exists). <see cref="Configure"/> is the one place that says which input is allowed in which step.
    /// </summary>
    private sealed class Conversation
    {
        private StateMachine<MusterStep, MusterTrigger>? _machine;

        public Conversation(MusterStep step, IReadOnlyDictionary<string, string> data)
        {
            Step = step;
            Data = new Dictionary<string, string>(data);
        }

        public MusterStep Step { get; private set; }

        public Dictionary<string, string> Data { get; }

        public bool InputValid { get; set; } = true;

        /// <summary>Set when the trigger was not handled: the guards that were not met (empty: not an input of the step).</summary>
        public ICollection<string>? Unhandled { get; private set; }

        public StateMachine<MusterStep, MusterTrigger> Machine => _machine ??= Configure(this);

        /// <summary>Fires <paramref name="trigger"/>; true when the step allowed it.</summary>
        public bool Fire(MusterTrigger trigger)
        {
            Unhandled = null;
            Machine.Fire(trigger);
            return Unhandled is null;
        }

        private static StateMachine<MusterStep, MusterTrigger> Configure(Conversation c)
        {
            var machine = new StateMachine<MusterStep, MusterTrigger>(() => c.Step, s => c.Step = s);
            Func<bool> valid = () => c.InputValid;

            // Starts, from wherever the person is: /muster, "other reason", "switch to emergency".
            foreach (var state in new[] { MusterStep.Idle, MusterStep.Wizard, MusterStep.ReasonText, MusterStep.ModeNotice })
            {
                var config = machine.Configure(state).Permit(MusterTrigger.Begin, MusterStep.Kind).Permit(MusterTrigger.BeginTree, MusterStep.PickNodes);
                _ = state == MusterStep.ReasonText ? config.PermitReentry(MusterTrigger.AskReason) : config.Permit(MusterTrigger.AskReason, MusterStep.ReasonText);
                _ = state == MusterStep.ModeNotice ? config.PermitReentry(MusterTrigger.AskNotice) : config.Permit(MusterTrigger.AskNotice, MusterStep.ModeNotice);
            }

            // Outside any step a location is attached to the newest muster the person is on their way to or arrived at;
            // "cancel" of a question already answered just says so.
            machine.Configure(MusterStep.Idle)
                .InternalTransitionIf(MusterTrigger.Location, _ => true, _ => { }, "attached to the newest muster it fits")
                .InternalTransitionIf(MusterTrigger.Cancel, _ => true, _ => { }, "nothing to cancel");

            machine.Configure(MusterStep.Wizard)
                .Permit(MusterTrigger.Cancel, MusterStep.Idle)
                .PermitDynamic(MusterTrigger.Back, () => PreviousStep(c.Step, c.Data), "the step before", Possible(WizardSteps));
            foreach (var step in WizardSteps)
            {
                machine.Configure(step).SubstateOf(MusterStep.Wizard);
            }

            machine.Configure(MusterStep.PickNodes)
                .InternalTransitionIf(MusterTrigger.ToggleNode, _ => valid(), _ => { }, "a node below the launcher's, or workplace regions of it or below it")
                .InternalTransition(MusterTrigger.PageNodes, _ => { })
                .PermitIf(MusterTrigger.Done, MusterStep.Kind, () => Chosen(c) > 0, ChosenGuard);
            machine.Configure(MusterStep.Kind)
                .Permit(MusterTrigger.PickKind, MusterStep.Scope)
                .PermitIf(MusterTrigger.PickTemplate, MusterStep.Preview, valid, "a saved template");
            machine.Configure(MusterStep.Scope)
                .PermitDynamic(MusterTrigger.PickScope, () => ScopeStep(c.Data), "by scope", Possible(MusterStep.PickRegions, MusterStep.PickGrids, MusterStep.PickSkills, MusterStep.Rally));
            machine.Configure(MusterStep.PickRegions)
                .InternalTransitionIf(MusterTrigger.ToggleRegion, _ => valid(), _ => { }, "a known region")
                .PermitIf(MusterTrigger.Done, MusterStep.Rally, () => Chosen(c) > 0, ChosenGuard);
            machine.Configure(MusterStep.PickGrids)
                .InternalTransitionIf(MusterTrigger.ToggleGrid, _ => valid(), _ => { }, "a known grid")
                .PermitIf(MusterTrigger.Done, MusterStep.Rally, () => Chosen(c) > 0, ChosenGuard);
            machine.Configure(MusterStep.PickSkills)
                .InternalTransitionIf(MusterTrigger.CycleSkill, _ => true, _ => { }, "0, 1, 2, 3, 5, 10 needed")
                .PermitIf(MusterTrigger.Done, MusterStep.Rally, () => Chosen(c) > 0, ChosenGuard);
            machine.Configure(MusterStep.Rally)
                .PermitIf(MusterTrigger.Text, MusterStep.Pin, valid, Fits(MaxRallyLength))
                .PermitIf(MusterTrigger.Skip, MusterStep.Pin, () => IsTree(c.Data), "over communities: each reports to its own");
            machine.Configure(MusterStep.Pin)
                .Permit(MusterTrigger.Location, MusterStep.ReportBy)
                .Permit(MusterTrigger.Skip, MusterStep.ReportBy);
            machine.Configure(MusterStep.ReportBy)
                .PermitIf(MusterTrigger.ReportWithin, MusterStep.DrillOrReal, valid, "an offered time");
            machine.Configure(MusterStep.DrillOrReal)
                .PermitDynamic(MusterTrigger.DrillOrReal, () => c.Data.GetValueOrDefault("drill") == "1" ? MusterStep.Preview : MusterStep.ResidentNotice,
                    "drill or real", Possible(MusterStep.Preview, MusterStep.ResidentNotice));
            machine.Configure(MusterStep.ResidentNotice)
                .PermitIf(MusterTrigger.Text, MusterStep.Preview, valid, Fits(MaxNoticeLength))
                .Permit(MusterTrigger.Skip, MusterStep.Preview);
            machine.Configure(MusterStep.Preview)
                .InternalTransition(MusterTrigger.IncludeMe, _ => { })
                .Permit(MusterTrigger.Launch, MusterStep.Idle)
                .Permit(MusterTrigger.Save, MusterStep.TemplateName);
            machine.Configure(MusterStep.TemplateName)
                .PermitIf(MusterTrigger.Text, MusterStep.Preview, valid, Fits(MaxTemplateNameLength));

            machine.Configure(MusterStep.ReasonText)
                .PermitIf(MusterTrigger.Text, MusterStep.Idle, valid, Fits(MaxReasonLength))
                .Permit(MusterTrigger.Answered, MusterStep.Idle)
                .Permit(MusterTrigger.Cancel, MusterStep.Idle);
            machine.Configure(MusterStep.ModeNotice)
                .InternalTransitionIf(MusterTrigger.Text, _ => valid(), _ => { }, Fits(MaxNoticeLength))
                .PermitIf(MusterTrigger.ConfirmEmergency, MusterStep.Idle, () => c.Data.ContainsKey("notice"), NoticeGuard)
                .Permit(MusterTrigger.Cancel, MusterStep.Idle);

            // Never throws to intake: the decision records why, and the flow answers the person.
            machine.OnUnhandledTrigger((_, _, unmet) => c.Unhandled = unmet ?? []);
            return machine;
        }

        private static string Fits(int max) => "1–" + max.ToString(CultureInfo.InvariantCulture) + " characters";

        private static DynamicStateInfos Possible(params MusterStep[] steps)
        {
            var infos = new DynamicStateInfos();
            foreach (var step in steps)
            {
                infos.Add(step, step.ToString());
            }

            return infos;
        }

        private static MusterStep ScopeStep(Dictionary<string, string> data) => data.GetValueOrDefault("scope") switch
        {
            nameof(MusterScopeKind.Regions) => MusterStep.PickRegions,
            nameof(MusterScopeKind.Grids) => MusterStep.PickGrids,
            nameof(MusterScopeKind.Skills) => MusterStep.PickSkills,
            _ => MusterStep.Rally,
        };

        private static int Chosen(Conversation c) => c.Step switch
        {
            MusterStep.PickNodes => List(c.Data, "nodes").Count + List(c.Data, "wr").Count + (c.Data.GetValueOrDefault("all") == "1" ? 1 : 0),
            MusterStep.PickRegions => List(c.Data, "regions").Count,
            MusterStep.PickGrids => List(c.Data, "grids").Count,
            _ => SkillsOf(c.Data).Count(kv => kv.Value > 0),
        };
    }

    private static MusterStep StepOf(FlowContext ctx) =>
        ctx.Conversation.Flow == FlowName && Enum.TryParse<MusterStep>(ctx.Conversation.Step, out var s) && Enum.IsDefined(s) ? s : MusterStep.Idle;

    /// <summary>The conversation after a decision: idle, or the step with the wizard's answers.</summary>
    private static ConversationState Persist(FlowContext ctx, Conversation c) =>
        c.Step == MusterStep.Idle
            ? MainFlow.Idle(ctx.Now)
            : new ConversationState(FlowName, c.Step.ToString()) { Data = c.Data, UpdatedAt = ctx.Now };

    /// <summary>/muster (launch wizard), /muster close, /muster list.</summary>
    private async ValueTask OnMusterCommandAsync(FlowContext ctx, string argument, CancellationToken cancellationToken)
    {
        if (await BeginTreeAsync(ctx, argument, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

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

            var rows = open.Select(m => new InlineButton(ctx.T("mu.btn.close_n", m.Code), new MusterButton.Close(m.Number).Data)).Rows(2);
            ctx.Reply(sb.ToString(), new InlineMarkup(rows));
            return;
        }

        var conversation = new Conversation(StepOf(ctx), new Dictionary<string, string>());
        conversation.Fire(MusterTrigger.Begin);
        ctx.Conversation = Persist(ctx, conversation);
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

    /// <summary>A wizard button: the choice is recorded in a copy of the answers, the machine decides, the flow shows the next step.</summary>
    private async ValueTask OnWizardButtonAsync(FlowContext ctx, MusterStep step, MusterButton.WizardChoice button, CancellationToken cancellationToken)
    {
        var admin = ctx.Has(Roles.Admin) || (IsTree(ctx.Conversation.Data) && WizardSteps.Contains(step)) || (button is MusterButton.Cancel && ctx.Profile.AdminOf.Count > 0);
        if (!admin && !(button is MusterButton.Cancel && step != MusterStep.Idle))
        {
            // Members use only the cancel button (of a typed reason).
            Refuse(ctx, "role.admin");
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var templates = button is MusterButton.PickTemplate
            ? await ctx.Reader.GetAsync<MusterTemplates>(DocKeys.MusterTemplates, cancellationToken).ConfigureAwait(false)
            : null;
        var conversation = new Conversation(step, ctx.Conversation.Data);
        var treeChoiceValid = await TreeChoiceValidAsync(ctx, conversation.Data, button, cancellationToken).ConfigureAwait(false);
        var trigger = Apply(conversation, button, directory, templates);
        conversation.InputValid &= treeChoiceValid;
        if (!conversation.Fire(trigger))
        {
            ctx.AnswerButton(
                conversation.Unhandled!.Contains(ChosenGuard) ? ctx.T("mu.w.pick_one")
                : WizardSteps.Contains(step) ? ctx.T("button.stale")
                : ctx.T("button.expired_hint"),
                alert: conversation.Unhandled!.Contains(ChosenGuard));
            return;
        }

        ctx.AnswerButton();
        ctx.Conversation = Persist(ctx, conversation);
        switch (trigger)
        {
            case MusterTrigger.Cancel:
                ctx.Show(admin ? ctx.T("mu.w.cancelled") : ctx.T("cancel.done"), null);
                return;
            case MusterTrigger.Launch when IsTree(conversation.Data):
                await TreeLaunchAsync(ctx, conversation.Data, cancellationToken).ConfigureAwait(false);
                return;
            case MusterTrigger.Launch:
                await LaunchAsync(ctx, PlanOf(conversation.Data), directory, IncludesLauncher(conversation.Data), cancellationToken).ConfigureAwait(false);
                return;
            default:
                await ShowStepAsync(ctx, conversation.Step, conversation.Data, directory, edit: true, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>Records a wizard choice in the conversation's answers (kept only if the step allows it) and names its trigger.</summary>
    private static MusterTrigger Apply(Conversation c, MusterButton.WizardChoice button, DirectorySnapshot directory, MusterTemplates? templates)
    {
        var data = c.Data;
        switch (button)
        {
            case MusterButton.PickKind pick:
                data["kind"] = pick.Kind.ToString();
                return MusterTrigger.PickKind;
            case MusterButton.PickTemplate pick:
                c.InputValid = !IsTree(data) && templates is not null && pick.Index >= 0 && pick.Index < templates.Items.Count;
                if (c.InputValid)
                {
                    Fill(data, templates!.Items[pick.Index].Plan);
                }

                return MusterTrigger.PickTemplate;
            case MusterButton.PickScope pick:
                if (IsTree(data) && pick.Scope is not (MusterScopeKind.Everyone or MusterScopeKind.Skills))
                {
                    // Over communities the scope is everyone or skills (regions and grids belong to one community).
                    return MusterTrigger.OtherInput;
                }

                data["scope"] = pick.Scope.ToString();
                return MusterTrigger.PickScope;
            case MusterButton.ToggleNode or MusterButton.ToggleAllNodes or MusterButton.ToggleWorkplace or MusterButton.ToggleAllWorkplace or MusterButton.NodePage:
                return ApplyTree(c, button);
            case MusterButton.ToggleRegion toggle:
                c.InputValid = directory.Region(toggle.RegionId) is not null;
                Toggle(data, "regions", toggle.RegionId);
                return MusterTrigger.ToggleRegion;
            case MusterButton.ToggleGrid toggle:
                c.InputValid = directory.Grid(toggle.GridId) is not null;
                Toggle(data, "grids", toggle.GridId);
                return MusterTrigger.ToggleGrid;
            case MusterButton.CycleSkill cycle:
                var needed = SkillsOf(data);
                var current = needed.GetValueOrDefault(cycle.Skill);
                needed[cycle.Skill] = SkillCounts[(Array.IndexOf(SkillCounts, current) + 1) % SkillCounts.Length];
                data["skills"] = string.Join(";", needed.Where(kv => kv.Value > 0).Select(kv => kv.Key + "=" + kv.Value.ToString(CultureInfo.InvariantCulture)));
                return MusterTrigger.CycleSkill;
            case MusterButton.Done:
                return MusterTrigger.Done;
            case MusterButton.Skip:
                // No pin, or the standard notice.
                if (c.Step == MusterStep.Pin)
                {
                    data.Remove("lat");
                    data.Remove("lon");
                }
                else if (c.Step == MusterStep.Rally)
                {
                    // Over communities: each community's members report to their own (the default report-to place).
                    data.Remove("rally");
                }
                else
                {
                    data.Remove("notice");
                }

                return MusterTrigger.Skip;
            case MusterButton.ReportWithin within:
                c.InputValid = ReportWithin.Contains(within.Minutes);
                data["within"] = within.Minutes.ToString(CultureInfo.InvariantCulture);
                return MusterTrigger.ReportWithin;
            case MusterButton.DrillOrReal kind:
                data["drill"] = kind.Drill ? "1" : "0";
                return MusterTrigger.DrillOrReal;
            case MusterButton.Launch:
                return MusterTrigger.Launch;
            case MusterButton.IncludeMe:
                data["me"] = IncludesLauncher(data) ? "0" : "1";
                return MusterTrigger.IncludeMe;
            case MusterButton.SaveTemplate:
                return MusterTrigger.Save;
            case MusterButton.Back:
                return MusterTrigger.Back;
            default:
                return MusterTrigger.Cancel;
        }
    }

    /// <summary>Typed input (or a location, a photo…): the rally point, the pin, the residents' notice, a template name, a reason, the emergency notice.</summary>
    private async ValueTask OnInputAsync(FlowContext ctx, MusterStep step, CancellationToken cancellationToken)
    {
        var admin = ctx.Has(Roles.Admin) || (IsTree(ctx.Conversation.Data) && WizardSteps.Contains(step));
        if (WizardSteps.Contains(step) && !admin)
        {
            ctx.Conversation = MainFlow.Idle(ctx.Now);
            ctx.Reply(ctx.T("unknown.text"), Menu(ctx));
            return;
        }

        var text = ctx.Event is TextReceived typed ? typed.Text.Trim() : null;
        var trigger = text is not null ? MusterTrigger.Text : ctx.Event is LocationShared ? MusterTrigger.Location : MusterTrigger.OtherInput;
        var conversation = new Conversation(step, ctx.Conversation.Data);
        if (text is not null)
        {
            conversation.InputValid = text.Length > 0 && text.Length <= step switch
            {
                MusterStep.Rally => MaxRallyLength,
                MusterStep.TemplateName => MaxTemplateNameLength,
                MusterStep.ReasonText => MaxReasonLength,
                _ => MaxNoticeLength,
            };
        }

        if (step == MusterStep.ModeNotice && !admin)
        {
            ctx.Reply(ctx.T("mu.mode.notice_ask", MaxNoticeLength), CancelKeyboard(ctx));
            return;
        }

        switch (step)
        {
            case MusterStep.Rally when text is not null:
                conversation.Data["rally"] = text;
                break;
            case MusterStep.Pin when ctx.Event is LocationShared pin:
                conversation.Data["lat"] = pin.Latitude.ToString("R", CultureInfo.InvariantCulture);
                conversation.Data["lon"] = pin.Longitude.ToString("R", CultureInfo.InvariantCulture);
                break;
            case MusterStep.ResidentNotice or MusterStep.ModeNotice when text is not null:
                conversation.Data["notice"] = text;
                break;
        }

        if (!conversation.Fire(trigger))
        {
            await AnswerUnhandledInputAsync(ctx, step, conversation, text, cancellationToken).ConfigureAwait(false);
            return;
        }

        switch (step)
        {
            case MusterStep.Idle:
                // A location outside any step.
                await LocationAsync(ctx, cancellationToken).ConfigureAwait(false);
                return;
            case MusterStep.ReasonText:
                await ReasonTextAsync(ctx, text!, cancellationToken).ConfigureAwait(false);
                return;
            case MusterStep.ModeNotice:
                ctx.Conversation = Persist(ctx, conversation);
                await ModeNoticeAsync(ctx, text!, cancellationToken).ConfigureAwait(false);
                return;
            case MusterStep.TemplateName:
                var templates = await ctx.Reader.GetAsync<MusterTemplates>(DocKeys.MusterTemplates, cancellationToken).ConfigureAwait(false) ?? new MusterTemplates();
                var items = templates.Items.Where(t => !string.Equals(t.Name, text, StringComparison.Ordinal)).ToList();
                items.Insert(0, new MusterTemplate(text!, PlanOf(conversation.Data), ctx.Profile.Id, ctx.Now));
                ctx.Effects.Put(DocKeys.MusterTemplates, templates with { Items = items.Take(MaxTemplates).ToList() });
                ctx.Reply(ctx.T("mu.w.template_saved", Html.Escape(text!)));
                break;
        }

        ctx.Conversation = Persist(ctx, conversation);
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        await ShowStepAsync(ctx, conversation.Step, conversation.Data, directory, edit: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Input the step does not take: a polite hint, and the step stays.</summary>
    private async ValueTask AnswerUnhandledInputAsync(FlowContext ctx, MusterStep step, Conversation conversation, string? text, CancellationToken cancellationToken)
    {
        var tooLong = text is not null && conversation.Unhandled!.Count > 0;
        switch (step)
        {
            case MusterStep.Idle:
                ctx.Conversation = MainFlow.Idle(ctx.Now);
                ctx.Reply(ctx.T("unknown.text"), Menu(ctx));
                return;
            case MusterStep.ReasonText:
                ctx.Reply(tooLong ? ctx.T("mu.ci.reason_length", MaxReasonLength) : ctx.T("mu.ci.reason_ask"), CancelKeyboard(ctx));
                return;
            case MusterStep.ModeNotice:
                ctx.Reply(tooLong ? ctx.T("mu.mode.notice_length", MaxNoticeLength) : ctx.T("mu.mode.notice_ask", MaxNoticeLength), CancelKeyboard(ctx));
                return;
            case MusterStep.Rally when tooLong:
                ctx.Reply(ctx.T("mu.w.rally_length", MaxRallyLength), WizardNav(ctx, back: true));
                return;
            case MusterStep.ResidentNotice when tooLong:
                ctx.Reply(ctx.T("mu.mode.notice_length", MaxNoticeLength), WizardNav(ctx, back: true));
                return;
            case MusterStep.TemplateName when tooLong:
                ctx.Reply(ctx.T("mu.w.template_length", MaxTemplateNameLength), WizardNav(ctx, back: true));
                return;
            default:
                // Anything else where a button is expected: show the step again with a hint.
                ctx.Reply(ctx.T("mu.w.use_buttons"));
                var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
                await ShowStepAsync(ctx, step, new Dictionary<string, string>(ctx.Conversation.Data), directory, edit: false, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private static MusterStep PreviousStep(MusterStep step, Dictionary<string, string> data) => step switch
    {
        MusterStep.Kind or MusterStep.PickNodes when IsTree(data) => MusterStep.PickNodes,
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
            case MusterStep.PickNodes:
                var (nodesHtml, nodesMarkup) = await PickNodesViewAsync(ctx, data, cancellationToken).ConfigureAwait(false);
                Show(nodesHtml, nodesMarkup);
                return;
            case MusterStep.Kind when IsTree(data):
                Show(ctx.T("mu.w.kind", StepNumber(step, data)), KindButtons(ctx, new MusterTemplates(), back: true));
                return;
            case MusterStep.Kind:
                var templates = await ctx.Reader.GetAsync<MusterTemplates>(DocKeys.MusterTemplates, cancellationToken).ConfigureAwait(false) ?? new MusterTemplates();
                Show(KindText(ctx), KindButtons(ctx, templates));
                return;
            case MusterStep.Rally when IsTree(data):
                var reportRows = new List<IReadOnlyList<InlineButton>> { new[] { new InlineButton(ctx.T("mu.tree.btn.report_default"), new MusterButton.Skip().Data) } };
                reportRows.AddRange(WizardNav(ctx, back: true).Rows);
                Show(ctx.T("mu.tree.w.report_to", StepNumber(step, data), MaxRallyLength), new InlineMarkup(reportRows));
                return;
            case MusterStep.Preview when IsTree(data):
                var treePreview = new List<IReadOnlyList<InlineButton>>
                {
                    new[] { new InlineButton(ctx.T(PlanOf(data).Drill ? "mu.btn.launch_drill" : "mu.btn.launch"), new MusterButton.Launch().Data) },
                };
                treePreview.AddRange(WizardNav(ctx, back: true).Rows);
                Show(await TreePreviewTextAsync(ctx, data, cancellationToken).ConfigureAwait(false), new InlineMarkup(treePreview));
                return;
            case MusterStep.Scope:
                var scopes = Enum.GetValues<MusterScopeKind>().Where(s => !IsTree(data) || s is MusterScopeKind.Everyone or MusterScopeKind.Skills).Select(s => new InlineButton(ctx.T("mu.scope." + s), new MusterButton.PickScope(s).Data)).Rows(2);
                scopes.AddRange(WizardNav(ctx, back: true).Rows);
                Show(ctx.T("mu.w.scope", StepNumber(step, data)), new InlineMarkup(scopes));
                return;
            case MusterStep.PickRegions:
                var chosenRegions = List(data, "regions");
                Show(ctx.T("mu.w.regions", StepNumber(step, data)), PickMarkup(ctx, directory.Regions.Select(r => (r.Id, r.Name, chosenRegions.Contains(r.Id))), id => new MusterButton.ToggleRegion(id)));
                return;
            case MusterStep.PickGrids:
                var chosenGrids = List(data, "grids");
                Show(ctx.T("mu.w.grids", StepNumber(step, data)), PickMarkup(ctx, directory.Grids.Select(g => (g.Id, g.Name, chosenGrids.Contains(g.Id))), id => new MusterButton.ToggleGrid(id)));
                return;
            case MusterStep.PickSkills:
                var needed = SkillsOf(data);
                var skillRows = Enum.GetValues<Skill>().Select(s => new InlineButton(
                    ctx.T("skill." + s) + (needed.GetValueOrDefault(s) is var c and > 0 ? " \u00D7" + c.ToString(CultureInfo.InvariantCulture) : string.Empty),
                    new MusterButton.CycleSkill(s).Data)).Rows(3);
                skillRows.Add([new InlineButton(ctx.T("mu.btn.done"), new MusterButton.Done().Data)]);
                skillRows.AddRange(WizardNav(ctx, back: true).Rows);
                Show(ctx.T("mu.w.skills", StepNumber(step, data)), new InlineMarkup(skillRows));
                return;
            case MusterStep.Rally:
                Show(ctx.T("mu.w.rally", StepNumber(step, data), MaxRallyLength), WizardNav(ctx, back: true));
                return;
            case MusterStep.Pin:
                var pin = new List<IReadOnlyList<InlineButton>> { new[] { new InlineButton(ctx.T("mu.btn.skip"), new MusterButton.Skip().Data) } };
                pin.AddRange(WizardNav(ctx, back: true).Rows);
                Show(ctx.T("mu.w.pin", StepNumber(step, data)), new InlineMarkup(pin));
                return;
            case MusterStep.ReportBy:
                var times = ReportWithin.Select(m => new InlineButton(ctx.T("mu.w.within", m >= 60 ? ctx.T("mu.hours", m / 60) : ctx.T("mu.minutes", m)), new MusterButton.ReportWithin(m).Data)).Rows(2);
                times.AddRange(WizardNav(ctx, back: true).Rows);
                Show(ctx.T("mu.w.report_by", StepNumber(step, data)), new InlineMarkup(times));
                return;
            case MusterStep.DrillOrReal:
                var kinds = new List<IReadOnlyList<InlineButton>> { new[] { new InlineButton(ctx.T("mu.btn.drill"), new MusterButton.DrillOrReal(true).Data), new InlineButton(ctx.T("mu.btn.real"), new MusterButton.DrillOrReal(false).Data) } };
                kinds.AddRange(WizardNav(ctx, back: true).Rows);
                Show(ctx.T("mu.w.drill", StepNumber(step, data)), new InlineMarkup(kinds));
                return;
            case MusterStep.ResidentNotice:
                var noticeRows = new List<IReadOnlyList<InlineButton>> { new[] { new InlineButton(ctx.T("mu.btn.standard_notice"), new MusterButton.Skip().Data) } };
                noticeRows.AddRange(WizardNav(ctx, back: true).Rows);
                Show(ctx.T("mu.w.notice", StepNumber(step, data), MaxNoticeLength), new InlineMarkup(noticeRows));
                return;
            case MusterStep.Preview:
                var plan = PlanOf(data);
                var targets = await TargetsAsync(ctx, plan, directory, IncludesLauncher(data), cancellationToken).ConfigureAwait(false);
                var preview = new List<IReadOnlyList<InlineButton>>
                {
                    new[] { new InlineButton(ctx.T(plan.Drill ? "mu.btn.launch_drill" : "mu.btn.launch"), new MusterButton.Launch().Data) },
                };
                if (targets.LauncherInScope)
                {
                    preview.Add([new InlineButton(ctx.T(targets.LauncherIncluded ? "mu.btn.leave_me_out" : "mu.btn.include_me"), new MusterButton.IncludeMe().Data)]);
                }

                preview.Add([new InlineButton(ctx.T("mu.btn.save_template"), new MusterButton.SaveTemplate().Data)]);
                preview.AddRange(WizardNav(ctx, back: true).Rows);
                Show(PreviewText(ctx, plan, targets, directory), new InlineMarkup(preview));
                return;
            case MusterStep.TemplateName:
                Show(ctx.T("mu.w.template_name", MaxTemplateNameLength), WizardNav(ctx, back: true));
                return;
        }
    }

    private static string KindText(FlowContext ctx) => ctx.T("mu.w.kind", 1);

    private static bool IncludesLauncher(Dictionary<string, string> data) => data.GetValueOrDefault("me") == "1";

    /// <summary>
    /// The number a wizard step shows: counted along the path actually taken (a muster of everyone has no "pick"
    /// step, a drill no residents' notice), so the numbers never skip.
    /// </summary>
    private static int StepNumber(MusterStep step, Dictionary<string, string> data)
    {
        var picks = data.GetValueOrDefault("scope") is nameof(MusterScopeKind.Regions) or nameof(MusterScopeKind.Grids) or nameof(MusterScopeKind.Skills) ? 1 : 0;
        var tree = IsTree(data) ? 1 : 0;
        return tree + step switch
        {
            MusterStep.PickNodes => 0,
            MusterStep.Kind => 1,
            MusterStep.Scope => 2,
            MusterStep.PickRegions or MusterStep.PickGrids or MusterStep.PickSkills => 3,
            MusterStep.Rally => 3 + picks,
            MusterStep.Pin => 4 + picks,
            MusterStep.ReportBy => 5 + picks,
            MusterStep.DrillOrReal => 6 + picks,
            _ => 7 + picks,
        };
    }

    private static InlineMarkup KindButtons(FlowContext ctx, MusterTemplates templates, bool back = false)
    {
        var rows = Enum.GetValues<MusterKind>().Select(k => new InlineButton(ctx.T("mu.kind." + k), new MusterButton.PickKind(k).Data)).Rows(3);
        rows.AddRange(templates.Items.Select((t, i) => new InlineButton("\U0001F4BE " + t.Name, new MusterButton.PickTemplate(i).Data)).Rows(2));
        rows.AddRange(WizardNav(ctx, back).Rows);
        return new InlineMarkup(rows);
    }

    private static InlineMarkup PickMarkup(FlowContext ctx, IEnumerable<(string Id, string Name, bool Chosen)> items, Func<string, MusterButton> toggle)
    {
        var rows = items.Select(i => new InlineButton((i.Chosen ? "\u2611\uFE0F " : "\u2B1C ") + i.Name, toggle(i.Id).Data)).Rows(2);
        rows.Add([new InlineButton(ctx.T("mu.btn.done"), new MusterButton.Done().Data)]);
        rows.AddRange(WizardNav(ctx, back: true).Rows);
        return new InlineMarkup(rows);
    }

    private static InlineMarkup WizardNav(FlowContext ctx, bool back)
    {
        var row = new List<InlineButton>();
        if (back)
        {
            row.Add(new InlineButton(ctx.T("mu.btn.back"), new MusterButton.Back().Data));
        }

        row.Add(new InlineButton(ctx.T("button.cancel"), new MusterButton.Cancel().Data));
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
            sb.Append(ctx.T("mu.w.preview_region", Html.Escape(RegionName(directory, group.RegionId, ctx.Language)), group.Members.Count));
            var backups = group.Members.Count(m => region?.BackupConvenorId == m.Id);
            sb.Append(backups > 0 ? ctx.T("mu.w.preview_backups", backups) : string.Empty);
            sb.Append(region?.ConvenorId is null && region?.BackupConvenorId is null ? ctx.T("mu.w.preview_direct") : string.Empty).Append('\n');
        }

        if (targets.LauncherInScope)
        {
            sb.Append(ctx.T(targets.LauncherIncluded ? "mu.w.preview_me_in" : "mu.w.preview_me_out")).Append('\n');
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

    private static List<string> List(IReadOnlyDictionary<string, string> data, string key) =>
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
