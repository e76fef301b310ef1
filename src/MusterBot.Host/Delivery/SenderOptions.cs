using System.ComponentModel.DataAnnotations;

namespace MusterBot.Host.Delivery;

/// <summary>The <c>Sender</c> section: how fast and how persistently the outbox is drained.</summary>
public sealed class SenderOptions
{
    public const string Section = "Sender";

    /// <summary>Messages (sends and edits) per second for the whole bot; Telegram's free limit is about 30.</summary>
    [Range(0.1, 1000)]
    public double GlobalPerSecond { get; set; } = 30;

    /// <summary>Sustained messages per second to one chat (Telegram: about 1).</summary>
    [Range(0.01, 100)]
    public double PerChatPerSecond { get; set; } = 1;

    /// <summary>Messages one chat may receive back to back before the per-chat rate applies.</summary>
    [Range(1, 100)]
    public int PerChatBurst { get; set; } = 3;

    /// <summary>Messages per minute to one group or channel (Telegram: about 20).</summary>
    [Range(1, 600)]
    public double PerGroupPerMinute { get; set; } = 20;

    [Range(1, 20)]
    public int PerGroupBurst { get; set; } = 3;

    /// <summary>At most one edit of the same message per this interval; the newest content wins.</summary>
    public TimeSpan EditInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long an edit aimed at a tagged message (<c>EditText.TargetTag</c>) waits while that message is still queued;
    /// after this it is recorded as failed ("target message not sent"). Waiting is not a failed attempt.
    /// </summary>
    public TimeSpan TargetWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often such a waiting edit looks again whether its target has been sent.</summary>
    public TimeSpan TargetPoll { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Emergency-lane messages are sent with allow_paid_broadcast (costs Telegram Stars; needs BotFather opt-in) at up to
    /// <see cref="PaidBroadcastPerSecond"/>. Off by default.
    /// </summary>
    public bool PaidBroadcast { get; set; }

    [Range(1, 1000)]
    public double PaidBroadcastPerSecond { get; set; } = 1000;

    /// <summary>
    /// Bot API calls in flight at once: enough to fill the rate despite the round trip. Unset: from the highest rate
    /// configured (<see cref="GlobalPerSecond"/>, or <see cref="PaidBroadcastPerSecond"/> when paid broadcast is on),
    /// see <see cref="EffectiveMaxInFlight"/>.
    /// </summary>
    [Range(1, 1000)]
    public int? MaxInFlight { get; set; }

    /// <summary>
    /// A quarter of a second's worth of the highest rate, at least 16 and at most 1,000: 16 at the default 30/s, 250 at
    /// 1,000/s paid broadcast (a 100–250 ms round trip to the Bot API then still fills the rate). A fixed 16 capped a
    /// 1,000/s city-wide launch at 16 calls per round trip (docs/benchmarks.md).
    /// </summary>
    public int EffectiveMaxInFlight =>
        MaxInFlight ?? Math.Clamp((int)Math.Ceiling(Math.Max(GlobalPerSecond, PaidBroadcast ? PaidBroadcastPerSecond : 0) * 0.25), 16, 1000);

    /// <summary>A claimed message not completed within this time is handed out again (crashed sender).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Attempts for transient failures (5xx, timeouts) before a message is recorded as failed.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First retry delay; doubles per attempt, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often an idle sender looks for work committed by other instances.</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromMilliseconds(250);
}
