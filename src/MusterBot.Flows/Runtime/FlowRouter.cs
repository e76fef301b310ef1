using MusterBot.Flows.Events;
using MusterBot.Flows.Session;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// Chooses the flow that decides an event: a command goes to the flow that owns it (unknown ones to the main flow),
/// leaving any flow in progress; a button goes to the flow that owns its prefix, else to the person's current flow;
/// anything else goes to the person's current flow.
/// </summary>
public sealed class FlowRouter
{
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

    /// <summary>
    /// What the flow that owns a pressed button will read to decide it (<see cref="IFlow.ReadsFor"/>); nothing for other
    /// events, whose flow depends on the person's conversation, read in the same round trip.
    /// </summary>
    public IReadOnlyList<State.Documents.DocKey> ReadsFor(BotEvent incoming) =>
        incoming is ButtonPressed press && _flows.Values.FirstOrDefault(f => f.OwnsButton(press.Data)) is { } owner ? owner.ReadsFor(incoming) : [];

    public IFlow Route(FlowContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Event is CommandReceived command)
        {
            return _flows.Values.FirstOrDefault(f => f.Commands.Contains(command.Command)) ?? _flows[MainFlow.FlowName];
        }

        if (context.Event is GroupCommand or GroupBotStatusChanged or GroupMigrated && _flows.TryGetValue(Groups.GroupFlow.FlowName, out var groups))
        {
            // Whatever happens in a group is the group flow's: no conversation starts there.
            return groups;
        }

        if (context.Event is BotMembershipChanged)
        {
            // Blocking or unblocking the bot is recorded by the main flow whatever the person was doing.
            return _flows[MainFlow.FlowName];
        }

        if (context.Event is ButtonPressed press && _flows.Values.FirstOrDefault(f => f.OwnsButton(press.Data)) is { } owner)
        {
            return owner;
        }

        if (context.Event is TimerFired timer && _flows.Values.FirstOrDefault(f => f.OwnsButton(timer.Payload)) is { } timerOwner)
        {
            // A timer's payload starts with its flow's prefix, like that flow's buttons.
            return timerOwner;
        }

        if (context.Event is LocationShared && context.Conversation.Flow == MainFlow.FlowName && _flows.TryGetValue(Musters.MusterFlow.FlowName, out var musters))
        {
            // A location sent outside any step belongs to a check-in ("arrived, here I am"), if there is one.
            return musters;
        }

        return _flows.GetValueOrDefault(context.Conversation.Flow) ?? _flows[MainFlow.FlowName];
    }
}
