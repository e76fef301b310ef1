namespace MusterBot.State.Records;

/// <summary>
/// Where a person is in a conversation: the flow, its step, and the answers collected so far.
/// Stored per user, so a restart continues where the person was.
/// </summary>
public sealed record ConversationState(string Flow, string Step)
{
    public IReadOnlyDictionary<string, string> Data { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset UpdatedAt { get; init; }
}
