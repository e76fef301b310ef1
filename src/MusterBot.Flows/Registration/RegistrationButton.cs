using MusterBot.Flows.Runtime.Buttons;
using MusterBot.State.Records;

namespace MusterBot.Flows.Registration;

/// <summary>
/// The buttons of registration. A press must belong to the step the person is on now; the ids are looked up again.
/// The tags keep the callback data of buttons already sent ("r:g:g1", "r:ok" …).
/// </summary>
public abstract record RegistrationButton
{
    public static readonly ButtonCodec<RegistrationButton> Codec = new ButtonCodec<RegistrationButton>("r")
        .Add<Cancel>("cancel")
        .Add<Back>("back")
        .Add<Skip>("skip")
        .Add<PickGrid>("g")
        .Add<PickBuilding>("b")
        .Add<PickRegion>("rg")
        .Add<ToggleSkill>("s")
        .Add<SkillsDone>("done")
        .Add<Confirm>("ok")
        .Add<Chosen>("noop")
        .Add<Streets>("st")
        .Add<Street>("sc")
        .Add<PickCommunity>("c");

    public sealed record Cancel : RegistrationButton;

    public sealed record Back : RegistrationButton;

    /// <summary>No building, no region or no work unit.</summary>
    public sealed record Skip : RegistrationButton;

    public sealed record PickGrid(string GridId) : RegistrationButton;

    public sealed record PickBuilding(string BuildingId) : RegistrationButton;

    public sealed record PickRegion(string RegionId) : RegistrationButton;

    public sealed record ToggleSkill(Skill Skill) : RegistrationButton;

    public sealed record SkillsDone : RegistrationButton;

    public sealed record Confirm : RegistrationButton;

    /// <summary>The mark left on an answered question ("✔ North"); pressing it does nothing.</summary>
    public sealed record Chosen : RegistrationButton;

    /// <summary>A page of the streets (when several communities take new people).</summary>
    public sealed record Streets(int Page) : RegistrationButton;

    /// <summary>A page of one street's communities.</summary>
    public sealed record Street(long StreetId, int Page) : RegistrationButton;

    /// <summary>The community the person lives in (their home community: its staff serve them).</summary>
    public sealed record PickCommunity(long CommunityId) : RegistrationButton;
}
