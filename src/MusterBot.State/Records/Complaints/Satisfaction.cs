namespace MusterBot.State.Records.Complaints;

public enum Satisfaction
{
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}
