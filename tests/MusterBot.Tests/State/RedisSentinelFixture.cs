using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MusterBot.Tests.State;

/// <summary>
/// A throw-away Redis Sentinel set-up on free loopback ports: one primary and one replica (append-only file,
/// <c>appendfsync everysec</c>, both with a password) and three sentinels (quorum 2, with their own password) that
/// watch them as <see cref="ServiceName"/> and fail over after 1 s without an answer. <see cref="KillPrimaryAsync"/>
/// kills the primary (SIGKILL), <see cref="WaitForFailoverAsync"/> waits until the sentinels name the replica and it
/// has become a primary, <see cref="RestoreAsync"/> starts the killed node again as the new primary's replica.
/// Everything is killed and its directories removed when the collection is done.
/// </summary>
public sealed class RedisSentinelFixture : IAsyncLifetime
{
    public const string ServiceName = "musterbot";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Dictionary<int, Process> _nodes = [];
    private readonly List<Process> _sentinels = [];
    private readonly Dictionary<int, Process> _lone = [];
    private readonly List<string> _directories = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _events = new();
    private string? _executable;
    private int _killed;

    /// <summary>The data nodes' password (requirepass and masterauth); new for every run, so a test can look for it in logs.</summary>
    public string Password { get; } = "node-" + Guid.NewGuid().ToString("N");

    /// <summary>The sentinels' own password (requirepass of the sentinels, and sentinel-pass between them).</summary>
    public string SentinelPassword { get; } = "sentinel-" + Guid.NewGuid().ToString("N");

    /// <summary>The two data nodes' ports (primary first at the start; a failover swaps their roles).</summary>
    public IReadOnlyList<int> NodePorts { get; private set; } = [];

    public IReadOnlyList<int> SentinelPorts { get; private set; } = [];

    /// <summary>The port of the node the sentinels named primary last (set at start and by <see cref="WaitForFailoverAsync"/>).</summary>
    public int PrimaryPort { get; private set; }

    public int ReplicaPort => NodePorts.Single(p => p != PrimaryPort);

    /// <summary>The bot's <c>Redis:Configuration</c>: the three sentinels, the service name and both passwords.</summary>
    public string ConnectionString =>
        string.Join(',', SentinelPorts.Select(p => "127.0.0.1:" + Text(p)))
        + $",serviceName={ServiceName},password={Password},sentinelPassword={SentinelPassword}";

    public async Task InitializeAsync()
    {
        _executable = RedisServerFixture.FindOnPath("redis-server")
            ?? throw new InvalidOperationException("redis-server not found: install it with `apt-get install -y redis-server` (it also runs the sentinels: redis-server file.conf --sentinel)");
        var ports = FreePorts(5);
        NodePorts = ports[..2];
        SentinelPorts = ports[2..];
        PrimaryPort = NodePorts[0];
        StartNode(NodePorts[0], replicaOf: null);
        StartNode(NodePorts[1], replicaOf: NodePorts[0]);
        await WaitAsync(() => AnswersAsync(NodePorts[0]), "the primary answering PING");
        await WaitAsync(async () => (await ReplicationAsync(NodePorts[1])).Contains("master_link_status:up", StringComparison.Ordinal), "the replica's link to the primary");
        foreach (var port in SentinelPorts)
        {
            StartSentinel(port);
        }

        await WaitUntilSentinelsKnowAllAsync();
        await EnsureSettledAsync();
    }

    /// <summary>
    /// Starts a fourth, lone sentinel without a password of its own that watches the current primary under another
    /// service name (so the three others ignore it), and waits until it knows the replica; returns its port. It is
    /// killed with the rest, or by <see cref="StopLoneSentinel"/>.
    /// </summary>
    public async Task<int> StartLoneSentinelAsync(string serviceName)
    {
        var port = FreePorts(1)[0];
        var directory = System.IO.Directory.CreateTempSubdirectory("musterbot-sentinel-lone-").FullName;
        _directories.Add(directory);
        var file = Path.Combine(directory, "sentinel.conf");
        File.WriteAllText(file, string.Join('\n',
            $"port {Text(port)}",
            "bind 127.0.0.1",
            $"dir {directory}",
            $"sentinel monitor {serviceName} 127.0.0.1 {Text(PrimaryPort)} 1",
            $"sentinel auth-pass {serviceName} {Password}",
            ""));
        var process = StartQuiet([file, "--sentinel"], null);
        _lone[port] = process;
        await WaitAsync(
            async () => Field(await RedisServerFixture.ExecuteOnAsync(port, "SENTINEL", "MASTER", serviceName), "num-slaves") == "1",
            $"the lone sentinel {port} seeing the replica");
        return port;
    }

