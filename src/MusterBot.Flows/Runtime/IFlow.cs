using MusterBot.Flows.Events;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// A conversation flow: a state machine over the person's <see cref="State.Records.ConversationState"/>.
/// <see cref="HandleAsync"/> decides; it reads through <see cref="FlowContext.Reader"/> and records effects, never I/O.
/// </summary>
public interface IFlow
{
    /// <summary>Stable name stored in the conversation state (e.g. "main").</summary>
    string Name { get; }

    /// <summary>
    /// True for callback data this flow handles whatever step the person is on (e.g. the administrators' panel);
    /// such presses are routed here and the flow re-checks the presser's rights.
    /// </summary>
    bool OwnsButton(string data);

    /// <summary>
    /// True for callback data this flow takes when pressed in a group chat (a check-in on an order posted in a region's
    /// group, a claim on a wish announced in a grid's group). Any other press in a group is refused before a flow decides.
    /// Such a press is decided as the presser's own: their replies go to their private chat, never to the group.
    /// </summary>
    bool AllowsInGroup(string data) => false;

    /// <summary>
    /// Documents that deciding <paramref name="incoming"/> will read, beyond the person's own records (for example a muster
    /// and the member's answer to it, for a check-in). Keys without a shard are read in the person's home shard. The
    /// processor reads them in the same round trip as the person's records, so the decision finds them already read. A
    /// hint only: a key left out is read when the flow asks for it, and a key never used costs one read.
    /// </summary>
    IReadOnlyList<State.Documents.DocKey> ReadsFor(BotEvent incoming) => [];

    /// <summary>The commands this flow answers; a command always goes to its flow and leaves any flow in progress.</summary>
    IReadOnlyCollection<string> Commands { get; }

    ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken);

    /// <summary>The flow's state machine as a Mermaid diagram (generated into docs/flows/).</summary>
    string ToMermaid();
}
