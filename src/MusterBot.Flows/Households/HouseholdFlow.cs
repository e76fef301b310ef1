using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Households;
using Stateless;
using Stateless.Graph;
using Stateless.Reflection;

namespace MusterBot.Flows.Households;

/// <summary>
/// /households: the household registry of a grid (zhu hu tai zhang) — address, people, tags, phones, notes — kept by
/// the grid's workers and the community's administrators, by chat and by CSV. Nobody else sees a household: every
/// command, press and typed answer re-checks that the person serves the household's grid (a grid worker of it, or an
/// administrator), whatever the button carries.
/// </summary>
public sealed partial class HouseholdFlow(TimeSpan? utcOffset = null) : IFlow
{
    public const string FlowName = "households";
    private const int PageSize = 10;
    private static readonly TimeSpan PendingImportLifetime = TimeSpan.FromHours(1);
    private readonly TimeSpan _offset = utcOffset ?? TimeSpan.FromHours(8);

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["households"];

    public bool OwnsButton(string data) => HouseholdButton.Codec.Owns(data);

    public string ToMermaid()
    {
        var step = HouseholdStep.Idle;
        return MermaidGraph.Format(Build(() => step, s => step = s, () => Task.FromResult(HouseholdStep.Idle)).GetInfo()) + "\n";
    }

    /// <summary>The grids a person may see the households of: every grid for an administrator, a grid worker's own grid.</summary>
    public static IReadOnlyList<Grid> GridsOf(FlowContext ctx, DirectorySnapshot directory)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(directory);
        if (ctx.Has(Roles.Admin))
        {
            return directory.Grids;
        }

