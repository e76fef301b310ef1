using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MusterBot.Tests.Emulator;

public sealed class WebhookDeliveryTests : EmulatorTestBase
{
    [Fact]
    public async Task Webhook_DeliversWithSecretHeader_RetryingUntil2xx()
    {
        var secrets = new ConcurrentQueue<string>();
        var calls = 0;
        await using var receiver = await StartReceiverAsync(async context =>
        {
            secrets.Enqueue(context.Request.Headers["X-Telegram-Bot-Api-Secret-Token"].ToString());
            using var reader = new StreamReader(context.Request.Body);
            await reader.ReadToEndAsync();
            context.Response.StatusCode = Interlocked.Increment(ref calls) <= 2 ? 500 : 200;
        });
        var url = receiver.Urls.First() + "/hook";

        await OkAsync("setWebhook", new { url, secret_token = "s3cret" });
        Emulator.SendText(Alice, "check in");

        await Emulator.WaitForAsync(() => Emulator.PendingUpdateCount == 0, TimeSpan.FromSeconds(30));
        Assert.Equal([500, 500, 200], Emulator.WebhookDeliveries.Select(d => d.StatusCode));
        Assert.All(secrets, s => Assert.Equal("s3cret", s));

        var info = await OkAsync("getWebhookInfo");
        Assert.Equal(url, info["result"]!["url"]!.GetValue<string>());
        Assert.Equal(0, info["result"]!["pending_update_count"]!.GetValue<int>());

        var (status, _) = await CallAsync("getUpdates");
        Assert.Equal(409, status);

        await OkAsync("deleteWebhook");
        Assert.Equal(200, (await CallAsync("getUpdates")).Status);
    }

    private static async Task<WebApplication> StartReceiverAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.MapPost("/hook", handler);
        await app.StartAsync();
        return app;
    }
}
