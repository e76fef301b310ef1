using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MusterBot.Emulator;

/// <summary>
/// A Telegram Bot API emulator on its own Kestrel server at http://127.0.0.1:{port}. Point the bot's
/// Bot API base URL at <see cref="BaseUrl"/>; act as users and observe the chats through this object.
/// </summary>
public sealed class BotApiEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BotApiEmulator(WebApplication app, EmulatorState state, Uri baseUri)
    {
        _app = app;
        State = state;
        BaseUri = baseUri;
    }

    /// <summary>The state behind the server (also usable without it).</summary>
    public EmulatorState State { get; }

    /// <summary>The server's address, like <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The server's address without a trailing slash, like <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl => BaseUri.GetLeftPart(UriPartial.Authority);

    /// <summary>The token the emulator accepts.</summary>
    public string Token => State.Token;

    /// <summary>Starts the server.</summary>
    public static async Task<BotApiEmulator> StartAsync(EmulatorOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var state = new EmulatorState(options);
        app.MapBotApi(state);
        app.MapEmulatorControl(state);
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await state.DisposeAsync();
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BotApiEmulator(app, state, new Uri(address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal)));
    }

    /// <summary>Stops the server and the state (webhook delivery, long polls).</summary>
    public async ValueTask DisposeAsync()
    {
        State.Stop();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        await State.DisposeAsync();
    }

    /// <inheritdoc cref="EmulatorState.Latency"/>
    public TimeSpan Latency { get => State.Latency; set => State.Latency = value; }

    /// <inheritdoc cref="EmulatorState.RateLimitPerSecond"/>
    public double? RateLimitPerSecond { get => State.RateLimitPerSecond; set => State.RateLimitPerSecond = value; }

    /// <inheritdoc cref="EmulatorState.Random429Fraction"/>
    public double Random429Fraction { get => State.Random429Fraction; set => State.Random429Fraction = value; }

    /// <inheritdoc cref="EmulatorState.AllSentCount"/>
    public long AllSentCount => State.AllSentCount;

    /// <summary>See <see cref="EmulatorState.IgnoreConfirmations"/>.</summary>
    public bool IgnoreConfirmations { get => State.IgnoreConfirmations; set => State.IgnoreConfirmations = value; }

    /// <inheritdoc cref="EmulatorState.UpdatesServed"/>
    public long UpdatesServed => State.UpdatesServed;

    /// <inheritdoc cref="EmulatorState.TooManyRequestsGiven"/>
    public long TooManyRequestsGiven => State.TooManyRequestsGiven;

    /// <inheritdoc cref="EmulatorState.ForbiddenGiven"/>
    public long ForbiddenGiven => State.ForbiddenGiven;

    /// <inheritdoc cref="EmulatorState.Commands"/>
    public IReadOnlyList<EmulatedCommand> Commands => State.Commands;

    /// <inheritdoc cref="EmulatorState.WebhookDeliveries"/>
    public IReadOnlyList<WebhookDelivery> WebhookDeliveries => State.WebhookDeliveries;

    /// <inheritdoc cref="EmulatorState.IsPolling"/>
    public bool IsPolling => State.IsPolling;

    /// <inheritdoc cref="EmulatorState.PollConflictsGiven"/>
    public long PollConflictsGiven => State.PollConflictsGiven;

    /// <inheritdoc cref="EmulatorState.PendingUpdateCount"/>
    public int PendingUpdateCount => State.PendingUpdateCount;

    /// <inheritdoc cref="EmulatorState.RequestCount"/>
    public long RequestCount(string method) => State.RequestCount(method);

    /// <inheritdoc cref="EmulatorState.CreateUser"/>
    public EmulatedUser CreateUser(long id, string firstName, string? languageCode = "zh-CN", string? lastName = null, string? username = null) =>
        State.CreateUser(id, firstName, languageCode, lastName, username);

    /// <inheritdoc cref="EmulatorState.WebAppInitData"/>
    public string WebAppInitData(long userId, DateTimeOffset? authDate = null) => State.WebAppInitData(userId, authDate);

    /// <inheritdoc cref="EmulatorState.SendText"/>
    public EmulatedMessage SendText(long userId, string text) => State.SendText(userId, text);

    /// <inheritdoc cref="EmulatorState.PressButton"/>
    public string PressButton(long userId, long? chatId, int messageId, string callbackData, bool forged = false) =>
        State.PressButton(userId, chatId, messageId, callbackData, forged);

    /// <inheritdoc cref="EmulatorState.PressButtonByText"/>
    public string PressButtonByText(long userId, int messageId, string buttonText) =>
        State.PressButtonByText(userId, messageId, buttonText);

    /// <inheritdoc cref="EmulatorState.ShareContact"/>
    public EmulatedMessage ShareContact(long userId, string phoneNumber, long? contactUserId) =>
        State.ShareContact(userId, phoneNumber, contactUserId);

    /// <inheritdoc cref="EmulatorState.ShareLocation"/>
    public EmulatedMessage ShareLocation(long userId, double latitude, double longitude) =>
        State.ShareLocation(userId, latitude, longitude);

    /// <inheritdoc cref="EmulatorState.UploadDocument"/>
    public EmulatedMessage UploadDocument(long userId, string fileName, byte[] content, string mimeType, string? caption = null) =>
        State.UploadDocument(userId, fileName, content, mimeType, caption);

    /// <inheritdoc cref="EmulatorState.SendPhoto"/>
    public EmulatedMessage SendPhoto(long userId, byte[]? content = null, string? caption = null, string? mediaGroupId = null) =>
        State.SendPhoto(userId, content, caption, mediaGroupId);

    /// <inheritdoc cref="EmulatorState.SendPhotoAlbum"/>
    public IReadOnlyList<EmulatedMessage> SendPhotoAlbum(long userId, int count, string? caption = null) =>
        State.SendPhotoAlbum(userId, count, caption);

    /// <inheritdoc cref="EmulatorState.BlockBot"/>
    public void BlockBot(long userId) => State.BlockBot(userId);

    /// <inheritdoc cref="EmulatorState.UnblockBot"/>
    public void UnblockBot(long userId) => State.UnblockBot(userId);

    /// <inheritdoc cref="EmulatorState.InjectRawUpdate(JsonObject)"/>
    public long InjectRawUpdate(JsonObject update) => State.InjectRawUpdate(update);

    /// <inheritdoc cref="EmulatorState.InjectRawUpdate(string)"/>
    public long InjectRawUpdate(string updateJson) => State.InjectRawUpdate(updateJson);

    /// <inheritdoc cref="EmulatorState.CreateGroup"/>
    public void CreateGroup(long chatId, string title, bool supergroup = false) => State.CreateGroup(chatId, title, supergroup);

    /// <inheritdoc cref="EmulatorState.AddGroupMember"/>
    public void AddGroupMember(long chatId, long userId, bool admin = false) => State.AddGroupMember(chatId, userId, admin);

    /// <inheritdoc cref="EmulatorState.SetGroupAdmin"/>
    public void SetGroupAdmin(long chatId, long userId, bool admin) => State.SetGroupAdmin(chatId, userId, admin);

    /// <inheritdoc cref="EmulatorState.AddBotToGroup"/>
    public void AddBotToGroup(long chatId, long byUserId, bool asAdmin = false, bool canPin = false) =>
        State.AddBotToGroup(chatId, byUserId, asAdmin, canPin);

    /// <inheritdoc cref="EmulatorState.SetBotRights"/>
    public void SetBotRights(long chatId, long byUserId, bool admin, bool canPin, bool canSend = true) =>
        State.SetBotRights(chatId, byUserId, admin, canPin, canSend);

    /// <inheritdoc cref="EmulatorState.RemoveBotFromGroup"/>
    public void RemoveBotFromGroup(long chatId, long byUserId) => State.RemoveBotFromGroup(chatId, byUserId);

    /// <inheritdoc cref="EmulatorState.MigrateToSupergroup"/>
    public void MigrateToSupergroup(long chatId, long newChatId, long byUserId) => State.MigrateToSupergroup(chatId, newChatId, byUserId);

    /// <inheritdoc cref="EmulatorState.SendGroupText"/>
    public EmulatedMessage SendGroupText(long chatId, long userId, string text, int? replyToMessageId = null) =>
        State.SendGroupText(chatId, userId, text, replyToMessageId);

    /// <inheritdoc cref="EmulatorState.PinnedMessage"/>
    public EmulatedMessage? PinnedMessage(long chatId) => State.PinnedMessage(chatId);

    /// <inheritdoc cref="EmulatorState.FindMessage"/>
    public EmulatedMessage? FindMessage(long chatId, int messageId) => State.FindMessage(chatId, messageId);

    /// <inheritdoc cref="EmulatorState.Messages"/>
    public IReadOnlyList<EmulatedMessage> Messages(long chatId) => State.Messages(chatId);

    /// <inheritdoc cref="EmulatorState.Transcript"/>
    public IReadOnlyList<EmulatedMessage> Transcript(long chatId, long sinceVersion = 0) => State.Transcript(chatId, sinceVersion);

    /// <inheritdoc cref="EmulatorState.CallbackAnswerCount"/>
    public int CallbackAnswerCount => State.CallbackAnswerCount;

    /// <inheritdoc cref="EmulatorState.CallbackAnswers"/>
    public IReadOnlyList<EmulatedCallbackAnswer> CallbackAnswers(string? callbackQueryId = null) => State.CallbackAnswers(callbackQueryId);

    /// <inheritdoc cref="EmulatorState.GetFileContent"/>
    public byte[]? GetFileContent(string fileId) => State.GetFileContent(fileId);

    /// <inheritdoc cref="EmulatorState.FailNext"/>
    public void FailNext(string method, int statusCode, string description, int? retryAfter = null, long? chatId = null, int count = 1) =>
        State.FailNext(method, statusCode, description, retryAfter, chatId, count);

    /// <inheritdoc cref="EmulatorState.WaitForMessageAsync"/>
    public Task<EmulatedMessage> WaitForMessageAsync(long chatId, Func<EmulatedMessage, bool> predicate, TimeSpan timeout, CancellationToken ct = default) =>
        State.WaitForMessageAsync(chatId, predicate, timeout, ct);

    /// <inheritdoc cref="EmulatorState.WaitForAsync"/>
    public Task WaitForAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct = default) =>
        State.WaitForAsync(condition, timeout, ct);
}
