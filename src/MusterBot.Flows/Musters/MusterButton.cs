using MusterBot.Flows.Runtime.Buttons;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Musters;

/// <summary>
/// Every button of the muster flow, as a typed payload. Callback data is never trusted: a payload names a muster, a
/// region or a member, and the flow re-reads them and re-checks the presser's rights; whether the press is allowed in
/// the person's step or the member's answer is decided by the flow's state machines.
/// </summary>
public abstract record MusterButton
{
    /// <summary>The one codec of the flow ("mu:tag:field…"): a press that does not decode is a stale or forged button.</summary>
    public static ButtonCodec<MusterButton> Codec { get; } = new ButtonCodec<MusterButton>("mu")
        // A member's answer to an order.
        .Add<CheckIn>("ci")
        .Add<Eta>("eta")
        .Add<Reason>("rs")
        // A member's answer pressed on the order posted in their region's linked group (the only muster button taken in a group).
        .Add<GroupCheckIn>("gci")
        // A convenor's order.
        .Add<Acknowledge>("ack")
        .Add<Relay>("rel")
        .Add<OpenRollCall>("rco")
        // Live roll calls, non-responders and a member's card.
        .Add<Refresh>("rc")
        .Add<NonResponders>("nr")
        .Add<AskNonResponders>("nrn")
        .Add<MemberCard>("pm")
        .Add<Phoned>("ph")
        .Add<OnBehalf>("pb")
        // Closing.
        .Add<Close>("cl")
        .Add<KeepOpen>("cl0")
        .Add<ConfirmClose>("cly")
        // A post leader's call for more people (the count chosen on the post's screen).
        .Add<FollowUp>("fu")
        // The community mode.
        .Add<AskEmergency>("me")
        .Add<ConfirmEmergency>("mey")
        .Add<AskNormal>("mn")
        .Add<ConfirmNormal>("mny")
        // The mode of every community under a street or city.
        .Add<TreeMode>("mt")
        .Add<TreeModeConfirm>("mty")
        // A street's or city's muster: its aggregated roll call, drilled down by child node.
        .Add<TreeRefresh>("trc")
        .Add<TreeDrill>("trd")
        .Add<TreeClose>("tcl")
        .Add<TreeCloseConfirm>("tcly")
        // A workplace region's convenor's order in a street's or city's muster.
        .Add<WorkplaceAck>("wpa")
        .Add<WorkplaceRelay>("wpr")
        .Add<WorkplaceRollCall>("wpc")
        .Add<WorkplaceRefresh>("wpf")
        // The launch wizard (and the cancel of a typed answer).
        .Add<PickKind>("wk")
        .Add<ToggleNode>("wn")
        .Add<ToggleAllNodes>("wna")
        .Add<NodePage>("wnp")
        .Add<ToggleWorkplace>("wwr")
        .Add<ToggleAllWorkplace>("wwa")
        .Add<PickTemplate>("wt")
        .Add<PickScope>("ws")
        .Add<ToggleRegion>("wr")
        .Add<ToggleGrid>("wg")
        .Add<CycleSkill>("wsk")
        .Add<Done>("wok")
        .Add<Skip>("wskip")
        .Add<ReportWithin>("wrb")
        .Add<DrillOrReal>("wdr")
        .Add<Launch>("wgo")
        .Add<IncludeMe>("wme")
        .Add<SaveTemplate>("wsave")
        .Add<Back>("wback")
        .Add<Cancel>("x");

    /// <summary>The callback data of this payload.</summary>
    public string Data => Codec.Encode(this);

    /// <summary>A button about one muster: the flow re-reads the muster before anything else.</summary>
    public abstract record OfMuster : MusterButton
    {
        public abstract int Number { get; init; }
    }

    /// <summary>A button of the launch wizard (or the cancel of a typed answer): allowed only in its step.</summary>
    public abstract record WizardChoice : MusterButton;

    /// <summary>A button of /mode.</summary>
    public abstract record ModeChoice : MusterButton;

    /// <summary>A member answers muster <paramref name="Number"/> (NoAnswer is never offered: it decodes, and is refused).</summary>
    public sealed record CheckIn(int Number, CheckInStatus Status) : OfMuster;

    /// <summary>
    /// A check-in pressed on the order posted in a group: names the community (the shard the muster lives in), since the
    /// presser may be anyone in the group. The flow checks the presser against the muster's called list.
    /// </summary>
    public sealed record GroupCheckIn(long Community, int Number, CheckInStatus Status) : MusterButton;

    public sealed record Eta(int Number, int Minutes) : OfMuster;

    public sealed record Reason(int Number, CantComeReason Why) : OfMuster;

