namespace MusterBot.Flows.Wishes;

/// <summary>What moves the wish conversation (see <see cref="WishFlow"/>'s conversation machine).</summary>
public enum WishTrigger
{
    /// <summary>/wish.</summary>
    Begin,

    /// <summary>Text typed: the wish, a date, a reason, a note or a comment, depending on the step.</summary>
    Typed,

    /// <summary>A photo sent: the wish's photo or the done note's.</summary>
    PhotoSent,

    /// <summary>Anything else sent (a location, a sticker, …).</summary>
    Other,
    SkipPhoto,
    PickCategory,
    PickDate,
    Submit,

    /// <summary>The wizard's cancel button.</summary>
    CancelFiling,

    /// <summary>The cancel button under a typed input (it also leaves the wizard).</summary>
    Cancel,
    AskReason,
    AskDuplicate,
    AskRelease,
    AskDoneNote,
    AskComment,

    /// <summary>The resident's "not done yet": asks what is missing.</summary>
    AskNotDone,
    NoComment,
}
