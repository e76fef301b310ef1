namespace MusterBot.Host.Telegram.Types;

/// <summary>A special entity in a text (command, mention, link...). Offsets and lengths count UTF-16 code units.</summary>
public sealed record MessageEntity
{
    /// <summary>The entity kind as Telegram names it, e.g. <c>bot_command</c>, <c>mention</c>, <c>text_link</c>.</summary>
    public string Type { get; init; } = string.Empty;

    public int Offset { get; init; }

    public int Length { get; init; }

    public string? Url { get; init; }

    public User? User { get; init; }

    public string? Language { get; init; }
}
