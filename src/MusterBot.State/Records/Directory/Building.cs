namespace MusterBot.State.Records.Directory;

public sealed record Building(string Id, string Name);
