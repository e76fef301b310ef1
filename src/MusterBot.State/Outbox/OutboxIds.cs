using MusterBot.State.Documents;

namespace MusterBot.State.Outbox;

/// <summary>
/// Outbox ids are unique across shards: each shard numbers its own messages (a counter in the shard, so an enqueue
/// touches only the shard's keys), and the id puts the shard in the high 32 bits: <c>(shard &lt;&lt; 32) | number</c>.
/// The root shard's ids are just its numbers (1, 2, 3, …), as they were before shards. Completing, retrying,
/// forwarding and reading a delivery find the shard from the id.
/// </summary>
public static class OutboxIds
{
    /// <summary>The id of message <paramref name="number"/> (1 … 2³²−1) of <paramref name="shard"/>.</summary>
    public static long Compose(long shard, long number)
    {
        if (number is <= 0 or > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(number), number, "An outbox number is 1 … 2^32-1.");
        }

        if (shard is <= 0 or > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard, "A shard is 1 … 2^31-1.");
        }

        return shard == Shards.Root ? number : (shard << 32) | number;
    }

    /// <summary>The shard a message id belongs to.</summary>
    public static long ShardOf(long id) => id >> 32 is var shard and > 0 ? shard : Shards.Root;

    /// <summary>The message's number within its shard.</summary>
    public static long NumberOf(long id) => id & uint.MaxValue;
}
