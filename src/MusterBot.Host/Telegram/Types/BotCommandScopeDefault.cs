namespace MusterBot.Host.Telegram.Types;

/// <summary>The default scope: used when no narrower scope has commands.</summary>
public sealed record BotCommandScopeDefault : BotCommandScope;
