using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace MusterBot.Bench;

/// <summary>
/// The grammY bot of the peer benchmark: bench/peer/grammy (bot.js, package.json with pinned versions, package-lock.json),
/// copied next to the bench at build time. <see cref="InstallAsync"/> installs it with <c>npm ci</c> into a cache directory
/// named by the hash of package.json and package-lock.json (so once per machine and version set); <see cref="Start"/>
/// runs <c>node bot.js</c> there.
/// </summary>
internal sealed class PeerGrammy : IDisposable
{
    private static readonly string[] Packages = ["grammy", "@grammyjs/runner", "@grammyjs/storage-redis", "ioredis"];
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PeerGrammy(Process process)
    {
        _process = process;
    }

    public static string Source => Path.Combine(AppContext.BaseDirectory, "peer", "grammy");

    public int ProcessId => _process.Id;

    /// <summary>CPU time used by the node process so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// The cache directory with node_modules installed (npm ci, once per package.json + package-lock.json) and the
    /// current bot.js; returns it and a line naming node's and the packages' versions.
    /// </summary>
    public static async Task<(string Directory, string Versions)> InstallAsync(CancellationToken cancellationToken)
    {
        var node = RedisServer.FindOnPath("node") ?? throw new InvalidOperationException("node not found on PATH: the peer benchmark runs the grammY bot with Node.js (18 or newer).");
        var npm = RedisServer.FindOnPath("npm") ?? throw new InvalidOperationException("npm not found on PATH: the peer benchmark installs grammY with npm.");
        foreach (var file in new[] { "bot.js", "package.json", "package-lock.json" })
        {
            if (!File.Exists(Path.Combine(Source, file)))
            {
                throw new InvalidOperationException($"{Path.Combine(Source, file)} is missing: build the bench (it copies bench/peer/grammy).");
            }
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(
            (await File.ReadAllBytesAsync(Path.Combine(Source, "package.json"), cancellationToken))
                .Concat(await File.ReadAllBytesAsync(Path.Combine(Source, "package-lock.json"), cancellationToken)).ToArray()))[..12];
        var cacheRoot = Environment.GetEnvironmentVariable("BENCH_PEER_CACHE")
            ?? Path.Combine(
                Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
                "musterbot-bench");
        var directory = Path.Combine(cacheRoot, "grammy-" + hash);
        var marker = Path.Combine(directory, ".installed");
        if (!File.Exists(marker))
        {
            Directory.CreateDirectory(directory);
            File.Copy(Path.Combine(Source, "package.json"), Path.Combine(directory, "package.json"), overwrite: true);
            File.Copy(Path.Combine(Source, "package-lock.json"), Path.Combine(directory, "package-lock.json"), overwrite: true);
            Console.WriteLine($"peer: npm ci --no-audit --no-fund in {directory} (once per machine and version set)");
            var install = new ProcessStartInfo(npm) { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "ci", "--no-audit", "--no-fund" })
            {
                install.ArgumentList.Add(argument);
            }

            using var npmProcess = Process.Start(install) ?? throw new InvalidOperationException("npm did not start");
            var output = npmProcess.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = npmProcess.StandardError.ReadToEndAsync(cancellationToken);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromMinutes(5));
            await npmProcess.WaitForExitAsync(limit.Token);
            if (npmProcess.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci failed with exit code {npmProcess.ExitCode}:\n{await output}\n{await errors}");
            }

            await File.WriteAllTextAsync(marker, DateTimeOffset.UtcNow.ToString("O"), cancellationToken);
        }

        File.Copy(Path.Combine(Source, "bot.js"), Path.Combine(directory, "bot.js"), overwrite: true);

        var nodeVersion = new ProcessStartInfo(node, "--version") { UseShellExecute = false, RedirectStandardOutput = true };
        using var versionProcess = Process.Start(nodeVersion)!;
        var version = (await versionProcess.StandardOutput.ReadToEndAsync(cancellationToken)).Trim();
        await versionProcess.WaitForExitAsync(cancellationToken);
        var packages = string.Join(", ", Packages.Select(name => name + " " + InstalledVersion(directory, name)));
        return (directory, $"node {version}, {packages}");
    }

    /// <summary>Starts <c>node bot.js</c> in <paramref name="directory"/> with the given environment.</summary>
    public static PeerGrammy Start(string directory, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo(RedisServer.FindOnPath("node")!) { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("bot.js");
        start.Environment["NODE_ENV"] = "production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var bot = new PeerGrammy(process);
        process.OutputDataReceived += (_, e) => bot.Add(e.Data);
        process.ErrorDataReceived += (_, e) => bot.Add(e.Data);
        process.Exited += (_, _) => bot._ready.TrySetException(new InvalidOperationException("the grammY bot exited:\n" + bot.Tail()));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return bot;
    }

    /// <summary>Waits for bot.js's "ready" line (getMe answered, the runner started).</summary>
    public async Task WaitReadyAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            await _ready.Task.WaitAsync(limit, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"the grammY bot was not ready within {limit}:\n" + Tail());
        }
    }

    /// <summary>Lines the bot printed other than "ready" (its errors).</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    public string Tail(int lines = 30) => string.Join('\n', _lines.TakeLast(lines));

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith("ready:", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > 200)
        {
            _lines.TryDequeue(out _);
        }
    }

    private static string InstalledVersion(string directory, string package)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "node_modules", package, "package.json")));
            return json.RootElement.GetProperty("version").GetString() ?? "?";
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException)
        {
            return "?";
        }
    }
}