        return ctx.Has(Roles.Handler) && directory.Grid(ctx.Profile.GridId) is { } own ? [own] : [];
    }

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        if (!ctx.Has(Roles.Admin | Roles.Handler))
        {
            // Members, residents and visitors see no household, whatever the button or command names.
            Refuse(ctx, ctx.T("hh.not_allowed"));
            return;
        }

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var grids = GridsOf(ctx, directory);
        if (grids.Count == 0)
        {
            Refuse(ctx, ctx.T(ctx.Has(Roles.Admin) ? "hh.no_grids" : "hh.no_grid"));
            return;
        }

        var inFlow = ctx.Conversation.Flow == FlowName && Enum.TryParse<HouseholdStep>(ctx.Conversation.Step, out _);
        var data = inFlow ? new Dictionary<string, string>(ctx.Conversation.Data) : [];
        var step = inFlow ? Enum.Parse<HouseholdStep>(ctx.Conversation.Step) : HouseholdStep.Idle;
        var button = ctx.Event is ButtonPressed press ? Normalised(HouseholdButton.Codec.Decode(press.Data)) : null;
        var session = new Session(ctx, directory, grids, data, _offset, cancellationToken);

        var machine = Build(() => step, s => step = s, () => session.DecideAsync(button, step));
        machine.OnUnhandledTrigger((current, trigger) => Unhandled(ctx, current, trigger));
        await machine.FireAsync(TriggerFor(ctx.Event, button)).ConfigureAwait(false);

        ctx.Conversation = step == HouseholdStep.Idle
            ? (ctx.Conversation.Flow == FlowName ? MainFlow.Idle(ctx.Now) : ctx.Conversation)
            : new ConversationState(FlowName, step.ToString()) { Data = data, UpdatedAt = ctx.Now };
    }

    /// <summary>The codec reads an empty text field as ""; for these buttons it means "none".</summary>
    private static HouseholdButton? Normalised(HouseholdButton? button) => button switch
    {
        HouseholdButton.Export { GridId: "" } => new HouseholdButton.Export(null),
        HouseholdButton.Import { GridId: "" } => new HouseholdButton.Import(null),
        HouseholdButton.List list => list with { BuildingId = NullIfEmpty(list.BuildingId), Tag = NullIfEmpty(list.Tag) },
        _ => button,
    };

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static void Refuse(FlowContext ctx, string text)
    {
        if (ctx.Event is ButtonPressed)
        {
            ctx.AnswerButton(text, alert: true);
        }
        else
        {
            ctx.Reply(text, CommandCatalog.Menu(ctx.Roles, ctx.Language, ctx.Texts, ctx.Emergency));
        }
    }

    private static HouseholdTrigger TriggerFor(BotEvent @event, HouseholdButton? button) => @event switch
    {
        CommandReceived => HouseholdTrigger.Opened,
        TextReceived => HouseholdTrigger.Typed,
        DocumentReceived => HouseholdTrigger.FileSent,
        ButtonPressed => button switch
        {
            null => HouseholdTrigger.StaleButton,
            HouseholdButton.Cancel => HouseholdTrigger.Cancelled,
            HouseholdButton.AddIn or HouseholdButton.Edit or HouseholdButton.Import or HouseholdButton.NewCustomTag => HouseholdTrigger.InputAsked,
            _ => HouseholdTrigger.Pressed,
        },
        _ => HouseholdTrigger.OtherMessage,
    };

    private static StateMachine<HouseholdStep, HouseholdTrigger> Build(Func<HouseholdStep> read, Action<HouseholdStep> write, Func<Task<HouseholdStep>> act)
    {
        var machine = new StateMachine<HouseholdStep, HouseholdTrigger>(read, write);

        // Views and buttons work from every step; a view keeps a typed input in progress, a button that asks for input
        // moves there (unless what it names is gone), /households and "cancel" leave it.
        machine.Configure(HouseholdStep.Panel)
            .PermitDynamicAsync(HouseholdTrigger.Opened, act, "show the start", Destinations.To((HouseholdStep.Idle, "shown")))
            .PermitDynamicAsync(HouseholdTrigger.Cancelled, act, "leave the input", Destinations.To((HouseholdStep.Idle, "left")))
            .PermitDynamicAsync(HouseholdTrigger.Pressed, act, "a view or a change", Destinations.To((HouseholdStep.Idle, "done"), (HouseholdStep.Panel, "a view keeps the step")))
            .PermitDynamicAsync(HouseholdTrigger.InputAsked, act, "ask for input", Destinations.To(
                (HouseholdStep.AwaitingAddress, "the building exists"), (HouseholdStep.AwaitingField, "the household exists"),
                (HouseholdStep.AwaitingFile, "the grid is the person's"), (HouseholdStep.AwaitingCustomTag, "an administrator")));
        machine.Configure(HouseholdStep.Idle).SubstateOf(HouseholdStep.Panel);
        foreach (var step in new[] { HouseholdStep.AwaitingAddress, HouseholdStep.AwaitingField, HouseholdStep.AwaitingCustomTag })
        {
            machine.Configure(step).SubstateOf(HouseholdStep.Panel)
                .PermitDynamicAsync(HouseholdTrigger.Typed, act, "checked", Destinations.To((HouseholdStep.Idle, "saved"), (step, "not valid: asked again")));
        }

        machine.Configure(HouseholdStep.AwaitingFile).SubstateOf(HouseholdStep.Panel)
            .PermitDynamicAsync(HouseholdTrigger.FileSent, act, "checked", Destinations.To((HouseholdStep.Idle, "report and choice")));
        return machine;
    }

    /// <summary>An input the step does not take: a stale button, a text where no input is asked, a file outside the import.</summary>
    private static void Unhandled(FlowContext ctx, HouseholdStep step, HouseholdTrigger trigger)
    {
        switch (trigger)
        {
            case HouseholdTrigger.Typed:
                ctx.Reply(ctx.T(step == HouseholdStep.AwaitingFile ? "hh.import.ask_file" : "hh.hint.buttons"));
                break;
            case HouseholdTrigger.FileSent or HouseholdTrigger.OtherMessage:
                ctx.Reply(ctx.T(step == HouseholdStep.AwaitingFile ? "hh.import.ask_file" : "hh.hint.text"));
                break;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                break;
        }
    }
}
