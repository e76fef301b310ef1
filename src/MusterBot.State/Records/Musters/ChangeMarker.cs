namespace MusterBot.State.Records.Musters;

/// <summary>
/// Touched (written without a version check) by every answer in a region; a roll-call refresh that saw nothing new
/// writes it back with a version check, so an answer that raced the refresh makes the refresh run again.
/// </summary>
public sealed record ChangeMarker(DateTimeOffset At);
