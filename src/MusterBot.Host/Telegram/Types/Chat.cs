namespace MusterBot.Host.Telegram.Types;

/// <summary>A chat. Supergroup and channel ids are negative and can exceed 32 bits.</summary>
public sealed record Chat
{
    public long Id { get; init; }

    public ChatType Type { get; init; }

    public string? Title { get; init; }

    public string? Username { get; init; }

    public string? FirstName { get; init; }

    public string? LastName { get; init; }
}
