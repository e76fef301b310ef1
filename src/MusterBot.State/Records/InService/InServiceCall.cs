namespace MusterBot.State.Records.InService;

/// <summary>
/// A community's call to the in-service members who reported in to it (在职党员报到): a short text sent to each of them
/// (or to those with <see cref="Skill"/>) with "coming" / "can't come" buttons. Lives in the community's shard; the
/// answers are <see cref="InServiceAnswer"/> documents and the sets <see cref="Sets.InServiceAnswers"/>, so answers do
/// not contend on this document.
/// </summary>
public sealed record InServiceCall(int Number, string Text, long CreatedBy, DateTimeOffset CreatedAt)
{
    /// <summary>Only members with this skill were called (null = every reported-in member).</summary>
    public Skill? Skill { get; init; }

    /// <summary>How many members it was sent to.</summary>
    public int Called { get; init; }

    /// <summary>The chat of the staff member who sent it: their live count (outbox tag <c>isc:{shard}:{n}</c>).</summary>
    public long PanelChatId { get; init; }
}

/// <summary>A member's answer to an in-service call.</summary>
public sealed record InServiceAnswer(int Number, long UserId, bool Coming, DateTimeOffset At);

/// <summary>The last in-service call number given out in a community.</summary>
public sealed record InServiceCallCounter(int Last);
