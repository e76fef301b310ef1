using MusterBot.Flows.Events;
using MusterBot.Flows.Session;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// Chooses the flow that decides an event: global commands (/start, /help, /cancel, /lang, /me) always go to the main
/// flow, which leaves any flow in progress; anything else goes to the person's current flow.
/// </summary>
public sealed class FlowRouter
{
    private static readonly HashSet<string> GlobalCommands = ["start", "help", "cancel", "lang", "me"];
    private readonly Dictionary<string, IFlow> _flows;

    public FlowRouter(IEnumerable<IFlow> flows)
    {
        _flows = flows.ToDictionary(f => f.Name, StringComparer.Ordinal);
        if (!_flows.ContainsKey(MainFlow.FlowName))
        {
            throw new ArgumentException("The main flow must be registered.", nameof(flows));
        }
    }

    public IReadOnlyCollection<IFlow> Flows => _flows.Values;

    public IFlow Route(FlowContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Event is CommandReceived command && GlobalCommands.Contains(command.Command))
        {
            return _flows[MainFlow.FlowName];
        }

        return _flows.GetValueOrDefault(context.Conversation.Flow) ?? _flows[MainFlow.FlowName];
    }
}
