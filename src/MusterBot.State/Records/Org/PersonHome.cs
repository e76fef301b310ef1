namespace MusterBot.State.Records.Org;

/// <summary>
/// Where a person's records live (<c>doc:home:{userId}</c> in the root shard): the shard of their home community (or
/// of the node they administer when they live in none). No document = the root shard (people who have not joined a
/// community yet). Written after the person's records were written in the new shard, so a move cut short by a crash
/// leaves the person where they were, and handling the update again finishes it.
/// </summary>
public sealed record PersonHome(long Shard)
{
    public DateTimeOffset Since { get; init; }
}
