using MusterBot.Flows.Runtime.Buttons;

namespace MusterBot.Flows.Org;

/// <summary>
/// The buttons of the organisation section of /admin (prefix <c>o</c>). A payload names a node by its id (and a person
/// by theirs); every press reads the node again and re-checks that the presser administers it or a node above it.
/// </summary>
public abstract record OrgButton
{
    public static readonly ButtonCodec<OrgButton> Codec = new ButtonCodec<OrgButton>("o")
        .Add<Home>("home")
        .Add<Open>("n")
        .Add<NewChild>("new")
        .Add<Rename>("ren")
        .Add<Remove>("rm")
        .Add<ConfirmRemove>("rmok")
        .Add<Appoint>("inv")
        .Add<RemoveAdmin>("unadm")
        .Add<ConfirmRemoveAdmin>("unadmok")
        .Add<Cancel>("cancel");

    /// <summary>The section's start: the node the presser administers (or a list when they administer several).</summary>
    public sealed record Home : OrgButton;

    /// <summary>A node with a page of its children.</summary>
    public sealed record Open(long NodeId, int Page) : OrgButton;

    /// <summary>Asks the name of a new child node (the next level down).</summary>
    public sealed record NewChild(long NodeId) : OrgButton;

    public sealed record Rename(long NodeId) : OrgButton;

    /// <summary>Asks to confirm removing a node.</summary>
    public sealed record Remove(long NodeId) : OrgButton;

    public sealed record ConfirmRemove(long NodeId) : OrgButton;

    /// <summary>Creates a one-time invitation link that makes whoever opens it an administrator of the node.</summary>
    public sealed record Appoint(long NodeId) : OrgButton;

    /// <summary>Asks to confirm removing a person from the node's administrators.</summary>
    public sealed record RemoveAdmin(long NodeId, long UserId) : OrgButton;

    public sealed record ConfirmRemoveAdmin(long NodeId, long UserId) : OrgButton;

    /// <summary>Leaves the typed input in progress.</summary>
    public sealed record Cancel : OrgButton;
}
