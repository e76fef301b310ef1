namespace MusterBot.Flows.InService;

/// <summary>Steps of the workplace-region and in-service pages. <see cref="Panel"/> holds what works from every step.</summary>
public enum InServiceStep
{
    Panel,
    Idle,
    AwaitingRegionName,
    AwaitingCallText,
    ConfirmingCall,
}

/// <summary>The inputs of <see cref="InServiceFlow"/>.</summary>
public enum InServiceTrigger
{
    /// <summary>A view or an action that stays where the person is (lists, invitations, answers, reporting in).</summary>
    Navigated,

    /// <summary>"New region" or "rename": asks for a name.</summary>
    NameAsked,

    /// <summary>The audience of a call is chosen: asks for its text.</summary>
    CallTextAsked,

    /// <summary>"Send" under the preview of a call.</summary>
    CallConfirmed,

    TextTyped,

    Cancelled,

    /// <summary>A photo, a file or anything else where a text is expected.</summary>
    OtherMessage,

    /// <summary>A press that does not decode: answered as stale.</summary>
    StaleButton,
}
