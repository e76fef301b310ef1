using System.Net;
using Microsoft.AspNetCore.Http;
using MusterBot.Host.Observability;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Host;

/// <summary>The metrics endpoint: what it shows after real traffic, and that it is not public.</summary>
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
