using System.Diagnostics;
using MusterBot.Bench;

// The bench measures the host as it is deployed: with W^X off (DOTNET_EnableWriteXorExecute=0, set by the Dockerfile and
// the host's launch profile; see docs/deployment.md). The runtime reads it only from the environment at start, so a bench
// started without it starts itself again with it. BENCH_WX=on keeps W^X on (to compare).
if (Environment.GetEnvironmentVariable("DOTNET_EnableWriteXorExecute") != "0"
    && !string.Equals(Environment.GetEnvironmentVariable("BENCH_WX"), "on", StringComparison.OrdinalIgnoreCase)
    && Environment.ProcessPath is { } self)
{
    var again = new ProcessStartInfo(self) { UseShellExecute = false };
    foreach (var arg in Environment.GetCommandLineArgs())
    {
        again.ArgumentList.Add(arg);
    }

    if (!string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.Ordinal))
    {
        again.ArgumentList.RemoveAt(0); // an apphost: argument 0 is the program itself
    }

    again.Environment["DOTNET_EnableWriteXorExecute"] = "0";
    using var child = Process.Start(again)!;

    // Stopping this process stops the run (the child, its redis-servers and browsers), not only the waiting parent.
    void Stop(System.Runtime.InteropServices.PosixSignalContext signal)
    {
        signal.Cancel = true;
        child.Kill(entireProcessTree: true);
    }

    using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
    using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
    await child.WaitForExitAsync();
    return child.ExitCode;
}

Console.WriteLine("Runtime: .NET " + Environment.Version + ", W^X " + (Environment.GetEnvironmentVariable("DOTNET_EnableWriteXorExecute") == "0" ? "off (as deployed)" : "ON (BENCH_WX=on)")
    + ", server GC " + (System.Runtime.GCSettings.IsServerGC ? "on" : "off"));

// Fan-out and check-in benchmarks: prints figures (not a timed test). See docs/benchmarks.md.
// `chaos`: the chaos suite (host and Redis kills during a real muster, then malformed updates). See docs/reliability.md.
if (args.Length > 0 && args[0] == "chaos")
{
    MusterBot.Bench.Chaos.ChaosOptions chaos;
    try
    {
        chaos = MusterBot.Bench.Chaos.ChaosOptions.Parse(args[1..]);
    }
    catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }

    try
    {
        return await new MusterBot.Bench.Chaos.ChaosBench(chaos).RunAsync(CancellationToken.None);
    }
    catch (InvalidOperationException ex)
    {
        Console.Error.WriteLine("chaos suite could not run: " + ex.Message);
        return 3;
    }
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

if (options.Scenario == Scenario.City)
{
    try
    {
        return await new MusterBot.Bench.City.CityBench(options).RunAsync(CancellationToken.None);
    }
    catch (InvalidOperationException ex)
    {
        Console.Error.WriteLine("benchmark could not run: " + ex.Message);
        return 3;
    }
}

if (options.Scenario == Scenario.Instances)
{
    try
    {
        return await new MultiInstanceBench(options).RunAsync(CancellationToken.None);
    }
    catch (InvalidOperationException ex)
    {
        Console.Error.WriteLine("benchmark could not run: " + ex.Message);
        return 3;
    }
}

if (options.Scenario == Scenario.Peer)
{
    try
    {
        return await new PeerBench(options).RunAsync(CancellationToken.None);
    }
    catch (InvalidOperationException ex)
    {
        Console.Error.WriteLine("benchmark could not run: " + ex.Message);
        return 3;
    }
}

if (options.Scenario == Scenario.CheckIn)
{
    try
    {
        return await new CheckInBench(options).RunAsync(CancellationToken.None);
    }
    catch (InvalidOperationException ex)
    {
        Console.Error.WriteLine("benchmark could not run: " + ex.Message);
        return 3;
    }
}

BenchResult result;
try
{
    result = await new FanOutBench(options).RunAsync(CancellationToken.None);
}
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine("benchmark could not run: " + ex.Message);
    return 3;
}

Console.WriteLine(result.Table());
Console.WriteLine(BenchResult.MarkdownHeader);
Console.WriteLine(result.MarkdownRow);
return result.Lost > 0 ? 1 : 0;
