using MusterBot.State.Records;

namespace MusterBot.State.Outbox;

/// <summary>
/// Publishes the command menu of one private chat (setMyCommands with scope chat, in both languages): the
/// administrators' list when <paramref name="Administrator"/>, else the chat falls back to the default list. When the
/// dashboard Mini App is served, an administrator's menu button opens it (labelled in <see cref="Language"/>) and
/// anyone else's is reset to the default.
/// </summary>
public sealed record SetChatCommands(bool Administrator) : OutgoingAction
{
    public Language Language { get; init; }
}
