namespace MusterBot.Host.Telegram.Types;

/// <summary>All administrators of one group or supergroup chat.</summary>
public sealed record BotCommandScopeChatAdministrators(long ChatId) : BotCommandScope;
