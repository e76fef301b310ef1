using Microsoft.Extensions.Hosting;

namespace MusterBot.Emulator;

/// <summary>
/// The emulator's web application is started and stopped by its owner (a test, or the sandbox host), never by a
/// signal. The default <c>ConsoleLifetime</c> would take SIGTERM for itself: sent while the sandbox was starting, it
/// stopped only the emulator and the bot's process ran on (seen: a host still running 20 s after SIGTERM at 0.3 s).
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
