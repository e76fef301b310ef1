using System.Text;
using System.Text.Json;
using MusterBot.Host.BotApi;

namespace MusterBot.Tests.BotApi;

public sealed class DeepUpdateGuardTests
{
    private static string Deep(int depth) => new string('[', depth) + new string(']', depth);

    [Fact]
    public void AnAnswerWithinTheLimit_IsLeftAlone()
    {
        var body = """{"ok":true,"result":[{"update_id":1,"message":{"message_id":1,"x":""" + Deep(50) + "}}]}";
        Assert.Null(DeepUpdateGuardHandler.Rewrite(Encoding.UTF8.GetBytes(body), out var tooDeep));
        Assert.Empty(tooDeep);
    }

    [Fact]
    public void ATooDeepUpdate_BecomesAnUnreadableStubWithItsId_TheOthersStayByteForByte()
    {
        const string first = """{"update_id":7,"message":{"message_id":1,"text":"héllo \ud83d\ude00"}}""";
        const string last = """{"update_id":9,"callback_query":{"id":"q","data":"x"}}""";
        var deep = """{"update_id":8,"message":{"x":""" + Deep(100_000) + "}}";
        var body = """{"ok":true,"result":[""" + first + "," + deep + "," + last + "]}";

        var rewritten = DeepUpdateGuardHandler.Rewrite(Encoding.UTF8.GetBytes(body), out var tooDeep);

        Assert.NotNull(rewritten);
        var text = Encoding.UTF8.GetString(rewritten);
        Assert.Equal("""{"ok":true,"result":[""" + first + """,{"update_id":8,"message":"nested too deep"},""" + last + "]}", text);
        var (id, depth) = Assert.Single(tooDeep);
        Assert.Equal(8, id);
        Assert.True(depth > DeepUpdateGuardHandler.MaxUpdateDepth);

        // What is passed on reads within Telegram.Bot's depth, and the stub is not an update Telegram.Bot accepts.
        using var document = JsonDocument.Parse(rewritten, new JsonDocumentOptions { MaxDepth = DeepUpdateGuardHandler.TelegramBotDepthLimit });
        Assert.Equal(3, document.RootElement.GetProperty("result").GetArrayLength());
        Assert.False(UpdateParser.TryParse(document.RootElement.GetProperty("result")[1], out _, out _));
    }

    [Fact]
    public void ATooDeepElementWithoutAnId_BecomesAString()
    {
        var body = """{"ok":true,"result":[""" + Deep(80) + "]}";
        var rewritten = DeepUpdateGuardHandler.Rewrite(Encoding.UTF8.GetBytes(body), out var tooDeep);
        Assert.Equal("""{"ok":true,"result":["nested too deep"]}""", Encoding.UTF8.GetString(rewritten!));
        Assert.Null(Assert.Single(tooDeep).UpdateId);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"ok":false,"error_code":502}""")]
    [InlineData("""{"ok":true,"result":5}""")]
    public void AnythingElse_IsLeftForTelegramBotToReport(string body) =>
        Assert.Null(DeepUpdateGuardHandler.Rewrite(Encoding.UTF8.GetBytes(body), out _));
}
