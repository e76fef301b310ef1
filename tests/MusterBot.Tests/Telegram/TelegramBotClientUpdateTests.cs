using System.Text.Json;
using MusterBot.Host.Telegram;
using MusterBot.Host.Telegram.Types;

namespace MusterBot.Tests.Telegram;

public sealed class TelegramBotClientUpdateTests
{
    private const string MixedUpdates = """
        {"ok":true,"result":[
          {"update_id":900000001,
           "message":{"message_id":1,"from":{"id":7000000001,"is_bot":false,"first_name":"Ann","language_code":"de","is_premium":true},
                      "chat":{"id":7000000001,"type":"private","first_name":"Ann"},"date":1700000000,"text":"/start abc",
                      "entities":[{"offset":0,"length":6,"type":"bot_command"}],
                      "brand_new_field":{"nested":[1,2,{"x":null}]}},
           "some_future_field":true},
          {"update_id":900000002,
           "message_reaction":{"chat":{"id":-1009876543210,"type":"supergroup","title":"Ops"},"message_id":5,"date":1700000001,
                               "old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"👍"}]}},
          {"update_id":900000003,
           "callback_query":{"id":"4382bfdwdsb323b2d9","from":{"id":7000000001,"is_bot":false,"first_name":"Ann"},
                             "message":{"message_id":42,"date":1700000000,"chat":{"id":-1009876543210,"type":"supergroup","title":"Ops"},
                                        "reply_markup":{"inline_keyboard":[[{"text":"OK","callback_data":"m:1:ok"}]]}},
                             "chat_instance":"-77","data":"m:1:ok"}},
          {"update_id":900000004,
           "my_chat_member":{"chat":{"id":7000000001,"type":"private","first_name":"Ann"},"from":{"id":7000000001,"is_bot":false,"first_name":"Ann"},
                             "date":1700000002,"old_chat_member":{"status":"member","user":{"id":123456789,"is_bot":true,"first_name":"Muster"}},
                             "new_chat_member":{"status":"kicked","until_date":0,"user":{"id":123456789,"is_bot":true,"first_name":"Muster"}}}},
          {"update_id":900000005,
           "edited_message":{"message_id":3,"date":1700000003,"edit_date":1700000004,"chat":{"id":1,"type":"channel_of_the_future"},
                             "contact":{"phone_number":"+491700000000","first_name":"Ann","user_id":7000000001},
                             "location":{"latitude":52.52,"longitude":13.4,"horizontal_accuracy":12.5}}}
        ]}
        """;

    [Fact]
    public async Task GetUpdates_WithUnknownFieldsAndUpdateKinds_Deserializes()
    {
        using var bot = new TestBot(RecordingHandler.Returning(System.Net.HttpStatusCode.OK, MixedUpdates));

        var updates = await bot.Client.GetUpdates(offset: 900000001);

        Assert.Equal(
            [UpdateType.Message, UpdateType.Unknown, UpdateType.CallbackQuery, UpdateType.MyChatMember, UpdateType.EditedMessage],
            updates.Select(update => update.Type));
        Assert.Equal(900000002, updates[1].Id);

        var message = updates[0].Message!;
        Assert.Equal(7000000001, message.From!.Id);
        Assert.Equal("de", message.From.LanguageCode);
        Assert.Equal(new DateTime(2023, 11, 14, 22, 13, 20, DateTimeKind.Utc), message.Date);
        Assert.Equal("bot_command", Assert.Single(message.Entities!).Type);

        var callback = updates[2].CallbackQuery!;
        Assert.Equal("m:1:ok", callback.Data);
        Assert.Equal("m:1:ok", callback.Message!.ReplyMarkup!.InlineKeyboard[0][0].CallbackData);

        var memberUpdate = updates[3].MyChatMember!;
        Assert.Equal("member", memberUpdate.OldChatMember.Status);
        Assert.Equal("kicked", memberUpdate.NewChatMember.Status);

        var edited = updates[4].EditedMessage!;
        Assert.Equal(ChatType.Unknown, edited.Chat.Type);
        Assert.Equal(7000000001, edited.Contact!.UserId);
        Assert.Equal(12.5, edited.Location!.HorizontalAccuracy);
    }

