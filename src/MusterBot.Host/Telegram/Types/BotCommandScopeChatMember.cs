namespace MusterBot.Host.Telegram.Types;

/// <summary>One member of one group or supergroup chat.</summary>
public sealed record BotCommandScopeChatMember(long ChatId, long UserId) : BotCommandScope;
