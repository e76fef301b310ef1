using System.Globalization;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace MusterBot.Bench.City;

/// <summary>
/// Looks at the Redis (one node or every primary of a cluster) the city was seeded into: used memory, key counts, and
/// a breakdown by key kind from <c>MEMORY USAGE</c> and <c>OBJECT ENCODING</c> of a sample of keys of each kind.
/// </summary>
public sealed partial class RedisProbe(ConnectionMultiplexer connection)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<RedisProbe> ConnectAsync(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AllowAdmin = true;
        options.AbortOnConnectFail = true;
        return new RedisProbe(await ConnectionMultiplexer.ConnectAsync(options));
    }

    public ConnectionMultiplexer Connection => connection;

    public IReadOnlyList<IServer> Primaries => [.. connection.GetServers().Where(s => s.IsConnected && !s.IsReplica)];

    /// <summary>used_memory summed over the primaries.</summary>
    public async Task<long> UsedMemoryAsync()
    {
        long sum = 0;
        foreach (var server in Primaries)
        {
            sum += await InfoNumberAsync(server, "memory", "used_memory");
        }

        return sum;
    }

    /// <summary>Keys per primary (DBSIZE), in endpoint order.</summary>
    public async Task<IReadOnlyList<(string Endpoint, long Keys, long UsedMemory)>> NodesAsync()
    {
        var nodes = new List<(string, long, long)>();
        foreach (var server in Primaries.OrderBy(s => s.EndPoint.ToString(), StringComparer.Ordinal))
        {
            nodes.Add((server.EndPoint.ToString()!, await server.DatabaseSizeAsync(), await InfoNumberAsync(server, "memory", "used_memory")));
        }

        return nodes;
    }

    public async Task<string> ConfigAsync(string name)
    {
        var server = Primaries[0];
        var pairs = await server.ConfigGetAsync(name);
        return pairs.Length > 0 ? pairs[0].Value : "?";
    }

    /// <summary>
    /// Every key under <paramref name="prefix"/> by kind (<see cref="KindOf"/>), with a sample of up to
    /// <paramref name="sample"/> keys per kind measured by MEMORY USAGE (SAMPLES 0: every element) and OBJECT ENCODING,
    /// and for documents the mean length of their JSON (HSTRLEN j).
    /// </summary>
    public async Task<IReadOnlyList<KindUsage>> BreakdownAsync(string prefix, int sample)
    {
        var kinds = new Dictionary<string, (long Count, List<(IServer Server, RedisKey Key)> Sample)>(StringComparer.Ordinal);
        foreach (var server in Primaries)
        {
            await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 1000))
            {
                var kind = KindOf(key.ToString()[prefix.Length..]);
                if (!kinds.TryGetValue(kind, out var entry))
                {
                    entry = (0, []);
                }

                if (entry.Sample.Count < sample)
                {
                    entry.Sample.Add((server, key));
                }

                kinds[kind] = (entry.Count + 1, entry.Sample);
            }
        }

        var db = connection.GetDatabase();
        var result = new List<KindUsage>();
        foreach (var (kind, (count, keys)) in kinds)
        {
            long bytes = 0, json = 0, elements = 0;
            var encodings = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (server, key) in keys)
            {
                var usage = await server.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
                bytes += usage.IsNull ? 0 : (long)usage;
                var encoding = (string?)await server.ExecuteAsync("OBJECT", "ENCODING", key) ?? "?";
                encodings[encoding] = encodings.GetValueOrDefault(encoding) + 1;
                if (kind.StartsWith("doc:", StringComparison.Ordinal))
                {
                    json += await db.HashStringLengthAsync(key, "j");
                }
                else if (kind.StartsWith("set:", StringComparison.Ordinal))
                {
                    elements += await db.SetLengthAsync(key);
                }
            }

            var n = Math.Max(1, keys.Count);
            result.Add(new KindUsage(
                kind,
                count,
                (double)bytes / n,
                string.Join(" ", encodings.OrderByDescending(e => e.Value).Select(e => e.Key + (encodings.Count > 1 ? "×" + e.Value.ToString(Inv) : ""))),
                kind.StartsWith("doc:", StringComparison.Ordinal) ? (double)json / n : null,
                kind.StartsWith("set:", StringComparison.Ordinal) ? (double)elements / n : null));
        }

        return [.. result.OrderByDescending(k => k.MeanBytes * k.Keys)];
    }

    /// <summary>
    /// The kind of a key without the store's prefix: <c>doc:user</c>, <c>doc:home</c>, … for documents; for sets the
    /// name with ids and numbers replaced (<c>set:people:grid:*</c>, <c>set:m:*:*:targets</c>); else its first word.
    /// </summary>
    public static string KindOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var rest = ShardTag().Replace(key, "");
        if (rest.StartsWith("doc:", StringComparison.Ordinal))
        {
            var second = rest.IndexOf(':', 4);
            return second < 0 ? rest : rest[..second];
        }

        if (rest.StartsWith("set:", StringComparison.Ordinal))
        {
            var parts = rest.Split(':');
            for (var i = 1; i < parts.Length; i++)
            {
                if (parts[i].Length > 0 && (char.IsAsciiDigit(parts[i][0]) || IdLike().IsMatch(parts[i])))
                {
                    parts[i] = "*";
                }
            }

            if (parts.Length == 4 && parts[1] == "people")
            {
                parts[3] = "*";
            }

            return string.Join(':', parts);
        }

        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? rest : rest[..colon];
    }

    /// <summary>CONFIG RESETSTAT on every primary (command statistics start from zero).</summary>
    public async Task ResetStatsAsync()
    {
        foreach (var server in Primaries)
        {
            await server.ConfigResetStatisticsAsync();
        }
    }

    /// <summary>
    /// Per primary (endpoint order): CPU seconds used so far (used_cpu_user + used_cpu_sys of INFO cpu) and the calls per
    /// command of INFO commandstats (cmdstat_evalsha → evalsha) and their time (evalsha:usec, µs).
    /// </summary>
    public async Task<IReadOnlyList<(string Endpoint, double CpuSeconds, IReadOnlyDictionary<string, long> Calls)>> WorkAsync()
    {
        var result = new List<(string, double, IReadOnlyDictionary<string, long>)>();
        foreach (var server in Primaries.OrderBy(s => s.EndPoint.ToString(), StringComparer.Ordinal))
        {
            var info = (await server.InfoAsync("cpu")).SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            var cpu = double.Parse(info.GetValueOrDefault("used_cpu_user", "0"), Inv) + double.Parse(info.GetValueOrDefault("used_cpu_sys", "0"), Inv);
            var calls = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var kv in (await server.InfoAsync("commandstats")).SelectMany(g => g))
            {
                // cmdstat_hmget:calls=12,usec=34,...
                var name = kv.Key.StartsWith("cmdstat_", StringComparison.Ordinal) ? kv.Key["cmdstat_".Length..] : kv.Key;
                foreach (var (field, suffix) in new[] { ("calls=", ""), ("usec=", ":usec") })
                {
                    var part = kv.Value.Split(',').FirstOrDefault(f => f.StartsWith(field, StringComparison.Ordinal));
                    if (part is not null && long.TryParse(part[field.Length..], NumberStyles.None, Inv, out var n))
                    {
                        calls[name + suffix] = n;
                    }
                }
            }

            result.Add((server.EndPoint.ToString()!, cpu, calls));
        }

        return result;
    }

    private static async Task<long> InfoNumberAsync(IServer server, string section, string field)
    {
        var info = await server.InfoAsync(section);
        var value = info.SelectMany(g => g).FirstOrDefault(kv => kv.Key == field).Value;
        return long.TryParse(value, NumberStyles.None, Inv, out var number) ? number : 0;
    }

    [GeneratedRegex(@"^\{\d+\}:")]
    private static partial Regex ShardTag();

    /// <summary>Generated ids: g12, b3, w600, r7.</summary>
    [GeneratedRegex(@"^[gbwr]\d+$")]
    private static partial Regex IdLike();
}

/// <summary>One kind of key: how many, the sampled mean of MEMORY USAGE, encodings, mean JSON length or set size.</summary>
public sealed record KindUsage(string Kind, long Keys, double MeanBytes, string Encodings, double? MeanJson, double? MeanElements)
{
    public double TotalBytes => MeanBytes * Keys;
}
