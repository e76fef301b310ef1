namespace MusterBot.State.Records.Musters;

/// <summary>The saved templates (a short list, kept in one document).</summary>
public sealed record MusterTemplates
{
    public IReadOnlyList<MusterTemplate> Items { get; init; } = [];
}
