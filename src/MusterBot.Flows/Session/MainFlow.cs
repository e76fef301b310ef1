using System.Globalization;
using System.Text;
using MusterBot.Flows.Events;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using Stateless;
using Stateless.Graph;

namespace MusterBot.Flows.Session;

/// <summary>
/// The main conversation: welcome (/start with or without an invite code), /help, /me, /lang with its picker,
/// /cancel, and a helpful answer to anything else. Other flows hand the person back here when they end.
/// </summary>
public sealed class MainFlow(TextCatalog texts) : IFlow
{
    public const string FlowName = "main";

    /// <summary>Callback data of the language picker buttons.</summary>
    public static readonly string PickChinese = MainButton.Codec.Encode(new MainButton.PickLanguage(Language.Zh));
    public static readonly string PickEnglish = MainButton.Codec.Encode(new MainButton.PickLanguage(Language.En));

    /// <summary>Callback data of the registration choices offered to visitors by /start.</summary>
    public static readonly string RegisterResident = MainButton.Codec.Encode(new MainButton.RegisterAsResident());
    public static readonly string RegisterRoster = MainButton.Codec.Encode(new MainButton.RegisterFromRoster());

    public string Name => FlowName;

    public bool OwnsButton(string data) => MainButton.Codec.Owns(data);

    public IReadOnlyCollection<string> Commands { get; } = ["start", "help", "cancel", "lang"];

    public static ConversationState Idle(DateTimeOffset now) => new(FlowName, nameof(MainStep.Idle)) { UpdatedAt = now };

    /// <summary>Conversation data: the album (media_group_id) whose first photo was answered; its other photos are not.</summary>
    public const string AlbumKey = "album";

    /// <summary>Conversation data: a resident's free text, kept for the "file it as a complaint / micro-wish" buttons.</summary>
    public const string FreeTextKey = "free";

