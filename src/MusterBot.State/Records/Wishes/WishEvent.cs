namespace MusterBot.State.Records.Wishes;

/// <summary>One step in a wish's history: when, who (0 for the community's timers), what, and a detail.</summary>
public sealed record WishEvent(DateTimeOffset At, long By, string What)
{
    public string? Detail { get; init; }
}
