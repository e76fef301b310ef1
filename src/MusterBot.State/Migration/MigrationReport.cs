namespace MusterBot.State.Migration;

/// <summary>What a start found and did (see <see cref="SingleCommunityMigration"/>).</summary>
public enum MigrationOutcome
{
    /// <summary>No store of the single-community release: the default tree was created (or was there).</summary>
    Fresh,

    /// <summary>An earlier start finished the migration (or found a fresh store): nothing to do.</summary>
    AlreadyDone,

    /// <summary>This start migrated (or finished migrating) a single-community store.</summary>
    Migrated,
}

/// <summary>Counts of what one run moved (a resumed run counts only what it moved itself).</summary>
public sealed record MigrationReport(MigrationOutcome Outcome)
{
    /// <summary>Documents moved into the community, per kind (<c>user</c>, <c>wish</c>, …).</summary>
    public IReadOnlyDictionary<string, int> Documents { get; init; } = new Dictionary<string, int>();

    public int Sets { get; init; }

    public int SetMembers { get; init; }

    /// <summary>Handled-update marks still valid and carried over.</summary>
    public int UpdateMarks { get; init; }

    /// <summary>People given a home (<c>PersonHome</c> of the community).</summary>
    public int People { get; init; }

    /// <summary>Administrators made administrators of the community node.</summary>
    public int Admins { get; init; }

    public int OutboxMessages { get; init; }

    public int Timers { get; init; }

    /// <summary>Expired documents or orphaned entries dropped.</summary>
    public int Dropped { get; init; }
}
