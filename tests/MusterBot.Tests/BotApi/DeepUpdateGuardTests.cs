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

    [Fact]
    public void UpdatesThePollerHolds_AreLeftOut_TheOthersStayByteForByte()
    {
        const string held1 = """{"update_id":7,"message":{"message_id":1,"text":"a"}}""";
        const string held2 = """{"update_id":8,"callback_query":{"id":"q","data":"x","message":{"text":"[{\"]"}}}""";
        const string fresh = """{"update_id":9,"message":{"message_id":2,"text":"héllo \ud83d\ude00"}}""";
        var body = """{"ok":true,"result":[""" + held1 + ",\n " + held2 + "," + fresh + "]}";

        var rewritten = DeepUpdateGuardHandler.Rewrite(Encoding.UTF8.GetBytes(body), 8, out var tooDeep, out var dropped);

        Assert.Equal("""{"ok":true,"result":[""" + fresh + "]}", Encoding.UTF8.GetString(rewritten!));
        Assert.Equal(2, dropped);
        Assert.Empty(tooDeep);
    }

    [Fact]
    public void AnAnswerOfHeldUpdatesOnly_BecomesAnEmptyArray()
    {
        var body = """{"ok":true,"result":[{"update_id":3,"message":{}},{"update_id":4,"message":{}}],"extra":1}""";
        var rewritten = DeepUpdateGuardHandler.Rewrite(Encoding.UTF8.GetBytes(body), 4, out _, out var dropped);
        Assert.Equal("""{"ok":true,"result":[],"extra":1}""", Encoding.UTF8.GetString(rewritten!));
        Assert.Equal(2, dropped);
    }

    [Fact]
    public void NothingHeld_LeavesTheAnswerAlone()
    {
        var body = """{"ok":true,"result":[{"update_id":5,"message":{}},{"update_id":6,"message":{}}]}""";
        Assert.Null(DeepUpdateGuardHandler.Rewrite(Encoding.UTF8.GetBytes(body), 4, out _, out var dropped));
        Assert.Equal(0, dropped);
        Assert.Null(DeepUpdateGuardHandler.Rewrite(Encoding.UTF8.GetBytes(body), null, out _, out _));
    }

    [Fact]
    public void ATooDeepUpdateThePollerHolds_IsLeftOutWithoutAWarning_ANewOneStillBecomesAStub()
    {
        var heldDeep = """{"update_id":2,"message":{"x":""" + Deep(100) + "}}";
        var newDeep = """{"update_id":3,"message":{"x":""" + Deep(100) + "}}";
        const string element = "[1,{\"update_id\":9}]";
        var body = """{"ok":true,"result":[""" + heldDeep + "," + newDeep + "," + element + "]}";

        var rewritten = DeepUpdateGuardHandler.Rewrite(Encoding.UTF8.GetBytes(body), 2, out var tooDeep, out var dropped);

        Assert.Equal("""{"ok":true,"result":[{"update_id":3,"message":"nested too deep"},""" + element + "]}", Encoding.UTF8.GetString(rewritten!));
        Assert.Equal(1, dropped);
        Assert.Equal(3, Assert.Single(tooDeep).UpdateId);
    }
}
