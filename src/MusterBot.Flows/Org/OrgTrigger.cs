namespace MusterBot.Flows.Org;

/// <summary>The inputs of the organisation section; which step takes which is configured in <see cref="OrgFlow"/>.</summary>
public enum OrgTrigger
{
    /// <summary>/admin of an administrator of nodes only, or the section's start button: leaves any input in progress.</summary>
    Opened,

    /// <summary>A view (a node, a page of its children, a confirmation) or an action that stays on the panel.</summary>
    Navigated,

    ChildNameAsked,
    RenameAsked,

    /// <summary>A typed text (a name).</summary>
    NameTyped,

    /// <summary>A photo, a file, a location or anything else: never taken; the person is told what is expected.</summary>
    OtherMessage,

    Cancelled,

    /// <summary>A press that does not decode. Never permitted: the unhandled-trigger hook answers it as stale.</summary>
    StaleButton,
}
