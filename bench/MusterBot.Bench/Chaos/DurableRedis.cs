using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MusterBot.Bench.Chaos;

/// <summary>
/// A redis-server with an append-only file in its own directory, on a fixed free port, that can be SIGKILLed and started
/// again on the same port and files (what it had acknowledged must still be there, per its appendfsync).
/// </summary>
public sealed class DurableRedis : IDisposable
{
    private readonly string _fsync;
    private Process? _process;

    private DurableRedis(int port, string directory, string fsync)
    {
        Port = port;
        Directory = directory;
        _fsync = fsync;
    }

    public int Port { get; }

    public string Directory { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<DurableRedis> StartAsync(string fsync)
    {
        _ = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "redis-server"))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server not found on PATH (apt-get install -y redis-server).");
        var directory = Path.Combine(Path.GetTempPath(), "musterbot-chaos-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var redis = new DurableRedis(FreePort(), directory, fsync);
        await redis.StartAgainAsync();
        return redis;
    }

    /// <summary>Starts the server (again) on the same port and directory and waits until it answers PING after loading its AOF.</summary>
    public async Task<TimeSpan> StartAgainAsync()
    {
        var clock = Stopwatch.StartNew();
        // As the compose files start it: deploy/redis-start.sh repairs a file cut by the last kill at a transaction
        // boundary, then execs redis-server with aof-load-truncated no.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(StartScript());
        start.Environment["REDIS_DATA_DIR"] = Directory;
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", Directory,
                     "--save", "", "--appendonly", "yes", "--appendfsync", _fsync, "--maxmemory-policy", "noeviction",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        while (!((await TryCommandAsync("PING"))?.StartsWith("+PONG", StringComparison.Ordinal) ?? false))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} on port {Port}");
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"redis-server did not answer PING on port {Port} within 60 s");
            }

            await Task.Delay(20);
        }

        return clock.Elapsed;
    }

    private static string StartScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "deploy", "redis-start.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }

        throw new InvalidOperationException("deploy/redis-start.sh not found above " + AppContext.BaseDirectory + ": run the bench from the repository.");
    }

    /// <summary>SIGKILL: no shutdown, no final fsync.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        KillAsync().GetAwaiter().GetResult();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temporary directory.
        }
    }

    private async Task<string?> TryCommandAsync(string command)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
            var buffer = new byte[256];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return null;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
