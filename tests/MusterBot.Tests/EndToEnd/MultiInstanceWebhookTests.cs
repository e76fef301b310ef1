using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.State.Leases;
using System.Net;
using System.Text;
using MusterBot.Host.Intake;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;
using Xunit.Abstractions;

namespace MusterBot.Tests.EndToEnd;

/// <summary>
/// Two instances in webhook mode behind a load balancer that sends one person's updates to both at the same moment:
/// the person's lease in Redis lets one handle at a time (the other waits), and every update is answered once.
/// </summary>
[Collection("redis")]
public sealed class MultiInstanceWebhookTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const string Secret = "s3cret_Webhook-Value";
    private const string Conflict = "Version conflict for user";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task OnePersonsUpdatesAtTwoInstancesAtOnce_WaitForThePersonsLease_AndAreEachAnsweredOnce()
    {
        await using var emulator = await BotHost.StartEmulatorAsync();
        const long person = 4_100_000_001;
        emulator.CreateUser(person, "Hook", "en");
        var prefix = $"hook{Guid.NewGuid():N}:";
        var log = new ConcurrentQueue<(string Owner, string Name, bool Taken)>();
        await using var a = await StartAsync(emulator, prefix, log);
        await using var b = await StartAsync(emulator, prefix, log);
        using var toA = new HttpClient { BaseAddress = a.BaseAddress };
        using var toB = new HttpClient { BaseAddress = b.BaseAddress };

        const int pairs = 25;
        for (var i = 0; i < pairs; i++)
        {
            // The same person's two updates reach both instances together.
            var first = PostAsync(toA, Update(1000 + (2 * i), person));
            var second = PostAsync(toB, Update(1001 + (2 * i), person));
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], await Task.WhenAll(first, second));
        }

        await emulator.WaitForAsync(() => emulator.Messages(person).Count(m => m.FromBot) >= 2 * pairs, Wait);
        await Task.Delay(500);
        var answers = emulator.Messages(person).Count(m => m.FromBot && m.Text!.StartsWith("What I can do", StringComparison.Ordinal));
        var name = "person:" + person.ToString(CultureInfo.InvariantCulture);
        var taken = log.Where(e => e.Name == name && e.Taken).ToList();
        var refused = log.Count(e => e.Name == name && !e.Taken);
        var conflicts = a.Logs.Lines.Concat(b.Logs.Lines).Count(l => l.Contains(Conflict, StringComparison.Ordinal));
        output.WriteLine($"{answers} answers to {2 * pairs} updates; the person's lease taken {taken.Count} times by {taken.Select(t => t.Owner).Distinct().Count()} instances, "
            + $"refused {refused} times (an update waited for the other instance); {conflicts} version conflicts");

        Assert.Equal(2 * pairs, answers);
        Assert.Equal(2 * pairs, taken.Count); // every update decided under the person's lease
        Assert.Equal(2, taken.Select(t => t.Owner).Distinct().Count());
        Assert.True(refused > 0, "no update ever waited for the other instance: the two were never handled at the same moment");
        Assert.Equal(0, conflicts);
    }

    private async Task<BotHost> StartAsync(MusterBot.Emulator.BotApiEmulator emulator, string prefix, ConcurrentQueue<(string Owner, string Name, bool Taken)> log)
    {
        var port = BotHost.FreePort();
        return await BotHost.StartAsync(
            emulator,
            redis.ConnectionString,
            new Dictionary<string, string?>
            {
                ["Redis:KeyPrefix"] = prefix,
                ["Telegram:Mode"] = "Webhook",
                ["Telegram:WebhookUrl"] = $"http://127.0.0.1:{port}{WebhookEndpoint.Path}",
                ["Telegram:WebhookSecret"] = Secret,
            },
            configure: b => b.Services.AddSingleton<ILeaseStore>(sp => new RecordingLeases((ILeaseStore)sp.GetRequiredService<IStateStore>(), sp.GetRequiredService<MusterBot.Host.InstanceIdentity>().Id, log)),
            urls: $"http://127.0.0.1:{port}");
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, string json)
    {
        using var body = new StringContent(json, Encoding.UTF8, "application/json");
        body.Headers.Add(WebhookEndpoint.SecretHeader, Secret);
        using var response = await http.PostAsync(new Uri(WebhookEndpoint.Path, UriKind.Relative), body);
        return response.StatusCode;
    }

    private static string Update(int id, long person)
    {
        var p = person.ToString(CultureInfo.InvariantCulture);
        return "{\"update_id\":" + id.ToString(CultureInfo.InvariantCulture) + ",\"message\":{\"message_id\":" + id.ToString(CultureInfo.InvariantCulture)
            + ",\"date\":1733300000,\"chat\":{\"id\":" + p + ",\"type\":\"private\"},\"from\":{\"id\":" + p
            + ",\"is_bot\":false,\"first_name\":\"Hook\",\"language_code\":\"en\"},\"text\":\"/help\",\"entities\":[{\"type\":\"bot_command\",\"offset\":0,\"length\":5}]}}";
    }

    /// <summary>The store's leases, with every take of a lease (and every refusal) written down.</summary>
    private sealed class RecordingLeases(ILeaseStore inner, string owner, ConcurrentQueue<(string Owner, string Name, bool Taken)> log) : ILeaseStore
    {
        public async Task<bool> TryAcquireLeaseAsync(string name, string who, TimeSpan timeToLive, CancellationToken cancellationToken)
        {
            var taken = await inner.TryAcquireLeaseAsync(name, who, timeToLive, cancellationToken);
            log.Enqueue((owner, name, taken));
            return taken;
        }

        public Task<bool> ReleaseLeaseAsync(string name, string who, CancellationToken cancellationToken) => inner.ReleaseLeaseAsync(name, who, cancellationToken);

        public Task<string?> LeaseHolderAsync(string name, CancellationToken cancellationToken) => inner.LeaseHolderAsync(name, cancellationToken);
    }
}
