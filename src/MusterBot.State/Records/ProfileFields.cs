namespace MusterBot.State.Records;

/// <summary>
/// Fields of a profile the community fixed: set by an invitation or the roster, or a phone number verified by a shared
/// contact. The person cannot change them in /me (an administrator can).
/// </summary>
[Flags]
public enum ProfileFields
{
    None = 0,
    Phone = 1,
    Grid = 2,
    Region = 4,
    WorkUnit = 8,
}
