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

    /// <summary>
    /// Polling with several instances on one store: only the holder of the poller's lease polls. It extends the lease
    /// every third of this; when it dies, the lease ends after this long and another instance takes over within
    /// <see cref="PollerRetry"/> more.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan PollerLease { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>
    /// Webhook mode with several instances behind a load balancer: a person's updates (and timers) are handled under a
    /// lease in the store, so two instances never handle the same person at once. Unset: on in webhook mode with Redis
    /// (in polling mode one instance handles every update, and its in-memory lock is enough).
    /// </summary>
    public bool? PersonLeases { get; set; }

    /// <summary>How long a person's lease lasts if its holder dies before giving it back.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan PersonLease { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long an update waits for a person's lease held by another instance before it fails (and is retried).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan PersonLeaseWait { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often an instance that does not poll tries to take the poller's lease.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollerRetry { get; set; } = TimeSpan.FromSeconds(1);
}
