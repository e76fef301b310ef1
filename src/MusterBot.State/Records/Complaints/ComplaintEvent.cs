namespace MusterBot.State.Records.Complaints;

/// <summary>One line of a complaint's audit trail: when, who (0 for the community's timers), what, and a detail.</summary>
public sealed record ComplaintEvent(DateTimeOffset At, long By, string What)
{
    public string? Detail { get; init; }
}
