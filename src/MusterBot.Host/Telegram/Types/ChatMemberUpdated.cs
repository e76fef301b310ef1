namespace MusterBot.Host.Telegram.Types;

/// <summary>A change of a chat member's status; as <c>my_chat_member</c> it tells that a user blocked or unblocked the bot.</summary>
public sealed record ChatMemberUpdated
{
    public Chat Chat { get; init; } = null!;

    public User From { get; init; } = null!;

    public DateTime Date { get; init; }

    public ChatMember OldChatMember { get; init; } = null!;

    public ChatMember NewChatMember { get; init; } = null!;
}
