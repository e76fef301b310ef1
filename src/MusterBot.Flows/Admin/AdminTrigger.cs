namespace MusterBot.Flows.Admin;

public enum AdminTrigger
{
    /// <summary>A view of the panel was asked for (a list, a detail, a page).</summary>
    Navigated,

    /// <summary>An action that needs typed input or a wizard began.</summary>
    InputRequested,

    /// <summary>A valid input: go to the next wizard step or back to the panel.</summary>
    InputAccepted,

    /// <summary>An input that does not fit: ask again with a hint.</summary>
    InputRejected,

    Cancelled,
    NotAllowed,
}
