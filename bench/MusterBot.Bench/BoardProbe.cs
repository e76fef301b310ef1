using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Emulator;

namespace MusterBot.Bench;

/// <summary>
/// Times the dashboard's API (issue #18 point 8) as the Mini App calls it: over HTTP, with initData signed by the
/// emulator for the administrator. The board (every region's bar, from maintained counts) and one region in detail
/// (which reads every called member of that region) are each asked for <see cref="Requests"/> times in a row.
/// </summary>
public static class BoardProbe
{
    public const int Requests = 20;

    public sealed record Timing(string What, double Min, double Median, double Max, int Bytes, string Check);

    public static async Task<IReadOnlyList<Timing>> MeasureAsync(WebApplication app, BotApiEmulator emulator, long adminId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(emulator);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("tma", emulator.WebAppInitData(adminId));
        var board = await TimeAsync(http, "/app/api/board", cancellationToken);
        using var doc = JsonDocument.Parse(board.Body);
        var muster = doc.RootElement.GetProperty("board").GetProperty("musters")[0];
        var regions = muster.GetProperty("regions").EnumerateArray().ToList();
        var called = regions.Sum(r => r.GetProperty("called").GetInt32());
        var arrived = regions.Sum(r => r.GetProperty("arrived").GetInt32());
        var delivered = regions.Sum(r => r.GetProperty("delivered").GetInt32());
        var first = regions[0];
        var region = await TimeAsync(
            http,
            string.Format(CultureInfo.InvariantCulture, "/app/api/region?muster={0}&region={1}", muster.GetProperty("number").GetInt32(), Uri.EscapeDataString(first.GetProperty("regionId").GetString()!)),
            cancellationToken);
        return
        [
            board.Result with { What = "board (all regions)", Check = string.Format(CultureInfo.InvariantCulture, "{0} regions, {1:N0} called, {2:N0} delivered, {3:N0} arrived", regions.Count, called, delivered, arrived) },
            region.Result with { What = "one region in detail", Check = string.Format(CultureInfo.InvariantCulture, "{0:N0} called", first.GetProperty("called").GetInt32()) },
        ];
    }

    /// <summary>
    /// The page itself in headless Chromium at phone size (tests/browser/board-render.mjs, which needs node, the npm
    /// packages of tests/browser and Debian's chromium): <see cref="PageLoads"/> fresh pages, each timed from the start
    /// of loading to the board's first figures on the screen, then from tapping the first region to its detail drawn.
    /// Null when the browser tools are not installed (the bench says so; the figures are then not measured).
    /// </summary>
    public static async Task<IReadOnlyList<Timing>?> MeasurePageAsync(WebApplication app, BotApiEmulator emulator, long adminId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(emulator);
        var script = FindScript();
        if (script is null || !File.Exists(Environment.GetEnvironmentVariable("CHROMIUM") ?? "/usr/bin/chromium"))
        {
            Console.Error.WriteLine("board in Chromium: not measured (needs tests/browser/node_modules — cd tests/browser && npm ci — and apt-get install -y chromium)");
            return null;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var start = new ProcessStartInfo("node") { WorkingDirectory = Path.GetDirectoryName(script)!, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.GetFileName(script), address, emulator.WebAppInitData(adminId), PageLoads.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var output = node.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = node.StandardError.ReadToEndAsync(cancellationToken);
        await node.WaitForExitAsync(cancellationToken);
        var line = (await output).Split('\n').FirstOrDefault(l => l.StartsWith("BOARD_RENDER ", StringComparison.Ordinal));
        if (node.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"board-render.mjs failed ({node.ExitCode}): {await errors}");
        }

        using var doc = JsonDocument.Parse(line["BOARD_RENDER ".Length..]);
        Timing Of(string what, string series, string check)
        {
            var times = doc.RootElement.GetProperty(series).EnumerateArray().Select(e => e.GetDouble()).Order().ToList();
            return new Timing(what, times[0], times[times.Count / 2], times[^1], 0, check);
        }

        var root = doc.RootElement;
        return
        [
            Of("page: board drawn (Chromium, 390×844)", "board", string.Format(CultureInfo.InvariantCulture, "{0} regions on the screen, of {1} loads", root.GetProperty("regions").GetInt32(), PageLoads)),
            Of("page: region tapped → drawn", "region", string.Format(CultureInfo.InvariantCulture, "{0:N0} in its not-answered list", root.GetProperty("notAnswered").GetInt32())),
        ];
    }

    public const int PageLoads = 5;

    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "tests", "browser", "board-render.mjs");
            if (File.Exists(script) && Directory.Exists(Path.Combine(dir.FullName, "tests", "browser", "node_modules", "playwright-core")))
            {
                return script;
            }
        }

        return null;
    }

    private static async Task<(Timing Result, string Body)> TimeAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        var times = new List<double>(Requests);
        var body = string.Empty;
        for (var i = 0; i < Requests; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(new Uri(url, UriKind.Relative), cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
            watch.Stop();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {body}");
            }

            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return (new Timing(url, times[0], times[times.Count / 2], times[^1], body.Length, string.Empty), body);
    }
}
