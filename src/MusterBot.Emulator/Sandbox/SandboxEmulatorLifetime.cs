using Microsoft.Extensions.Hosting;

namespace MusterBot.Emulator.Sandbox;

/// <summary>Stops the embedded emulator when the host stops.</summary>
public sealed class SandboxEmulatorLifetime(BotApiEmulator emulator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken) => await emulator.DisposeAsync().ConfigureAwait(false);
}
