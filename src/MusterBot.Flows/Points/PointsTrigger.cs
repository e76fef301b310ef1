namespace MusterBot.Flows.Points;

public enum PointsTrigger
{
    /// <summary>/points: the person's balance and latest lines.</summary>
    BalanceAsked,

    /// <summary>A ranking period pressed (administrators only).</summary>
    RankingAsked,

    /// <summary>A node's ranking pressed (administrators of that node or one above it).</summary>
    NodeRankingAsked,

    /// <summary>A press that does not decode. Never permitted: the unhandled-trigger hook answers it.</summary>
    StaleButton,
}
