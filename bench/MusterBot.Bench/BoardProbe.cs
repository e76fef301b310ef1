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
