namespace MusterBot.Tests.State;

/// <summary>Tests that need a real Redis join this collection; they share one server and run one at a time.</summary>
[CollectionDefinition("redis")]
public sealed class RedisCollectionDefinition : ICollectionFixture<RedisServerFixture>;
