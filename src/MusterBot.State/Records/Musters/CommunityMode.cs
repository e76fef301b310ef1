namespace MusterBot.State.Records.Musters;

/// <summary>Normal mode (平时) or emergency mode (急时), with the emergency notice residents see.</summary>
public sealed record CommunityMode(bool Emergency)
{
    public DateTimeOffset Since { get; init; }

    public long? ChangedBy { get; init; }

    /// <summary>What happened, where to go or avoid, and a hotline (plain text, escaped when shown).</summary>
    public string? Notice { get; init; }

    /// <summary>The kind of emergency, for the standard notice when no text was given.</summary>
    public MusterKind? Kind { get; init; }

    /// <summary>The real muster that switched the mode on, if any.</summary>
    public int? MusterNumber { get; init; }
}
