using Stateless;
using Stateless.Graph;

namespace MusterBot.Flows.Musters;

/// <summary>The community's mode: normal time (平时) or emergency (急时).</summary>
public enum ModeState
{
    Normal,
    Emergency,
}

/// <summary>The /mode buttons.</summary>
public enum ModeTrigger
{
    AskEmergency,
    ConfirmEmergency,
    AskNormal,
    ConfirmNormal,
}

/// <summary>How a /mode press came out.</summary>
public enum ModeOutcome
{
    /// <summary>Allowed: ask for the notice, ask to confirm, or switch.</summary>
    Allowed,

    /// <summary>The community is already in the mode the press asks for.</summary>
    AlreadyThere,

    /// <summary>A confirm of emergency without this administrator's previewed notice (cancelled, or someone else's).</summary>
    NothingToConfirm,
}

/// <summary>
/// /mode as a Stateless machine over the community's mode (external state): "switch to emergency" asks for a notice,
/// which is previewed and confirmed; "back to normal" asks to confirm. A press for the mode the community is already
/// in reaches the unhandled-trigger hook, which only records it; the flow answers. Built per press (rare, administrators).
/// </summary>
public static class ModeMachine
{
    public const string NoticePreviewed = "this administrator's notice, previewed";

    public static ModeOutcome Decide(bool emergency, ModeTrigger trigger, bool noticePreviewed)
    {
        var state = emergency ? ModeState.Emergency : ModeState.Normal;
        ModeOutcome? refused = null;
        var machine = Build(() => state, s => state = s, () => noticePreviewed);
        machine.OnUnhandledTrigger((_, _, unmet) => refused = unmet is { Count: > 0 } ? ModeOutcome.NothingToConfirm : ModeOutcome.AlreadyThere);
        machine.Fire(trigger);
        return refused ?? ModeOutcome.Allowed;
    }

    public static string ToMermaid()
    {
        var state = ModeState.Normal;
        var machine = Build(() => state, s => state = s, () => true);
        return MermaidGraph.Format(machine.GetInfo());
    }

    private static StateMachine<ModeState, ModeTrigger> Build(Func<ModeState> read, Action<ModeState> write, Func<bool> noticePreviewed)
    {
        var machine = new StateMachine<ModeState, ModeTrigger>(read, write);
        machine.Configure(ModeState.Normal)
            .InternalTransitionIf(ModeTrigger.AskEmergency, _ => true, _ => { }, "asks for the notice")
            .PermitIf(ModeTrigger.ConfirmEmergency, ModeState.Emergency, noticePreviewed, NoticePreviewed);
        machine.Configure(ModeState.Emergency)
            .InternalTransitionIf(ModeTrigger.AskNormal, _ => true, _ => { }, "asks to confirm")
            .Permit(ModeTrigger.ConfirmNormal, ModeState.Normal);
        return machine;
    }
}
