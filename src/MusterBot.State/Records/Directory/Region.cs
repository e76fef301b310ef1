namespace MusterBot.State.Records.Directory;

/// <summary>A region (片区, where members work) with its convenor and backup convenor (Telegram user ids).</summary>
public sealed record Region(string Id, string Name)
{
    public long? ConvenorId { get; init; }

    public long? BackupConvenorId { get; init; }
}
