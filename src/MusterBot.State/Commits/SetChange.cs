namespace MusterBot.State.Commits;

/// <summary>Adds a member to (or removes it from) a named set, e.g. an index "grid:3:members".</summary>
public sealed record SetChange(string Set, string Member, bool Add);
