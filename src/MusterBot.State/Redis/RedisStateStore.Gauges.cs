using MusterBot.State.Documents;
using MusterBot.State.Gauges;
using MusterBot.State.Outbox;
using StackExchange.Redis;

namespace MusterBot.State.Redis;

/// <summary>
/// The gauges from the work index in the root shard: each index entry's score is the earliest time its shard has
/// something ready, so the smallest score of a lane's two indexes is when its oldest ready message became ready, and
/// of the timer index when the earliest unfired timer came due. The depth visits each indexed shard (CountOutbox). Set
/// totals (the open musters) read the registry and one SCARD per set and registered shard, pipelined.
/// </summary>
public sealed partial class RedisStateStore : IStoreGauges
{
    public async Task<StoreGauges> ReadGaugesAsync(CancellationToken cancellationToken)
    {
        var depth = await CountOutboxAsync(cancellationToken).ConfigureAwait(false);
        var now = NowMs();
        var heads = new Task<SortedSetEntry[]>[IndexNames.Length];
        for (var i = 0; i < heads.Length; i++)
        {
            heads[i] = _db.SortedSetRangeByRankWithScoresAsync(RootPrefix + IndexNames[i], 0, 0);
        }

        var firsts = await Task.WhenAll(heads).WaitAsync(cancellationToken).ConfigureAwait(false);
        var oldest = new Dictionary<Lane, DateTimeOffset>();
        for (var lane = 0; lane < 4; lane++)
        {
            foreach (var head in firsts[lane * 2].Concat(firsts[(lane * 2) + 1]))
            {
                var at = (long)head.Score;
                if (at <= now && (!oldest.TryGetValue((Lane)lane, out var known) || at < known.ToUnixTimeMilliseconds()))
                {
                    oldest[(Lane)lane] = DateTimeOffset.FromUnixTimeMilliseconds(at);
                }
            }
        }

        DateTimeOffset? timer = firsts[8].Length > 0 && (long)firsts[8][0].Score <= now ? DateTimeOffset.FromUnixTimeMilliseconds((long)firsts[8][0].Score) : null;
        return new StoreGauges(depth, oldest, timer);
    }

    public async Task<IReadOnlyList<long>> CountSetsAsync(IReadOnlyList<string> setNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setNames);
        var totals = new long[setNames.Count];
        if (totals.Length == 0)
        {
            return totals;
        }

        // The registry is small (a shard id per community or node with work: ~1,500 for a city). SCARD is one key, so
        // each goes to its slot's master on a cluster; batches bound the commands in flight.
        var registry = await _db.SetMembersAsync(RootPrefix + "ix:shards").WaitAsync(cancellationToken).ConfigureAwait(false);
        var shards = registry.Select(m => ParseLong((string)m!)).Append(Shards.Root).Distinct().ToList();
        foreach (var batch in shards.Chunk(256))
        {
            var counts = new Task<long>[batch.Length * totals.Length];
            for (var s = 0; s < batch.Length; s++)
            {
                var prefix = ShardPrefix(batch[s]) + "set:";
                for (var i = 0; i < totals.Length; i++)
                {
                    counts[(s * totals.Length) + i] = _db.SetLengthAsync(prefix + setNames[i]);
                }
            }

            var read = await Task.WhenAll(counts).WaitAsync(cancellationToken).ConfigureAwait(false);
            for (var k = 0; k < read.Length; k++)
            {
                totals[k % totals.Length] += read[k];
            }
        }

        return totals;
    }
}
