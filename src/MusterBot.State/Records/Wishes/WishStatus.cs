namespace MusterBot.State.Records.Wishes;

/// <summary>
/// Where a micro-wish is in the chain 群众点单 → 社区派单 → 党员接单 → 评单: filed (waiting for review), open for
/// claims, claimed, done (waiting for the resident), closed; or rejected / a duplicate / withdrawn.
/// </summary>
public enum WishStatus
{
    Pending,
    Open,
    Claimed,
    Done,
    Closed,
    Rejected,
    Duplicate,
    Withdrawn,
}
