using MusterBot.State.Outbox;

namespace MusterBot.State.Gauges;

/// <summary>
/// What the operators' gauges read from the store: how much waits to be sent, since when, how late timers are, and how
/// large some sets are over all shards (the open musters).
/// </summary>
public interface IStoreGauges
{
    Task<StoreGauges> ReadGaugesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// For each named set, its members added up over the root shard and every shard that ever had a message or a timer
    /// (the registry the work index is swept from, <c>ix:shards</c>): one cardinality per set and shard, pipelined; no
    /// key is scanned. The sets of a shard that never had a message or a timer are not counted: meant for sets that are
    /// filled together with work, such as the open musters (a community's launch sets its nudge timer in the same commit,
    /// a street's or city's launch its start timer).
    /// </summary>
    /// <returns>One total per name, in the order of <paramref name="setNames"/>.</returns>
    Task<IReadOnlyList<long>> CountSetsAsync(IReadOnlyList<string> setNames, CancellationToken cancellationToken);
}

/// <param name="Depth">Messages in the outbox per lane (ready, waiting for their time, or claimed).</param>
/// <param name="OldestReady">Per lane, when its oldest message became ready to send (absent: none ready).</param>
/// <param name="OldestTimerDue">When the earliest due, not yet fired timer came due (null: none due).</param>
public sealed record StoreGauges(
    IReadOnlyDictionary<Lane, long> Depth,
    IReadOnlyDictionary<Lane, DateTimeOffset> OldestReady,
    DateTimeOffset? OldestTimerDue);
