using System.Diagnostics;

namespace MusterBot.Tests.EndToEnd;

/// <summary>
/// The sandbox web chat in a real headless Chromium (issues #8, #14), run from <c>dotnet test</c> so one command runs
/// every test: it drives tests/browser/sandbox.test.mjs (playwright-core over Debian's chromium): the English drill,
/// badges, photos and reset, the Chinese labels and people, and the phone layout at 390×844. Chromium, Node.js and a
/// CJK font must be installed; the test fails with the install command when they are not. The npm packages are
/// installed on first use.
/// </summary>
[Collection(Name)]
public sealed class BrowserSandboxTests
{
    /// <summary>Runs alone, after the parallel tests: a host, Node.js and Chromium would starve timing-sensitive tests.</summary>
    public const string Name = "browser";

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task SandboxPage_InHeadlessChromium_DrillLocationContactDocumentPhotoBadgesChinesePhoneAndReset()
    {
        var (browserDir, chromium, node) = await PrepareAsync();
        var screenshot = Path.Combine(Path.GetTempPath(), $"musterbot-sandbox-{Guid.NewGuid():N}.png");
        var phone = Path.Combine(Path.GetTempPath(), $"musterbot-sandbox-phone-{Guid.NewGuid():N}.png");
        var (exit, output) = await RunAsync(node, ["sandbox.test.mjs"], browserDir, new Dictionary<string, string>
        {
            ["CHROMIUM"] = chromium,
            ["SCREENSHOT"] = screenshot,
            ["PHONE_SCREENSHOT"] = phone,
            ["MUSTERBOT_NO_BUILD"] = "1",
            // The host of the same configuration as these tests (dotnet test -c Release builds no Debug host).
            ["MUSTERBOT_CONFIGURATION"] = Configuration,
        });

        Assert.True(exit == 0, "The browser test failed:\n" + output);
        Assert.Contains("browser test passed", output, StringComparison.Ordinal);
        Assert.True(new FileInfo(screenshot).Length > 10_000, "The screenshot is missing or empty.");
        Assert.True(new FileInfo(phone).Length > 10_000, "The phone screenshot is missing or empty.");
        File.Delete(screenshot);
        File.Delete(phone);
        File.Delete(phone.Replace(".png", "-drawer.png", StringComparison.Ordinal));
    }

    /// <summary>Every view the dashboard's browser test saves, by the environment variable that names its file.</summary>
    private static readonly string[] DashboardShots = ["DASH_ADMIN", "DASH_CONVENOR", "DASH_REGION", "DASH_FIGURES", "DASH_QUEUES", "DASH_CLOSED", "DASH_STREET", "DASH_DRILL", "DASH_STREET_FIGURES"];

    [Fact]
    public async Task DashboardMiniApp_InHeadlessChromium_OpensFromMenuAndRollCall_ScopedThemedRegionDetail_MovesWithinTwoSeconds()
    {
        var (browserDir, chromium, node) = await PrepareAsync();
        var shots = DashboardShots.ToDictionary(name => name, name => Path.Combine(Path.GetTempPath(), $"musterbot-{name.ToLowerInvariant()}-{Guid.NewGuid():N}.png"));
        var environment = new Dictionary<string, string>(shots)
        {
            ["CHROMIUM"] = chromium,
            ["MUSTERBOT_NO_BUILD"] = "1",
            ["MUSTERBOT_CONFIGURATION"] = Configuration,
        };
        var (exit, output) = await RunAsync(node, ["dashboard.test.mjs"], browserDir, environment);

        Assert.True(exit == 0, "The dashboard browser test failed:\n" + output);
        Assert.Contains("dashboard browser test passed", output, StringComparison.Ordinal);
        foreach (var (name, file) in shots)
        {
            Assert.True(File.Exists(file) && new FileInfo(file).Length > 10_000, $"The screenshot {name} is missing or empty.");
            File.Delete(file);
        }
    }

    /// <summary>Chromium, Node.js and a CJK font are there (else the test fails with the install command); npm packages installed.</summary>
    private static async Task<(string BrowserDir, string Chromium, string Node)> PrepareAsync()
    {
        var repo = RepositoryRoot();
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"Chromium is missing at {chromium}: apt-get install -y chromium");
        var node = Which("node");
        Assert.True(node is not null, "Node.js is missing: apt-get install -y nodejs npm");
        var fcList = Which("fc-list");
        Assert.True(fcList is not null, "fc-list is missing, so CJK fonts cannot be checked: apt-get install -y fontconfig fonts-noto-cjk");
        var (fontsExit, fonts) = await RunAsync(fcList!, [":lang=zh", "family"], repo, new Dictionary<string, string>());
        Assert.True(
            fontsExit == 0 && fonts.Trim().Length > 0,
            "No CJK font is installed (fc-list :lang=zh found none), so the Chinese sandbox page would show boxes: apt-get install -y fonts-noto-cjk (or fonts-wqy-microhei)");
        var browserDir = Path.Combine(repo, "tests", "browser");
        if (!System.IO.Directory.Exists(Path.Combine(browserDir, "node_modules", "playwright-core")))
        {
            var npm = Which("npm");
            Assert.True(npm is not null, "npm is missing: apt-get install -y npm");
            var (installed, installLog) = await RunAsync(npm!, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], browserDir, new Dictionary<string, string>());
            Assert.True(installed == 0, "npm ci failed in tests/browser:\n" + installLog);
        }

        return (browserDir, chromium, node!);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] args, string directory, IReadOnlyDictionary<string, string> env)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        start.Environment.Remove("Telegram__BotToken");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after " + Limit + "\n" + await stdout + await stderr);
        }

        // The host's own log lines are noise here; keep the test's lines and any error.
        var lines = (await stdout + await stderr).Split('\n').Where(l => !l.StartsWith("info:", StringComparison.Ordinal) && !l.StartsWith("      ", StringComparison.Ordinal));
        return (process.ExitCode, string.Join('\n', lines));
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    private static string RepositoryRoot() => MusterBot.Tests.Support.RepositoryPaths.Root;
}

/// <summary>The browser test's collection: not run in parallel with anything else.</summary>
[CollectionDefinition(BrowserSandboxTests.Name, DisableParallelization = true)]
public sealed class BrowserTestGroup;
