namespace MusterBot.Flows.Registration;

/// <summary>Steps of registration. Which ones a person sees depends on what they register as and what is known.</summary>
public enum RegStep
{
    ChoosingKind,

    /// <summary>Without an invitation, when several communities take new people: which one the person lives in.</summary>
    ChoosingCommunity,
    SharingContact,
    AskingPhone,
    ChoosingGrid,
    ChoosingBuilding,
    ChoosingRegion,
    AskingWorkUnit,
    ChoosingSkills,
    Confirming,
    Done,
}
