namespace MusterBot.Host.Telegram.Types;

/// <summary>A Telegram user or bot.</summary>
public sealed record User
{
    public long Id { get; init; }

    public bool IsBot { get; init; }

    public string FirstName { get; init; } = string.Empty;

    public string? LastName { get; init; }

    public string? Username { get; init; }

    public string? LanguageCode { get; init; }
}
