namespace MusterBot.Flows.Profile;

public enum ProfileTrigger
{
    Shown,
    AvailabilityAsked,
    AvailabilitySet,
    EditStarted,
    LeaveAsked,
    LeaveConfirmed,
    LeaveDeclined,
    StaleButton,
}
