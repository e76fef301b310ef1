namespace MusterBot.Flows.Directory.Roster;

/// <summary>Why a roster file cannot be read at all; each has a text <c>roster.file.{Kind}</c>.</summary>
public enum RosterFileProblemKind
{
    /// <summary>More than <see cref="RosterParser.MaxBytes"/> bytes; Value = the limit in MB.</summary>
    TooLarge,

    /// <summary>Not valid UTF-8 (often GBK from Excel); Value = the line of the first invalid byte.</summary>
    NotUtf8,

    /// <summary>No bytes, or only blank lines.</summary>
    Empty,

    /// <summary>The first line names none of the roster columns (probably no header at all).</summary>
    NoHeader,

    /// <summary>The header lacks some columns; Value = the missing column names, comma-separated.</summary>
    MissingColumns,

    /// <summary>A column appears twice in the header; Value = the repeated column names, comma-separated.</summary>
    DuplicateColumns,

    /// <summary>A header and no rows.</summary>
    NoRows,

    /// <summary>More than <see cref="RosterParser.MaxRows"/> rows; Value = the limit.</summary>
    TooManyRows,
}
