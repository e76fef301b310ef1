using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MusterBot.Tests.State;

/// <summary>
/// A throw-away redis-server on a free port of 127.0.0.1, without persistence, for the tests of the "redis"
/// collection. Stopped (killed) when the collection is done.
/// </summary>
public class RedisServerFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly bool _persistent;
    private Process? _process;
    private string? _executable;
    private string? _directory;
    private int _repairs;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    public RedisServerFixture()
        : this(persistent: false)
    {
    }

    /// <summary>
    /// <paramref name="persistent"/>: the server writes an append-only file (fsync on every write) into its own temporary
    /// directory, so a server killed (SIGKILL) and started again on the same port comes back with all its data.
    /// </summary>
    protected RedisServerFixture(bool persistent)
    {
        _persistent = persistent;
    }

    public int Port { get; private set; }

    /// <summary>How many starts of a persistent server found its append-only file cut by a kill and repaired it.</summary>
    public int AofRepairs => Volatile.Read(ref _repairs);

    /// <summary>deploy/redis-start.sh of this repository.</summary>
    internal static string StartScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "deploy", "redis-start.sh");
            if (File.Exists(Path.Combine(dir.FullName, "MusterBot.sln")) && File.Exists(script))
            {
                return script;
            }
        }

        throw new InvalidOperationException("deploy/redis-start.sh not found above the test output folder.");
    }

    /// <summary>A StackExchange.Redis connection string for the server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        _executable = FindOnPath("redis-server")
            ?? throw new InvalidOperationException(
                "redis-server not found: install it with `apt-get install -y redis-server`");
        Port = FreePort();
        await StartAsync();
    }

    public Task DisposeAsync()
    {
        Stop();

        // MUSTERBOT_KEEP_REDIS_DIR=1 keeps a persistent server's directory (its append-only file) for a look afterwards.
        if (_directory is not null && Environment.GetEnvironmentVariable("MUSTERBOT_KEEP_REDIS_DIR") != "1")
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>Kills the server and starts a new one on the same port (all data is lost: no persistence).</summary>
    public async Task RestartAsync()
    {
        Stop();
        await StartAsync();
    }

    /// <summary>
    /// Kills the server (SIGKILL: an outage); <see cref="StartAgainAsync"/> brings it back on the same port, empty, or
    /// with its data when the fixture is persistent.
    /// </summary>
    public Task StopAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    public Task StartAgainAsync() => StartAsync();

    /// <summary>
    /// Starts the server again if a test stopped it and failed before starting it again, so one failed test does not
    /// leave the later tests of the collection hanging on a stopped Redis. Test classes that stop the server call it
    /// first.
    /// </summary>
    public Task EnsureRunningAsync() => _process is { HasExited: false } ? Task.CompletedTask : StartAsync();

    /// <summary>
    /// Sends one command on a fresh plain connection (RESP2, without StackExchange.Redis, so a test sees what the
    /// server saw) and returns the reply as text: a status or bulk string as is, an integer as its digits, an array as
    /// its elements joined by '\n'. An error reply throws.
    /// </summary>
    public Task<string> ExecuteAsync(params string[] arguments) => ExecuteOnAsync(Port, arguments);

    /// <summary>How many EVALSHA calls the server has run since it started (INFO commandstats; 0 before the first).</summary>
    public async Task<long> EvalShaCallsAsync()
    {
        foreach (var line in (await ExecuteAsync("INFO", "commandstats")).Split('\n'))
        {
            if (line.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal))
            {
                var calls = line.Split(':', ',').First(p => p.StartsWith("calls=", StringComparison.Ordinal));
                return long.Parse(calls["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>Like <see cref="ExecuteAsync"/>, on the server at 127.0.0.1:<paramref name="port"/>.</summary>
    public static Task<string> ExecuteOnAsync(int port, params string[] arguments) =>
        ExecuteWithPasswordAsync(port, null, arguments);

    /// <summary>
    /// Like <see cref="ExecuteOnAsync(int, string[])"/>, after <c>AUTH <paramref name="password"/></c> on the same connection
    /// (none when null).
    /// </summary>
    public static async Task<string> ExecuteWithPasswordAsync(int port, string? password, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var request = new StringBuilder();
        if (password is not null)
        {
            AppendCommand(request, ["AUTH", password]);
        }

        AppendCommand(request, arguments);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = new BufferedStream(client.GetStream());
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        await stream.FlushAsync();
        if (password is not null)
        {
            await ReadReplyAsync(stream);
        }

        return await ReadReplyAsync(stream);
    }

    private static void AppendCommand(StringBuilder request, string[] arguments)
    {
        request.Append('*').Append(arguments.Length).Append("\r\n");
        foreach (var argument in arguments)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }
    }

    private static async Task<string> ReadReplyAsync(Stream stream)
    {
        var line = await ReadLineAsync(stream);
        var body = line[1..];
        switch (line[0])
        {
            case '+':
            case ':':
                return body;
            case '-':
                throw new InvalidOperationException("redis-server replied: " + body);
            case '$':
                var length = int.Parse(body, System.Globalization.CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return "";
                }

                var data = new byte[length + 2];
                await stream.ReadExactlyAsync(data);
                return Encoding.UTF8.GetString(data, 0, length);
            case '*':
                var count = int.Parse(body, System.Globalization.CultureInfo.InvariantCulture);
                var items = new List<string>();
                for (var i = 0; i < count; i++)
                {
                    items.Add(await ReadReplyAsync(stream));
                }

                return string.Join('\n', items);
            default:
                throw new InvalidOperationException("unexpected reply: " + line);
        }
    }

    private static async Task<string> ReadLineAsync(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (!(bytes.Count >= 2 && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            await stream.ReadExactlyAsync(one);
            bytes.Add(one[0]);
        }

        return Encoding.UTF8.GetString(bytes.ToArray(), 0, bytes.Count - 2);
    }

    private async Task StartAsync()
    {
        _output.Clear();
        var start = new ProcessStartInfo(_executable!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] persistence = ["--save", "", "--appendonly", "no"];
        if (_persistent)
        {
            // Started as the compose files start it: deploy/redis-start.sh repairs an append-only file cut by a kill
            // at a transaction boundary, then execs redis-server (the process killed later is redis-server itself).
            _directory ??= System.IO.Directory.CreateTempSubdirectory("musterbot-redis-").FullName;
            persistence = ["--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", _directory];
            start.FileName = "/bin/sh";
            start.ArgumentList.Add(StartScript());
            start.Environment["REDIS_DATA_DIR"] = _directory;
        }

        foreach (var argument in (string[])["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", .. persistence])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && _output.Count < 500)
            {
                _output.Enqueue(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && _output.Count < 500)
            {
                _output.Enqueue(e.Data);
            }

            if (e.Data?.StartsWith("redis-start: the append-only file ends in a cut write", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref _repairs);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (!await AnswersPingAsync())
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} on port {Port}:\n{string.Join('\n', _output.TakeLast(20))}");
            }

            if (deadline.Elapsed > StartTimeout)
            {
                Stop();
                throw new InvalidOperationException($"redis-server did not answer PING on port {Port} in {StartTimeout}");
            }

            await Task.Delay(20);
        }
    }

    private void Stop()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        _process = null;
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    internal static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A <see cref="RedisServerFixture"/> with an append-only file: its data survives a kill and a start again.</summary>
public sealed class PersistentRedisServerFixture() : RedisServerFixture(persistent: true);
