namespace MusterBot.State.Outbox;

/// <summary>
/// Publishes the command menu of one private chat (setMyCommands with scope chat, in both languages): the
/// administrators' list when <paramref name="Administrator"/>, else the chat falls back to the default list.
/// </summary>
public sealed record SetChatCommands(bool Administrator) : OutgoingAction;
