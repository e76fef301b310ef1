using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MusterBot.Emulator;

namespace MusterBot.Tests.Emulator;

/// <summary>One emulator per test, talked to over real HTTP with a plain HttpClient.</summary>
public abstract class EmulatorTestBase : IAsyncLifetime
{
    protected const long Alice = 5_000_000_001;
    protected const long Bob = 5_000_000_002;

    protected BotApiEmulator Emulator { get; private set; } = null!;

    protected HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    protected virtual EmulatorOptions Options => new() { WebhookRetryDelay = TimeSpan.FromMilliseconds(20) };

    public async Task InitializeAsync()
    {
        Emulator = await BotApiEmulator.StartAsync(Options, CancellationToken.None);
        Emulator.CreateUser(Alice, "Alice");
        Emulator.CreateUser(Bob, "Bob", "en");
    }

    public async Task DisposeAsync()
    {
        await Emulator.DisposeAsync();
        Http.Dispose();
    }

    protected Uri MethodUri(string method, string? token = null) =>
        new($"{Emulator.BaseUrl}/bot{token ?? Emulator.Token}/{method}");

    protected async Task<(int Status, JsonObject Body)> CallAsync(string method, object? parameters = null, string? token = null)
    {
        using var response = await Http.PostAsJsonAsync(MethodUri(method, token), parameters ?? new { });
        return await ReadAsync(response);
    }

    protected async Task<(int Status, JsonObject Body)> PostAsync(string method, HttpContent content)
    {
        using var response = await Http.PostAsync(MethodUri(method), content);
        return await ReadAsync(response);
    }

    protected static async Task<(int Status, JsonObject Body)> ReadAsync(HttpResponseMessage response)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        return ((int)response.StatusCode, body);
    }

    protected async Task<JsonObject> OkAsync(string method, object? parameters = null)
    {
        var (status, body) = await CallAsync(method, parameters);
        Assert.True(status == 200, $"{method} failed: {body.ToJsonString()}");
        Assert.True(body["ok"]!.GetValue<bool>());
        return body;
    }

    protected async Task<JsonArray> GetUpdatesAsync(long offset = 0, int timeout = 0)
    {
        var body = await OkAsync("getUpdates", new { offset, timeout });
        return body["result"]!.AsArray();
    }

    protected async Task<JsonObject> SendMessageAsync(long chatId, string text, object? extra = null)
    {
        var parameters = new JsonObject { ["chat_id"] = chatId, ["text"] = text };
        if (extra is not null)
        {
            foreach (var (key, value) in JsonSerializerNodes.ToObject(extra))
            {
                parameters[key] = value?.DeepClone();
            }
        }

        var body = await OkAsync("sendMessage", parameters);
        return body["result"]!.AsObject();
    }

    protected static string Description(JsonObject body) => body["description"]!.GetValue<string>();
}
