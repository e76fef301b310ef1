namespace MusterBot.State.Commits;

/// <summary>The outcome of <see cref="IStateStore.CommitAsync"/>; <paramref name="OutboxIds"/> are in commit order.</summary>
public sealed record CommitResult(CommitStatus Status, IReadOnlyList<long> OutboxIds)
{
    public static CommitResult Conflict { get; } = new(CommitStatus.VersionConflict, []);

    public static CommitResult Duplicate { get; } = new(CommitStatus.DuplicateUpdate, []);
}
