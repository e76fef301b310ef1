using MusterBot.Host.Telegram;

namespace MusterBot.Tests.Telegram;

public sealed class TelegramBotClientOptionsTests
{
    [Fact]
    public void ToString_WithToken_ShowsOnlyTheBotId()
    {
        var options = new TelegramBotClientOptions(TestBot.Token, TestBot.BaseUrl);

        var text = options.ToString();

        Assert.DoesNotContain(TestBot.Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain("AAH-s3cret", text, StringComparison.Ordinal);
        Assert.Contains("123456789:***", text, StringComparison.Ordinal);
        Assert.Equal(123456789, options.BotId);
    }

    [Fact]
    public void ToString_WithMalformedToken_RedactsAll()
    {
        var options = new TelegramBotClientOptions("no-colon-secret");

        Assert.DoesNotContain("no-colon-secret", options.ToString(), StringComparison.Ordinal);
        Assert.Null(options.BotId);
    }

    [Fact]
    public void Defaults_PointAtTelegram()
    {
        var options = new TelegramBotClientOptions();

        Assert.Equal("https://api.telegram.org", options.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RequestTimeout);
    }

    [Fact]
    public void Constructor_WithEmptyToken_Throws()
    {
        using var httpClient = new HttpClient();

        Assert.Throws<ArgumentException>(() => new TelegramBotClient(new TelegramBotClientOptions(), httpClient));
    }

    [Fact]
    public void Constructor_WithRelativeBaseUrl_ThrowsWithoutRevealingTheToken()
    {
        using var httpClient = new HttpClient();

        var exception = Assert.Throws<ArgumentException>(() => new TelegramBotClient(new TelegramBotClientOptions(TestBot.Token, "api.telegram.org"), httpClient));

        Assert.DoesNotContain(TestBot.Token, exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_WithTrailingSlashInBaseUrl_BuildsCleanUrls()
    {
        var handler = RecordingHandler.ReturningResult("""{"id":1,"is_bot":true,"first_name":"B"}""");
        using var bot = new TestBot(handler, options => options.BaseUrl = TestBot.BaseUrl + "/");

        await bot.Client.GetMe();

        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "getMe"), handler.Single.Uri);
    }
}
