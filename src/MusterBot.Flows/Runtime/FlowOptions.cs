namespace MusterBot.Flows.Runtime;

/// <summary>Options of the flows, bound from the <c>MusterBot</c> configuration section.</summary>
public sealed class FlowOptions
{
    public const string Section = "MusterBot";

    /// <summary>Telegram user ids of the administrators (<c>MusterBot:Admins:0</c>, …).</summary>
    public IList<long> Admins { get; } = [];
}
