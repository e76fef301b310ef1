namespace MusterBot.Flows.Engine;

/// <summary>A trigger that carries one typed argument (Stateless: <c>SetTriggerParameters&lt;T&gt;</c>).</summary>
public sealed record TriggerWithParameters<TTrigger, TArg>(TTrigger Trigger);
