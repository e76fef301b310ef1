namespace MusterBot.Flows.Session;

public enum MainTrigger
{
    Start,
    Help,
    Me,
    Lang,
    LanguagePicked,
    Cancel,
    Text,
    UnknownCommand,
    Media,
    StaleButton,
    MembershipChanged,
}
