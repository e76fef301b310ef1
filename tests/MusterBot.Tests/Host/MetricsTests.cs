using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Emulator;
using MusterBot.Emulator.Sandbox;
using MusterBot.Host.Observability;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Host;

/// <summary>The metrics endpoint: what it shows after real traffic (updates, sends, the store's gauges, open musters), and that it is not public.</summary>
[Collection("redis")]
public sealed class MetricsTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Metrics_AfterAnUpdateAndItsAnswer_ShowTheUpdatesSendsCommitsAndTheStoresGauges()
    {
        await using var emulator = await BotHost.StartEmulatorAsync();
        emulator.CreateUser(71, "Ann", "en");
        await using var host = await BotHost.StartAsync(emulator, redis.ConnectionString, new Dictionary<string, string?> { ["Metrics:SampleInterval"] = "00:00:01" });
        emulator.SendText(71, "/help");
        await emulator.WaitForMessageAsync(71, m => m.Text!.StartsWith("What I can do", StringComparison.Ordinal), Wait);

        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        string text = string.Empty;
        await emulator.WaitForAsync(
            () =>
            {
                text = http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult();
                return text.Contains("musterbot_sends_total", StringComparison.Ordinal) && text.Contains("musterbot_redis_rtt_seconds", StringComparison.Ordinal)
                    && !text.Contains("musterbot_redis_rtt_seconds -1", StringComparison.Ordinal);
            },
            Wait);

        Assert.Contains("musterbot_updates_received_total", text, StringComparison.Ordinal);
        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("musterbot_updates_handled_total{", StringComparison.Ordinal) && l.Contains("outcome=\"handled\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("musterbot_sends_total{", StringComparison.Ordinal) && l.Contains("lane=\"reply\",outcome=\"sent\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("musterbot_outbox_depth{", StringComparison.Ordinal) && l.Contains("lane=\"emergency\"", StringComparison.Ordinal));

        // Durations in seconds with buckets for seconds (a commit on loopback is well under 0.25 s).
        Assert.Contains(lines, l => l.StartsWith("musterbot_commit_duration_seconds_bucket{", StringComparison.Ordinal) && l.Contains("le=\"0.25\"", StringComparison.Ordinal) && !l.EndsWith(" 0", StringComparison.Ordinal));
        Assert.Contains("musterbot_poller_leader", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MustersActive_ACommunityMusterLaunched_ReadsOne_AndZeroOnceItIsClosed()
    {
        await using var host = await StartSandboxAsync();
        var emulator = host.App.Services.GetRequiredService<BotApiEmulator>();
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        const long admin = SandboxDemo.AdminId;
        await WaitForMustersAsync(emulator, http, community: 0, tree: 0);

        await SaysAsync(emulator, admin, "/muster", "Launch a muster");
        await PressesAsync(emulator, admin, "Flood", "Step 2");
        await PressesAsync(emulator, admin, "All members", "Step 3");
        await SaysAsync(emulator, admin, "Community square", "Step 4");
        await PressesAsync(emulator, admin, "Skip", "Step 5");
        await PressesAsync(emulator, admin, "within 1 h", "Step 6");
        await PressesAsync(emulator, admin, "🧪 Drill", "Please confirm");
        await PressesAsync(emulator, admin, "Send the drill order", "order M-1 sent");
        await WaitForMustersAsync(emulator, http, community: 1, tree: 0);

        await SaysAsync(emulator, admin, "/muster close", "Open musters");
        await PressesAsync(emulator, admin, "🏁 Close M-1", "Close muster M-1?");
        await PressesAsync(emulator, admin, "🏁 Yes, close", "M-1 is closed");
        await WaitForMustersAsync(emulator, http, community: 0, tree: 0);
    }

    [Fact]
    public async Task MustersActive_AStreetMuster_CountsOnceAsTree_AndOnceInEachCommunity_ZeroAfterItsClose()
    {
        await using var host = await StartSandboxAsync();
        var emulator = host.App.Services.GetRequiredService<BotApiEmulator>();
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        const long director = SandboxDemo.StreetAdminId;

        // The street's director calls both communities of the demo street: the street's muster lives in the street's
        // shard, each community's part in the community's.
        await SaysAsync(emulator, director, "/muster", "choose where to muster");
        await PressesAsync(emulator, director, "Every community below", "choose where to muster");
        await PressesAsync(emulator, director, "Done", "choose the kind");
        await PressesAsync(emulator, director, "Flood", "who is called?");
        await PressesAsync(emulator, director, "All members", "report-to place");
        await PressesAsync(emulator, director, "Own community", "location pin");
        await PressesAsync(emulator, director, "Skip", "report within?");
        await PressesAsync(emulator, director, "within 1 h", "drill or real?");
        await PressesAsync(emulator, director, "🧪 Drill", "Please confirm");
        await PressesAsync(emulator, director, "Send the drill order", "Roll call");
        await WaitForMustersAsync(emulator, http, community: 2, tree: 1);

        await PressesAsync(emulator, director, "🏁 Close muster", "Close muster");
        await PressesAsync(emulator, director, "🏁 Yes, close", "close one by one");
        await WaitForMustersAsync(emulator, http, community: 0, tree: 0);
    }

    /// <summary>The browser sandbox's demo on Redis, gauges sampled every second.</summary>
    private Task<BotHost> StartSandboxAsync() =>
        BotHost.StartAsync(null, redis.ConnectionString, new Dictionary<string, string?>
        {
            ["Sandbox:Language"] = "en",
            ["Metrics:SampleInterval"] = "00:00:01",
        });

    private static async Task WaitForMustersAsync(BotApiEmulator emulator, HttpClient http, long community, long tree)
    {
        var seen = string.Empty;
        try
        {
            await emulator.WaitForAsync(
                () =>
                {
                    var text = http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult();
                    seen = string.Join(" | ", text.Split('\n').Where(l => l.StartsWith("musterbot_musters_active{", StringComparison.Ordinal)));
                    return MustersActive(text, "community") == community && MustersActive(text, "tree") == tree;
                },
                Wait);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Expected community {community}, tree {tree}; /metrics says: {seen}", ex);
        }
    }

    /// <summary>The value of <c>musterbot_musters_active{scope="…"}</c> in a scrape, or null when it is not there.</summary>
    private static long? MustersActive(string scrape, string scope)
    {
        var line = scrape.Split('\n').FirstOrDefault(l => l.StartsWith("musterbot_musters_active{", StringComparison.Ordinal) && l.Contains($"scope=\"{scope}\"", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task SaysAsync(BotApiEmulator emulator, long who, string text, string expect)
    {
        var since = emulator.State.Version;
        emulator.SendText(who, text);
        await WaitForNewAsync(emulator, who, since, expect);
    }

    /// <summary>Presses the newest button whose label contains <paramref name="button"/>, then waits for a new or edited message with <paramref name="expect"/>.</summary>
    private static async Task PressesAsync(BotApiEmulator emulator, long who, string button, string expect)
    {
        var message = emulator.Messages(who).Last(m => m.Buttons.Any(b => b.Text.Contains(button, StringComparison.Ordinal)));
        var data = message.Buttons.Last(b => b.Text.Contains(button, StringComparison.Ordinal)).CallbackData!;
        var since = emulator.State.Version;
        emulator.PressButton(who, who, message.MessageId, data);
        await WaitForNewAsync(emulator, who, since, expect);
    }

    private static Task WaitForNewAsync(BotApiEmulator emulator, long who, long since, string expect) =>
        emulator.State.WaitForAsync(
            () => emulator.Transcript(who, since).Any(m => m.FromBot && m.Text?.Contains(expect, StringComparison.Ordinal) == true),
            Wait);

    [Theory]
    [InlineData("127.0.0.1", null, null, true)]
    [InlineData("::1", null, null, true)]
    [InlineData("10.0.0.5", null, null, false)]
    [InlineData("10.0.0.5", null, "Bearer anything", false)]
    [InlineData("10.0.0.5", "s3cret-metrics", null, false)]
    [InlineData("10.0.0.5", "s3cret-metrics", "Bearer wrong", false)]
    [InlineData("10.0.0.5", "s3cret-metrics", "s3cret-metrics", false)]
    [InlineData("10.0.0.5", "s3cret-metrics", "Bearer s3cret-metrics", true)]
    public void Metrics_AreNotPublic_OnlyLoopbackOrTheBearerToken(string remote, string? token, string? authorization, bool allowed)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        Assert.Equal(allowed, MetricsEndpoint.Allowed(http, token));
    }
}
