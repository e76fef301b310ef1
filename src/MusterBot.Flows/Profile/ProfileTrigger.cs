namespace MusterBot.Flows.Profile;

/// <summary>What a person does on /me: the command, or one of the profile's buttons (<see cref="ProfileButton"/>).</summary>
public enum ProfileTrigger
{
    Shown,
    AvailabilityAsked,
    AvailabilitySet,
    EditStarted,
    LeaveAsked,
    LeaveConfirmed,
    LeaveDeclined,

    /// <summary>A press that does not decode. Never permitted: the unhandled-trigger hook answers it as stale.</summary>
    StaleButton,
}
