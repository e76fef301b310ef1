namespace MusterBot.State.Records.Musters;

public enum MusterStatus
{
    Open,
    Closed,
}
