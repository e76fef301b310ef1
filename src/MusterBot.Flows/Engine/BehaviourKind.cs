namespace MusterBot.Flows.Engine;

internal enum BehaviourKind
{
    Transition,
    Dynamic,
    Internal,
    Ignore,
}
