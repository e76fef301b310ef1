namespace MusterBot.Flows.Complaints;

/// <summary>What moves the complaint conversation (see <see cref="ComplaintFlow"/>'s conversation machine).</summary>
public enum ComplaintTrigger
{
    /// <summary>/complain.</summary>
    Begin,

    /// <summary>"Report a hazard" in emergency mode.</summary>
    BeginHazard,

    /// <summary>Text typed: the description, a reason, a note, the result or a comment, depending on the step.</summary>
    Typed,

    /// <summary>A photo sent: of the problem, or of the result.</summary>
    PhotoSent,
    LocationSent,

    /// <summary>Anything else sent (a sticker, a contact, …).</summary>
    Other,
    PickCategory,
    PhotosDone,
    NoLocation,
    ChooseAnonymous,
    Join,
    FileNew,
    Submit,

    /// <summary>The wizard's cancel button.</summary>
    CancelFiling,

    /// <summary>The cancel button under a typed input (it also leaves the wizard).</summary>
    Cancel,
    AskReturnReason,
    AskProgress,
    AskResult,
    AskExtendReason,
    AskReopenComment,
    AskSupervisionReason,
}
