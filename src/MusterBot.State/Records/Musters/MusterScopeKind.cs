namespace MusterBot.State.Records.Musters;

public enum MusterScopeKind
{
    Everyone,
    Regions,
    Grids,
    Skills,
}
