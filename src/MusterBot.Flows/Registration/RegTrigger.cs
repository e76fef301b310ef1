namespace MusterBot.Flows.Registration;

/// <summary>
/// The inputs of registration (which question takes which is configured in <see cref="RegistrationFlow"/>), and the
/// outcomes of reading them.
/// </summary>
public enum RegTrigger
{
    /// <summary>A page of streets or of a street's communities.</summary>
    CommunitiesBrowsed,
    CommunityPicked,
    GridPicked,
    BuildingPicked,
    RegionPicked,
    SkillToggled,
    SkillsDone,

    /// <summary>"Skip" (no building, region, work unit; no phone number for a resident).</summary>
    Skipped,
    ContactShared,
    TextTyped,

    /// <summary>A photo, a location, a file…: taken only where a phone number is asked (to say it is not one).</summary>
    OtherMessage,

    Back,
    Confirmed,
    Cancelled,

    /// <summary>A press that does not decode, or the mark of an answered question. Never taken: answered as stale.</summary>
    StaleButton,

    /// <summary>Outcome: a valid answer; go to the next question not answered yet.</summary>
    Answered,

    /// <summary>Outcome: a change that stays on the question (a skill toggled).</summary>
    Adjusted,

    /// <summary>Outcome: an answer that does not fit; ask again with a hint.</summary>
    Invalid,
}
