using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MusterBot.Tests.State;

/// <summary>
/// A throw-away Redis Cluster of three masters (no replicas) on free loopback ports, without persistence: three
/// <c>redis-server --cluster-enabled yes</c> joined by <c>redis-cli --cluster create</c>, ready once every node reports
/// <c>cluster_state:ok</c>. Stopped (killed) and its directories removed when the collection is done.
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<Process> _servers = [];
    private readonly List<string> _directories = [];

    /// <summary>The masters' ports.</summary>
    public IReadOnlyList<int> Ports { get; private set; } = [];

    /// <summary>A StackExchange.Redis connection string naming every master: the client finds the cluster by itself.</summary>
    public string ConnectionString => string.Join(',', Ports.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)));

    public async Task InitializeAsync()
    {
        var server = RedisServerFixture.FindOnPath("redis-server")
            ?? throw new InvalidOperationException("redis-server not found: install it with `apt-get install -y redis-server`");
        var cli = RedisServerFixture.FindOnPath("redis-cli")
            ?? throw new InvalidOperationException("redis-cli not found: install it with `apt-get install -y redis-server` (it brings redis-cli)");
        Ports = FreePorts(3);
        foreach (var port in Ports)
        {
            var directory = System.IO.Directory.CreateTempSubdirectory("musterbot-cluster-").FullName;
            _directories.Add(directory);
            var start = new ProcessStartInfo(server) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])[
                "--port", Text(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                "--cluster-config-file", Path.Combine(directory, "nodes.conf"), "--cluster-node-timeout", "5000",
                "--save", "", "--appendonly", "no", "--dir", directory])
            {
                start.ArgumentList.Add(argument);
            }

            _servers.Add(StartQuiet(start));
        }

        var deadline = Stopwatch.StartNew();
        foreach (var port in Ports)
        {
            while (!await AnswersAsync(port))
            {
                if (deadline.Elapsed > StartTimeout || _servers.Any(p => p.HasExited))
                {
                    throw new InvalidOperationException($"redis-server (cluster node) did not start on port {port}");
                }

                await Task.Delay(20);
            }
        }

        var create = new ProcessStartInfo(cli) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--cluster", "create", .. Ports.Select(p => "127.0.0.1:" + Text(p)), "--cluster-replicas", "0", "--cluster-yes"])
        {
            create.ArgumentList.Add(argument);
        }

        using (var process = Process.Start(create) ?? throw new InvalidOperationException("redis-cli did not start"))
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"redis-cli --cluster create failed ({process.ExitCode}): {await output} {await error}");
            }
        }

        foreach (var port in Ports)
        {
            while (!(await RedisServerFixture.ExecuteOnAsync(port, "CLUSTER", "INFO")).Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                if (deadline.Elapsed > StartTimeout)
                {
                    throw new InvalidOperationException($"the cluster did not reach cluster_state:ok on port {port} in {StartTimeout}");
                }

                await Task.Delay(50);
            }
        }
    }

    public Task DisposeAsync()
    {
        foreach (var process in _servers)
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }

            process.Dispose();
        }

        foreach (var directory in _directories)
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>The port of the master that owns <paramref name="key"/>'s hash slot (CLUSTER KEYSLOT, then CLUSTER SLOTS).</summary>
    public async Task<int> OwnerOfAsync(string key)
    {
        var slot = int.Parse(await RedisServerFixture.ExecuteOnAsync(Ports[0], "CLUSTER", "KEYSLOT", key), CultureInfo.InvariantCulture);
        foreach (var port in Ports)
        {
            // CLUSTER COUNTKEYSINSLOT answers on every node; a node serves a slot iff a plain read there is not redirected.
            try
            {
                await RedisServerFixture.ExecuteOnAsync(port, "EXISTS", key);
                return port;
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("MOVED " + slot.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))
            {
            }
        }

        throw new InvalidOperationException($"no master serves slot {slot}");
    }

    /// <summary>Runs one command on the master that owns <paramref name="key"/>.</summary>
    public async Task<string> ExecuteForKeyAsync(string key, params string[] arguments) =>
        await RedisServerFixture.ExecuteOnAsync(await OwnerOfAsync(key), arguments);

    private static Process StartQuiet(ProcessStartInfo start)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        try
        {
            return await RedisServerFixture.ExecuteOnAsync(port, "PING") == "PONG";
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

    /// <summary>Free ports whose cluster bus port (port + 10000) is free as well.</summary>
    private static List<int> FreePorts(int count)
    {
        var ports = new List<int>();
        while (ports.Count < count)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (port + 10000 <= 65535 && IsFree(port + 10000) && !ports.Contains(port))
            {
                ports.Add(port);
            }
        }

        return ports;
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Tests that need a Redis Cluster join this collection; they share one cluster and run one at a time.</summary>
[CollectionDefinition("redis-cluster")]
public sealed class RedisClusterCollectionDefinition : ICollectionFixture<RedisClusterFixture>;
