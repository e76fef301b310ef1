using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MusterBot.Host.Telegram;

namespace MusterBot.Tests.Telegram;

public sealed class TelegramBotClientErrorTests
{
    [Fact]
    public async Task SendMessage_On429_ThrowsApiRequestExceptionWithRetryAfter()
    {
        using var bot = new TestBot(RecordingHandler.Returning(
            HttpStatusCode.TooManyRequests,
            """{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}"""));

        var exception = await Assert.ThrowsAsync<ApiRequestException>(() => bot.Client.SendMessage(1, "x"));

        Assert.Equal(429, exception.ErrorCode);
        Assert.Equal(TimeSpan.FromSeconds(35), exception.RetryAfter);
        Assert.Equal(35, exception.Parameters!.RetryAfter);
        Assert.Null(exception.MigrateToChatId);
        Assert.Equal("Too Many Requests: retry after 35", exception.Description);
        Assert.Equal(exception.Description, exception.Message);
        Assert.Equal(HttpStatusCode.TooManyRequests, exception.HttpStatusCode);
    }

    [Fact]
    public async Task SendMessage_On400Migrated_ExposesMigrateToChatId()
    {
        using var bot = new TestBot(RecordingHandler.Returning(
            HttpStatusCode.BadRequest,
            """{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1009876543210}}"""));

        var exception = await Assert.ThrowsAsync<ApiRequestException>(() => bot.Client.SendMessage(-4000001, "x"));

        Assert.Equal(400, exception.ErrorCode);
        Assert.Equal(-1009876543210, exception.MigrateToChatId);
        Assert.Null(exception.RetryAfter);
    }

    [Fact]
    public async Task SendMessage_On403Blocked_ThrowsApiRequestException()
    {
        using var bot = new TestBot(RecordingHandler.Returning(
            HttpStatusCode.Forbidden,
            """{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"""));

        var exception = await Assert.ThrowsAsync<ApiRequestException>(() => bot.Client.SendMessage(7000000001, "x"));

        Assert.Equal(403, exception.ErrorCode);
        Assert.Null(exception.Parameters);
        Assert.Null(exception.RetryAfter);
        Assert.Contains("blocked", exception.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendMessage_OnJsonErrorBodyWith502_ThrowsApiRequestException()
    {
        using var bot = new TestBot(RecordingHandler.Returning(
            HttpStatusCode.BadGateway,
            """{"ok":false,"error_code":502,"description":"Bad Gateway"}"""));

        var exception = await Assert.ThrowsAsync<ApiRequestException>(() => bot.Client.SendMessage(1, "x"));

        Assert.Equal(502, exception.ErrorCode);
    }

    [Fact]
    public async Task SendMessage_On500WithHtmlBody_ThrowsRequestException()
    {
        using var bot = new TestBot(RecordingHandler.Returning(
            HttpStatusCode.InternalServerError,
            "<html><body><h1>500 Internal Server Error</h1></body></html>",
            "text/html"));

        var exception = await Assert.ThrowsAsync<RequestException>(() => bot.Client.SendMessage(1, "x"));

        Assert.IsNotType<ApiRequestException>(exception);
        Assert.Equal(HttpStatusCode.InternalServerError, exception.HttpStatusCode);
        Assert.Contains("500", exception.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(exception.InnerException);
    }

    [Fact]
    public async Task GetUpdates_OnMalformedJson_ThrowsRequestException()
    {
        using var bot = new TestBot(RecordingHandler.Returning(HttpStatusCode.OK, """{"ok":true,"result":[{"update_id":1,"""));

        var exception = await Assert.ThrowsAsync<RequestException>(() => bot.Client.GetUpdates());

        Assert.IsNotType<ApiRequestException>(exception);
        Assert.Equal(HttpStatusCode.OK, exception.HttpStatusCode);
        Assert.IsAssignableFrom<JsonException>(exception.InnerException);
    }

    [Theory]
    [InlineData("""{"result":[]}""")]
    [InlineData("""{"ok":true}""")]
    [InlineData("null")]
    [InlineData("")]
    public async Task GetUpdates_OnJsonThatIsNoBotApiResponse_ThrowsRequestException(string body)
    {
        using var bot = new TestBot(RecordingHandler.Returning(HttpStatusCode.OK, body));

        var exception = await Assert.ThrowsAsync<RequestException>(() => bot.Client.GetUpdates());

        Assert.IsNotType<ApiRequestException>(exception);
    }

    [Fact]
    public async Task GetMe_WhenConnectionRefused_ThrowsRequestException()
    {
        var port = UnusedLocalPort();
        using var httpClient = new HttpClient();
        var client = new TelegramBotClient(new TelegramBotClientOptions(TestBot.Token, $"http://127.0.0.1:{port}"), httpClient);

        var exception = await Assert.ThrowsAsync<RequestException>(() => client.GetMe());

        Assert.IsNotType<ApiRequestException>(exception);
        Assert.Null(exception.HttpStatusCode);
        Assert.IsType<HttpRequestException>(exception.InnerException);
        Assert.DoesNotContain(TestBot.Token, exception.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, HttpStatusCode, string, string> Failures => new()
    {
        { "429", HttpStatusCode.TooManyRequests, "application/json", """{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}""" },
        { "403", HttpStatusCode.Forbidden, "application/json", """{"ok":false,"error_code":403,"description":"Forbidden: user is deactivated"}""" },
        { "500 html", HttpStatusCode.InternalServerError, "text/html", "<html>oops</html>" },
        { "502 empty", HttpStatusCode.BadGateway, "text/plain", string.Empty },
        { "malformed", HttpStatusCode.OK, "application/json", "{\"ok\":tru" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Failure_Exception_NeverRevealsTokenOrUrl(string name, HttpStatusCode status, string mediaType, string body)
    {
        using var bot = new TestBot(RecordingHandler.Returning(status, body, mediaType));

        var exception = await Assert.ThrowsAnyAsync<RequestException>(() => bot.Client.SendMessage(1, name));

        var text = exception.ToString();
        Assert.DoesNotContain(TestBot.Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain("AAH-s3cret", text, StringComparison.Ordinal);
        Assert.DoesNotContain(TestBot.BaseUrl, text, StringComparison.Ordinal);
    }

    private static int UnusedLocalPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
