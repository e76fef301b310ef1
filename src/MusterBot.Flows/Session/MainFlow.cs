using System.Globalization;
using System.Text;
using MusterBot.Flows.Engine;
using MusterBot.Flows.Events;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;

namespace MusterBot.Flows.Session;

/// <summary>
/// The main conversation: welcome (/start with or without an invite code), /help, /me, /lang with its picker,
/// /cancel, and a helpful answer to anything else. Other flows hand the person back here when they end.
/// </summary>
public sealed class MainFlow(TextCatalog texts) : IFlow
{
    public const string FlowName = "main";

    /// <summary>Callback data of the language picker buttons (looked up, never trusted: only these two exist).</summary>
    public const string PickChinese = "lang:zh";
    public const string PickEnglish = "lang:en";

    /// <summary>Callback data of the registration choices offered to visitors by /start.</summary>
    public const string RegisterResident = "start:resident";
    public const string RegisterRoster = "start:roster";

    public string Name => FlowName;

    public bool OwnsButton(string data) =>
        data is PickChinese or PickEnglish or RegisterResident or RegisterRoster;

    public IReadOnlyCollection<string> Commands { get; } = ["start", "help", "cancel", "lang"];

    public static ConversationState Idle(DateTimeOffset now) => new(FlowName, nameof(MainStep.Idle)) { UpdatedAt = now };

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inOtherFlow = context.Conversation.Flow != FlowName;
        if (context.Event is BotMembershipChanged changed)
        {
            // Recorded without touching the conversation the person is in.
            context.Profile = context.Profile with { BlockedBot = changed.Blocked };
            return;
        }

        if (inOtherFlow || !Enum.TryParse<MainStep>(context.Conversation.Step, out var step) || step == MainStep.Session)
        {
            // Coming back from another flow (or an unknown stored step): start from Idle.
            context.Conversation = Idle(context.Now);
        }

        if (inOtherFlow && context.Event is CommandReceived { Command: "cancel" })
        {
            context.Reply(context.T("cancel.done"), Menu(context));
            return;
        }

        // Things that need reading before the decision: an invitation code, or a registration choice.
        switch (context.Event)
        {
            case CommandReceived { Command: "start", Argument.Length: > 0 } start:
                await StartWithInviteAsync(context, start.Argument, cancellationToken).ConfigureAwait(false);
                return;
            case ButtonPressed { Data: RegisterResident or RegisterRoster } press:
                if (context.Profile.RegisteredAt is not null)
                {
                    context.AnswerButton(context.T("reg.already"), alert: true);
                    return;
                }

                context.AnswerButton();
                if (press.MessageId is { } messageId)
                {
                    context.Effects.EditMarkup(context.ChatId, messageId, null);
                }

                var kind = press.Data == RegisterResident ? RegKind.Resident : RegKind.Roster;
                await RegistrationFlow.BeginAsync(context, kind, null, cancellationToken).ConfigureAwait(false);
                return;
        }

