namespace MusterBot.Flows.Org;

/// <summary>Steps of the organisation section. <see cref="Panel"/> holds what works from every step (its views).</summary>
public enum OrgStep
{
    Panel,
    Idle,
    AwaitingChildName,
    AwaitingRename,
}
