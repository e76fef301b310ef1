namespace MusterBot.State.Records.Stats;

/// <summary>
/// Points (积分) earned in one community per person (<c>doc:community:points</c> in the community's shard), changed in
/// the same commit as each ledger line, so a street's or the city's ranking reads one document per community instead
/// of every ledger line. <see cref="Days"/> ("yyyy-MM-dd", local time) keeps the last <see cref="DaysKept"/> days for
/// the month and 30-day rankings.
/// </summary>
public sealed record PointsTotals
{
    public const int DaysKept = 35;

    public IReadOnlyDictionary<long, int> All { get; init; } = new Dictionary<long, int>();

    public IReadOnlyDictionary<string, IReadOnlyDictionary<long, int>> Days { get; init; } = new Dictionary<string, IReadOnlyDictionary<long, int>>();
}
