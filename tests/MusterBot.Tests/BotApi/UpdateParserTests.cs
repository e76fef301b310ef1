using System.Text.Json;
using MusterBot.Flows.Events;
using MusterBot.Host.BotApi;
using MusterBot.Host.Intake;
using Telegram.Bot.Types.Enums;

namespace MusterBot.Tests.BotApi;

/// <summary>Each update is read on its own with Telegram.Bot's types; what cannot be read is named by its id, never thrown.</summary>
public sealed class UpdateParserTests
{
    private const string From = """{"id":42,"is_bot":false,"first_name":"Ann","language_code":"en"}""";
    private const string Chat = """{"id":42,"type":"private","first_name":"Ann"}""";

    public static TheoryData<string> OddUpdates() => new()
    {
        // Each of these once stopped a whole batch.
        """{"update_id":11,"callback_query":{"id":"q","chat_instance":"c","data":"mu:x"}}""",
        """{"update_id":12,"message":{"message_id":1,"date":1700000000,"chat":{"id":18446744073709551615,"type":"private"},"from":{"id":18446744073709551615,"is_bot":false,"first_name":"X"},"text":"hi"}}""",
        """{"update_id":13,"message":{"message_id":1,"date":1000000000000000,"chat":""" + Chat + ""","from":""" + From + ""","text":"hi"}}""",
        """{"update_id":14,"message":{"message_id":1,"date":1700000000,"chat":""" + Chat + ""","from":""" + From + ""","text":12345}}""",
        """{"update_id":15,"message":{"message_id":2147483648,"date":1700000000,"chat":""" + Chat + ""","from":""" + From + ""","text":"hi"}}""",
        """{"update_id":16,"message":{"message_id":1,"date":1700000000,"chat":""" + Chat + ""","from":""" + From + ""","text":"\ud800 alone"}}""",
        """{"update_id":17,"message":{"message_id":1,"date":1700000000,"from":""" + From + ""","text":"no chat"}}""",
        """{"update_id":18,"my_chat_member":{"chat":""" + Chat + ""","from":""" + From + ""","date":1700000000}}""",
        """{"update_id":19,"message":null}""",
        """{"update_id":20}""",
        """{"update_id":21,"brand_new_kind":{"x":1}}""",
        """{"update_id":22,"message":[1,2,3]}""",
        """{"update_id":23,"callback_query":{"id":"q","from":""" + From + ""","chat_instance":"c","data":"mu:x","message":{"message_id":5,"date":0,"chat":""" + Chat + """}}}""",
    };

    [Theory]
    [MemberData(nameof(OddUpdates))]
    public void OddUpdate_IsReadOrRefusedWithItsId_AndNeverThrows(string json)
    {
        using var document = JsonDocument.Parse(json);
        var element = document.RootElement;

        var parsed = UpdateParser.TryParse(element, out var update, out var problem);

        Assert.NotNull(UpdateParser.IdOf(element));
        if (parsed)
        {
            Assert.NotNull(update);
            Assert.Null(problem);
            var exception = Record.Exception(() =>
            {
                UpdateMapper.Map(update!);
                UpdateMapper.OrderingKey(update!);
            });
            Assert.Null(exception);
        }
        else
        {
            Assert.Null(update);
            Assert.False(string.IsNullOrEmpty(problem));
        }
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("7")]
    [InlineData("\"update\"")]
    [InlineData("""{"message":{"message_id":1}}""")]
    [InlineData("""{"update_id":"9"}""")]
    public void NotAnUpdate_IsRefused(string json)
    {
        using var document = JsonDocument.Parse(json);

        Assert.False(UpdateParser.TryParse(document.RootElement, out var update, out var problem));
        Assert.Null(update);
        Assert.NotNull(problem);
    }

    [Fact]
    public void Message_WithUnknownFields_AndBigIds_IsReadAndMapped()
    {
        const string json = """
            {"update_id":900000001,"future_field":{"a":1},
             "message":{"message_id":7,"date":1700000000,"new_thing":true,
                        "chat":{"id":4503599627370495,"type":"private","first_name":"Ann"},
                        "from":{"id":4503599627370495,"is_bot":false,"first_name":"Ann","language_code":"en"},
                        "text":"/start@MusterBot invite_AB12"}}
            """;
        using var document = JsonDocument.Parse(json);

        Assert.True(UpdateParser.TryParse(document.RootElement, out var update, out _));
        var command = Assert.IsType<CommandReceived>(UpdateMapper.Map(update!));

        Assert.Equal(900000001, update!.Id);
        Assert.Equal(UpdateType.Message, update.Type);
        Assert.Equal(4503599627370495, command.UserId);
        Assert.Equal("start", command.Command);
        Assert.Equal("invite_AB12", command.Argument);
    }

    [Fact]
    public void UnknownUpdateKind_IsReadAndDroppedByTheMapper()
    {
        using var document = JsonDocument.Parse("""{"update_id":5,"message_reaction_count":{"chat":{"id":-100,"type":"supergroup"},"message_id":1,"date":1,"reactions":[]}}""");

        Assert.True(UpdateParser.TryParse(document.RootElement, out var update, out _));
        Assert.Null(UpdateMapper.Map(update!));
    }
}
