namespace MusterBot.Flows.Runtime;

/// <summary>
/// A conversation flow: a state machine over the person's <see cref="State.Records.ConversationState"/>.
/// <see cref="HandleAsync"/> decides; it reads through <see cref="FlowContext.Reader"/> and records effects, never I/O.
/// </summary>
public interface IFlow
{
    /// <summary>Stable name stored in the conversation state (e.g. "main").</summary>
    string Name { get; }

    ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken);

    /// <summary>The flow's state machine as a Mermaid diagram (generated into docs/flows/).</summary>
    string ToMermaid();
}
