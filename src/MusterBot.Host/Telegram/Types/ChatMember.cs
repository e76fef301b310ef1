namespace MusterBot.Host.Telegram.Types;

/// <summary>A member of a chat, reduced to the user and the status.</summary>
public sealed record ChatMember
{
    /// <summary><c>creator</c>, <c>administrator</c>, <c>member</c>, <c>restricted</c>, <c>left</c> or <c>kicked</c>.</summary>
    public string Status { get; init; } = string.Empty;

    public User User { get; init; } = null!;
}
