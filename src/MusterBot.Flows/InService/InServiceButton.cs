using MusterBot.Flows.Runtime.Buttons;
using MusterBot.State.Records;

namespace MusterBot.Flows.InService;

/// <summary>
/// The buttons of workplace regions (at a street, district or the city), reporting in to a community (双报到) and a
/// community's calls to its in-service members. A payload names a node, a region or a call by id; the flow reads it
/// again and re-checks the presser's rights (the node is in their subtree, they are the community's staff, the call
/// was sent to them).
/// </summary>
public abstract record InServiceButton
{
    public static readonly ButtonCodec<InServiceButton> Codec = new ButtonCodec<InServiceButton>("is")
        .Add<Nodes>("nodes")
        .Add<Node>("n")
        .Add<NewRegion>("rnew")
        .Add<OpenRegion>("r")
        .Add<RenameRegion>("rren")
        .Add<InviteToRegion>("inv")
        .Add<Cancel>("cancel")
        .Add<Members>("mem")
        .Add<StartCall>("call")
        .Add<CallAudience>("aud")
        .Add<SendCall>("send")
        .Add<CallPanel>("panel")
        .Add<Answer>("ans")
        .Add<ReportIn>("rep")
        .Add<Street>("st")
        .Add<PickCommunity>("cm")
        .Add<ConfirmReport>("ok");

    /// <summary>The nodes (street, district, city) whose workplace regions the administrator manages.</summary>
    public sealed record Nodes(int Page) : InServiceButton;

    /// <summary>A node's workplace regions.</summary>
    public sealed record Node(long NodeId) : InServiceButton;

    public sealed record NewRegion(long NodeId) : InServiceButton;

    public sealed record OpenRegion(long NodeId, string RegionId) : InServiceButton;

    public sealed record RenameRegion(long NodeId, string RegionId) : InServiceButton;

    /// <summary>Creates an invitation to a workplace region: a convenor's (one use) or the members' (many uses).</summary>
    public sealed record InviteToRegion(long NodeId, string RegionId, bool Convenor) : InServiceButton;

    /// <summary>Leaves the typed input in progress.</summary>
    public sealed record Cancel : InServiceButton;

    /// <summary>A page of the in-service members who reported in to the staff member's community.</summary>
    public sealed record Members(int Page) : InServiceButton;

    /// <summary>Starts a call to the reported-in members: who is called.</summary>
    public sealed record StartCall : InServiceButton;

    /// <summary>Everyone (null) or the members with one skill.</summary>
    public sealed record CallAudience(Skill? Skill) : InServiceButton;

    /// <summary>Sends the call written in the conversation.</summary>
    public sealed record SendCall : InServiceButton;

    /// <summary>The live count of a call (refresh).</summary>
    public sealed record CallPanel(int Number) : InServiceButton;

    /// <summary>A called member's answer: coming, or can't come.</summary>
    public sealed record Answer(int Number, bool Coming) : InServiceButton;

    /// <summary>An in-service member starts reporting in to a community: streets first.</summary>
    public sealed record ReportIn(int Page) : InServiceButton;

    /// <summary>The communities of a street.</summary>
    public sealed record Street(long StreetId) : InServiceButton;

    /// <summary>A community chosen: asks to confirm.</summary>
    public sealed record PickCommunity(long CommunityId) : InServiceButton;

    public sealed record ConfirmReport(long CommunityId) : InServiceButton;
}