    public sealed record Acknowledge(int Number, string RegionId) : OfMuster;

    public sealed record Relay(int Number, string RegionId) : OfMuster;

    /// <summary>"Roll call" on a convenor's order: a new live roll call of the region.</summary>
    public sealed record OpenRollCall(int Number, string RegionId) : OfMuster;

    /// <summary>"Refresh" on a live roll call: the region's, or the community's when <paramref name="RegionId"/> is null.</summary>
    public sealed record Refresh(int Number, string? RegionId) : OfMuster;

    /// <summary>A page of a region's non-responders, edited in place.</summary>
    public sealed record NonResponders(int Number, string RegionId, int Page) : OfMuster;

    /// <summary>"No answer yet" on a roll call or a nudge: the first page as a new message.</summary>
    public sealed record AskNonResponders(int Number, string RegionId) : OfMuster;

    public sealed record MemberCard(int Number, long UserId) : OfMuster;

    /// <summary>A convenor reached the member by phone.</summary>
    public sealed record Phoned(int Number, long UserId) : OfMuster;

    /// <summary>A convenor answers for the member.</summary>
    public sealed record OnBehalf(int Number, long UserId, CheckInStatus Status) : OfMuster;

    public sealed record Close(int Number) : OfMuster;

    public sealed record KeepOpen(int Number) : OfMuster;

    public sealed record ConfirmClose(int Number) : OfMuster;

    /// <summary>Launches a follow-up muster for post <paramref name="Post"/> of this muster, asking for <paramref name="Count"/> more people.</summary>
    public sealed record FollowUp(int Number, int Post, int Count) : OfMuster;

    public sealed record AskEmergency : ModeChoice;

    public sealed record ConfirmEmergency : ModeChoice;

    public sealed record AskNormal : ModeChoice;

    public sealed record ConfirmNormal : ModeChoice;

    /// <summary>A street or city administrator asks to switch every community below <paramref name="NodeId"/>.</summary>
    public sealed record TreeMode(long NodeId, bool Emergency) : ModeChoice;

    public sealed record TreeModeConfirm(long NodeId, bool Emergency) : ModeChoice;

    /// <summary>A street's or city's aggregated roll call (node <paramref name="NodeId"/>, muster <paramref name="Number"/> there).</summary>
    public sealed record TreeRefresh(long NodeId, int Number) : MusterButton;

    /// <summary>Drills the aggregated roll call down to one child node (0: back to the top).</summary>
    public sealed record TreeDrill(long NodeId, int Number, long ChildId) : MusterButton;

    /// <summary>"Close" on a street's or city's roll call: asks first.</summary>
    public sealed record TreeClose(long NodeId, int Number) : MusterButton;

    /// <summary>"Yes, close it": the muster and every community's part close.</summary>
    public sealed record TreeCloseConfirm(long NodeId, int Number) : MusterButton;

    /// <summary>A workplace region's convenor acknowledges the street's or city's order (<paramref name="Index"/> in <see cref="TreeMuster.WorkplaceKeys"/>).</summary>
    public sealed record WorkplaceAck(long NodeId, int Number, int Index) : MusterButton;

    /// <summary>A workplace region's convenor relays the order to the region's members (in every community they live in).</summary>
    public sealed record WorkplaceRelay(long NodeId, int Number, int Index) : MusterButton;

    /// <summary>A workplace region's roll call: one line per community its members report to.</summary>
    public sealed record WorkplaceRollCall(long NodeId, int Number, int Index) : MusterButton;

    /// <summary>"Refresh" on a workplace region's roll call (edited in place).</summary>
    public sealed record WorkplaceRefresh(long NodeId, int Number, int Index) : MusterButton;

    public sealed record PickKind(MusterKind Kind) : WizardChoice;

    /// <summary>A street's or city's launch: a child node (with everything below it) chosen or not.</summary>
    public sealed record ToggleNode(long NodeId) : WizardChoice;

    /// <summary>Every community below the launcher's node.</summary>
    public sealed record ToggleAllNodes : WizardChoice;

    public sealed record NodePage(int Page) : WizardChoice;

    /// <summary>A workplace region of the launcher's node: its members report to the community where they live.</summary>
    public sealed record ToggleWorkplace(string RegionId) : WizardChoice;

    /// <summary>Every workplace region of the node and the nodes below it.</summary>
    public sealed record ToggleAllWorkplace : WizardChoice;

    public sealed record PickTemplate(int Index) : WizardChoice;

    public sealed record PickScope(MusterScopeKind Scope) : WizardChoice;

    public sealed record ToggleRegion(string RegionId) : WizardChoice;

