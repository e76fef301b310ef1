namespace MusterBot.Flows.Profile;

/// <summary>The profile has no multi-step state of its own: editing hands over to registration, leaving deletes the profile.</summary>
public enum ProfileStep
{
    Viewing,
    Left,
}
