namespace MusterBot.Flows.Registration;

/// <summary>What a person registers as.</summary>
public enum RegKind
{
    Resident,
    Member,
    Convenor,
    Handler,

    /// <summary>A member found on the roster by a shared contact (the roster says the role).</summary>
    Roster,
}
