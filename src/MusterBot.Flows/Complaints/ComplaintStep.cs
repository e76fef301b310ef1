namespace MusterBot.Flows.Complaints;

public enum ComplaintStep
{
    Idle,
    Filing,
    Category,
    Description,
    Photos,
    Location,
    Anonymous,
    Similar,
    Confirm,
    ReturnReason,
    Progress,
    Result,
    ExtendReason,
    ReopenComment,
    SupervisionReason,
}
