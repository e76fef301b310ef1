using MusterBot.Flows.Runtime.Buttons;

namespace MusterBot.Flows.Points;

/// <summary>
/// The buttons of /points: the administrators' ranking for a period. The tags keep the callback data of buttons
/// already sent ("pt:month", "pt:30", "pt:all").
/// </summary>
public abstract record PointsButton
{
    public static readonly ButtonCodec<PointsButton> Codec = new ButtonCodec<PointsButton>("pt")
        .Add<RankThisMonth>("month")
        .Add<RankLast30Days>("30")
        .Add<RankAllTime>("all")
        .Add<RankNode>("n");

    /// <summary>The period the ranking covers; also the text key suffix of its button ("pt.btn." + key).</summary>
    public abstract string PeriodKey { get; }

    /// <summary>Points earned since the first day of this calendar month.</summary>
    public sealed record RankThisMonth : PointsButton
    {
        public override string PeriodKey => "month";
    }

    /// <summary>Points earned in the last 30 days.</summary>
    public sealed record RankLast30Days : PointsButton
    {
        public override string PeriodKey => "30";
    }

    /// <summary>
    /// The ranking of an organisation node (a street, district or city) for its administrators: the top people by points
    /// earned in every community below it, from each community's totals. The node is re-checked against the presser's.
    /// </summary>
    public sealed record RankNode(long NodeId, RankPeriod Period) : PointsButton
    {
        public override string PeriodKey => Period switch
        {
            RankPeriod.Month => "month",
            RankPeriod.Days30 => "30",
            _ => "all",
        };
    }

    /// <summary>All points ever earned.</summary>
    public sealed record RankAllTime : PointsButton
    {
        public override string PeriodKey => "all";
    }
}

/// <summary>The periods of a node's ranking (the same as the community's).</summary>
public enum RankPeriod
{
    Month,
    Days30,
    All,
}
