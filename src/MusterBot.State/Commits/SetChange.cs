namespace MusterBot.State.Commits;

/// <summary>Adds or removes one member of a named set, in <see cref="Shard"/> (null = the commit's shard).</summary>
public sealed record SetChange(string Set, string Member, bool Add)
{
    public long? Shard { get; init; }
}
