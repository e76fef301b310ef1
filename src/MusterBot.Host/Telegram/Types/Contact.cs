namespace MusterBot.Host.Telegram.Types;

/// <summary>A shared phone contact. Trust it as the sender's own only when <see cref="UserId"/> equals the sender's id.</summary>
public sealed record Contact
{
    public string PhoneNumber { get; init; } = string.Empty;

    public string FirstName { get; init; } = string.Empty;

    public string? LastName { get; init; }

    public long? UserId { get; init; }

    public string? Vcard { get; init; }
}
