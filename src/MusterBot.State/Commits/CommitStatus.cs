namespace MusterBot.State.Commits;

public enum CommitStatus
{
    /// <summary>Everything was written.</summary>
    Committed,

    /// <summary>A document's version was not the expected one; nothing was written. Reload and decide again.</summary>
    VersionConflict,

    /// <summary>The update was already handled (or the timer already fired); nothing was written.</summary>
    DuplicateUpdate,
}
