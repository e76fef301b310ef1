namespace MusterBot.Flows.Directory.Roster;

/// <summary>What can be wrong with a roster row; each has a text <c>roster.problem.{Kind}</c>.</summary>
public enum RosterProblemKind
{
    MissingName,
    NameTooLong,
    BadPhone,
    DuplicatePhone,
    UnknownGrid,
    UnknownRegion,
    UnknownSkill,
    UnknownRole,

    /// <summary>A convenor without a region: the region a convenor leads is fixed by the roster, never picked when joining.</summary>
    ConvenorWithoutRegion,

    /// <summary>A grid worker's row names no grid (the grid whose complaints and wishes they handle).</summary>
    HandlerWithoutGrid,
    WorkUnitTooLong,
    WrongColumnCount,

    /// <summary>A quoted cell is never closed: everything after it up to the end of the file was read into it.</summary>
    UnclosedQuote,
}
