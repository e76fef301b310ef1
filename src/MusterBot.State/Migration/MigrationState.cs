namespace MusterBot.State.Migration;

/// <summary>
/// Progress of the migration of a single-community store (<c>doc:migration:single-community</c> in the root shard).
/// Written <see cref="Done"/> = false when a migration starts and true when it ended; a fresh store gets it at its first
/// start (true), so later starts never look for old keys again. The two staged flags say that every pending outbox
/// message / timer of the old layout was copied into a staging document: from then on only the staging documents are
/// worked through (the old lanes are not read again, so a message enqueued by the migration is never migrated twice).
/// </summary>
public sealed record MigrationState(bool Done)
{
    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public bool OutboxStaged { get; init; }

    public bool TimersStaged { get; init; }
}
