namespace MusterBot.Flows.Musters;

public enum MusterTrigger
{
    Begin,
    Next,
    Back,
    Stay,
    Cancel,
    Launch,
    Save,
    TemplatePicked,
    AskReason,
    AskLocation,
    AskNotice,
    Done,
}
