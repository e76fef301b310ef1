using StackExchange.Redis;

namespace MusterBot.State.Redis;

/// <summary>
/// Reads <c>Redis:Configuration</c> and opens connections: to one node or a cluster directly, or through Redis Sentinel
/// when the configuration names a service (<c>serviceName=…</c>; StackExchange.Redis then treats the endpoints as
/// sentinels). Never puts the configuration into an exception message: it may hold the password and the sentinels'.
/// </summary>
internal static class RedisConnector
{
    /// <summary>
    /// Parses the connection string with <c>abortConnect=false</c> (a connection is returned while Redis is down and
    /// reconnects by itself). A string StackExchange.Redis cannot read throws an <see cref="ArgumentException"/> naming
    /// the kind of problem and the keyword, never the text: the client quotes the value it could not read (which may be a
    /// password put under the wrong keyword), and the exception reaches the log at start.
    /// </summary>
    public static ConfigurationOptions Parse(string configuration)
    {
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException ex)
        {
            var where = ex.ParamName switch
            {
                null or "" => "",
                "hostAndPort" => " (an endpoint that is not host:port)",
                var name => $" (keyword '{name}')",
            };
            throw new ArgumentException(
                $"Redis:Configuration could not be read{where}: {ex.GetType().Name}. The value is not shown here because it may hold a password; " +
                "check it against docs/operations.md (\"Connecting\").");
        }

        parsed.AbortOnConnectFail = false;
        return parsed;
    }

    /// <summary>True when the configuration names a Sentinel service: its endpoints are sentinels, not data nodes.</summary>
    public static bool IsSentinel(ConfigurationOptions configuration) => !string.IsNullOrEmpty(configuration.ServiceName);

    /// <summary>
    /// Connects. Directly, the connection is returned even while Redis is down. Through Sentinel (StackExchange.Redis
    /// 3.4), the sentinels are asked for the service's primary and replicas (with <c>sentinelUser</c>/<c>sentinelPassword</c>
    /// when given, else the data nodes' credentials); the connection follows every later switch (the sentinels'
    /// <c>+switch-master</c>, and a check every second while the primary is unreachable). With <c>abortConnect=false</c>
    /// it is returned even when no sentinel names a primary (all unreachable, an unknown service, a wrong
    /// sentinelPassword): it then asks them again every second and connects once one does
    /// (<see cref="HasPrimary"/> tells which).
    /// </summary>
    public static Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration, CancellationToken cancellationToken) =>
        ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(cancellationToken);

    /// <summary>True when the connection reaches a primary now.</summary>
    public static bool HasPrimary(IConnectionMultiplexer connection) =>
        connection.GetServers().Any(s => s.IsConnected && !s.IsReplica && s.ServerType != ServerType.Sentinel);
}