        var machine = Build(context);
        var (trigger, language) = TriggerFor(context.Event);
        if (trigger == MainTrigger.LanguagePicked)
        {
            machine.Fire(machine.SetTriggerParameters<Language>(MainTrigger.LanguagePicked), language);
        }
        else
        {
            machine.Fire(trigger);
        }
    }

    private async ValueTask StartWithInviteAsync(FlowContext ctx, string code, CancellationToken cancellationToken)
    {
        // A deep-link code is at most 64 characters of A-Z a-z 0-9 _ -; anything else is not looked up.
        var valid = code.Length <= 64 && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        var invite = valid ? await ctx.Reader.GetAsync<Invite>(DocKeys.Invite(code), cancellationToken).ConfigureAwait(false) : null;
        if (invite is null || !invite.IsUsable(ctx.Now))
        {
            ctx.Reply(ctx.T("start.invite_invalid"), Menu(ctx));
            return;
        }

        var kind = invite.Role switch
        {
            Roles.Convenor => RegKind.Convenor,
            Roles.Handler => RegKind.Handler,
            Roles.Resident => RegKind.Resident,
            _ => RegKind.Member,
        };
        ctx.Reply(ctx.T("start.invite_welcome", Html.Escape(ctx.Profile.FirstName), CommandCatalog.RoleNames(RegistrationFlow.RolesOf(kind), ctx.Language, texts)));
        await RegistrationFlow.BeginAsync(ctx, kind, invite, cancellationToken).ConfigureAwait(false);
    }

    public string ToMermaid() => Build(null).ToMermaidGraph(MainStep.Idle);

    private (MainTrigger Trigger, Language Language) TriggerFor(BotEvent @event) => @event switch
    {
        CommandReceived c => (c.Command switch
        {
            "start" => MainTrigger.Start,
            "help" => MainTrigger.Help,
            "lang" => MainTrigger.Lang,
            "cancel" => MainTrigger.Cancel,
            _ => MainTrigger.UnknownCommand,
        }, default),
        TextReceived t => (CommandCatalog.CommandForMenuLabel(t.Text, texts) switch
        {
            "help" => MainTrigger.Help,
            "lang" => MainTrigger.Lang,
            _ => MainTrigger.Text,
        }, default),
        ButtonPressed { Data: PickChinese } => (MainTrigger.LanguagePicked, Language.Zh),
        ButtonPressed { Data: PickEnglish } => (MainTrigger.LanguagePicked, Language.En),
        ButtonPressed => (MainTrigger.StaleButton, default),
        _ => (MainTrigger.Media, default),
    };

    private StateMachine<MainStep, MainTrigger> Build(FlowContext? context)
    {
        // With no context the machine is built only to be drawn; the actions are never run then.
        var ctx = context!;
        var machine = context is null
            ? new StateMachine<MainStep, MainTrigger>(MainStep.Idle)
            : new StateMachine<MainStep, MainTrigger>(
                () => Enum.Parse<MainStep>(ctx.Conversation.Step),
                s => ctx.Conversation = ctx.Conversation with { Step = s.ToString(), UpdatedAt = ctx.Now });
        var picked = machine.SetTriggerParameters<Language>(MainTrigger.LanguagePicked);

        machine.Configure(MainStep.Session)
            .InternalTransition(MainTrigger.Start, _ => Start(ctx))
            .InternalTransition(MainTrigger.Help, _ => Help(ctx))
            .InternalTransition(MainTrigger.UnknownCommand, _ => ctx.Reply(ctx.T("unknown.command", Html.Escape("/" + ((CommandReceived)ctx.Event).Command))))
            .InternalTransition(MainTrigger.Media, _ => ctx.Reply(ctx.T("unknown.media")))
            .InternalTransition(MainTrigger.StaleButton, _ => ctx.AnswerButton(ctx.T("button.stale")))
            .InternalTransition(picked, (language, _) => ApplyLanguage(ctx, language));

        machine.Configure(MainStep.Idle)
            .SubstateOf(MainStep.Session)
            .Permit(MainTrigger.Lang, MainStep.ChoosingLanguage)
            .InternalTransition(MainTrigger.Cancel, _ => ctx.Reply(ctx.T("cancel.nothing"), Menu(ctx)))
            .InternalTransition(MainTrigger.Text, _ => ctx.Reply(ctx.T("unknown.text"), Menu(ctx)));

        machine.Configure(MainStep.ChoosingLanguage)
            .SubstateOf(MainStep.Session)
            .OnEntry(_ => AskLanguage(ctx))
            .PermitReentry(MainTrigger.Lang)
            .Permit(MainTrigger.Cancel, MainStep.Idle)
            .Permit(MainTrigger.LanguagePicked, MainStep.Idle)
            .InternalTransition(MainTrigger.Text, _ => ctx.Reply(ctx.T("lang.hint")))
            .InternalTransition(MainTrigger.Media, _ => ctx.Reply(ctx.T("lang.hint")));

        machine.Configure(MainStep.Idle)
            .OnEntryFrom(picked, (language, _) => ApplyLanguage(ctx, language))
            .OnEntryFrom(MainTrigger.Cancel, _ => ctx.Reply(ctx.T("cancel.done"), Menu(ctx)));

        return machine;
    }

    private ReplyKeyboard Menu(FlowContext ctx) => CommandCatalog.Menu(ctx.Roles, ctx.Language, texts, ctx.Emergency);

    private void Start(FlowContext ctx)
    {
        var name = Html.Escape(ctx.Profile.FirstName);
        if (ctx.Has(Roles.Admin))
        {
            ctx.Reply(ctx.T("welcome.admin", name), Menu(ctx));
        }
        else if (ctx.Profile.RegisteredAt is null)
        {
            ctx.Reply(ctx.T("welcome.new", name), Menu(ctx));
            ctx.Reply(ctx.T("reg.start.choose"), new InlineMarkup([
                [new InlineButton(ctx.T("reg.start.resident"), RegisterResident)],
                [new InlineButton(ctx.T("reg.start.roster"), RegisterRoster)]]));
        }
        else
        {
            ctx.Reply(ctx.T("welcome.back", name), Menu(ctx));
        }
    }

    private void Help(FlowContext ctx)
    {
        var sb = new StringBuilder();
        sb.Append(ctx.T("help.header")).Append('\n');
        sb.Append(ctx.T("help.role", CommandCatalog.RoleNames(ctx.Roles, ctx.Language, texts))).Append("\n\n");
        foreach (var command in CommandCatalog.For(ctx.Roles))
        {
            sb.Append('/').Append(command.Name).Append(" — ").Append(ctx.T(command.DescriptionKey)).Append('\n');
        }

        sb.Append('\n').Append(ctx.T("help.footer"));
        ctx.Reply(sb.ToString(), Menu(ctx));
    }

    private void AskLanguage(FlowContext ctx)
    {
        // Each language's button is labelled in that language, whatever the person reads now.
        var keyboard = new InlineMarkup([[
            new InlineButton(texts.Get(Language.Zh, "lang.name"), PickChinese),
            new InlineButton(texts.Get(Language.En, "lang.name"), PickEnglish)]]);
        ctx.Reply(ctx.T("lang.ask"), keyboard);
    }

    private void ApplyLanguage(FlowContext ctx, Language language)
    {
        ctx.Profile = ctx.Profile with { Language = language, LanguageChosen = true };
        ctx.AnswerButton(ctx.T("lang.chosen", ctx.T("lang.name")));
        if (ctx.Event is ButtonPressed { MessageId: { } messageId })
        {
            // Replace the picker's buttons by the choice made.
            ctx.Effects.Edit(ctx.ChatId, messageId, ctx.T("lang.chosen", ctx.T("lang.name")));
        }

        ctx.Reply(ctx.T("lang.set"), Menu(ctx));
    }
}
