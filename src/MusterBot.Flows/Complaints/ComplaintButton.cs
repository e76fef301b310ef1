using MusterBot.Flows.Runtime.Buttons;
using MusterBot.State.Records.Complaints;

namespace MusterBot.Flows.Complaints;

/// <summary>
/// Every button of the complaint flow, as typed payloads (callback data <c>cp:tag:field…</c>, see <see cref="Codec"/>).
/// A payload only names a complaint and a choice: the flow re-reads the complaint and the lifecycle machine re-checks
/// who may do what. Most lifecycle buttons keep the callback data they had before the payloads were typed
/// ("cp:acc:12"), so buttons on messages sent before an upgrade still work.
/// </summary>
public abstract record ComplaintButton
{
    /// <summary>The one codec of the flow: each payload type with its tag.</summary>
    public static readonly ButtonCodec<ComplaintButton> Codec = new ButtonCodec<ComplaintButton>("cp")
        // Filing (/complain): the wizard's buttons.
        .Add<CancelFiling>("fx")
        .Add<PickCategory>("fcat")
        .Add<PhotosDone>("fpdone")
        .Add<NoLocation>("floc")
        .Add<ChooseAnonymous>("fanon")
        .Add<JoinSimilar>("fjoin")
        .Add<FileAnyway>("fnew")
        .Add<Submit>("fok")
        // A resident's free text (answered by the main flow): file it as a complaint.
        .Add<FromText>("ftxt")
        // Anyone: the cancel of a typed reason, note or comment. Administrators: /stats.
        .Add<CancelInput>("x")
        .Add<Stats>("st")
        .Add<StatsCsv>("csv")
        // Administrators of a street, district or city: the figures of a node they cover, and escalated complaints.
        .Add<NodeStats>("nst")
        .Add<NodeStatsCsv>("ncsv")
        .Add<OpenEscalated>("eo")
        .Add<Urge>("urge")
        // Administrators: assign, extend the resolution deadline.
        .Add<AssignList>("as")
        .Add<Assign>("asg")
        .Add<ExtendChoices>("ext")
        .Add<Extend>("exd")
        // The handler: accept, return, progress, result.
        .Add<Accept>("acc")
        .Add<GiveBack>("ret")
        .Add<Progress>("note")
        .Add<Resolve>("res")
        // The filer: feedback, reopen.
        .Add<Feedback>("fb")
        .Add<Reopen>("ro");

    public string Encode() => Codec.Encode(this);

    public sealed record CancelFiling : ComplaintButton;

    /// <summary>File the text the resident just typed (kept in their conversation by the main flow) as a complaint.</summary>
    public sealed record FromText : ComplaintButton;

    public sealed record PickCategory(ComplaintCategory Category) : ComplaintButton;

    public sealed record PhotosDone : ComplaintButton;

    public sealed record NoLocation : ComplaintButton;

    public sealed record ChooseAnonymous(bool Anonymous) : ComplaintButton;

    /// <summary>Join a similar open complaint instead of filing a new one.</summary>
    public sealed record JoinSimilar(int Number) : ComplaintButton;

    public sealed record FileAnyway : ComplaintButton;

    public sealed record Submit : ComplaintButton;

    public sealed record CancelInput : ComplaintButton;

    public sealed record Stats(StatsPeriod Period) : ComplaintButton;

    public sealed record StatsCsv(StatsPeriod Period) : ComplaintButton;

    /// <summary>The figures of an organisation node (a community: its detailed view); re-checked against the presser's nodes.</summary>
    public sealed record NodeStats(long NodeId, StatsPeriod Period) : ComplaintButton;

    /// <summary>The CSV of a community seen from above (its node id is its shard).</summary>
    public sealed record NodeStatsCsv(long NodeId, StatsPeriod Period) : ComplaintButton;

    /// <summary>A complaint of another community (its shard) that was escalated to the presser's node: read-only summary.</summary>
    public sealed record OpenEscalated(long Shard, int Number) : ComplaintButton;

    /// <summary>催办: urge the community's handler and administrators about an escalated complaint.</summary>
    public sealed record Urge(long Shard, int Number) : ComplaintButton;

    /// <summary>A button about one complaint.</summary>
    public abstract record About(int Number) : ComplaintButton;

    public sealed record AssignList(int Number) : About(Number);

    public sealed record Assign(int Number, long HandlerId) : About(Number);

    public sealed record ExtendChoices(int Number) : About(Number);

    public sealed record Extend(int Number, int Days) : About(Number);

    public sealed record Accept(int Number) : About(Number);

    public sealed record GiveBack(int Number) : About(Number);

    public sealed record Progress(int Number) : About(Number);

    public sealed record Resolve(int Number) : About(Number);

    public sealed record Feedback(int Number, Satisfaction Satisfaction) : About(Number);

    public sealed record Reopen(int Number) : About(Number);
}

/// <summary>The periods of /stats.</summary>
public enum StatsPeriod
{
    /// <summary>This calendar month.</summary>
    Month,

    /// <summary>The last 30 days.</summary>
    Days30,

    All,
}

/// <summary>The complaint flow's timers (not callback data; the same <c>cp:kind:number</c> shape).</summary>
public abstract record ComplaintTimer(int Number)
{
    public static readonly ButtonCodec<ComplaintTimer> Codec = new ButtonCodec<ComplaintTimer>("cp")
        .Add<WarnResponse>("wresp")
        .Add<ResponseDue>("dresp")
        .Add<WarnResolution>("wres")
        .Add<ResolutionDue>("dres")
        .Add<FeedbackDue>("fb")
        .Add<WarnSupervision>("wsup")
        .Add<SupervisionDue>("dsup")
        .Add<Escalate>("esc");

    public string Id => Codec.Encode(this);

    public sealed record WarnResponse(int Number) : ComplaintTimer(Number);

    public sealed record ResponseDue(int Number) : ComplaintTimer(Number);

    public sealed record WarnResolution(int Number) : ComplaintTimer(Number);

    public sealed record ResolutionDue(int Number) : ComplaintTimer(Number);

    /// <summary>Resolved and no feedback (or dissatisfied and not reopened) in time: closed.</summary>
    public sealed record FeedbackDue(int Number) : ComplaintTimer(Number);

    /// <summary>Under supervision (督办) and not resolved again: the administrators are warned before its deadline.</summary>
    public sealed record WarnSupervision(int Number) : ComplaintTimer(Number);

    /// <summary>Under supervision and not resolved by its deadline: the administrators are told it is overdue.</summary>
    public sealed record SupervisionDue(int Number) : ComplaintTimer(Number);

    /// <summary>
    /// Under supervision and still not resolved: up one level of the tree (street, district, city). Carries the
    /// community's shard, so it is decided on the community's records wherever the timer runs.
    /// </summary>
    public sealed record Escalate(int Number, long Shard) : ComplaintTimer(Number);
}
