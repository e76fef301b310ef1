using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace MusterBot.Tests.State;

/// <summary>
/// deploy/redis-start.sh, which the compose files and the persistent test Redis start redis-server with: an append-only
/// file cut by a kill inside a script's MULTI/EXEC block loses the whole block, also after more writes and another
/// restart. (Redis 7.0's own loader truncates inside the block and appends after it, so the next load applied the cut
/// block's first commands: docs/architecture.md, "Found 2026-12-05".)
/// </summary>
public sealed class RedisAofRepairTests(ITestOutputHelper output)
{
    private const string Script = "for _, k in ipairs(KEYS) do redis.call('SET', k, ARGV[1]) end return 1";

    [Fact]
    public async Task AFileCutInsideAScriptsBlock_LosesTheWholeBlock_AlsoAfterMoreWritesAndAnotherRestart()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var (keys, log) = await CutAndRestartAsync(useStartScript: true);
        output.WriteLine("with redis-start.sh: " + string.Join(' ', keys));
        Assert.Equal(["a1", "a2", "a4", "b1", "b2", "b4", "c1", "c2", "c4"], keys);
        Assert.Contains(log, l => l.StartsWith("redis-start: the append-only file ends in a cut write", StringComparison.Ordinal));

        // What redis-server does on its own, for the record (not asserted: a later Redis may fix it).
        var (plain, _) = await CutAndRestartAsync(useStartScript: false);
        output.WriteLine("redis-server on its own: " + string.Join(' ', plain));
    }

    [Fact]
    public async Task AFileDamagedInside_IsNotCut_TheStartStops()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var directory = System.IO.Directory.CreateTempSubdirectory("musterbot-aof-").FullName;
        try
        {
            var port = FreePort();
            using (var server = await StartAsync(directory, port, useStartScript: true, []))
            {
                for (var block = 1; block <= 3; block++)
                {
                    await EvalAsync(port, block);
                }

                server.Kill();
                await server.WaitForExitAsync();
            }

            // Overwrite bytes in the middle of the file (not at its end): damage no kill makes.
            var file = IncrementalFile(directory);
            var bytes = await File.ReadAllBytesAsync(file);
            bytes[bytes.Length / 2] = (byte)'#';
            bytes[(bytes.Length / 2) + 1] = (byte)'#';
            await File.WriteAllBytesAsync(file, bytes);

            var log = new List<string>();
            using var refused = await StartAsync(directory, FreePort(), useStartScript: true, log, expectUp: false);
            Assert.True(refused.WaitForExit(10_000), "the start went on with a damaged file");
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains(log, l => l.Contains("damaged inside", StringComparison.Ordinal));
            Assert.Equal(bytes.Length, new FileInfo(file).Length); // nothing cut
        }
        finally
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Three blocks written, killed, the file cut inside block 3; started, block 4 written, killed, started.</summary>
    private static async Task<(List<string> Keys, List<string> Log)> CutAndRestartAsync(bool useStartScript)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("musterbot-aof-").FullName;
        var log = new List<string>();
        try
        {
            var port = FreePort();
            using (var server = await StartAsync(directory, port, useStartScript, log))
            {
                for (var block = 1; block <= 3; block++)
                {
                    await EvalAsync(port, block);
                }

                server.Kill(); // SIGKILL
                await server.WaitForExitAsync();
            }

            // Cut inside block 3, in the middle of its last SET (as a kill during the write leaves it).
            var file = IncrementalFile(directory);
            var length = new FileInfo(file).Length;
            await using (var stream = new FileStream(file, FileMode.Open))
            {
                stream.SetLength(length - 30);
            }

            using (var server = await StartAsync(directory, port, useStartScript, log))
            {
                await EvalAsync(port, 4);
                server.Kill();
                await server.WaitForExitAsync();
            }

            using (await StartAsync(directory, port, useStartScript, log))
            {
                var keys = (await RedisServerFixture.ExecuteOnAsync(port, "KEYS", "*")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
                return (keys, log);
            }
        }
        finally
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }

    private static Task<string> EvalAsync(int port, int block) =>
        RedisServerFixture.ExecuteOnAsync(port, "EVAL", Script, "3", $"a{block}", $"b{block}", $"c{block}", block.ToString(CultureInfo.InvariantCulture));

    private static string IncrementalFile(string directory) =>
        System.IO.Directory.GetFiles(Path.Combine(directory, "appendonlydir"), "*.incr.aof").Single();

    private static async Task<KilledOnDispose> StartAsync(string directory, int port, bool useStartScript, List<string> log, bool expectUp = true)
    {
        var executable = RedisServerFixture.FindOnPath("redis-server")
            ?? throw new InvalidOperationException("redis-server not found: install it with `apt-get install -y redis-server`");
        var start = new ProcessStartInfo(useStartScript ? "/bin/sh" : executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        if (useStartScript)
        {
            start.ArgumentList.Add(RedisServerFixture.StartScript());
            start.Environment["REDIS_DATA_DIR"] = directory;
        }

        foreach (var argument in (string[])["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", directory])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Add(log, e.Data);
        process.ErrorDataReceived += (_, e) => Add(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new KilledOnDispose(process);
        if (!expectUp)
        {
            return server;
        }

        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await RedisServerFixture.ExecuteOnAsync(port, "PING")) == "PONG")
                {
                    return server;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException)
            {
                // Not up yet, or still loading.
            }

            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                server.Dispose();
                lock (log)
                {
                    throw new InvalidOperationException("redis-server did not come up:\n" + string.Join('\n', log.TakeLast(20)));
                }
            }

            await Task.Delay(20);
        }
    }

    private static void Add(List<string> log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.Add(line);
            }
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

    private sealed class KilledOnDispose(Process process) : IDisposable
    {
        public int ExitCode => process.ExitCode;

        public void Kill() => process.Kill();

        public Task WaitForExitAsync() => process.WaitForExitAsync();

        public bool WaitForExit(int milliseconds)
        {
            if (!process.WaitForExit(milliseconds))
            {
                return false;
            }

            process.WaitForExit(); // and for the end of its output
            return true;
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }

            process.Dispose();
        }
    }
}