    /// <summary>Free text longer than this is not offered for filing (a wish's text is at most 500 characters).</summary>
    private const int MaxFreeText = 500;

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
            step = MainStep.Idle;
        }

        if (inOtherFlow && context.Event is CommandReceived { Command: "cancel" })
        {
            context.Reply(context.T("cancel.done"), Menu(context));
            return;
        }

        // The step lives in the conversation; the machine works on a copy, written back when it moved (an action that
        // hands the person to another flow replaces the conversation, and then nothing is written back).
        var moved = false;
        var button = context.Event is ButtonPressed press ? MainButton.Codec.Decode(press.Data) : null;
        var (machine, picked) = Build(() => step, s => (step, moved) = (s, true), context, button, cancellationToken);
        var trigger = TriggerFor(context.Event, button);
        if (button is MainButton.PickLanguage pick)
        {
            await machine.FireAsync(picked, pick.Language).ConfigureAwait(false);
        }
        else
        {
            await machine.FireAsync(trigger).ConfigureAwait(false);
        }

        if (moved && context.Conversation.Flow == FlowName)
        {
            context.Conversation = context.Conversation with { Step = step.ToString(), UpdatedAt = context.Now };
        }
    }

    private async ValueTask StartWithInviteAsync(FlowContext ctx, string code, CancellationToken cancellationToken)
    {
        // A deep-link code is at most 64 characters of A-Z a-z 0-9 _ -; anything else is not looked up.
        var valid = code.Length <= 64 && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        if (valid && await Org.OrgAdmins.TryRedeemAsync(ctx, code, cancellationToken).ConfigureAwait(false))
        {
            // An invitation to administer a node of the organisation tree: no registration steps.
            return;
        }

        var invite = valid ? await ctx.Reader.GetAsync<Invite>(DocKeys.Invite(code), cancellationToken).ConfigureAwait(false) : null;
        if (invite is null || !invite.IsUsable(ctx.Now))
        {
            ctx.Reply(ctx.T("start.invite_invalid"), Menu(ctx));
            return;
        }

        await InviteRedemption.OpenAsync(ctx, invite, cancellationToken).ConfigureAwait(false);
    }

    public string ToMermaid()
    {
        var step = MainStep.Idle;
        return MermaidGraph.Format(Build(() => step, s => step = s, null, null, CancellationToken.None).Machine.GetInfo()) + "\n";
    }

    private MainTrigger TriggerFor(BotEvent @event, MainButton? button) => @event switch
    {
        CommandReceived { Command: "start", Argument.Length: > 0 } => MainTrigger.StartWithInvite,
        CommandReceived c => c.Command switch
        {
            "start" => MainTrigger.Start,
            "help" => MainTrigger.Help,
            "lang" => MainTrigger.Lang,
            "cancel" => MainTrigger.Cancel,
            _ => MainTrigger.UnknownCommand,
        },
        TextReceived t => CommandCatalog.CommandForMenuLabel(t.Text, texts) switch
        {
            "help" => MainTrigger.Help,
            "lang" => MainTrigger.Lang,
            _ => MainTrigger.Text,
        },
        ButtonPressed => button switch
        {
            MainButton.PickLanguage => MainTrigger.LanguagePicked,
            MainButton.RegisterAsResident or MainButton.RegisterFromRoster => MainTrigger.RegistrationChosen,
            _ => MainTrigger.StaleButton,
        },
        _ => MainTrigger.Media,
    };

    private (StateMachine<MainStep, MainTrigger> Machine, StateMachine<MainStep, MainTrigger>.TriggerWithParameters<Language> Picked) Build(Func<MainStep> read, Action<MainStep> write, FlowContext? context, MainButton? button, CancellationToken cancellationToken)
    {
        // With no context the machine is built only to be drawn; the actions and guards are never run then.
        var ctx = context!;
        var machine = new StateMachine<MainStep, MainTrigger>(read, write);
        var picked = machine.SetTriggerParameters<Language>(MainTrigger.LanguagePicked);
        bool Visitor() => ctx.Profile.RegisteredAt is null;

        // A press that does not decode (or a registration choice of someone already registered) changes nothing.
        machine.OnUnhandledTrigger((_, trigger) =>
        {
            if (trigger == MainTrigger.RegistrationChosen)
            {
                ctx.AnswerButton(ctx.T("reg.already"), alert: true);
            }
            else
            {
                ctx.AnswerButton(ctx.T("button.stale"));
            }
        });

        machine.Configure(MainStep.Session)
            .InternalTransition(MainTrigger.Start, _ => Start(ctx))
            .InternalTransitionAsync(MainTrigger.StartWithInvite, async _ =>
                await StartWithInviteAsync(ctx, ((CommandReceived)ctx.Event).Argument!, cancellationToken).ConfigureAwait(false))
            .InternalTransition(MainTrigger.Help, _ => Help(ctx))
            .InternalTransition(MainTrigger.UnknownCommand, _ => ctx.Reply(ctx.T("unknown.command", Html.Escape("/" + ((CommandReceived)ctx.Event).Command))))
            .InternalTransition(MainTrigger.Media, _ => Media(ctx))
            .InternalTransition(picked, (language, _) => ApplyLanguage(ctx, language))
            .InternalTransitionAsyncIf(MainTrigger.RegistrationChosen, Visitor, async _ =>
            {
                ctx.AnswerButton();
                if (ctx.Event is ButtonPressed { MessageId: { } messageId })
                {
                    ctx.Effects.EditMarkup(ctx.ChatId, messageId, null);
                }

                var kind = button is MainButton.RegisterAsResident ? RegKind.Resident : RegKind.Roster;
                await RegistrationFlow.BeginAsync(ctx, kind, null, cancellationToken).ConfigureAwait(false);
            });

        machine.Configure(MainStep.Idle)
            .SubstateOf(MainStep.Session)
            .Permit(MainTrigger.Lang, MainStep.ChoosingLanguage)
            .InternalTransition(MainTrigger.Cancel, _ => ctx.Reply(ctx.T("cancel.nothing"), Menu(ctx)))
            .InternalTransition(MainTrigger.Text, _ => FreeText(ctx))
            .OnEntryFrom(picked, (language, _) => ApplyLanguage(ctx, language), "apply the language")
            .OnEntryFrom(MainTrigger.Cancel, _ => ctx.Reply(ctx.T("cancel.done"), Menu(ctx)), "say cancelled");

        machine.Configure(MainStep.ChoosingLanguage)
            .SubstateOf(MainStep.Session)
            .OnEntry(_ => AskLanguage(ctx), "ask the language")
            .PermitReentry(MainTrigger.Lang)
            .Permit(MainTrigger.Cancel, MainStep.Idle)
            .Permit(MainTrigger.LanguagePicked, MainStep.Idle)
            .InternalTransition(MainTrigger.Text, _ => ctx.Reply(ctx.T("lang.hint")))
            .InternalTransition(MainTrigger.Media, _ => ctx.Reply(ctx.T("lang.hint")));

        return (machine, picked);
    }

    /// <summary>
    /// Text that matches no step. A resident is offered to file it as a complaint or a micro-wish (the text kept in the
    /// conversation, so the button starts filing with it); everyone else is pointed to their menu.
    /// </summary>
    private void FreeText(FlowContext ctx)
    {
        var text = ((TextReceived)ctx.Event).Text.Trim();
        var resident = ctx.Profile.RegisteredAt is not null && ctx.Has(Roles.Resident)
            && !ctx.Has(Roles.Member | Roles.Convenor | Roles.Handler | Roles.Admin);
        if (ctx.Profile.RegisteredAt is null)
        {
            ctx.Reply(ctx.T("unknown.text_visitor"), Menu(ctx));
            return;
        }

        if (!resident || text.Length is < 4 or > MaxFreeText)
        {
            ctx.Reply(ctx.T("unknown.text"), Menu(ctx));
            return;
        }

        ctx.Conversation = ctx.Conversation with { Data = new Dictionary<string, string> { [FreeTextKey] = text }, UpdatedAt = ctx.Now };
        ctx.Reply(ctx.T("unknown.text_resident", Html.Escape(text)), new InlineMarkup([
            [new InlineButton(ctx.T("free.as_complaint"), new Complaints.ComplaintButton.FromText().Encode())],
            [new InlineButton(ctx.T("free.as_wish"), new Wishes.WishButton.FromText().Encode())]]));
    }

    /// <summary>A photo, sticker or other media outside any step: answered once (once per album).</summary>
    private static void Media(FlowContext ctx)
    {
        if (ctx.Event is PhotoReceived { MediaGroupId: { } album })
        {
            if (ctx.Conversation.Data.GetValueOrDefault(AlbumKey) == album)
            {
                return;
            }

            ctx.Conversation = ctx.Conversation with { Data = new Dictionary<string, string>(ctx.Conversation.Data) { [AlbumKey] = album }, UpdatedAt = ctx.Now };
        }

        ctx.Reply(ctx.T("unknown.media"));
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
