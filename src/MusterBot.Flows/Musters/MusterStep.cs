namespace MusterBot.Flows.Musters;

/// <summary>Steps of the muster flow: the launch wizard, and the few inputs a member or administrator types.</summary>
public enum MusterStep
{
    Idle,
    Wizard,
    Kind,
    Scope,
    PickRegions,
    PickGrids,
    PickSkills,
    Rally,
    Pin,
    ReportBy,
    DrillOrReal,
    ResidentNotice,
    Preview,
    TemplateName,
    ReasonText,
    ArrivedLocation,
    ModeNotice,
}