    public sealed record ToggleGrid(string GridId) : WizardChoice;

    public sealed record CycleSkill(Skill Skill) : WizardChoice;

    /// <summary>"Done" after picking regions, grids or skills.</summary>
    public sealed record Done : WizardChoice;

    /// <summary>"Skip" the pin, or "use the standard notice".</summary>
    public sealed record Skip : WizardChoice;

    public sealed record ReportWithin(int Minutes) : WizardChoice;

    public sealed record DrillOrReal(bool Drill) : WizardChoice;

    public sealed record Launch : WizardChoice;

    /// <summary>"Include me" / "Leave me out" on the preview (the launching administrator is not called unless they choose it).</summary>
    public sealed record IncludeMe : WizardChoice;

    public sealed record SaveTemplate : WizardChoice;

    public sealed record Back : WizardChoice;

    /// <summary>Cancels the wizard, a typed reason or the emergency notice.</summary>
    public sealed record Cancel : WizardChoice;
}

/// <summary>The community timers of a muster (not callback data; the same "mu:kind:number…" shape, decoded strictly).</summary>
public abstract record MusterTimer
{
    public static ButtonCodec<MusterTimer> Codec { get; } = new ButtonCodec<MusterTimer>("mu")
        .Add<RefreshPanels>("rf")
        .Add<Escalate>("t1")
        .Add<Remind>("rem")
        .Add<Nudge>("t2")
        .Add<AutoClose>("end")
        .Add<TreeStep>("ts")
        .Add<TreePanels>("trf")
        .Add<TreeModeStep>("tmd")
        .Add<TreeSweep>("tsw")
        .Add<TreeRelease>("trl")
        .Add<TreeEscalate>("tes")
        .Add<TreeCloseStep>("tcs")
        .Add<TreeStart>("tst")
        .Add<TreeModeStart>("tms")
        .Add<TreeCloseStart>("tcl");

    public string Id => Codec.Encode(this);

    public abstract int Number { get; init; }

    public sealed record RefreshPanels(int Number) : MusterTimer;

    public sealed record Escalate(int Number, string RegionId) : MusterTimer;

    public sealed record Remind(int Number, int Round) : MusterTimer;

    public sealed record Nudge(int Number) : MusterTimer;

    public sealed record AutoClose(int Number) : MusterTimer;

    /// <summary>Writes the part of community number <paramref name="Index"/> of node <paramref name="Node"/>'s muster (decided in that community's shard).</summary>
    public sealed record TreeStep(int Number, long Node, int Index) : MusterTimer;

    /// <summary>Refreshes the aggregated roll calls of a street's or city's muster (decided in the node's shard).</summary>
    public sealed record TreePanels(int Number) : MusterTimer;

    /// <summary>A pass over the communities after workplace relays (decided in the node's shard; coalesced: relays within a second share one pass).</summary>
    public sealed record TreeSweep(int Number) : MusterTimer;

    /// <summary>Releases the held orders of every relayed workplace region in community number <paramref name="Index"/> of the pass (decided in its shard).</summary>
    public sealed record TreeRelease(int Number, long Node, int Index) : MusterTimer;

    /// <summary>T1 of a workplace region's convenor in a street's or city's muster (decided in the node's shard).</summary>
    public sealed record TreeEscalate(int Number, int Index) : MusterTimer;

    /// <summary>Closes a community's part of a street's or city's muster that was closed (decided in that community's shard).</summary>
    public sealed record TreeCloseStep(int Number, long Node) : MusterTimer;

    // The three starts below live in the node's shard, set by the same commit as the document their steps read (the
    // street's or city's muster, its closing, the subtree's mode switch). A decision's commits go to the other shards
    // first and to the presser's own shard last; a step timer set straight into a community's shard by that decision
    // could come due before the document it reads was committed (when the node's shard is the presser's own), find
    // nothing and end its chain. The start comes due only once the document is there, and sets the steps.

    /// <summary>Starts the lanes of a street's or city's muster (decided in the node's shard).</summary>
    public sealed record TreeStart(int Number) : MusterTimer;

    /// <summary>Starts round <paramref name="Number"/> of a subtree's mode switch (decided in the node's shard).</summary>
    public sealed record TreeModeStart(int Number) : MusterTimer;

    /// <summary>Starts closing every community's part of a street's or city's muster (decided in the node's shard).</summary>
    public sealed record TreeCloseStart(int Number) : MusterTimer;

    /// <summary>Switches community number <paramref name="Index"/> of node <paramref name="Node"/>'s mode switch round <paramref name="Number"/>.</summary>
    public sealed record TreeModeStep(int Number, long Node, int Index) : MusterTimer;
}
