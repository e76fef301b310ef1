using MusterBot.Flows.Runtime.Buttons;
using MusterBot.State.Records.Households;

namespace MusterBot.Flows.Households;

/// <summary>
/// The buttons of /households. A payload carries only a grid id, a building id or a household number; every press
/// re-reads what it names and re-checks that the presser may see that grid (its grid worker or an administrator).
/// </summary>
public abstract record HouseholdButton
{
    public static readonly ButtonCodec<HouseholdButton> Codec = new ButtonCodec<HouseholdButton>("hh")
        .Add<Home>("home")
        .Add<OpenGrid>("g")
        .Add<List>("l")
        .Add<Filter>("f")
        .Add<Open>("o")
        .Add<Add>("add")
        .Add<AddIn>("addb")
        .Add<EditTags>("tags")
        .Add<ToggleTag>("tt")
        .Add<ToggleCustomTag>("tc")
        .Add<Edit>("e")
        .Add<Clear>("clr")
        .Add<Delete>("del")
        .Add<ConfirmDelete>("delok")
        .Add<Export>("csv")
        .Add<Import>("imp")
        .Add<ConfirmImport>("impok")
        .Add<DropImport>("impx")
        .Add<CustomTags>("ct")
        .Add<NewCustomTag>("ctnew")
        .Add<RemoveCustomTag>("ctrm")
        .Add<Cancel>("cancel");

    /// <summary>The start: an administrator's grids, or a grid worker's own grid.</summary>
    public sealed record Home : HouseholdButton;

    public sealed record OpenGrid(string GridId) : HouseholdButton;

    /// <summary>
    /// A page of a grid's households, all or only those of one building (<paramref name="BuildingId"/>) or with one tag
    /// (<paramref name="Tag"/>: a built-in tag's name, or "c" and the index of a custom tag).
    /// </summary>
    public sealed record List(string GridId, string? BuildingId, string? Tag, int Page) : HouseholdButton;

    /// <summary>The filters of a grid's list: by building and by tag.</summary>
    public sealed record Filter(string GridId) : HouseholdButton;

    public sealed record Open(int Number) : HouseholdButton;

    /// <summary>A new household: first its building.</summary>
    public sealed record Add(string GridId) : HouseholdButton;

    /// <summary>The building chosen; the unit and room are typed next.</summary>
    public sealed record AddIn(string GridId, string BuildingId) : HouseholdButton;

    public sealed record EditTags(int Number) : HouseholdButton;

    public sealed record ToggleTag(int Number, HouseholdTag Tag) : HouseholdButton;

    /// <summary>A custom tag by its index in the community's list and its name (checked: a list changed since is refused).</summary>
    public sealed record ToggleCustomTag(int Number, int Index, string Name) : HouseholdButton;

    /// <summary>Asks for a field's new text (people, phones, notes, address).</summary>
    public sealed record Edit(int Number, HouseholdField Field) : HouseholdButton;

    /// <summary>Empties a field (people, phones or notes).</summary>
    public sealed record Clear(int Number, HouseholdField Field) : HouseholdButton;

    public sealed record Delete(int Number) : HouseholdButton;

    public sealed record ConfirmDelete(int Number) : HouseholdButton;

    /// <summary>The households as CSV: of a grid, or (null, administrators) of every grid.</summary>
    public sealed record Export(string? GridId) : HouseholdButton;

    /// <summary>Asks for a file: for a grid, or (null, administrators) for any grid named in the file.</summary>
    public sealed record Import(string? GridId) : HouseholdButton;

    public sealed record ConfirmImport : HouseholdButton;

    public sealed record DropImport : HouseholdButton;

    /// <summary>The community's own tags (administrators).</summary>
    public sealed record CustomTags : HouseholdButton;

    public sealed record NewCustomTag : HouseholdButton;

    /// <summary>Removes the community's tag at <paramref name="Index"/> if it is still <paramref name="Name"/> (a second press removes nothing).</summary>
    public sealed record RemoveCustomTag(int Index, string Name) : HouseholdButton;

    public sealed record Cancel : HouseholdButton;
}

/// <summary>The fields of a household edited by typing.</summary>
public enum HouseholdField
{
    People,
    Phones,
    Notes,
    Address,
}

/// <summary>Where a person is in /households.</summary>
public enum HouseholdStep
{
    Idle,

    /// <summary>The views and buttons (every step is one of it).</summary>
    Panel,
    AwaitingAddress,
    AwaitingField,
    AwaitingFile,
    AwaitingCustomTag,
}

/// <summary>The inputs of /households.</summary>
public enum HouseholdTrigger
{
    Opened,
    Typed,
    FileSent,
    Pressed,
    InputAsked,
    Cancelled,
    StaleButton,
    OtherMessage,
}
