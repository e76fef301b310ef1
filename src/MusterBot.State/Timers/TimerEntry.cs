namespace MusterBot.State.Timers;

/// <summary>
/// A persisted timer: at <see cref="DueAt"/> the host delivers <see cref="Payload"/> (a JSON event understood by
/// the flows) for <see cref="UserId"/> into the flow engine. Same id = same timer (setting it again replaces it).
/// </summary>
public sealed record TimerEntry(string Id, DateTimeOffset DueAt, long UserId, string Payload)
{
    /// <summary>
    /// When true and a timer with the same id exists (waiting or claimed), the existing one is kept and this one is
    /// dropped: a throttle ("refresh within N seconds") rather than a debounce that a steady stream would keep pushing back.
    /// </summary>
    public bool KeepExisting { get; init; }

    /// <summary>
    /// The shard the timer lives in: the shard of the commit that set it (the store sets this; a value given in a commit
    /// is ignored). A commit consumes or cancels it only in that shard. Timer ids are unique within a shard.
    /// </summary>
    public long Shard { get; init; } = Documents.Shards.Root;
}
