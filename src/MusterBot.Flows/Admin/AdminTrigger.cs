namespace MusterBot.Flows.Admin;

/// <summary>The inputs of the administrators' panel; which step takes which is configured in <see cref="AdminFlow"/>.</summary>
public enum AdminTrigger
{
    /// <summary>/admin: the menu, leaving any input in progress.</summary>
    Opened,

    /// <summary>A view of the panel (a list, a detail, a page) or an action that stays on the panel.</summary>
    Navigated,

    GridNameAsked,
    BuildingNameAsked,
    RegionNameAsked,
    RenameAsked,
    InviteStarted,
    InviteRolePicked,
    InviteScopePicked,
    InviteUsesPicked,
    InviteExpiryPicked,
    RosterFileAsked,

    /// <summary>A typed text (a name).</summary>
    NameTyped,

    /// <summary>A document (the roster file).</summary>
    FileSent,

    /// <summary>A photo, a location or anything else: never taken; the person is told what is expected.</summary>
    OtherMessage,

    Cancelled,

    /// <summary>A press that does not decode. Never permitted: the unhandled-trigger hook answers it as stale.</summary>
    StaleButton,
}
