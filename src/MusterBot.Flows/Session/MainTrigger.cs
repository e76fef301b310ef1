namespace MusterBot.Flows.Session;

public enum MainTrigger
{
    Start,

    /// <summary>/start with a deep-link code: an invitation (read, then registration begins).</summary>
    StartWithInvite,
    Help,
    Lang,
    LanguagePicked,

    /// <summary>A registration choice of /start pressed (only a person not registered yet may).</summary>
    RegistrationChosen,
    Cancel,
    Text,
    UnknownCommand,
    Media,

    /// <summary>A press that does not decode. Never permitted: the unhandled-trigger hook answers it as stale.</summary>
    StaleButton,
}
