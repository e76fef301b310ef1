using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MusterBot.Tests.State;

/// <summary>
/// A throw-away redis-server on a free port of 127.0.0.1, without persistence, for the tests of the "redis"
/// collection. Stopped (killed) when the collection is done.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private Process? _process;
    private string? _executable;

    public int Port { get; private set; }

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
        return Task.CompletedTask;
    }

    /// <summary>Kills the server and starts a new one on the same port (all data is lost: no persistence).</summary>
    public async Task RestartAsync()
    {
        Stop();
        await StartAsync();
    }

    /// <summary>Kills the server (an outage); <see cref="StartAgainAsync"/> brings it back, empty, on the same port.</summary>
    public Task StopAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    public Task StartAgainAsync() => StartAsync();

    /// <summary>
    /// Sends one command on a fresh plain connection (RESP2, without StackExchange.Redis, so a test sees what the
    /// server saw) and returns the reply as text: a status or bulk string as is, an integer as its digits, an array as
    /// its elements joined by '\n'. An error reply throws.
    /// </summary>
    public async Task<string> ExecuteAsync(params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var request = new StringBuilder().Append('*').Append(arguments.Length).Append("\r\n");
        foreach (var argument in arguments)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        await using var stream = new BufferedStream(client.GetStream());
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        await stream.FlushAsync();
        return await ReadReplyAsync(stream);
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
        var start = new ProcessStartInfo(_executable!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (!await AnswersPingAsync())
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} on port {Port}");
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

    private static string? FindOnPath(string name)
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
