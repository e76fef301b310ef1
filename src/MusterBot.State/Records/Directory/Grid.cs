namespace MusterBot.State.Records.Directory;

/// <summary>A grid (网格, about 300 households) with its buildings (楼栋).</summary>
public sealed record Grid(string Id, string Name)
{
    public IReadOnlyList<Building> Buildings { get; init; } = [];
}