    public void StopLoneSentinel(int port)
    {
        if (_lone.Remove(port, out var process))
        {
            Kill(process);
            process.Dispose();
        }
    }

    /// <summary>Every sentinel forgets the service (SENTINEL REMOVE): none names a primary until <see cref="MonitorAgainAsync"/>.</summary>
    public async Task ForgetServiceAsync()
    {
        foreach (var port in SentinelPorts)
        {
            await SentinelOnAsync(port, "SENTINEL", "REMOVE", ServiceName);
        }
    }

    /// <summary>Every sentinel that forgot the service watches it again, as at the start, and learns the replica and the others.</summary>
    public async Task MonitorAgainAsync()
    {
        foreach (var port in SentinelPorts)
        {
            if ((await SentinelOnAsync(port, "SENTINEL", "MASTERS")).Contains(ServiceName, StringComparison.Ordinal))
            {
                continue;
            }

            await SentinelOnAsync(port, "SENTINEL", "MONITOR", ServiceName, "127.0.0.1", Text(PrimaryPort), "2");
            await SentinelOnAsync(port, "SENTINEL", "SET", ServiceName, "auth-pass", Password, "down-after-milliseconds", "1000", "failover-timeout", "2000", "parallel-syncs", "1");
        }

        await WaitUntilSentinelsKnowAllAsync();
        await EnsureSettledAsync();
    }

    /// <summary>Every sentinel knows the replica and the two other sentinels: only then can they agree on a failover.</summary>
    private async Task WaitUntilSentinelsKnowAllAsync()
    {
        foreach (var port in SentinelPorts)
        {
            await WaitAsync(
                async () =>
                {
                    var master = await SentinelOnAsync(port, "SENTINEL", "MASTER", ServiceName);
                    return Field(master, "num-slaves") == "1" && Field(master, "num-other-sentinels") == "2";
                },
                $"sentinel {port} seeing the replica and the other sentinels");
        }
    }

