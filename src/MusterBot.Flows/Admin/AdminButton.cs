using MusterBot.Flows.Runtime.Buttons;
using MusterBot.State.Records;

namespace MusterBot.Flows.Admin;

/// <summary>
/// The buttons of the administrators' panel. A payload carries only short ids (grid, building, region, person,
/// invitation code) that the flow looks up again, and every press re-checks that the presser is an administrator.
/// </summary>
public abstract record AdminButton
{
    public static readonly ButtonCodec<AdminButton> Codec = new ButtonCodec<AdminButton>("a")
        .Add<Menu>("menu")
        .Add<Cancel>("cancel")
        .Add<Grids>("grids")
        .Add<OpenGrid>("g")
        .Add<NewGrid>("gnew")
        .Add<RenameGrid>("gren")
        .Add<NewBuilding>("bnew")
        .Add<RenameBuilding>("bren")
        .Add<Regions>("regions")
        .Add<OpenRegion>("r")
        .Add<NewRegion>("rnew")
        .Add<RenameRegion>("rren")
        .Add<ChooseConvenor>("conv")
        .Add<PickConvenor>("pick")
        .Add<RemoveConvenor>("unconv")
        .Add<Invites>("invites")
        .Add<RevokeInvite>("ix")
        .Add<NewInvite>("inew")
        .Add<InviteRole>("ivrole")
        .Add<InviteRegion>("ivrg")
        .Add<InviteGrid>("ivg")
        .Add<InviteAnywhere>("ivany")
        .Add<InviteUses>("ivuses")
        .Add<InviteDays>("ivdays")
        .Add<People>("people")
        .Add<PeopleFilter>("pf")
        .Add<PeopleList>("pl")
        .Add<Person>("who")
        .Add<MakeAdmin>("mkadm")
        .Add<RemoveAdmin>("rmadm")
        .Add<Roster>("roster")
        .Add<ImportRoster>("rimp")
        .Add<DropRoster>("rdrop");

    /// <summary>The panel's main menu.</summary>
    public sealed record Menu : AdminButton;

    /// <summary>Leaves the typed input or the wizard in progress.</summary>
    public sealed record Cancel : AdminButton;

    public sealed record Grids : AdminButton;

    public sealed record OpenGrid(string GridId) : AdminButton;

    public sealed record NewGrid : AdminButton;

    public sealed record RenameGrid(string GridId) : AdminButton;

    public sealed record NewBuilding(string GridId) : AdminButton;

    public sealed record RenameBuilding(string GridId, string BuildingId) : AdminButton;

    public sealed record Regions : AdminButton;

    public sealed record OpenRegion(string RegionId) : AdminButton;

    public sealed record NewRegion : AdminButton;

    public sealed record RenameRegion(string RegionId) : AdminButton;

    /// <summary>A page of members to choose a region's convenor or backup convenor from.</summary>
    public sealed record ChooseConvenor(ConvenorSeat Seat, string RegionId, int Page) : AdminButton;

    public sealed record PickConvenor(ConvenorSeat Seat, string RegionId, long UserId) : AdminButton;

    public sealed record RemoveConvenor(ConvenorSeat Seat, string RegionId) : AdminButton;

    public sealed record Invites : AdminButton;

    public sealed record RevokeInvite(string Code) : AdminButton;

    /// <summary>Starts the invitation wizard: role, scope, uses, expiry.</summary>
    public sealed record NewInvite : AdminButton;

    /// <summary>The role an invitation grants (member, convenor, grid worker or resident; anything else is refused).</summary>
    public sealed record InviteRole(Roles Role) : AdminButton;

    public sealed record InviteRegion(string RegionId) : AdminButton;

    public sealed record InviteGrid(string GridId) : AdminButton;

    /// <summary>An invitation bound to no region or grid (members and residents only).</summary>
    public sealed record InviteAnywhere : AdminButton;

    public sealed record InviteUses(int Uses) : AdminButton;

    public sealed record InviteDays(int Days) : AdminButton;

    public sealed record People : AdminButton;

    public sealed record PeopleFilter(PeopleFilterKind Kind) : AdminButton;

    /// <summary>A page of the people with a grid, region, skill or role (<paramref name="Value"/> is its id or name).</summary>
    public sealed record PeopleList(PeopleFilterKind Kind, string Value, int Page) : AdminButton;

    public sealed record Person(long UserId) : AdminButton;

    public sealed record MakeAdmin(long UserId) : AdminButton;

    public sealed record RemoveAdmin(long UserId) : AdminButton;

    /// <summary>Asks for a roster file.</summary>
    public sealed record Roster : AdminButton;

    public sealed record ImportRoster : AdminButton;

    public sealed record DropRoster : AdminButton;
}

/// <summary>A region's two convenor places.</summary>
public enum ConvenorSeat
{
    Convenor,
    Backup,
}

/// <summary>What the people list is filtered by.</summary>
public enum PeopleFilterKind
{
    Grid,
    Region,
    Skill,
    Role,
}
