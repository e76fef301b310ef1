namespace MusterBot.Flows.Registration;

public enum RegTrigger
{
    /// <summary>A valid answer to the current step: go to the next step.</summary>
    Answered,

    /// <summary>A change that stays on the step (a skill toggled).</summary>
    Adjusted,

    /// <summary>An answer that does not fit: ask again with a hint.</summary>
    Invalid,

    Back,
    Confirmed,
    Cancelled,
    StaleButton,
}
