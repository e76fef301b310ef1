using System.Diagnostics;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.EndToEnd;

/// <summary>How the real executable starts (or refuses to) for each configuration.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task TokenWithoutRedis_RefusesToStart_WithExitCode2_AndSaysHowToConfigureRedis()
    {
        var (code, _, stderr) = await RunHostAsync(new() { ["Telegram__BotToken"] = BotHost.Token });
        Assert.Equal(2, code);
        Assert.Contains("Redis:Configuration", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(BotHost.Token, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebhookModeWithoutSecret_RefusesToStart_WithAClearMessage()
    {
        var (code, _, stderr) = await RunHostAsync(new()
        {
            ["Telegram__BotToken"] = BotHost.Token,
            ["Telegram__Mode"] = "Webhook",
            ["Telegram__WebhookUrl"] = "https://bot.example.org/telegram/webhook",
            ["Redis__Configuration"] = "127.0.0.1:1,abortConnect=false,connectTimeout=200",
        });
        Assert.Equal(2, code);
        Assert.Contains("Telegram:WebhookSecret is required", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedToken_RefusesToStart_WithoutEchoingIt()
    {
        var (code, _, stderr) = await RunHostAsync(new()
        {
            ["Telegram__BotToken"] = "not-a-token-SECRETPART",
            ["Redis__Configuration"] = "127.0.0.1:1,abortConnect=false,connectTimeout=200",
        });
        Assert.Equal(2, code);
        Assert.Contains("does not look like a BotFather token", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETPART", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoToken_InProduction_RefusesTheSandbox_WithExitCode2()
    {
        var (code, _, stderr) = await RunHostAsync(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production" });

        Assert.Equal(2, code);
        Assert.Contains("Production environment", stderr, StringComparison.Ordinal);
        Assert.Contains("Telegram__BotToken", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoToken_OnAnAddressOthersCanReach_RefusesTheSandbox_UnlessAllowed()
    {
        var (code, _, stderr) = await RunHostAsync([], urls: "http://0.0.0.0:0");

        Assert.Equal(2, code);
        Assert.Contains("Sandbox__AllowRemote", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoToken_StartsTheSandbox_AndSaysSoFirst()
    {
        await using var host = await BotHost.StartAsync(null, null);
        var first = host.Logs.Lines.First(l => l.Contains("MusterBot[", StringComparison.Ordinal));
        Assert.Contains("SANDBOX MODE", first, StringComparison.Ordinal);
        Assert.Contains("in-memory", first, StringComparison.Ordinal);

        var emulator = host.App.Services.GetService(typeof(MusterBot.Emulator.BotApiEmulator)) as MusterBot.Emulator.BotApiEmulator;
        Assert.NotNull(emulator);
        emulator.CreateUser(1, "Try", "en");
        emulator.SendText(1, "/start");
        await emulator.WaitForMessageAsync(1, m => m.Text!.StartsWith("Hello, Try", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunHostAsync(Dictionary<string, string> environment, string urls = "http://127.0.0.1:0")
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "MusterBot.Host.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(urls);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The host did not exit; it should have refused to start.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
