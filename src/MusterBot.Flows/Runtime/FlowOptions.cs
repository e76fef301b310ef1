namespace MusterBot.Flows.Runtime;

/// <summary>Options of the flows, bound from the <c>MusterBot</c> configuration section.</summary>
public sealed class FlowOptions
{
    public const string Section = "MusterBot";

    /// <summary>Telegram user ids of the administrators (<c>MusterBot:Admins:0</c>, …).</summary>
    public IList<long> Admins { get; } = [];

    /// <summary>
    /// Someone who messaged the bot but never registered is forgotten this long after they were last seen (their
    /// profile and conversation expire); registering removes the expiry.
    /// </summary>
    public TimeSpan ForgetUnregisteredAfter { get; set; } = TimeSpan.FromDays(30);
}
