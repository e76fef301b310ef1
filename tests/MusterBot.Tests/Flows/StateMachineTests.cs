using MusterBot.Flows.Engine;

namespace MusterBot.Tests.Flows;

public class StateMachineTests
{
    private enum S { Root, A, B, C }

    private enum T { Go, Back, Stay, Param, Nope }

    [Fact]
    public void Fire_PermittedTrigger_MovesAndRunsExitThenEntry()
    {
        var log = new List<string>();
        var m = new StateMachine<S, T>(S.A);
        m.Configure(S.A).Permit(T.Go, S.B).OnExit(_ => log.Add("exit A"));
        m.Configure(S.B).OnEntry(t => log.Add($"enter B from {t.Source} by {t.Trigger}"));

        m.Fire(T.Go);

        Assert.Equal(S.B, m.State);
        Assert.Equal(["exit A", "enter B from A by Go"], log);
    }

    [Fact]
    public void Fire_ExternalState_UsesAccessorAndMutator()
    {
        var stored = "A";
        var m = new StateMachine<S, T>(() => Enum.Parse<S>(stored), s => stored = s.ToString());
        m.Configure(S.A).Permit(T.Go, S.C);

        m.Fire(T.Go);

        Assert.Equal("C", stored);
    }

    [Fact]
    public void PermitIf_GuardChoosesTheTransition()
    {
        var flag = false;
        var m = new StateMachine<S, T>(S.A);
        m.Configure(S.A).PermitIf(T.Go, S.B, () => flag, "flag").PermitIf(T.Go, S.C, () => !flag, "not flag");

        Assert.True(m.CanFire(T.Go));
        m.Fire(T.Go);
        Assert.Equal(S.C, m.State);
    }

    [Fact]
    public void Fire_Unhandled_CallsHookInsteadOfThrowing()
    {
        (S, T)? seen = null;
        var m = new StateMachine<S, T>(S.A);
        m.Configure(S.A).Permit(T.Go, S.B);
        m.OnUnhandledTrigger((s, t) => seen = (s, t));

        m.Fire(T.Nope);

        Assert.Equal((S.A, T.Nope), seen);
        Assert.Equal(S.A, m.State);
        Assert.False(m.CanFire(T.Nope));
    }

    [Fact]
    public void Fire_Unhandled_WithoutHook_Throws()
    {
        var m = new StateMachine<S, T>(S.A);
        m.Configure(S.A);
        Assert.Throws<InvalidOperationException>(() => m.Fire(T.Nope));
    }

    [Fact]
    public void Substate_InheritsSuperstateTransitions_AndSharedSuperstateIsNotReentered()
    {
        var log = new List<string>();
        var m = new StateMachine<S, T>(S.A);
        m.Configure(S.Root).InternalTransition(T.Stay, _ => log.Add("root handled")).OnEntry(() => log.Add("enter root")).OnExit(_ => log.Add("exit root"));
        m.Configure(S.A).SubstateOf(S.Root).Permit(T.Go, S.B);
        m.Configure(S.B).SubstateOf(S.Root).OnEntry(() => log.Add("enter B"));

        m.Fire(T.Stay);
        m.Fire(T.Go);

        Assert.Equal(["root handled", "enter B"], log);
        Assert.True(m.IsInState(S.Root));
        Assert.Contains(T.Stay, m.PermittedTriggers);
    }

    [Fact]
    public void ParameterisedTrigger_PassesArgumentToEntryAndInternalActions()
    {
        var got = new List<int>();
        var m = new StateMachine<S, T>(S.A);
        var param = m.SetTriggerParameters<int>(T.Param);
        m.Configure(S.A).Permit(T.Param, S.B);
        m.Configure(S.B).OnEntryFrom(param, (n, _) => got.Add(n)).InternalTransition(param, (n, _) => got.Add(n * 10));

        m.Fire(param, 4);
        m.Fire(param, 5);

        Assert.Equal([4, 50], got);
    }

    [Fact]
    public void PermitReentry_RunsExitAndEntryAgain()
    {
        var entries = 0;
        var m = new StateMachine<S, T>(S.A);
        m.Configure(S.A).PermitReentry(T.Stay).OnEntry(() => entries++);

        m.Fire(T.Stay);

        Assert.Equal(1, entries);
        Assert.Equal(S.A, m.State);
    }

    [Fact]
    public void Ignore_DoesNothing()
    {
        var m = new StateMachine<S, T>(S.A);
        m.Configure(S.A).Ignore(T.Nope);
        m.Fire(T.Nope);
        Assert.Equal(S.A, m.State);
    }

    [Fact]
    public void PermitDynamic_ChoosesDestinationAtFireTime()
    {
        var target = S.C;
        var m = new StateMachine<S, T>(S.A);
        m.Configure(S.A).PermitDynamic(T.Go, () => target, S.B, S.C);
        m.Fire(T.Go);
        Assert.Equal(S.C, m.State);
    }

    [Fact]
    public void ToMermaidGraph_DrawsTransitionsGuardsAndSuperstates()
    {
        var m = new StateMachine<S, T>(S.A);
        m.Configure(S.Root).InternalTransition(T.Stay, _ => { });
        m.Configure(S.A).SubstateOf(S.Root).PermitIf(T.Go, S.B, () => true, "ready");
        m.Configure(S.B).SubstateOf(S.Root).Permit(T.Back, S.A);

        var graph = m.ToMermaidGraph(S.A);

        Assert.StartsWith("stateDiagram-v2\n    [*] --> A\n", graph, StringComparison.Ordinal);
        Assert.Contains("state Root {", graph, StringComparison.Ordinal);
        Assert.Contains("A --> B : Go [ready]", graph, StringComparison.Ordinal);
        Assert.Contains("B --> A : Back", graph, StringComparison.Ordinal);
        Assert.Contains("Root --> Root : Stay (internal)", graph, StringComparison.Ordinal);
    }
}
