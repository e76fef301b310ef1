namespace MusterBot.State.Records.Musters;

/// <summary>What happened: the kind named first in every muster order.</summary>
public enum MusterKind
{
    Flood,
    Typhoon,
    Fire,
    Epidemic,
    PublicSecurity,
    Other,
}
