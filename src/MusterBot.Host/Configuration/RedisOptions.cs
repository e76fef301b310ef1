namespace MusterBot.Host.Configuration;

/// <summary>The <c>Redis</c> section: a StackExchange.Redis connection string (may hold a password: never logged).</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    public string? Configuration { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Configuration);

    public override string ToString() => IsConfigured ? "Redis=(configured)" : "Redis=(none)";
}
