namespace MusterBot.Flows.Musters;

/// <summary>The inputs of a person's muster conversation: wizard buttons, typed input, and the starts of a step.</summary>
public enum MusterTrigger
{
    /// <summary>/muster: the wizard starts (from wherever the person is, like every command).</summary>
    Begin,

    /// <summary>/muster by a street or city administrator: the wizard starts with the communities.</summary>
    BeginTree,
    ToggleNode,
    PageNodes,
    PickKind,
    PickTemplate,
    PickScope,
    ToggleRegion,
    ToggleGrid,
    CycleSkill,
    Done,
    Skip,
    ReportWithin,
    DrillOrReal,
    Launch,

    /// <summary>"Include me" on the preview: the launching administrator is called too (or no longer).</summary>
    IncludeMe,
    Save,
    Back,
    Cancel,
    Text,
    Location,

    /// <summary>Anything else typed or sent (a photo, a sticker…).</summary>
    OtherInput,

    /// <summary>"Other" reason: the member is asked to type it.</summary>
    AskReason,

    /// <summary>The member answered with a button: a pending reason question of that muster ends.</summary>
    Answered,

    /// <summary>"Switch to emergency": the administrator is asked for the notice.</summary>
    AskNotice,
    ConfirmEmergency,
}
