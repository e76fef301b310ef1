using StackExchange.Redis;

namespace MusterBot.State.Redis;

/// <summary>
/// Reads <c>Redis:Configuration</c> and opens connections: to one node or a cluster directly, or through Redis Sentinel
/// when the configuration names a service (<c>serviceName=…</c>). Never puts the configuration into an exception
/// message: it may hold the password and the sentinels' password.
/// </summary>
internal static class RedisConnector
{
    /// <summary>
    /// Parses the connection string with <c>abortConnect=false</c> (a connection is returned while Redis is down and
    /// reconnects by itself). A string StackExchange.Redis cannot read throws an <see cref="ArgumentException"/> naming
    /// the kind of problem and the keyword, never the text: the client quotes parts of it (an endpoint it cannot read,
    /// such as <c>password:secret</c> written with a colon), and the exception reaches the log.
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
            var where = ex.ParamName is { Length: > 0 } name && name != "hostAndPort" ? $" (keyword '{name}')" : ex.ParamName == "hostAndPort" ? " (an endpoint that is not host:port)" : "";
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
    /// One attempt to connect. Directly, the connection is returned even while Redis is down. Through Sentinel, the
    /// sentinels are asked for the service's primary and replicas (with <c>sentinelUser</c>/<c>sentinelPassword</c> when
    /// given, else the data nodes' credentials, as StackExchange.Redis does); the returned connection follows every later
    /// switch (the sentinels' <c>+switch-master</c>, and a check every second while the primary is unreachable) and
    /// must be disposed together with <c>Sentinels</c>, which carries those notices. When no sentinel names a primary
    /// this throws <see cref="RedisConnectionException"/> and closes what it opened (StackExchange.Redis's own
    /// <c>ConnectAsync</c> leaves the sentinel connection open then, so a retry loop would leak one per attempt).
    /// </summary>
    public static async Task<(ConnectionMultiplexer Connection, ConnectionMultiplexer? Sentinels)> ConnectAsync(
        ConfigurationOptions configuration, CancellationToken cancellationToken)
    {
        if (!IsSentinel(configuration))
        {
            return (await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(cancellationToken).ConfigureAwait(false), null);
        }

        var sentinelOptions = configuration.Clone();
        sentinelOptions.User = configuration.SentinelUser;
        sentinelOptions.Password = configuration.SentinelPassword;
        var sentinels = await ConnectionMultiplexer.SentinelConnectAsync(sentinelOptions).WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Synchronous in StackExchange.Redis (asks the sentinels, connects, checks ROLE, may sleep): off this thread.
            var primary = await Task.Run(() => sentinels.GetSentinelMasterConnection(configuration), cancellationToken).ConfigureAwait(false);
            return (primary, sentinels);
        }
        catch
        {
            await sentinels.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
