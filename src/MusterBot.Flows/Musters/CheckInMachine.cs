using Stateless;
using Stateless.Graph;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Musters;

/// <summary>The states of a member's answer: every status is a substate of <see cref="Called"/> (a member called to a muster).</summary>
public enum AnswerState
{
    Called,
    NoAnswer,
    Acknowledged,
    OnTheWay,
    Arrived,
    CantCome,
}

/// <summary>What can happen to a member's answer: the member's own presses and typed reason, and a convenor's.</summary>
public enum AnswerTrigger
{
    Acknowledge,
    SetOut,
    Arrive,
    CantCome,
    Eta,
    Reason,
    OtherReason,
    WriteReason,
    ShareLocation,
    Phoned,
    OnBehalfSetOut,
    OnBehalfArrive,
    OnBehalfCantCome,
}

/// <summary>How a decision on an answer came out; the flow does the work (or answers the person) accordingly.</summary>
public enum AnswerOutcome
{
    /// <summary>The status changed.</summary>
    Changed,

    /// <summary>Allowed in this status without changing it (an ETA, a reason, a location, "reached by phone").</summary>
    Updated,

    /// <summary>The same answer again: nothing to record.</summary>
    Same,

    /// <summary>The muster is closed.</summary>
    Closed,

    /// <summary>The presser may not act for this member.</summary>
    NotAllowed,

    /// <summary>Not an input of this status (a stale or forged button).</summary>
    NotPermitted,
}

/// <summary>The decision and the answer's status after it.</summary>
public readonly record struct AnswerDecision(AnswerOutcome Outcome, CheckInStatus Status);

/// <summary>
/// A member's check-in as a Stateless machine over the answer's status (external state). The configuration is the one
/// place that says which press is allowed in which status, and who may make it: the member answers and changes their
/// answer while the muster is open; an ETA belongs to "on the way", a reason to "can't come", a location to "on the way"
/// and "arrived"; a convenor of the member's region (or an administrator) marks them reached by phone or answers for
/// them. Anything else reaches the unhandled-trigger hook, which only records why; the flow answers politely.
/// Building a machine costs tens of microseconds: one machine per thread is configured once and reused (a decision is
/// synchronous), and each decision's result is remembered.
/// </summary>
public sealed class CheckInMachine
{
    public const string MusterOpen = "the muster is open";
    public const string ConvenorOrAdmin = "a convenor of the member's region or an administrator";

    private static readonly int TriggerCount = Enum.GetValues<AnswerTrigger>().Length;
    private static readonly int[] Memo = new int[Enum.GetValues<CheckInStatus>().Length * TriggerCount * 4];

    [ThreadStatic]
    private static CheckInMachine? _cached;

    private readonly StateMachine<AnswerState, AnswerTrigger> _machine;
    private AnswerState _state;
    private bool _open;
    private bool _mayActFor;
    private AnswerOutcome? _outcome;

    private CheckInMachine()
    {
        _machine = new StateMachine<AnswerState, AnswerTrigger>(() => _state, s => _state = s);
        Configure(_machine, () => _open, () => _mayActFor, outcome => _outcome = outcome);
    }

    /// <summary>
    /// Decides a trigger on an answer in <paramref name="status"/>. A decision depends only on its four inputs, so the
    /// machine's answer is remembered (a few hundred combinations; one int each, written atomically).
    /// </summary>
    public static AnswerDecision Decide(CheckInStatus status, AnswerTrigger trigger, bool open, bool mayActFor = false)
    {
        var slot = ((((int)status * TriggerCount) + (int)trigger) * 4) + (open ? 2 : 0) + (mayActFor ? 1 : 0);
        if ((uint)slot < (uint)Memo.Length && Volatile.Read(ref Memo[slot]) is var packed and > 0)
        {
            return new AnswerDecision((AnswerOutcome)((packed >> 8) - 1), (CheckInStatus)(packed & 0xFF));
        }

        var decision = Fire(status, trigger, open, mayActFor);
        if ((uint)slot < (uint)Memo.Length)
        {
            Volatile.Write(ref Memo[slot], ((int)(decision.Outcome + 1) << 8) | (int)decision.Status);
        }

        return decision;
    }

    private static AnswerDecision Fire(CheckInStatus status, AnswerTrigger trigger, bool open, bool mayActFor)
    {
        var m = _cached ??= new CheckInMachine();
        m._state = StateOf(status);
        m._open = open;
        m._mayActFor = mayActFor;
        m._outcome = null;
        m._machine.Fire(trigger);
        var after = StatusOf(m._state);
        return new AnswerDecision(m._outcome ?? (after == status ? AnswerOutcome.Updated : AnswerOutcome.Changed), after);
    }

    /// <summary>The trigger of a member's own answer (null for "no answer", which nobody can choose).</summary>
    public static AnswerTrigger? AnswerTo(CheckInStatus status) => status switch
    {
        CheckInStatus.Acknowledged => AnswerTrigger.Acknowledge,
        CheckInStatus.OnTheWay => AnswerTrigger.SetOut,
        CheckInStatus.Arrived => AnswerTrigger.Arrive,
        CheckInStatus.CantCome => AnswerTrigger.CantCome,
        _ => null,
    };

