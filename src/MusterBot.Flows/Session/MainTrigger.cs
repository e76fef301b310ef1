namespace MusterBot.Flows.Session;

public enum MainTrigger
{
    Start,
    Help,
    Lang,
    LanguagePicked,
    Cancel,
    Text,
    UnknownCommand,
    Media,
    StaleButton,
}
