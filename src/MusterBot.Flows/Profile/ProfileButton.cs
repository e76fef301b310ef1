using MusterBot.Flows.Runtime.Buttons;

namespace MusterBot.Flows.Profile;

/// <summary>The buttons of /me. A payload only names an action; the flow re-checks the presser's profile.</summary>
public abstract record ProfileButton
{
    public static readonly ButtonCodec<ProfileButton> Codec = new ButtonCodec<ProfileButton>("p")
        .Add<ShowCard>("show")
        .Add<AskAvailability>("avail")
        .Add<SetAvailability>("av")
        .Add<Edit>("edit")
        .Add<AskLeave>("leave")
        .Add<ConfirmLeave>("leave-yes")
        .Add<KeepProfile>("leave-no");

    /// <summary>Back to the profile card.</summary>
    public sealed record ShowCard : ProfileButton;

    /// <summary>A member asks to set their availability.</summary>
    public sealed record AskAvailability : ProfileButton;

    /// <summary>A member is available (0 days) or away for one of the offered numbers of days.</summary>
    public sealed record SetAvailability(int Days) : ProfileButton;

    /// <summary>Edit the profile: registration again, pre-filled.</summary>
    public sealed record Edit : ProfileButton;

    /// <summary>Asks whether the person really wants to leave.</summary>
    public sealed record AskLeave : ProfileButton;

    /// <summary>Leaving confirmed: personal data is deleted.</summary>
    public sealed record ConfirmLeave : ProfileButton;

    /// <summary>Leaving declined: back to the card.</summary>
    public sealed record KeepProfile : ProfileButton;
}
