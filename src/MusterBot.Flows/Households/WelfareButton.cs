using MusterBot.Flows.Runtime.Buttons;
using MusterBot.State.Records.Households;

namespace MusterBot.Flows.Households;

/// <summary>
/// The buttons of a muster's welfare check. A payload names a muster and a household; every press re-reads the visit
/// and re-checks the presser: the member it is given to, or a convenor or administrator of the muster.
/// </summary>
public abstract record WelfareButton
{
    public static readonly ButtonCodec<WelfareButton> Codec = new ButtonCodec<WelfareButton>("wf")
        .Add<Setup>("set")
        .Add<OpenSetup>("seto")
        .Add<OpenPanel>("po")
        .Add<Start>("go")
        .Add<Mine>("mine")
        .Add<Visit>("v")
        .Add<Report>("r")
        .Add<Help>("help")
        .Add<Need>("need")
        .Add<DetailDone>("dd")
        .Add<Take>("take")
        .Add<Done>("done")
        .Add<Panel>("p")
        .Add<Reassign>("ra")
        .Add<ReassignTo>("rato");

    /// <summary>The start of a check: which households (<paramref name="Mask"/>: bits 0–7 the built-in tags, 8 on the community's own tags; none = every tagged one).</summary>
    public sealed record Setup(int Number, int Mask) : WelfareButton;

    public sealed record Start(int Number, int Mask) : WelfareButton;

    /// <summary>The start's view as a new message (pressed on a live roll call, which must stay as it is).</summary>
    public sealed record OpenSetup(int Number) : WelfareButton;

    /// <summary>The progress as a new message (pressed on a live roll call or a request for help, which keep their buttons).</summary>
    public sealed record OpenPanel(int Number) : WelfareButton;

    /// <summary>The households given to the presser in a muster.</summary>
    public sealed record Mine(int Number) : WelfareButton;

    public sealed record Visit(int Number, int Household) : WelfareButton;

    /// <summary>Safe, not home or moved (needs help goes through <see cref="Help"/>).</summary>
    public sealed record Report(int Number, int Household, VisitOutcome Outcome) : WelfareButton;

    public sealed record Help(int Number, int Household) : WelfareButton;

    public sealed record Need(int Number, int Household, HelpNeed What) : WelfareButton;

    /// <summary>Ends adding a photo or location to a request for help.</summary>
    public sealed record DetailDone(int Number, int Household) : WelfareButton;

    /// <summary>A convenor or administrator takes a request for help.</summary>
    public sealed record Take(int Number, int Household) : WelfareButton;

    public sealed record Done(int Number, int Household) : WelfareButton;

    /// <summary>The check's progress for convenors and administrators.</summary>
    public sealed record Panel(int Number) : WelfareButton;

    public sealed record Reassign(int Number, int Household) : WelfareButton;

    public sealed record ReassignTo(int Number, int Household, long UserId) : WelfareButton;
}

/// <summary>The welfare check's timers (not callback data; the same "wf:…" shape, with tags of their own).</summary>
public abstract record WelfareTimer
{
    public static ButtonCodec<WelfareTimer> Codec { get; } = new ButtonCodec<WelfareTimer>("wf")
        .Add<Remind>("trem")
        .Add<EscalateUnchecked>("tesc")
        .Add<HelpUntaken>("thelp");

    public string Id => Codec.Encode(this);

    /// <summary>Members with unchecked households are reminded.</summary>
    public sealed record Remind(int Number) : WelfareTimer;

    /// <summary>Households still unchecked are listed to the convenors and administrators.</summary>
    public sealed record EscalateUnchecked(int Number) : WelfareTimer;

    /// <summary>A request for help nobody has taken is sent again, wider.</summary>
    public sealed record HelpUntaken(int Number, int Household) : WelfareTimer;
}
