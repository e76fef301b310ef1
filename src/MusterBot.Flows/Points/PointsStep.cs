namespace MusterBot.Flows.Points;

/// <summary>/points has no steps of its own: every request is answered at once.</summary>
public enum PointsStep
{
    Idle,
}
