namespace MusterBot.Host.Telegram.Types;

/// <summary>All group and supergroup chats.</summary>
public sealed record BotCommandScopeAllGroupChats : BotCommandScope;
