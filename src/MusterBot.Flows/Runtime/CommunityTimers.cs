using System.Globalization;
using MusterBot.State.Documents;
using MusterBot.State.Timers;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// Community timers (user <see cref="Musters.MusterFlow.SystemUser"/>) of a community other than the root shard: their
/// user id is the negated shard and their id carries the shard ("4/mu:t1:1"), so a timer fires in the community that
/// set it and two communities' "muster 1" timers never replace each other. The flows keep setting and cancelling timers
/// by their own ids; the processor scopes them. (A stop-gap until timers carry a shard of their own.)
/// </summary>
public static class CommunityTimers
{
    /// <summary>The shard a community timer of <paramref name="userId"/> (0 or a negated shard) fires in.</summary>
    public static long ShardOf(long userId) => userId == Musters.MusterFlow.SystemUser ? Shards.Root : -userId;

    /// <summary>The timer as stored for a decision in <paramref name="shard"/>.</summary>
    public static TimerEntry Scope(TimerEntry timer, long shard)
    {
        ArgumentNullException.ThrowIfNull(timer);
        return timer.UserId == Musters.MusterFlow.SystemUser && shard != Shards.Root
            ? timer with { UserId = -shard, Id = ScopeId(timer.Id, shard) }
            : timer;
    }

    /// <summary>A timer id as stored for a decision in <paramref name="shard"/> (unchanged in the root shard).</summary>
    public static string ScopeId(string id, long shard) =>
        shard == Shards.Root ? id : shard.ToString(CultureInfo.InvariantCulture) + "/" + id;
}
