namespace MusterBot.Flows.Engine;

/// <summary>The fluent configuration of one state (Stateless: <c>StateConfiguration</c>).</summary>
public sealed class StateConfiguration<TState, TTrigger>
    where TState : notnull
    where TTrigger : notnull
{
    private readonly StateMachine<TState, TTrigger> _machine;
    private readonly List<TriggerBehaviour<TState, TTrigger>> _behaviours = [];
    private readonly List<Action<Transition<TState, TTrigger>>> _entry = [];
    private readonly List<Action<Transition<TState, TTrigger>>> _exit = [];

    internal StateConfiguration(TState state, StateMachine<TState, TTrigger> machine)
    {
        State = state;
        _machine = machine;
    }

    public TState State { get; }

    internal TState? Superstate { get; private set; }

    internal bool HasSuperstate { get; private set; }

    internal IReadOnlyList<TriggerBehaviour<TState, TTrigger>> Behaviours => _behaviours;

    public StateConfiguration<TState, TTrigger> Permit(TTrigger trigger, TState destination)
    {
        if (EqualityComparer<TState>.Default.Equals(destination, State))
        {
            throw new ArgumentException("Use PermitReentry or InternalTransition for a transition to the same state.", nameof(destination));
        }

        return Add(new(trigger, BehaviourKind.Transition) { Destination = destination });
    }

    public StateConfiguration<TState, TTrigger> PermitIf(TTrigger trigger, TState destination, Func<bool> guard, string guardDescription) =>
        Add(new(trigger, BehaviourKind.Transition) { Destination = destination, Guard = guard, GuardDescription = guardDescription });

    public StateConfiguration<TState, TTrigger> PermitReentry(TTrigger trigger) =>
        Add(new(trigger, BehaviourKind.Transition) { Destination = State });

    public StateConfiguration<TState, TTrigger> PermitReentryIf(TTrigger trigger, Func<bool> guard, string guardDescription) =>
        Add(new(trigger, BehaviourKind.Transition) { Destination = State, Guard = guard, GuardDescription = guardDescription });

    /// <summary>The destination is computed when the trigger fires; list the possible ones for the diagram.</summary>
    public StateConfiguration<TState, TTrigger> PermitDynamic(TTrigger trigger, Func<TState> destinationSelector, params TState[] possibleDestinations) =>
        Add(new(trigger, BehaviourKind.Dynamic) { DestinationSelector = destinationSelector, PossibleDestinations = possibleDestinations });

    /// <summary>Handles the trigger without leaving the state (no exit or entry actions).</summary>
    public StateConfiguration<TState, TTrigger> InternalTransition(TTrigger trigger, Action<Transition<TState, TTrigger>> action) =>
        Add(new(trigger, BehaviourKind.Internal) { InternalAction = action });

    public StateConfiguration<TState, TTrigger> InternalTransition<TArg>(TriggerWithParameters<TTrigger, TArg> trigger, Action<TArg, Transition<TState, TTrigger>> action)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return Add(new(trigger.Trigger, BehaviourKind.Internal) { InternalAction = t => action((TArg)t.Parameters[0]!, t) });
    }

    public StateConfiguration<TState, TTrigger> Ignore(TTrigger trigger) => Add(new(trigger, BehaviourKind.Ignore));

    public StateConfiguration<TState, TTrigger> OnEntry(Action<Transition<TState, TTrigger>> action)
    {
        _entry.Add(action);
        return this;
    }

    public StateConfiguration<TState, TTrigger> OnEntry(Action action) => OnEntry(_ => action());

    public StateConfiguration<TState, TTrigger> OnEntryFrom(TTrigger trigger, Action<Transition<TState, TTrigger>> action) =>
        OnEntry(t =>
        {
            if (EqualityComparer<TTrigger>.Default.Equals(t.Trigger, trigger))
            {
                action(t);
            }
        });

    public StateConfiguration<TState, TTrigger> OnEntryFrom<TArg>(TriggerWithParameters<TTrigger, TArg> trigger, Action<TArg, Transition<TState, TTrigger>> action)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return OnEntryFrom(trigger.Trigger, t => action((TArg)t.Parameters[0]!, t));
    }

    public StateConfiguration<TState, TTrigger> OnExit(Action<Transition<TState, TTrigger>> action)
    {
        _exit.Add(action);
        return this;
    }

    /// <summary>This state inherits the transitions of <paramref name="superstate"/>.</summary>
    public StateConfiguration<TState, TTrigger> SubstateOf(TState superstate)
    {
        _machine.Configure(superstate);
        Superstate = superstate;
        HasSuperstate = true;
        return this;
    }

    internal void RunEntry(Transition<TState, TTrigger> transition)
    {
        foreach (var action in _entry)
        {
            action(transition);
        }
    }

    internal void RunExit(Transition<TState, TTrigger> transition)
    {
        foreach (var action in _exit)
        {
            action(transition);
        }
    }

    private StateConfiguration<TState, TTrigger> Add(TriggerBehaviour<TState, TTrigger> behaviour)
    {
        _behaviours.Add(behaviour);
        return this;
    }
}
