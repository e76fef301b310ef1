using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MusterBot.Bench;

/// <summary>
/// A throw-away Redis Cluster of three masters and no replicas on free ports of 127.0.0.1, without persistence:
/// three <c>redis-server --cluster-enabled yes</c>, joined with <c>redis-cli --cluster create … --cluster-replicas 0
/// --cluster-yes</c> (the 16,384 slots split in three), ready once every node says <c>cluster_state:ok</c>.
/// </summary>
public sealed class RedisCluster : IDisposable
{
    private readonly string _directory;

    private RedisCluster(IReadOnlyList<RedisServer> nodes, string directory)
    {
        Nodes = nodes;
        _directory = directory;
    }

    public IReadOnlyList<RedisServer> Nodes { get; }

    /// <summary>The three endpoints, as a StackExchange.Redis configuration (it discovers the slots itself).</summary>
    public string ConnectionString =>
        string.Join(",", Nodes.Select(n => "127.0.0.1:" + n.Port.ToString(CultureInfo.InvariantCulture)))
        + (Environment.GetEnvironmentVariable("BENCH_REDIS_EXTRA") ?? "");

    /// <summary>CPU time of the three redis-server processes so far.</summary>
    public TimeSpan CpuTime => Nodes.Aggregate(TimeSpan.Zero, (sum, n) => sum + n.CpuTime);

    public static async Task<RedisCluster> StartAsync(IReadOnlyList<string> extraArguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(extraArguments);
        var cli = RedisServer.FindOnPath("redis-cli")
            ?? throw new InvalidOperationException("redis-cli not found on PATH (it comes with redis-server: `apt-get install -y redis-server`).");
        var directory = Directory.CreateTempSubdirectory("musterbot-cluster-").FullName;
        var nodes = new List<RedisServer>(3);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var port = ClusterPort(nodes.Select(n => n.Port).ToList());
                nodes.Add(await RedisServer.StartAsync(
                    [
                        "--cluster-enabled", "yes",
                        "--cluster-config-file", Path.Combine(directory, "nodes-" + port.ToString(CultureInfo.InvariantCulture) + ".conf"),
                        "--cluster-node-timeout", "5000",
                        "--dir", directory,
                        .. extraArguments,
                    ],
                    port));
            }

            var create = new ProcessStartInfo(cli)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            create.ArgumentList.Add("--cluster");
            create.ArgumentList.Add("create");
            foreach (var node in nodes)
            {
                create.ArgumentList.Add("127.0.0.1:" + node.Port.ToString(CultureInfo.InvariantCulture));
            }

            create.ArgumentList.Add("--cluster-replicas");
            create.ArgumentList.Add("0");
            create.ArgumentList.Add("--cluster-yes");
            using (var process = Process.Start(create) ?? throw new InvalidOperationException("redis-cli did not start"))
            {
                var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
                var errors = process.StandardError.ReadToEndAsync(cancellationToken);
                await process.WaitForExitAsync(cancellationToken);
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"redis-cli --cluster create failed ({process.ExitCode}): {await output}{await errors}");
                }
            }

            var cluster = new RedisCluster(nodes, directory);
            var clock = Stopwatch.StartNew();
            while (!await cluster.AllOkAsync(cli, cancellationToken))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(30))
                {
                    cluster.Dispose();
                    throw new InvalidOperationException("the cluster did not reach cluster_state:ok within 30 s");
                }

                await Task.Delay(100, cancellationToken);
            }

            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }

            TryDelete(directory);
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var node in Nodes)
        {
            node.Dispose();
        }

        TryDelete(_directory);
    }

    private async Task<bool> AllOkAsync(string cli, CancellationToken cancellationToken)
    {
        foreach (var node in Nodes)
        {
            var info = new ProcessStartInfo(cli) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-p", node.Port.ToString(CultureInfo.InvariantCulture), "cluster", "info" })
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info) ?? throw new InvalidOperationException("redis-cli did not start");
            var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (!output.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A free port whose cluster bus port (port + 10000) is free too.</summary>
    private static int ClusterPort(IReadOnlyList<int> taken)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = RedisServer.FreePort();
            if (port + 10_000 <= 65_535 && !taken.Contains(port) && !taken.Contains(port + 10_000) && IsFree(port + 10_000))
            {
                return port;
            }
        }

        throw new InvalidOperationException("no free port pair (port, port + 10000) for a cluster node");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
