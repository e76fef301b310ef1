namespace MusterBot.State.Records.Musters;

/// <summary>One change of a member's answer: when, to what, and who made it (the member, or a convenor for them).</summary>
public sealed record AnswerChange(CheckInStatus Status, DateTimeOffset At, long By)
{
    public string? Detail { get; init; }
}
