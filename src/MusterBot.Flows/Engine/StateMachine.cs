using System.Text;

namespace MusterBot.Flows.Engine;

/// <summary>
/// A small state machine shaped like Stateless: states are configured with <see cref="Configure"/>, the current
/// state lives outside (accessor/mutator pair: in our flows it is a field of the persisted conversation), triggers
/// are fired with <see cref="Fire(TTrigger)"/>. Guards choose between transitions, entry/exit actions run on
/// transitions, substates inherit their superstate's transitions, unhandled triggers go to a hook, and
/// <see cref="ToMermaidGraph"/> draws the machine. Actions must be pure decisions: they record effects, never do I/O.
/// </summary>
public sealed class StateMachine<TState, TTrigger>
    where TState : notnull
    where TTrigger : notnull
{
    private readonly Func<TState> _accessor;
    private readonly Action<TState> _mutator;
    private readonly Dictionary<TState, StateConfiguration<TState, TTrigger>> _states = [];
    private readonly List<TState> _order = [];
    private Action<TState, TTrigger>? _unhandled;

    public StateMachine(Func<TState> stateAccessor, Action<TState> stateMutator)
    {
        ArgumentNullException.ThrowIfNull(stateAccessor);
        ArgumentNullException.ThrowIfNull(stateMutator);
        _accessor = stateAccessor;
        _mutator = stateMutator;
    }

    public StateMachine(TState initialState)
    {
        var state = initialState;
        _accessor = () => state;
        _mutator = s => state = s;
    }

    public TState State => _accessor();

    public StateConfiguration<TState, TTrigger> Configure(TState state)
    {
        if (!_states.TryGetValue(state, out var configuration))
        {
            configuration = new StateConfiguration<TState, TTrigger>(state, this);
            _states[state] = configuration;
            _order.Add(state);
        }

        return configuration;
    }

    public TriggerWithParameters<TTrigger, TArg> SetTriggerParameters<TArg>(TTrigger trigger) => new(trigger);

    /// <summary>Called instead of throwing when the current state (and its superstates) does not accept a trigger.</summary>
    public void OnUnhandledTrigger(Action<TState, TTrigger> action) => _unhandled = action;

    public void Fire(TTrigger trigger) => FireCore(trigger, []);

    public void Fire<TArg>(TriggerWithParameters<TTrigger, TArg> trigger, TArg argument)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        FireCore(trigger.Trigger, [argument]);
    }

    /// <summary>True when the current state accepts the trigger and a guard (if any) allows it.</summary>
    public bool CanFire(TTrigger trigger) => FindBehaviour(State, trigger) is not null;

    /// <summary>Triggers the current state accepts now (guards evaluated).</summary>
    public IReadOnlyList<TTrigger> PermittedTriggers
    {
        get
        {
            var result = new List<TTrigger>();
            foreach (var s in Chain(State))
            {
                if (!_states.TryGetValue(s, out var configuration))
                {
                    break;
                }

                foreach (var behaviour in configuration.Behaviours)
                {
                    if (behaviour.GuardAllows() && !result.Contains(behaviour.Trigger))
                    {
                        result.Add(behaviour.Trigger);
                    }
                }
            }

            return result;
        }
    }

    /// <summary>True when <paramref name="state"/> is the current state or one of its superstates.</summary>
    public bool IsInState(TState state)
    {
        foreach (var s in Chain(State))
        {
            if (EqualityComparer<TState>.Default.Equals(s, state))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Mermaid <c>stateDiagram-v2</c> text of the machine, in configuration order (stable for diffs).</summary>
    public string ToMermaidGraph(TState? initialState = default)
    {
        var sb = new StringBuilder();
        sb.Append("stateDiagram-v2\n");
        if (initialState is not null)
        {
            sb.Append("    [*] --> ").Append(initialState).Append('\n');
        }

        foreach (var state in _order)
        {
            var children = _order.Where(s => IsChildOf(s, state)).ToList();
            if (children.Count > 0 && !_states[state].HasSuperstate)
            {
                AppendComposite(sb, state, "    ");
            }
        }

        foreach (var state in _order)
        {
            foreach (var behaviour in _states[state].Behaviours)
            {
                var label = behaviour.Trigger.ToString();
                if (behaviour.GuardDescription is { } guard)
                {
                    label += " [" + guard + "]";
                }

                switch (behaviour.Kind)
                {
                    case BehaviourKind.Ignore:
                        continue;
                    case BehaviourKind.Internal:
                        sb.Append("    ").Append(state).Append(" --> ").Append(state).Append(" : ").Append(label).Append(" (internal)\n");
                        break;
                    case BehaviourKind.Dynamic:
                        foreach (var destination in behaviour.PossibleDestinations)
                        {
                            sb.Append("    ").Append(state).Append(" --> ").Append(destination).Append(" : ").Append(label).Append('\n');
                        }

                        break;
                    default:
                        sb.Append("    ").Append(state).Append(" --> ").Append(behaviour.Destination).Append(" : ").Append(label).Append('\n');
                        break;
                }
            }
        }

        return sb.ToString();
    }

    private bool TryGetParent(TState state, out TState parent)
    {
        if (_states.TryGetValue(state, out var configuration) && configuration.HasSuperstate)
        {
            parent = configuration.Superstate!;
            return true;
        }

        parent = default!;
        return false;
    }

    private bool IsChildOf(TState state, TState parent) =>
        TryGetParent(state, out var p) && EqualityComparer<TState>.Default.Equals(p, parent);

    private void AppendComposite(StringBuilder sb, TState state, string indent)
    {
        sb.Append(indent).Append("state ").Append(state).Append(" {\n");
        foreach (var child in _order.Where(s => IsChildOf(s, state)))
        {
            if (_order.Any(s => IsChildOf(s, child)))
            {
                AppendComposite(sb, child, indent + "    ");
            }
            else
            {
                sb.Append(indent).Append("    ").Append(child).Append('\n');
            }
        }

        sb.Append(indent).Append("}\n");
    }

    private TriggerBehaviour<TState, TTrigger>? FindBehaviour(TState state, TTrigger trigger)
    {
        foreach (var s in Chain(state))
        {
            if (!_states.TryGetValue(s, out var configuration))
            {
                return null;
            }

            foreach (var behaviour in configuration.Behaviours)
            {
                if (EqualityComparer<TTrigger>.Default.Equals(behaviour.Trigger, trigger) && behaviour.GuardAllows())
                {
                    return behaviour;
                }
            }
        }

        return null;
    }

    private void FireCore(TTrigger trigger, object?[] parameters)
    {
        var source = State;
        var behaviour = FindBehaviour(source, trigger);
        if (behaviour is null)
        {
            if (_unhandled is null)
            {
                throw new InvalidOperationException($"No valid leaving transitions are permitted from state '{source}' for trigger '{trigger}'.");
            }

            _unhandled(source, trigger);
            return;
        }

        switch (behaviour.Kind)
        {
            case BehaviourKind.Ignore:
                return;
            case BehaviourKind.Internal:
                behaviour.InternalAction!(new Transition<TState, TTrigger>(source, source, trigger, parameters));
                return;
        }

        var destination = behaviour.Kind == BehaviourKind.Dynamic ? behaviour.DestinationSelector!() : behaviour.Destination!;
        var transition = new Transition<TState, TTrigger>(source, destination, trigger, parameters);
        var reentry = transition.IsReentry;

        var sourceChain = Chain(source);
        var destinationChain = Chain(destination);
        var common = reentry ? 0 : sourceChain.Intersect(destinationChain).Count();

        // Exit from the innermost state up to (not including) the common ancestor.
        foreach (var s in sourceChain.Take(sourceChain.Count - common))
        {
            _states.GetValueOrDefault(s)?.RunExit(transition);
        }

        _mutator(destination);

        // Enter from below the common ancestor down to the destination.
        foreach (var s in destinationChain.Take(destinationChain.Count - common).Reverse())
        {
            _states.GetValueOrDefault(s)?.RunEntry(transition);
        }
    }

    /// <summary>The state followed by its superstates, innermost first.</summary>
    private List<TState> Chain(TState state)
    {
        var chain = new List<TState> { state };
        while (TryGetParent(chain[^1], out var parent) && !chain.Contains(parent))
        {
            chain.Add(parent);
        }

        return chain;
    }
}
