using MusterBot.State.Documents;
using MusterBot.State.Gauges;
using MusterBot.State.Outbox;

namespace MusterBot.State.Memory;

public sealed partial class InMemoryStateStore : IStoreGauges
{
    public async Task<StoreGauges> ReadGaugesAsync(CancellationToken cancellationToken)
    {
        var depth = await CountOutboxAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var oldest = new Dictionary<Lane, DateTimeOffset>();
        DateTimeOffset? timer = null;
        lock (_gate)
        {
            for (var lane = 0; lane < 4; lane++)
            {
                foreach (var set in new[] { _retries[lane], _lanes[lane] })
                {
                    if (set.Count > 0 && set.Min.Ready <= now && (!oldest.TryGetValue((Lane)lane, out var known) || set.Min.Ready < known))
                    {
                        oldest[(Lane)lane] = set.Min.Ready;
                    }
                }
            }

            if (_dueTimers.Count > 0 && _dueTimers.Min.Due <= now)
            {
                timer = _dueTimers.Min.Due;
            }
        }

        return new StoreGauges(depth, oldest, timer);
    }

    public Task<IReadOnlyList<long>> CountSetsAsync(IReadOnlyList<string> setNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setNames);
        var totals = new long[setNames.Count];
        lock (_gate)
        {
            foreach (var shard in _registry.Append(Shards.Root).Distinct())
            {
                for (var i = 0; i < totals.Length; i++)
                {
                    totals[i] += _sets.TryGetValue(SetKey(shard, setNames[i]), out var set) ? set.Count : 0;
                }
            }
        }

        return Task.FromResult<IReadOnlyList<long>>(totals);
    }
}
