using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MusterBot.Bench;

/// <summary>A throw-away redis-server on a free port of 127.0.0.1 without persistence (as the tests' fixture).</summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}" + (Environment.GetEnvironmentVariable("BENCH_REDIS_EXTRA") ?? "");

    /// <summary>CPU time used by the redis-server process so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static Task<RedisServer> StartAsync() => StartAsync([], null);

    /// <summary>Starts one on <paramref name="port"/> (null = a free one) with extra redis-server arguments.</summary>
    public static async Task<RedisServer> StartAsync(IReadOnlyList<string> extraArguments, int? port)
    {
        ArgumentNullException.ThrowIfNull(extraArguments);
        var executable = FindOnPath("redis-server")
            ?? throw new InvalidOperationException(
                "redis-server not found on PATH: install it with `apt-get install -y redis-server`, or run with --store memory.");
        var chosen = port ?? FreePort();
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     "--port", chosen.ToString(CultureInfo.InvariantCulture),
                     "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 }.Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, chosen);

        var deadline = Stopwatch.StartNew();
        while (!(await server.TryCommandAsync("PING"))?.StartsWith("+PONG", StringComparison.Ordinal) ?? true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode} on port {chosen}");
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                server.Dispose();
                throw new InvalidOperationException($"redis-server did not answer PING on port {chosen} within 10 s");
            }

            await Task.Delay(20);
        }

        return server;
    }

    /// <summary>used_memory_peak of INFO memory, in bytes (null when it cannot be read).</summary>
    public async Task<long?> UsedMemoryPeakAsync()
    {
        var info = await TryCommandAsync("INFO memory");
        var line = info?.Split("\r\n").FirstOrDefault(l => l.StartsWith("used_memory_peak:", StringComparison.Ordinal));
        return line is not null && long.TryParse(line["used_memory_peak:".Length..], CultureInfo.InvariantCulture, out var bytes) ? bytes : null;
    }

    /// <summary>FLUSHALL: an empty Redis for the next bot of a run (throws when Redis does not answer +OK).</summary>
    public async Task FlushAllAsync()
    {
        var reply = await TryCommandAsync("FLUSHALL");
        if (reply?.StartsWith("+OK", StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException("FLUSHALL was answered " + (reply?.Trim() ?? "(no answer)"));
        }
    }

    /// <summary>DBSIZE: the number of keys (null when Redis does not answer).</summary>
    public async Task<long?> DbSizeAsync()
    {
        var reply = await TryCommandAsync("DBSIZE");
        return reply is [':', ..] && long.TryParse(reply.AsSpan(1).Trim(), CultureInfo.InvariantCulture, out var keys) ? keys : null;
    }

    /// <summary>CONFIG RESETSTAT: the command statistics start again from zero.</summary>
    public async Task ResetStatsAsync() => await TryCommandAsync("CONFIG RESETSTAT");

    /// <summary>INFO commandstats as command → (calls, microseconds); empty when it cannot be read.</summary>
    public async Task<IReadOnlyDictionary<string, (long Calls, long Microseconds)>> CommandStatsAsync()
    {
        var stats = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var line in (await TryCommandAsync("INFO commandstats"))?.Split("\r\n") ?? [])
        {
            // cmdstat_evalsha:calls=123,usec=4567,usec_per_call=37.13,rejected_calls=0,failed_calls=0
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal) || line.IndexOf(':', StringComparison.Ordinal) is not (var colon and > 0))
            {
                continue;
            }

            var fields = line[(colon + 1)..].Split(',').Select(f => f.Split('=')).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
            if (long.TryParse(fields.GetValueOrDefault("calls"), CultureInfo.InvariantCulture, out var calls) && long.TryParse(fields.GetValueOrDefault("usec"), CultureInfo.InvariantCulture, out var usec))
            {
                stats[line["cmdstat_".Length..colon]] = (calls, usec);
            }
        }

        return stats;
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("BENCH_REDIS_STATS") == "1" && TryCommandAsync("INFO commandstats").GetAwaiter().GetResult() is { } stats)
        {
            Console.WriteLine(stats);
        }

        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    /// <summary>Sends one inline command and returns the raw reply (enough for PING and INFO), or null if not reachable.</summary>
    private async Task<string?> TryCommandAsync(string command)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
            var reply = new StringBuilder();
            var buffer = new byte[8192];
            do
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            while (!IsComplete(reply.ToString()));

            return reply.ToString();
        }
        catch (SocketException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>A simple-string reply ends with CRLF; a bulk reply "$len\r\n…\r\n" once len bytes arrived.</summary>
    private static bool IsComplete(string reply)
    {
        if (!reply.StartsWith('$'))
        {
            return reply.EndsWith("\r\n", StringComparison.Ordinal);
        }

        var header = reply.IndexOf("\r\n", StringComparison.Ordinal);
        return header > 0
            && int.TryParse(reply.AsSpan(1, header - 1), CultureInfo.InvariantCulture, out var length)
            && Encoding.ASCII.GetByteCount(reply) >= header + 2 + length + 2;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
