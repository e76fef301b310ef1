namespace MusterBot.Flows.Wishes;

public enum WishTrigger
{
    Begin,
    Next,
    Stay,
    Cancel,
    Submit,
    AskReason,
    AskDuplicate,
    AskRelease,
    AskDoneNote,
    AskComment,
    Done,
}
