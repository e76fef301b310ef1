using MusterBot.Flows.Runtime.Buttons;
using MusterBot.State.Records;

namespace MusterBot.Flows.Session;

/// <summary>The buttons of the main flow: the language picker and the registration choices /start offers visitors.</summary>
public abstract record MainButton
{
    public static readonly ButtonCodec<MainButton> Codec = new ButtonCodec<MainButton>("main")
        .Add<PickLanguage>("lang")
        .Add<RegisterAsResident>("resident")
        .Add<RegisterFromRoster>("roster");

    /// <summary>One of the languages of the picker.</summary>
    public sealed record PickLanguage(Language Language) : MainButton;

    /// <summary>A visitor registers as a resident.</summary>
    public sealed record RegisterAsResident : MainButton;

    /// <summary>A visitor registers as a member found on the roster (by sharing their contact).</summary>
    public sealed record RegisterFromRoster : MainButton;
}