    /// <summary>The trigger of a convenor's answer for a member (they cannot acknowledge for them).</summary>
    public static AnswerTrigger? OnBehalfTo(CheckInStatus status) => status switch
    {
        CheckInStatus.OnTheWay => AnswerTrigger.OnBehalfSetOut,
        CheckInStatus.Arrived => AnswerTrigger.OnBehalfArrive,
        CheckInStatus.CantCome => AnswerTrigger.OnBehalfCantCome,
        _ => null,
    };

    public static string ToMermaid()
    {
        var state = AnswerState.NoAnswer;
        var machine = new StateMachine<AnswerState, AnswerTrigger>(() => state, s => state = s);
        Configure(machine, () => true, () => true, _ => { });
        return MermaidGraph.Format(machine.GetInfo());
    }

    private static void Configure(StateMachine<AnswerState, AnswerTrigger> machine, Func<bool> open, Func<bool> mayActFor, Action<AnswerOutcome> outcome)
    {
        var memberGuard = Tuple.Create(open, MusterOpen);
        var convenorGuards = new[] { memberGuard, Tuple.Create(mayActFor, ConvenorOrAdmin) };
        (AnswerTrigger Own, AnswerTrigger? ForThem, AnswerState To)[] answers =
        [
            (AnswerTrigger.Acknowledge, null, AnswerState.Acknowledged),
            (AnswerTrigger.SetOut, AnswerTrigger.OnBehalfSetOut, AnswerState.OnTheWay),
            (AnswerTrigger.Arrive, AnswerTrigger.OnBehalfArrive, AnswerState.Arrived),
            (AnswerTrigger.CantCome, AnswerTrigger.OnBehalfCantCome, AnswerState.CantCome),
        ];

        // Any status can change to any other while the muster is open; a typed reason makes it "can't come".
        var called = machine.Configure(AnswerState.Called)
            .PermitIf(AnswerTrigger.WriteReason, AnswerState.CantCome, open, MusterOpen)
            .InternalTransitionIf(AnswerTrigger.Phoned, _ => open() && mayActFor(), _ => { }, MusterOpen + " and " + ConvenorOrAdmin);
        foreach (var (own, forThem, to) in answers)
        {
            called.PermitIf(own, to, memberGuard);
            if (forThem is { } t)
            {
                called.PermitIf(t, to, convenorGuards);
            }
        }

        machine.Configure(AnswerState.NoAnswer).SubstateOf(AnswerState.Called);
        foreach (var (own, forThem, to) in answers)
        {
            // The same answer again changes nothing.
            var state = machine.Configure(to).SubstateOf(AnswerState.Called)
                .InternalTransitionIf(own, _ => open(), _ => outcome(AnswerOutcome.Same), MusterOpen);
            if (forThem is { } t)
            {
                state.InternalTransitionIf(t, _ => open() && mayActFor(), _ => outcome(AnswerOutcome.Same), MusterOpen + " and " + ConvenorOrAdmin);
            }
        }

        machine.Configure(AnswerState.OnTheWay)
            .InternalTransitionIf(AnswerTrigger.Eta, _ => open(), _ => { }, MusterOpen)
            .InternalTransitionIf(AnswerTrigger.ShareLocation, _ => open(), _ => { }, MusterOpen);
        machine.Configure(AnswerState.Arrived)
            .InternalTransitionIf(AnswerTrigger.ShareLocation, _ => open(), _ => { }, MusterOpen);
        machine.Configure(AnswerState.CantCome)
            .InternalTransitionIf(AnswerTrigger.Reason, _ => open(), _ => { }, MusterOpen)
            .InternalTransitionIf(AnswerTrigger.OtherReason, _ => open(), _ => { }, MusterOpen)
            .InternalTransitionIf(AnswerTrigger.WriteReason, _ => open(), _ => { }, MusterOpen);

        // Never throws to intake: records why, and the flow answers the person.
        machine.OnUnhandledTrigger((_, _, unmet) => outcome(
            unmet is not { Count: > 0 } ? AnswerOutcome.NotPermitted
            : !open() ? AnswerOutcome.Closed
            : AnswerOutcome.NotAllowed));
    }

    private static AnswerState StateOf(CheckInStatus status) => status switch
    {
        CheckInStatus.Acknowledged => AnswerState.Acknowledged,
        CheckInStatus.OnTheWay => AnswerState.OnTheWay,
        CheckInStatus.Arrived => AnswerState.Arrived,
        CheckInStatus.CantCome => AnswerState.CantCome,
        _ => AnswerState.NoAnswer,
    };

    private static CheckInStatus StatusOf(AnswerState state) => state switch
    {
        AnswerState.Acknowledged => CheckInStatus.Acknowledged,
        AnswerState.OnTheWay => CheckInStatus.OnTheWay,
        AnswerState.Arrived => CheckInStatus.Arrived,
        AnswerState.CantCome => CheckInStatus.CantCome,
        _ => CheckInStatus.NoAnswer,
    };
}
