namespace MusterBot.Host.Telegram.Types;

/// <summary>All private chats.</summary>
public sealed record BotCommandScopeAllPrivateChats : BotCommandScope;
