using System.Net;
using System.Net.Sockets;
using MusterBot.Host.BotApi;
using MusterBot.Host.Configuration;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace MusterBot.Tests.BotApi;

/// <summary>
/// Telegram.Bot as the host sets it up: errors come out as the sender expects them, nothing is retried behind the
/// sender's back, calls are timed (long polls longer), and the token never shows in a log line, an exception or a
/// ToString().
/// </summary>
public sealed class BotApiClientTests
{
    private const string Ok = """{"ok":true,"result":{"message_id":42,"date":1700000000,"chat":{"id":7,"type":"private"}}}""";

    [Fact]
    public async Task SendMessage_On429_ThrowsWithRetryAfter_AndDoesNotRetryOnItsOwn()
    {
        var transport = RecordingHandler.Returning((HttpStatusCode)429, """{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}""");
        using var bot = new BotApiTestClient(transport);

        var ex = await Assert.ThrowsAsync<ApiRequestException>(() => bot.Client.SendMessage(7, "hi"));

        Assert.Equal(429, ex.ErrorCode);
        Assert.Equal(7, ex.Parameters?.RetryAfter);
        Assert.Single(transport.Requests);
    }

    [Fact]
    public async Task SendMessage_On403_ThrowsApiRequestException403()
    {
        using var bot = new BotApiTestClient(RecordingHandler.Returning(HttpStatusCode.Forbidden, """{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"""));

        var ex = await Assert.ThrowsAsync<ApiRequestException>(() => bot.Client.SendMessage(7, "hi"));

        Assert.Equal(403, ex.ErrorCode);
        Assert.Contains("blocked", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendMessage_On400Migrated_ExposesTheNewChatId()
    {
        using var bot = new BotApiTestClient(RecordingHandler.Returning(HttpStatusCode.BadRequest, """{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890123}}"""));

        var ex = await Assert.ThrowsAsync<ApiRequestException>(() => bot.Client.SendMessage(-12345, "hi"));

        Assert.Equal(400, ex.ErrorCode);
        Assert.Equal(-1001234567890123, ex.Parameters?.MigrateToChatId);
    }

    [Fact]
    public async Task SendMessage_On502WithJsonError_ThrowsApiRequestException502()
    {
        using var bot = new BotApiTestClient(RecordingHandler.Returning(HttpStatusCode.BadGateway, """{"ok":false,"error_code":502,"description":"Bad Gateway"}"""));

        var ex = await Assert.ThrowsAsync<ApiRequestException>(() => bot.Client.SendMessage(7, "hi"));

        Assert.Equal(502, ex.ErrorCode);
    }

    [Fact]
    public async Task SendMessage_On502WithAnHtmlPage_ThrowsRequestExceptionWithTheStatus()
    {
        using var bot = new BotApiTestClient(RecordingHandler.Returning(HttpStatusCode.BadGateway, "<html><body>502 Bad Gateway</body></html>", "text/html"));

        var ex = await Assert.ThrowsAsync<RequestException>(() => bot.Client.SendMessage(7, "hi"));

        Assert.IsNotType<ApiRequestException>(ex);
        Assert.Equal(HttpStatusCode.BadGateway, ex.HttpStatusCode);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"ok":true,"result":{"message_id":"forty-two","chat":{"id":7,"type":"private"}}}""")]
    [InlineData("""{"ok":true,"result":"sent"}""")]
    [InlineData("""{"ok":true}""")]
    public async Task SendMessage_SuccessfulCallWithAnAnswerThatDoesNotParse_ThrowsRequestExceptionWithStatus200(string body)
    {
        // The sender tells "the call succeeded, its answer is unreadable" (record as sent, warn) from a failure by this status.
        using var bot = new BotApiTestClient(RecordingHandler.Returning(HttpStatusCode.OK, body));

        var ex = await Assert.ThrowsAsync<RequestException>(() => bot.Client.SendMessage(7, "hi"));

        Assert.IsNotType<ApiRequestException>(ex);
        Assert.Equal(HttpStatusCode.OK, ex.HttpStatusCode);
    }

    [Fact]
    public async Task GetMe_WhenTheConnectionIsRefused_ThrowsRequestExceptionWithoutTheToken()
    {
        var port = FreePort();
        using var bot = new BotApiTestClient(new SocketsHttpHandler(), o => o.ApiBaseUrl = new Uri($"http://127.0.0.1:{port}"));

        var ex = await Assert.ThrowsAsync<RequestException>(() => bot.Client.GetMe());

        Assert.Null(ex.HttpStatusCode);
        Assert.DoesNotContain(BotApiTestClient.Token, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", string.Join('\n', bot.Logs.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryCallAndFailure_NeverLogsOrShowsTheToken()
    {
        var answers = new Queue<HttpResponseMessage>(
        [
            RecordingHandler.Response(HttpStatusCode.OK, Ok, "application/json"),
            RecordingHandler.Response(HttpStatusCode.BadGateway, "<html>bad gateway</html>", "text/html"),
            RecordingHandler.Response(HttpStatusCode.OK, "{broken", "application/json"),
            RecordingHandler.Response(HttpStatusCode.Forbidden, """{"ok":false,"error_code":403,"description":"Forbidden"}""", "application/json"),
        ]);
        var transport = new RecordingHandler((_, _) => Task.FromResult(answers.Dequeue()));
        using var bot = new BotApiTestClient(transport);
        var failures = new List<Exception>();

        await bot.Client.SendMessage(7, "hi");
        for (var i = 0; i < 3; i++)
        {
            failures.Add(await Assert.ThrowsAnyAsync<RequestException>(() => bot.Client.SendMessage(7, "hi")));
        }

        Assert.All(transport.Requests, r => Assert.Contains(BotApiTestClient.Token, r.Uri.ToString(), StringComparison.Ordinal));
        Assert.All(failures, f => Assert.DoesNotContain("s3cret", f.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain("s3cret", string.Join('\n', bot.Logs.Lines), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", bot.Client.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", bot.Options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", BotApiClientRegistration.ClientOptions(bot.Options).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LongPoll_LongerThanTheRequestTimeout_Succeeds_ButAnOrdinaryCallThatSlowTimesOut()
    {
        var transport = new RecordingHandler(async (request, ct) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1500), ct);
            return RecordingHandler.Response(HttpStatusCode.OK, request.Uri.AbsolutePath.EndsWith("/getUpdates", StringComparison.Ordinal) ? """{"ok":true,"result":[]}""" : Ok, "application/json");
        });
        using var bot = new BotApiTestClient(transport, o =>
        {
            o.RequestTimeout = TimeSpan.FromMilliseconds(300);
            o.PollTimeout = TimeSpan.FromSeconds(1);
            o.LongPollMargin = TimeSpan.FromSeconds(20); // far beyond the 1.5 s answer, even on a busy machine
        });

        var updates = await bot.Client.SendRequest(new GetRawUpdatesRequest { Timeout = 1 });
        var ex = await Assert.ThrowsAsync<RequestException>(() => bot.Client.SendMessage(7, "hi"));

        Assert.Equal(0, updates.Count);
        Assert.Contains("timed out", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LongPoll_ServerSilentBeyondPollTimeoutAndMargin_ThrowsRequestException()
    {
        var transport = new RecordingHandler(async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return RecordingHandler.Response(HttpStatusCode.OK, """{"ok":true,"result":[]}""", "application/json");
        });
        using var bot = new BotApiTestClient(transport, o =>
        {
            o.PollTimeout = TimeSpan.FromMilliseconds(200);
            o.LongPollMargin = TimeSpan.FromMilliseconds(300);
        });

        var ex = await Assert.ThrowsAsync<RequestException>(() => bot.Client.SendRequest(new GetRawUpdatesRequest { Timeout = 1 }));

        Assert.IsAssignableFrom<OperationCanceledException>(ex.InnerException);
    }

    [Fact]
    public async Task LongPoll_CancelledByTheCaller_ThrowsOperationCanceled()
    {
        var transport = new RecordingHandler(async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return RecordingHandler.Response(HttpStatusCode.OK, """{"ok":true,"result":[]}""", "application/json");
        });
        using var bot = new BotApiTestClient(transport);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bot.Client.SendRequest(new GetRawUpdatesRequest { Timeout = 25 }, cts.Token));
    }

    [Fact]
    public async Task GetUpdates_SendsSnakeCaseParameters_AndReadsEachUpdateOnItsOwn()
    {
        const string chat = """{"id":7,"type":"private","first_name":"Ann"}""";
        const string from = """{"id":7,"is_bot":false,"first_name":"Ann"}""";
        var transport = RecordingHandler.Returning(HttpStatusCode.OK, """{"ok":true,"result":[""" +
            """{"update_id":41,"message":{"message_id":1,"date":1700000000,"chat":""" + chat + ""","from":""" + from + ""","text":"hi"}},""" +
            """{"update_id":44,"message":{"message_id":2147483648,"date":1700000000,"chat":""" + chat + ""","text":"too big"}},""" +
            """{"update_id":"x"},7,[1,{"update_id":99}],""" +
            """{"brand_new":{"update_id":98},"update_id":42,"message":{"message_id":3,"date":1700000000,"chat":""" + chat + ""","from":""" + from + ""","text":12}},""" +
            """{"update_id":43,"future_kind":{"a":[1,2]}}]}""");
        using var bot = new BotApiTestClient(transport);

        var batch = await bot.Client.SendRequest(new GetRawUpdatesRequest { Offset = 5, Limit = 100, Timeout = 25, AllowedUpdates = [UpdateType.Message, UpdateType.CallbackQuery, UpdateType.MyChatMember] });

        Assert.Equal([41, 43], batch.Updates.Select(u => u.Id));
        Assert.Equal("hi", batch.Updates[0].Message?.Text);
        Assert.Equal([44, null, null, null, 42], batch.Unreadable.Select(u => u.UpdateId));
        Assert.All(batch.Unreadable, u => Assert.DoesNotContain("too big", u.Problem, StringComparison.Ordinal));
        Assert.Equal(44, batch.LastId);
        var body = transport.Single.Json;
        Assert.Equal(5, body.GetProperty("offset").GetInt32());
        Assert.Equal(100, body.GetProperty("limit").GetInt32());
        Assert.Equal(25, body.GetProperty("timeout").GetInt32());
        Assert.Equal(["message", "callback_query", "my_chat_member"], body.GetProperty("allowed_updates").EnumerateArray().Select(e => e.GetString()));
        Assert.EndsWith("/bot" + BotApiTestClient.Token + "/getUpdates", transport.Single.Uri.AbsolutePath, StringComparison.Ordinal);
    }

    [Theory]
    // Every element readable: read by one call (UpdateBatchConverter.TryReadWhole).
    [InlineData("", new[] { 41, 45, 43 }, new int[0], 45)]
    // A well-formed update without an id, and one with id 0: the batch is read element by element again; the first is
    // unreadable (no id to confirm it by), the second is read as before.
    [InlineData("""{"message":{"message_id":9,"date":1700000000,"chat":{"id":7,"type":"private"},"text":"no id"}},{"update_id":0,"message":{"message_id":8,"date":1700000000,"chat":{"id":7,"type":"private"},"text":"zero"}},""", new[] { 0, 41, 45, 43 }, new[] { -1 }, 45)]
    public async Task GetUpdates_AWholeBatchReadsAsElementByElement(string odd, int[] readIds, int[] unreadableIds, int lastId)
    {
        const string chat = """{"id":7,"type":"private","first_name":"Ann"}""";
        string Update(int id, string text) => "{\"update_id\":" + id + ",\"message\":{\"message_id\":" + id + ",\"date\":1700000000,\"chat\":" + chat + ",\"text\":\"" + text + "\"}}";
        var transport = RecordingHandler.Returning(HttpStatusCode.OK, "{\"ok\":true,\"result\":[" + odd + Update(41, "a") + "," + Update(45, "b") + "," + Update(43, "c") + "]}");
        using var bot = new BotApiTestClient(transport);

        var batch = await bot.Client.SendRequest(new GetRawUpdatesRequest { Offset = 5, Limit = 100, Timeout = 25 });

        Assert.Equal(readIds, batch.Updates.Select(u => u.Id));
        Assert.Equal(["a", "b", "c"], batch.Updates.Where(u => u.Id != 0).Select(u => u.Message?.Text));
        Assert.Equal(unreadableIds.Select(i => i < 0 ? (int?)null : i), batch.Unreadable.Select(u => u.UpdateId));
        Assert.Equal(lastId, batch.LastId);
    }

    [Theory]
    // The poller holds 41–43: only 44 and 45 are read (the held ones are left out of the answer by
    // DeepUpdateGuardHandler, and stepped over by the converter if a server's answer reached it with them).
    [InlineData(43, "", new[] { 44, 45 }, new int[0], 45)]
    // A held update that would not read is stepped over unread (it was dealt with when it first came).
    [InlineData(43, """{"update_id":42,"message":{"message_id":"x"}},""", new[] { 44, 45 }, new int[0], 45)]
    // Nothing held within the batch: every update is read.
    [InlineData(40, "", new[] { 41, 42, 43, 44, 45 }, new int[0], 45)]
    // An unreadable update beyond what is held: the rest of the batch is read element by element, the held ones left out.
    [InlineData(43, """{"update_id":46,"message":{"message_id":"x"}},""", new[] { 44, 45 }, new[] { 46 }, 46)]
    public async Task GetUpdates_WithUpdatesHeld_ReadsOnlyTheOthers(int held, string odd, int[] readIds, int[] unreadableIds, int lastId)
    {
        const string chat = """{"id":7,"type":"private","first_name":"Ann"}""";
        string Update(int id) => "{\"update_id\":" + id + ",\"message\":{\"message_id\":" + id + ",\"date\":1700000000,\"chat\":" + chat + ",\"text\":\"t" + id + "\"}}";
        var transport = RecordingHandler.Returning(HttpStatusCode.OK, "{\"ok\":true,\"result\":[" + Update(41) + "," + odd + Update(42) + "," + Update(43) + "," + Update(44) + "," + Update(45) + "]}");
        using var bot = new BotApiTestClient(transport);

        UpdateBatchConverter.HeldThrough = held;
        UpdateBatch batch;
        try
        {
            batch = await bot.Client.SendRequest(new GetRawUpdatesRequest { Offset = 41, Limit = 100, Timeout = 0 });
        }
        finally
        {
            UpdateBatchConverter.HeldThrough = null;
        }

        Assert.Equal(readIds, batch.Updates.Select(u => u.Id).Order());
        Assert.All(batch.Updates, u => Assert.Equal("t" + u.Id, u.Message?.Text));
        Assert.Equal(unreadableIds, batch.Unreadable.Select(u => u.UpdateId ?? -1));
        Assert.Equal(lastId, batch.LastId);
    }

    [Fact]
    public async Task SendMessage_ToIdsBeyond32Bits_WritesTheFullIds()
    {
        var transport = RecordingHandler.Returning(HttpStatusCode.OK, """{"ok":true,"result":{"message_id":42,"date":1700000000,"chat":{"id":-1001234567890123,"type":"supergroup"}}}""");
        using var bot = new BotApiTestClient(transport);

        var sent = await bot.Client.SendMessage(-1001234567890123, "<b>hi</b>", ParseMode.Html);

        Assert.Equal(-1001234567890123, transport.Single.Json.GetProperty("chat_id").GetInt64());
        Assert.Equal("html", transport.Single.Json.GetProperty("parse_mode").GetString()?.ToLowerInvariant());
        Assert.Equal(-1001234567890123, sent.Chat.Id);
    }

    [Fact]
    public void ClientOptions_ForTelegram_UseItsUrl_AndForAnotherServer_ItsAddress()
    {
        var telegram = BotApiClientRegistration.ClientOptions(new TelegramOptions { BotToken = BotApiTestClient.Token });
        var local = BotApiClientRegistration.ClientOptions(new TelegramOptions { BotToken = BotApiTestClient.Token, ApiBaseUrl = new Uri("http://127.0.0.1:8081") });

        Assert.False(telegram.LocalBotServer);
        Assert.StartsWith("https://api.telegram.org/bot", telegram.BaseRequestUrl, StringComparison.Ordinal);
        Assert.Equal("http://127.0.0.1:8081/bot" + BotApiTestClient.Token, local.BaseRequestUrl);
        Assert.Equal(0, telegram.RetryThreshold);
        Assert.Throws<InvalidOperationException>(() => BotApiClientRegistration.ClientOptions(new TelegramOptions()));
    }

    [Fact]
    public void Validator_RefusesABaseUrlWithAPath()
    {
        var result = new TelegramOptionsValidator().Validate(null, new TelegramOptions { BotToken = BotApiTestClient.Token, ApiBaseUrl = new Uri("https://proxy.example/telegram") });

        Assert.True(result.Failed);
        Assert.Contains("no path", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", result.FailureMessage, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
