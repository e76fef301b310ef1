namespace MusterBot.Host.BotApi;

/// <summary>An update Telegram.Bot's types could not read: its id (null when it has none) and why, never its content.</summary>
public sealed record UnreadableUpdate(int? UpdateId, string Problem);
