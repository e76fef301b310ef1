using MusterBot.State.Outbox;

namespace MusterBot.State.Gauges;

/// <summary>What the operators' gauges read from the store: how much waits to be sent, since when, and how late timers are.</summary>
public interface IStoreGauges
{
    Task<StoreGauges> ReadGaugesAsync(CancellationToken cancellationToken);
}

/// <param name="Depth">Messages in the outbox per lane (ready, waiting for their time, or claimed).</param>
/// <param name="OldestReady">Per lane, when its oldest message became ready to send (absent: none ready).</param>
/// <param name="OldestTimerDue">When the earliest due, not yet fired timer came due (null: none due).</param>
public sealed record StoreGauges(
    IReadOnlyDictionary<Lane, long> Depth,
    IReadOnlyDictionary<Lane, DateTimeOffset> OldestReady,
    DateTimeOffset? OldestTimerDue);
