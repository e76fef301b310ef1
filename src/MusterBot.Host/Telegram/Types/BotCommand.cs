namespace MusterBot.Host.Telegram.Types;

/// <summary>A command shown in the client's menu.</summary>
public sealed record BotCommand
{
    /// <summary>1-32 characters: lowercase letters, digits and underscores, without the slash.</summary>
    public required string Command { get; init; }

    /// <summary>1-256 characters.</summary>
    public required string Description { get; init; }
}
