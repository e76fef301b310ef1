namespace MusterBot.State.Records.Musters;

/// <summary>A live roll-call message in one chat: what it showed last (so an unchanged roll call is not edited).</summary>
public sealed record RollCallPanel(int Muster, long ChatId, string? RegionId)
{
    public string? LastHtml { get; init; }

    public DateTimeOffset? LastAt { get; init; }

    /// <summary>A region's roll call posted in its linked group: names and counts only, in the group's language.</summary>
    public bool InGroup { get; init; }

    public Language Language { get; init; }
}
