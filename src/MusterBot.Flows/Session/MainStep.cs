namespace MusterBot.Flows.Session;

/// <summary>Steps of the main flow. <see cref="Session"/> is the superstate holding the always-available commands.</summary>
public enum MainStep
{
    Session,
    Idle,
    ChoosingLanguage,
}
