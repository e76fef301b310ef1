namespace MusterBot.Flows.Engine;

internal sealed record TriggerBehaviour<TState, TTrigger>(TTrigger Trigger, BehaviourKind Kind)
{
    public TState? Destination { get; init; }

    public Func<TState>? DestinationSelector { get; init; }

    public IReadOnlyList<TState> PossibleDestinations { get; init; } = [];

    public Action<Transition<TState, TTrigger>>? InternalAction { get; init; }

    public Func<bool>? Guard { get; init; }

    public string? GuardDescription { get; init; }

    public bool GuardAllows() => Guard is null || Guard();
}