    public Task DisposeAsync()
    {
        foreach (var process in _nodes.Values.Concat(_sentinels).Concat(_lone.Values))
        {
            Kill(process);
        }

        foreach (var directory in _directories)
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A sentinel may still be rewriting its file as it dies; the directory is under /tmp.
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Runs one command on a data node, authenticated (see <see cref="RedisServerFixture.ExecuteOnAsync(int, string[])"/>).</summary>
    public Task<string> NodeAsync(int port, params string[] arguments) =>
        RedisServerFixture.ExecuteWithPasswordAsync(port, Password, arguments);

    /// <summary>Runs one command on the current primary.</summary>
    public Task<string> PrimaryAsync(params string[] arguments) => NodeAsync(PrimaryPort, arguments);

    /// <summary>The primary the sentinels name now (SENTINEL GET-MASTER-ADDR-BY-NAME on the first that answers).</summary>
    public async Task<int> NamedPrimaryAsync()
    {
        foreach (var port in SentinelPorts)
        {
            try
            {
                var address = (await SentinelOnAsync(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", ServiceName)).Split('\n');
                return int.Parse(address[1], CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException)
            {
            }
        }

        throw new InvalidOperationException("no sentinel answered");
    }

    /// <summary>
    /// Waits until the set-up is whole: the sentinels name a primary that says it is one, the other node is its
    /// replica with the link up, and no failover is under way (a loaded machine can make the sentinels miss a primary's
    /// answers for a second and fail over on their own); <see cref="PrimaryPort"/> is then that primary. Tests call it
    /// first, so one test's failover never leaks into the next.
    /// </summary>
    public async Task EnsureSettledAsync()
    {
        var watch = Stopwatch.StartNew();
        var stableSince = (TimeSpan?)null;
        while (true)
        {
            if (_killed == 0 && await IsSettledAsync())
            {
                stableSince ??= watch.Elapsed;
                if (watch.Elapsed - stableSince >= TimeSpan.FromMilliseconds(300))
                {
                    return;
                }
            }
            else
            {
                stableSince = null;
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException("the Sentinel set-up did not settle in 30 s: " + await DescribeAsync() + "\n" + SentinelEvents());
            }

            await Task.Delay(50);
        }
    }

    private async Task<bool> IsSettledAsync()
    {
        try
        {
            var named = await NamedPrimaryAsync();
            var other = NodePorts.Single(p => p != named);
            if (!(await NodeAsync(named, "ROLE")).StartsWith("master", StringComparison.Ordinal)
                || !(await NodeAsync(other, "INFO", "replication")).Contains("master_port:" + Text(named) + "\r\nmaster_link_status:up", StringComparison.Ordinal))
            {
                return false;
            }

            foreach (var port in SentinelPorts)
            {
                var master = await SentinelOnAsync(port, "SENTINEL", "MASTER", ServiceName);
                if (Field(master, "flags") != "master" || Field(master, "num-other-sentinels") != "2")
                {
                    return false; // s_down, o_down, failover_in_progress, … or not yet aware of the others
                }
            }

            PrimaryPort = named;
            return true;
        }
        catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    /// <summary>Who is what now, for a test's output: the fixture's primary, the sentinels' and each node's ROLE.</summary>
    public async Task<string> DescribeAsync()
    {
        var text = $"fixture primary {PrimaryPort}, sentinels name {await NamedPrimaryAsync()}";
        foreach (var port in NodePorts)
        {
            string role;
            try
            {
                role = (await NodeAsync(port, "ROLE")).Replace('\n', ' ');
            }
            catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException)
            {
                role = "down";
            }

            text += $"; {port}: {role}";
        }

        return text;
    }

    /// <summary>Kills the primary with SIGKILL (no shutdown, nothing flushed) and returns its port.</summary>
    public Task<int> KillPrimaryAsync()
    {
        var port = PrimaryPort;
        Kill(_nodes[port]);
        _nodes[port].Dispose();
        _nodes.Remove(port);
        _killed = port;
        return Task.FromResult(port);
    }

    /// <summary>
    /// Waits until the sentinels name another primary than the killed one and that node answers ROLE as master; returns
    /// how long it took from the call.
    /// </summary>
    public async Task<TimeSpan> WaitForFailoverAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var named = await NamedPrimaryAsync();
            if (named != _killed && (await NodeAsync(named, "ROLE")).StartsWith("master", StringComparison.Ordinal))
            {
                PrimaryPort = named;
                return watch.Elapsed;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"the sentinels did not fail over in {timeout.TotalSeconds} s (they name {named})");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Starts the killed node again as a replica of the new primary (as an operator would: never as a second primary)
    /// and waits until its link is up and every sentinel counts it as a replica, so the next failover can promote it.
    /// </summary>
    public async Task RestoreAsync()
    {
        if (_killed == 0)
        {
            return;
        }

        var port = _killed;
        _killed = 0;
        StartNode(port, replicaOf: PrimaryPort);
        await WaitAsync(() => AnswersAsync(port), $"node {port} answering PING");
        await WaitAsync(async () => (await ReplicationAsync(port)).Contains("master_link_status:up", StringComparison.Ordinal), $"node {port} linked to the primary {PrimaryPort}");
        foreach (var sentinel in SentinelPorts)
        {
            await WaitAsync(
                async () =>
                {
                    var replicas = await SentinelOnAsync(sentinel, "SENTINEL", "REPLICAS", ServiceName);
                    var rows = replicas.Split('\n');
                    for (var i = 0; i + 1 < rows.Length; i++)
                    {
                        if (rows[i] == "name" && rows[i + 1] == "127.0.0.1:" + Text(port))
                        {
                            var flags = rows.Skip(i).SkipWhile(r => r != "flags").Skip(1).FirstOrDefault() ?? "";
                            return !flags.Contains("down", StringComparison.Ordinal) && !flags.Contains("disconnected", StringComparison.Ordinal);
                        }
                    }

                    return false;
                },
                $"sentinel {sentinel} seeing {port} as a healthy replica");
        }

        await EnsureSettledAsync();
    }

    private async Task<string> ReplicationAsync(int port)
    {
        try
        {
            return await NodeAsync(port, "INFO", "replication");
        }
        catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException)
        {
            return "";
        }
    }

    private Task<string> SentinelOnAsync(int port, params string[] arguments) =>
        RedisServerFixture.ExecuteWithPasswordAsync(port, SentinelPassword, arguments);

    private void StartNode(int port, int? replicaOf)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("musterbot-sentinel-node-").FullName;
        _directories.Add(directory);
        string[] arguments =
        [
            "--port", Text(port), "--bind", "127.0.0.1", "--dir", directory, "--save", "",
            "--appendonly", "yes", "--appendfsync", "everysec",
            "--requirepass", Password, "--masterauth", Password,
            "--repl-diskless-sync-delay", "0",
            "--enable-debug-command", "local", // DEBUG SLEEP: a test holds the replica back
            .. (replicaOf is { } primary ? new[] { "--replicaof", "127.0.0.1", Text(primary) } : []),
        ];
        _nodes[port] = StartQuiet(arguments, null);
    }

    private void StartSentinel(int port)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("musterbot-sentinel-").FullName;
        _directories.Add(directory);
        var file = Path.Combine(directory, "sentinel.conf");
        File.WriteAllText(file, string.Join('\n',
            $"port {Text(port)}",
            "bind 127.0.0.1",
            $"dir {directory}",
            $"requirepass {SentinelPassword}",
            $"sentinel sentinel-pass {SentinelPassword}",
            $"sentinel monitor {ServiceName} 127.0.0.1 {Text(PrimaryPort)} 2",
            $"sentinel auth-pass {ServiceName} {Password}",
            $"sentinel down-after-milliseconds {ServiceName} 1000",
            // Also how long a sentinel that voted waits before it may start a failover itself (twice this): 2 s keeps a
            // failover right after another (one test after the next) from waiting 10 s.
            $"sentinel failover-timeout {ServiceName} 2000",
            $"sentinel parallel-syncs {ServiceName} 1",
            ""));
        _sentinels.Add(StartQuiet([file, "--sentinel"], "sentinel " + Text(port)));
    }

    /// <summary>The sentinels' event lines (+sdown, +odown, +switch-master, …) so far, oldest first.</summary>
    public string SentinelEvents(int last = 40) => string.Join('\n', _events.TakeLast(last));

    private Process StartQuiet(string[] arguments, string? keepEventsAs)
    {
        var start = new ProcessStartInfo(_executable!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, e) =>
        {
            if (keepEventsAs is not null && e.Data is { } line && line.Contains(" # ", StringComparison.Ordinal))
            {
                _events.Enqueue(keepEventsAs + ": " + line);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private async Task<bool> AnswersAsync(int port)
    {
        try
        {
            return await NodeAsync(port, "PING") == "PONG";
        }
        catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException)
            {
                // Not up yet.
            }

            if (watch.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException($"timed out after {StartTimeout.TotalSeconds} s waiting for {what}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The value after <paramref name="name"/> in a flat name/value reply (SENTINEL MASTER).</summary>
    private static string? Field(string reply, string name)
    {
        var rows = reply.Split('\n');
        var index = Array.IndexOf(rows, name);
        return index >= 0 && index + 1 < rows.Length ? rows[index + 1] : null;
    }

    private static List<int> FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        foreach (var listener in listeners)
        {
            listener.Start();
        }

        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
        foreach (var listener in listeners)
        {
            listener.Stop();
        }

        return ports;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Tests on the Sentinel set-up share it and run alone (no other test at the same time): they kill its primary and
/// time the failover.
/// </summary>
[CollectionDefinition("redis-sentinel", DisableParallelization = true)]
public sealed class RedisSentinelCollectionDefinition : ICollectionFixture<RedisSentinelFixture>;
