using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MusterBot.State.Redis;

namespace MusterBot.Bench;

/// <summary>
/// Where Redis's time goes, per script of the store (<c>--redis-scripts 1</c>): while on, Redis's slow log keeps every
/// command with its duration (<c>slowlog-log-slower-than 0</c>), the commands a script runs included (client
/// <c>?:0</c>, logged before the script itself). Read after the measured part: per script, its runs, its time and the
/// commands it ran. The slow log costs Redis time of its own (an entry per command), so a run with it on is a
/// diagnosis, not a figure to compare with runs without it.
/// </summary>
internal static class RedisScriptTimes
{
    private const int MaxEntries = 3_000_000;

    public sealed record ScriptTime(string Name, long Runs, long Microseconds, long InnerCalls, long InnerMicroseconds);

    public static async Task StartAsync(int port)
    {
        await CommandAsync(port, "CONFIG", "SET", "slowlog-max-len", MaxEntries.ToString(CultureInfo.InvariantCulture));
        await CommandAsync(port, "SLOWLOG", "RESET");
        await CommandAsync(port, "CONFIG", "SET", "slowlog-log-slower-than", "0");
    }

    /// <summary>Stops logging and returns the time per script (largest first) and whether the log overflowed.</summary>
    public static async Task<(IReadOnlyList<ScriptTime> Scripts, bool Overflowed)> ReadAsync(int port)
    {
        await CommandAsync(port, "CONFIG", "SET", "slowlog-log-slower-than", "-1");
        var log = (object?[])(await CommandAsync(port, "SLOWLOG", "GET", "-1"))!;
        var names = ScriptNames();
        var byScript = new Dictionary<string, (long Runs, long Us, long Calls, long CallUs)>(StringComparer.Ordinal);
        long pendingCalls = 0, pendingUs = 0;

        // The log is newest first: walk it oldest first, so a script's own commands come just before it.
        for (var i = log.Length - 1; i >= 0; i--)
        {
            if (log[i] is not object?[] { Length: >= 4 } entry || entry[3] is not object?[] { Length: > 0 } args)
            {
                continue;
            }

            var micros = entry[2] is long d ? d : 0;
            var client = entry.Length > 4 ? entry[4] as string : null;
            var command = (args[0] as string ?? "").ToUpperInvariant();
            if (client == "?:0")
            {
                pendingCalls++;
                pendingUs += micros;
                continue;
            }

            var name = command is "EVALSHA" && args.Length > 1 && args[1] is string sha
                ? names.GetValueOrDefault(sha, "script " + sha[..8])
                : command;
            var sum = byScript.GetValueOrDefault(name);
            byScript[name] = (sum.Runs + 1, sum.Us + micros, sum.Calls + pendingCalls, sum.CallUs + pendingUs);
            pendingCalls = 0;
            pendingUs = 0;
        }

        var scripts = byScript.Select(p => new ScriptTime(p.Key, p.Value.Runs, p.Value.Us, p.Value.Calls, p.Value.CallUs))
            .OrderByDescending(s => s.Microseconds).ToList();
        return (scripts, log.Length >= MaxEntries);
    }

    /// <summary>SHA1 (hex) → name of every script of the store.</summary>
    private static Dictionary<string, string> ScriptNames() =>
        typeof(RedisScripts).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => f.GetValue(null)).OfType<RedisScript>()
            .ToDictionary(s => Convert.ToHexStringLower(s.Sha1), s => s.Name, StringComparer.Ordinal);

    /// <summary>One command over its own connection; the reply as string, long or object?[] (RESP2).</summary>
    private static async Task<object?> CommandAsync(int port, params string[] args)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = client.GetStream();
        var request = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var arg in args)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        using var reader = new BufferedStream(stream, 1 << 16);
        return Read(reader);
    }

    private static object? Read(Stream stream)
    {
        var type = stream.ReadByte();
        var line = ReadLine(stream);
        switch (type)
        {
            case '+':
                return line;
            case '-':
                throw new InvalidOperationException("Redis answered " + line);
            case ':':
                return long.Parse(line, CultureInfo.InvariantCulture);
            case '$':
            {
                var length = int.Parse(line, CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return null;
                }

                var bytes = new byte[length + 2];
                stream.ReadExactly(bytes);
                return Encoding.UTF8.GetString(bytes, 0, length);
            }

            case '*':
            {
                var count = int.Parse(line, CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return null;
                }

                var items = new object?[count];
                for (var i = 0; i < count; i++)
                {
                    items[i] = Read(stream);
                }

                return items;
            }

            default:
                throw new InvalidOperationException($"unexpected RESP type {type}");
        }
    }

    private static string ReadLine(Stream stream)
    {
        var line = new StringBuilder();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\r')
        {
            line.Append((char)b);
        }

        stream.ReadByte();
        return line.ToString();
    }
}
