namespace MusterBot.Emulator;

/// <summary>One bot command published with setMyCommands for a scope and a language.</summary>
/// <param name="Scope">The scope key: <c>default</c>, <c>all_private_chats</c>, <c>chat:42</c>, <c>chat_member:42:7</c>, ...</param>
/// <param name="LanguageCode">The language code, empty for all languages.</param>
public sealed record EmulatedCommand(string Scope, string LanguageCode, string Command, string Description);
