namespace MusterBot.State.Records.Musters;

public enum CantComeReason
{
    Ill,
    Away,
    OnDutyElsewhere,
    Other,
}