    [Fact]
    public async Task GetUpdates_WithAllParameters_SendsSnakeCaseBody()
    {
        var handler = RecordingHandler.ReturningResult("[]");
        using var bot = new TestBot(handler);

        var updates = await bot.Client.GetUpdates(offset: 11, limit: 50, timeout: 0, allowedUpdates: [UpdateType.Message, UpdateType.CallbackQuery]);

        Assert.Empty(updates);
        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "getUpdates"), handler.Single.Uri);
        Assert.Equal("""{"offset":11,"limit":50,"timeout":0,"allowed_updates":["message","callback_query"]}""", handler.Single.BodyText);
    }

    [Fact]
    public async Task GetUpdates_LongPollLongerThanRequestTimeout_Succeeds()
    {
        // The server holds the poll for 2.5 s; ordinary requests give up after 1 s. The long poll's own
        // timeout is derived from the poll's `timeout`, so it must not be cut off.
        var handler = RecordingHandler.ReturningAfter(TimeSpan.FromSeconds(2.5), """[{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":"hi"}}]""");
        using var bot = new TestBot(handler, options => options.RequestTimeout = TimeSpan.FromSeconds(1));

        var updates = await bot.Client.GetUpdates(timeout: 2);

        Assert.Equal("hi", Assert.Single(updates).Message!.Text);
    }

    [Fact]
    public async Task GetUpdates_ServerSilentBeyondPollTimeoutAndMargin_ThrowsRequestException()
    {
        var handler = RecordingHandler.ReturningAfter(TimeSpan.FromSeconds(30), "[]");
        using var bot = new TestBot(handler, options => options.LongPollMargin = TimeSpan.FromMilliseconds(200));

        var exception = await Assert.ThrowsAsync<RequestException>(() => bot.Client.GetUpdates(timeout: 1));

        Assert.IsNotType<ApiRequestException>(exception);
        Assert.Contains("timed out", exception.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(exception.InnerException);
    }

    [Fact]
    public async Task SendMessage_ServerSlowerThanRequestTimeout_ThrowsRequestException()
    {
        var handler = RecordingHandler.ReturningAfter(TimeSpan.FromSeconds(30), "true");
        using var bot = new TestBot(handler, options => options.RequestTimeout = TimeSpan.FromMilliseconds(200));

        var exception = await Assert.ThrowsAsync<RequestException>(() => bot.Client.SendMessage(1, "x"));

        Assert.Contains("timed out", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestBot.Token, exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetUpdates_CancelledByCaller_ThrowsOperationCanceled()
    {
        var handler = RecordingHandler.ReturningAfter(TimeSpan.FromSeconds(30), "[]");
        using var bot = new TestBot(handler);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var exception = await Record.ExceptionAsync(() => bot.Client.GetUpdates(timeout: 25, cancellationToken: stop.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(exception);
    }

    [Fact]
    public void Update_WithLargeAndNegativeIds_RoundTrips()
    {
        const string json = """
            {"update_id":1,"message":{"message_id":2147483647,"date":1700000000,
             "from":{"id":9007199254740991,"is_bot":false,"first_name":"Big"},
             "chat":{"id":-1009876543210,"type":"supergroup","title":"Ops"},
             "contact":{"phone_number":"+1","first_name":"Big","user_id":4294967297}}}
            """;

        var update = JsonSerializer.Deserialize<Update>(json, TelegramJson.Options)!;
        var again = JsonSerializer.Deserialize<Update>(JsonSerializer.Serialize(update, TelegramJson.Options), TelegramJson.Options)!;

        Assert.Equal(9007199254740991, again.Message!.From!.Id);
        Assert.Equal(-1009876543210, again.Message.Chat.Id);
        Assert.Equal(4294967297, again.Message.Contact!.UserId);
        Assert.Equal(update.Message!.Date, again.Message.Date);
        Assert.Equal(UpdateType.Message, again.Type);
    }

    [Fact]
    public async Task SendMessage_ToChatIdBeyond32Bits_WritesTheFullId()
    {
        var handler = RecordingHandler.ReturningResult("""{"message_id":1,"date":1,"chat":{"id":-1009876543210,"type":"supergroup"}}""");
        using var bot = new TestBot(handler);

        var message = await bot.Client.SendMessage(-1009876543210, "x", ParseMode.None);

        Assert.Equal(-1009876543210, handler.Single.Json.GetProperty("chat_id").GetInt64());
        Assert.Equal(-1009876543210, message.Chat.Id);
    }
}
