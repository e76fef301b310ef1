namespace MusterBot.Flows.Complaints;

public enum ComplaintTrigger
{
    Begin,
    BeginHazard,
    Next,
    Similar,
    Stay,
    Cancel,
    Submit,
    Join,
    Ask,
    Done,
}
