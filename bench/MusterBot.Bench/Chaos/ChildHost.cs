using System.Collections.Concurrent;
using System.Diagnostics;

namespace MusterBot.Bench.Chaos;

/// <summary>
/// The real host, <c>dotnet MusterBot.Host.dll</c>, as a child process that the chaos run SIGKILLs and starts again. An exit
/// the run did not cause is a crash: it is counted, its last output kept, and the host started again.
/// </summary>
public sealed class ChildHost : IDisposable
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly ConcurrentQueue<string> _crashTails = new();
    private readonly Lock _gate = new();
    private Process? _process;
    private ConcurrentQueue<string> _lines = new();
    private bool _killing;

    public ChildHost(IReadOnlyDictionary<string, string> environment)
    {
        _environment = environment;
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "MusterBot.Host.dll");

    /// <summary>The running process's id (null before the first start).</summary>
    public int? ProcessId
    {
        get
        {
            lock (_gate)
            {
                return _process?.Id;
            }
        }
    }

    /// <summary>Processes started so far.</summary>
    public int Starts { get; private set; }

    /// <summary>Exits not caused by a kill of ours.</summary>
    public int Crashes => _crashTails.Count;

    public IReadOnlyCollection<string> CrashTails => _crashTails;

    /// <summary>Warnings and errors the host logged, over all its processes.</summary>
    public ConcurrentDictionary<string, int> LogCounts { get; } = new(StringComparer.Ordinal);

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var lines = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => Add(lines, e.Data);
        process.ErrorDataReceived += (_, e) => Add(lines, e.Data);
        process.Exited += (_, _) => OnExited(process, lines);
        lock (_gate)
        {
            _process = process;
            _lines = lines;
            _killing = false;
            process.Start();
            Starts++;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL (no shutdown hook runs), then waits for the exit.</summary>
    public async Task KillAsync()
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
            _killing = true;
        }

        if (process is null)
        {
            return;
        }

        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        await process.WaitForExitAsync();
    }

    public string Tail(int lines = 30) => string.Join('\n', _lines.TakeLast(lines));

    public void Dispose()
    {
        KillAsync().GetAwaiter().GetResult();
        _process?.Dispose();
    }

    private void OnExited(Process process, ConcurrentQueue<string> lines)
    {
        bool restart;
        lock (_gate)
        {
            restart = ReferenceEquals(process, _process) && !_killing;
        }

        if (!restart)
        {
            return;
        }

        _crashTails.Enqueue($"exit code {process.ExitCode}:\n" + string.Join('\n', lines.TakeLast(40)));
        Start();
    }

    private void Add(ConcurrentQueue<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lines.Enqueue(line);
        while (lines.Count > 400)
        {
            lines.TryDequeue(out _);
        }

        // The console logger's first line: "warn: Category[EventId]" / "fail: …" / "crit: …".
        if (line.StartsWith("warn: ", StringComparison.Ordinal) || line.StartsWith("fail: ", StringComparison.Ordinal) || line.StartsWith("crit: ", StringComparison.Ordinal))
        {
            var key = line[..4] + " " + line[6..].Split('[')[0].Split('.').Last() + (line.IndexOf('[', StringComparison.Ordinal) is var b and >= 0 ? line[b..] : string.Empty);
            LogCounts.AddOrUpdate(key, 1, (_, n) => n + 1);
        }
    }
}
