using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MusterBot.Emulator.Sandbox;

/// <summary>
/// Wires the local sandbox into a host that has no bot token: starts the embedded Bot API emulator, points the bot's
/// <c>Telegram</c> section at it (configuration keys, so this project needs no reference to the host), registers
/// the seeder and the emulator's lifetime. The caller still gives the bot the emulator's token
/// (<see cref="BotApiEmulator.Token"/>) and maps the page with <see cref="SandboxEndpoints.MapSandbox"/>.
/// </summary>
public static class SandboxHostingExtensions
{
    /// <summary>
    /// The token the sandbox's emulator accepts. Shaped like a BotFather token (digits, a colon, 30+ characters) because
    /// the host validates the token it is given; the emulator's default test token is too short for that check.
    /// </summary>
    public const string EmulatorToken = "123456789:SANDBOX-emulator-token-not-for-telegram";

    /// <summary>
    /// The first update id of a sandbox started at <paramref name="now"/>: four ids per second since 2026 (a restart
    /// begins above any id an earlier run handed out unless it averaged more than 4 updates a second), kept below
    /// 2^31 because Telegram.Bot's update ids are 32-bit (it wraps after about 15 years).
    /// </summary>
    public static long FirstUpdateIdAt(DateTimeOffset now)
    {
        var seconds = (long)Math.Max(0, (now - new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)).TotalSeconds);
        return 100_000_001 + (seconds * 4 % 1_900_000_000);
    }

    /// <summary>Starts the emulator on 127.0.0.1 (<c>Sandbox:EmulatorPort</c>, 0 = any free port) and registers the sandbox's services.</summary>
    /// <returns>The running emulator; it is stopped when the host stops.</returns>
    public static async Task<BotApiEmulator> AddSandboxAsync(this IHostApplicationBuilder builder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var port = builder.Configuration.GetValue<int?>($"{SandboxOptions.Section}:{nameof(SandboxOptions.EmulatorPort)}") ?? 0;
        // Update ids go on from where the last run stopped (the clock), so a sandbox on Redis does not take a restarted
        // emulator's first updates for ones it already handled (their marks live 24 h).
        var firstUpdateId = FirstUpdateIdAt(TimeProvider.System.GetUtcNow());
        var emulator = await BotApiEmulator.StartAsync(new EmulatorOptions { Port = port, Token = EmulatorToken, FirstUpdateId = firstUpdateId }, cancellationToken).ConfigureAwait(false);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telegram:ApiBaseUrl"] = emulator.BaseUrl,
            ["Telegram:Mode"] = "Polling",
            ["Telegram:PollTimeout"] = "00:00:10",
        });
        builder.Services.AddSingleton(emulator);
        builder.Services.AddHostedService<SandboxEmulatorLifetime>();
        builder.Services.Configure<SandboxOptions>(builder.Configuration.GetSection(SandboxOptions.Section));
        builder.Services.AddSingleton<SandboxSeeder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SandboxSeeder>());
        if (!builder.Configuration.GetSection("MusterBot:Admins").GetChildren().Any())
        {
            // The demo's administrator; a configured list of administrators wins.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MusterBot:Admins:0"] = SandboxDemo.AdminId.ToString(CultureInfo.InvariantCulture),
            });
        }

        return emulator;
    }
}
