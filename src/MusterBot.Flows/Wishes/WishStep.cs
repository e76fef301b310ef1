namespace MusterBot.Flows.Wishes;

public enum WishStep
{
    Idle,
    Filing,
    Text,
    Photo,
    Category,
    Date,
    Confirm,
    RejectReason,
    DuplicateOf,
    ReleaseReason,
    DoneNote,
    RatingComment,
    NotDoneReason,
}
