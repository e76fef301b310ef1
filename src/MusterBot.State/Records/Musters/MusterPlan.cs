namespace MusterBot.State.Records.Musters;

/// <summary>
/// What a muster order says: the kind (or a custom title for "other"), the rally point (text and optional pin), the
/// report-by time, drill or real, and who it calls. Saved templates keep the same shape.
/// </summary>
public sealed record MusterPlan(MusterKind Kind, MusterScope Scope)
{
    public string? Title { get; init; }

    public string RallyText { get; init; } = string.Empty;

    public double? Latitude { get; init; }

    public double? Longitude { get; init; }

    /// <summary>Minutes from launch to the report-by time.</summary>
    public int ReportWithinMinutes { get; init; } = 60;

    public bool Drill { get; init; }

    /// <summary>What residents are told when a real muster switches emergency mode on (null: the standard notice).</summary>
    public string? Notice { get; init; }
}
