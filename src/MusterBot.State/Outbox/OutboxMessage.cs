namespace MusterBot.State.Outbox;

/// <summary>
/// One persisted outgoing Bot API action. <see cref="Id"/> is 0 until the store assigns it on commit.
/// <see cref="Tag"/> groups deliveries for later queries (e.g. <c>muster:12</c>); <see cref="NotBefore"/> delays it.
/// </summary>
public sealed record OutboxMessage(Lane Lane, long ChatId, OutgoingAction Action)
{
    public long Id { get; init; }

    public string? Tag { get; init; }

    public DateTimeOffset EnqueuedAt { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>How many send attempts failed so far (transient failures).</summary>
    public int Attempts { get; init; }

    /// <summary>
    /// Sent first (a muster's orders to convenors): an emergency message without it that the sender claims while such a
    /// call is still under way waits until that call has returned, so the convenors hear of a muster before their members
    /// even with many calls in flight.
    /// </summary>
    public bool SendFirst { get; init; }
}
