namespace MusterBot.Host.Telegram.Types;

/// <summary>All administrators of all group and supergroup chats.</summary>
public sealed record BotCommandScopeAllChatAdministrators : BotCommandScope;
