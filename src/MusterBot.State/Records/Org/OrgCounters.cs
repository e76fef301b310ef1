namespace MusterBot.State.Records.Org;

/// <summary>The tree's id sequence (<c>doc:org:counters</c> in the root shard). The root is node 1.</summary>
public sealed record OrgCounters(long LastNodeId);
