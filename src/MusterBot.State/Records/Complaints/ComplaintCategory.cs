namespace MusterBot.State.Records.Complaints;

public enum ComplaintCategory
{
    Sanitation,
    Property,
    Neighbours,
    PublicSafety,
    Traffic,
    Noise,
    Services,
    Other,
}
