namespace MusterBot.Host.Telegram.Types;

/// <summary>One chat.</summary>
public sealed record BotCommandScopeChat(long ChatId) : BotCommandScope;
