using System.Runtime.InteropServices;
using MusterBot.Host;

// SIGTERM or Ctrl+C at any moment after this line stops the bot cleanly with exit code 0, also while it is still
// starting (connecting to Redis, binding its port): a rolling restart may send it then. The host's own console
// lifetime takes over once it runs; both handlers see the signal. Before the runtime reaches this line a signal
// still ends the process with the system's default (143): nothing has started yet.
using var stop = new CancellationTokenSource();
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
Microsoft.AspNetCore.Builder.WebApplication? app = null;
try
{
    app = await MusterBotApp.CreateAsync(args, cancellationToken: stop.Token);
    await app.RunAsync(stop.Token);
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("MusterBot stopped before it had finished starting (a stop signal came during start-up).");
    if (app is not null)
    {
        // Whatever had started (the poller, the sender) stops as on a normal shutdown.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(9));
        await app.StopAsync(limit.Token);
    }

    return 0;
}
catch (StartupException ex)
{
    await Console.Error.WriteLineAsync("MusterBot cannot start: " + ex.Message);
    return 2;
}
catch (MusterBot.State.Redis.RedisEvictionPolicyException ex)
{
    await Console.Error.WriteLineAsync("MusterBot cannot start: " + ex.Message);
    return 2;
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("MusterBot configuration is invalid:\n  " + string.Join("\n  ", ex.Failures));
    return 2;
}
finally
{
    if (app is not null)
    {
        await app.DisposeAsync();
    }
}

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
