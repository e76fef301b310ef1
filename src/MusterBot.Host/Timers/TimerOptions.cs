namespace MusterBot.Host.Timers;

/// <summary>The <c>Timers</c> section.</summary>
public sealed class TimerOptions
{
    public const string Section = "Timers";

    /// <summary>How often the due-time index is read.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A claimed timer not consumed within this time fires again (crash safety).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);
}
