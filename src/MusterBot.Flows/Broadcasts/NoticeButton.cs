using MusterBot.Flows.Runtime.Buttons;

namespace MusterBot.Flows.Broadcasts;

/// <summary>When a notice goes out, as offered by the wizard (a time can also be typed).</summary>
public enum NoticeWhen
{
    Now,
    InOneHour,
    Tonight,
    TomorrowMorning,
}

/// <summary>
/// Every button of the notice flow ("nt:tag:field…"), and its timer's payload. A payload names a notice or a choice;
/// the flow re-reads the notice and re-checks the presser's rights.
/// </summary>
public abstract record NoticeButton
{
    public static readonly ButtonCodec<NoticeButton> Codec = new ButtonCodec<NoticeButton>("nt")
        // The wizard (administrators and grid workers).
        .Add<Compose>("new")
        .Add<Toggle>("t")
        .Add<Done>("ok")
        .Add<SkipPhoto>("np")
        .Add<SendTime>("w")
        .Add<Urgent>("u")
        .Add<Send>("go")
        .Add<Cancel>("x")
        // A notice sent or scheduled.
        .Add<Stats>("s")
        .Add<CancelScheduled>("cx")
        // A resident's "read" (in private or in a linked group: it names the community).
        .Add<Read>("r")
        // The timer of a scheduled notice.
        .Add<Due>("due");

    public string Data => Codec.Encode(this);

    public sealed record Compose : NoticeButton;

    /// <summary>Chooses or unchooses a grid ("g1") or a building of it ("g1/b2").</summary>
    public sealed record Toggle(string Target) : NoticeButton;

    public sealed record Done : NoticeButton;

    public sealed record SkipPhoto : NoticeButton;

    public sealed record SendTime(NoticeWhen Choice) : NoticeButton;

    public sealed record Urgent : NoticeButton;

    public sealed record Send : NoticeButton;

    public sealed record Cancel : NoticeButton;

    public sealed record Stats(int Number) : NoticeButton;

    public sealed record CancelScheduled(int Number) : NoticeButton;

    public sealed record Read(long Community, int Number) : NoticeButton;

    public sealed record Due(int Number) : NoticeButton;
}

/// <summary>The steps of writing a notice.</summary>
public enum NoticeStep
{
    Idle,
    Writing,
    Targets,
    Text,
    Photo,
    When,
    Confirm,
}

/// <summary>What moves the notice wizard.</summary>
public enum NoticeTrigger
{
    Begin,
    TargetsChosen,
    Typed,
    PhotoSent,
    SkipPhoto,
    TimeChosen,
    Send,
    Cancel,
}
