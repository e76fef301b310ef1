namespace MusterBot.Flows.Musters;

/// <summary>
/// Steps of a person's conversation in the muster flow: the launch wizard (substates of <see cref="Wizard"/>), and
/// the few things a member or administrator types (a reason of their own, the emergency notice).
/// </summary>
public enum MusterStep
{
    Idle,
    Wizard,

    /// <summary>A street's or city's launch: the communities (child nodes) and workplace regions.</summary>
    PickNodes,
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
    ModeNotice,
}
