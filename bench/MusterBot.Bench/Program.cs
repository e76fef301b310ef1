using MusterBot.Bench;

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
