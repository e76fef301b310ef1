namespace MusterBot.Flows.Engine;

/// <summary>A transition being taken: where from, where to, by which trigger, with which parameters.</summary>
public sealed record Transition<TState, TTrigger>(TState Source, TState Destination, TTrigger Trigger, IReadOnlyList<object?> Parameters)
{
    public bool IsReentry => EqualityComparer<TState>.Default.Equals(Source, Destination);
}
