namespace MusterBot.State.Records;

/// <summary>
/// A message the bot sent about a complaint that must go on showing the object's current state and
/// the buttons of that state: the person and chat it went to, and how to find it again — the outbox tag it was sent
/// with (edited with <c>EditText.TargetTag</c>), or the Telegram message id when it was an edit of a pressed message.
/// <see cref="View"/> says whose view it renders (e.g. "admin", "handler", "resident"); <see cref="Head"/> is its
/// first line(s), rendered once in <see cref="Language"/> and kept on every edit.
/// </summary>
public sealed record ComplaintCard(long UserId, long ChatId, string View, Language Language)
{
    public string? Tag { get; init; }

    public int? MessageId { get; init; }

    public string Head { get; init; } = string.Empty;
}
