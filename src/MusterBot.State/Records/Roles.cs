namespace MusterBot.State.Records;

/// <summary>What a person may do. A person can hold several roles (a member who is also a convenor).</summary>
[Flags]
public enum Roles
{
    None = 0,
    Resident = 1,
    Member = 2,
    Convenor = 4,
    Handler = 8,
    Admin = 16,
}
