using System.Collections.Concurrent;
using System.Diagnostics;

namespace MusterBot.Tests.Support;

/// <summary>Holds the second child (started later) so a using declaration can dispose it.</summary>
internal sealed class ChildHostSlot : IDisposable
{
    public ChildHost? Host { get; set; }

    public void Dispose() => Host?.Dispose();
}

/// <summary>The real MusterBot.Host.dll in a child process, its output drained into memory.</summary>
internal sealed class ChildHost : IDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();

    private ChildHost(Process process)
    {
        Process = process;
    }

    public Process Process { get; }

    public IReadOnlyCollection<string> Lines => _lines;

    public static ChildHost Start(IReadOnlyDictionary<string, string> environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "MusterBot.Host.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var host = new ChildHost(process);
        process.OutputDataReceived += (_, e) => host.Add(e.Data);
        process.ErrorDataReceived += (_, e) => host.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits until the host has logged that it started (Kestrel bound, hosted services running).</summary>
    public async Task WaitUntilStartedAsync(TimeSpan limit, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!_lines.Any(l => l.Contains("Application started", StringComparison.Ordinal)))
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"the host exited with code {Process.ExitCode} before it started:\n{Tail()}");
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"the host had not started after {limit.TotalSeconds:F0} s:\n{Tail()}");
            }

            await Task.Delay(50, ct);
        }
    }

    public string Tail() => string.Join('\n', _lines.TakeLast(30));

    public void KillIfRunning()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
    }

    public void Dispose()
    {
        KillIfRunning();
        Process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }
}
