namespace MusterBot.Host.Health;

/// <summary>One reading of <see cref="ReadinessProbe"/>: "ok" or "unavailable" for each dependency.</summary>
public sealed record Readiness(string Store, string BotApi)
{
    public bool Ready => Store == "ok" && BotApi == "ok";
}
