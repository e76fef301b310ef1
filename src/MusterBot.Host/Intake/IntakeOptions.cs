using System.ComponentModel.DataAnnotations;

namespace MusterBot.Host.Intake;

/// <summary>The <c>Intake</c> section: how updates are taken in.</summary>
public sealed class IntakeOptions
{
    public const string Section = "Intake";

    /// <summary>How many people's updates are handled at the same time (one person's always one at a time).</summary>
    [Range(1, 1024)]
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>Updates one person may send within <see cref="FloodWindow"/>; more are dropped with a log line.</summary>
    [Range(1, 100_000)]
    public int FloodLimit { get; set; } = 60;

    public TimeSpan FloodWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Documents downloaded at the same time (each up to 8 MB in memory). A document is downloaded only when a flow asks
    /// for it (an administrator sending the roster); others wait for a free slot.
    /// </summary>
    [Range(1, 64)]
    public int MaxParallelDownloads { get; set; } = 2;

    /// <summary>Wait after a failed getUpdates before trying again (doubles up to 30 s).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
