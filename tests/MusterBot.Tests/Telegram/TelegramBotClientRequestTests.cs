using MusterBot.Host.Telegram.Types;

namespace MusterBot.Tests.Telegram;

public sealed class TelegramBotClientRequestTests
{
    private const string SentMessage = """{"message_id":42,"date":1700000000,"chat":{"id":-1009876543210,"type":"supergroup","title":"Ops"}}""";
    private const long SupergroupId = -1009876543210;

    [Fact]
    public async Task GetMe_PostsJsonToMethodUrlWithToken()
    {
        var handler = RecordingHandler.ReturningResult("""{"id":123456789,"is_bot":true,"first_name":"Muster","username":"muster_bot","can_join_groups":true}""");
        using var bot = new TestBot(handler);

        var me = await bot.Client.GetMe();

        var request = handler.Single;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "getMe"), request.Uri);
        Assert.Equal("application/json", request.MediaType);
        Assert.Equal("{}", request.BodyText);
        Assert.Equal(new User { Id = 123456789, IsBot = true, FirstName = "Muster", Username = "muster_bot" }, me);
    }

    [Fact]
    public async Task SendMessage_WithInlineKeyboard_SerializesSnakeCase()
    {
        var handler = RecordingHandler.ReturningResult(SentMessage);
        using var bot = new TestBot(handler);
        var keyboard = new InlineKeyboardMarkup(
        [
            [InlineKeyboardButton.WithCallbackData("I'm in", "m:7f3a:ok"), InlineKeyboardButton.WithCallbackData("Not me", "m:7f3a:no")],
            [InlineKeyboardButton.WithUrl("Map", "https://example.org/map")],
        ]);

        var message = await bot.Client.SendMessage(SupergroupId, "<b>Roll call</b>", replyMarkup: keyboard);

        Assert.Equal(
            """{"chat_id":-1009876543210,"text":"\u003Cb\u003ERoll call\u003C/b\u003E","parse_mode":"HTML","reply_markup":{"inline_keyboard":[[{"text":"I\u0027m in","callback_data":"m:7f3a:ok"},{"text":"Not me","callback_data":"m:7f3a:no"}],[{"text":"Map","url":"https://example.org/map"}]]}}""",
            handler.Single.BodyText);
        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "sendMessage"), handler.Single.Uri);
        Assert.Equal(42, message.Id);
        Assert.Equal(SupergroupId, message.Chat.Id);
        Assert.Equal(ChatType.Supergroup, message.Chat.Type);
    }

    [Fact]
    public async Task SendMessage_WithDefaults_OmitsNullsAndFalseFlags()
    {
        var handler = RecordingHandler.ReturningResult(SentMessage);
        using var bot = new TestBot(handler);

        await bot.Client.SendMessage(5, "hi");

        Assert.Equal("""{"chat_id":5,"text":"hi","parse_mode":"HTML"}""", handler.Single.BodyText);
    }

    [Fact]
    public async Task SendMessage_WithParseModeNone_OmitsParseMode()
    {
        var handler = RecordingHandler.ReturningResult(SentMessage);
        using var bot = new TestBot(handler);

        await bot.Client.SendMessage(5, "plain", ParseMode.None);

        Assert.Equal("""{"chat_id":5,"text":"plain"}""", handler.Single.BodyText);
    }

    [Theory]
    [InlineData(ParseMode.Markdown, "Markdown")]
    [InlineData(ParseMode.MarkdownV2, "MarkdownV2")]
    [InlineData(ParseMode.Html, "HTML")]
    public async Task SendMessage_WithParseMode_UsesTheApiSpelling(ParseMode parseMode, string expected)
    {
        var handler = RecordingHandler.ReturningResult(SentMessage);
        using var bot = new TestBot(handler);

        await bot.Client.SendMessage(5, "x", parseMode);

        Assert.Equal(expected, handler.Single.Json.GetProperty("parse_mode").GetString());
    }

    [Fact]
    public async Task SendMessage_WithPaidBroadcastSilentReply_SendsFlagsAndReplyParameters()
    {
        var handler = RecordingHandler.ReturningResult(SentMessage);
        using var bot = new TestBot(handler);

        await bot.Client.SendMessage(
            5,
            "alarm",
            replyParameters: new ReplyParameters { MessageId = 17, AllowSendingWithoutReply = true },
            disableNotification: true,
            allowPaidBroadcast: true);

        Assert.Equal(
            """{"chat_id":5,"text":"alarm","parse_mode":"HTML","disable_notification":true,"allow_paid_broadcast":true,"reply_parameters":{"message_id":17,"allow_sending_without_reply":true}}""",
            handler.Single.BodyText);
    }

    [Fact]
    public async Task SendMessage_WithReplyKeyboard_SerializesButtonsAndSetFlagsOnly()
    {
        var handler = RecordingHandler.ReturningResult(SentMessage);
        using var bot = new TestBot(handler);
        var keyboard = new ReplyKeyboardMarkup(
        [
            [KeyboardButton.WithRequestContact("Share my number")],
            [KeyboardButton.WithRequestLocation("Share my location"), KeyboardButton.WithText("Skip")],
        ])
        {
            ResizeKeyboard = true,
            OneTimeKeyboard = true,
            InputFieldPlaceholder = "Choose",
            IsPersistent = true,
        };

        await bot.Client.SendMessage(5, "Who are you?", replyMarkup: keyboard);

        Assert.Equal(
            """{"keyboard":[[{"text":"Share my number","request_contact":true}],[{"text":"Share my location","request_location":true},{"text":"Skip"}]],"resize_keyboard":true,"one_time_keyboard":true,"input_field_placeholder":"Choose","is_persistent":true}""",
            handler.Single.Json.GetProperty("reply_markup").GetRawText());
    }

    [Fact]
    public async Task SendMessage_WithReplyKeyboardRemove_SendsRemoveKeyboardTrue()
    {
        var handler = RecordingHandler.ReturningResult(SentMessage);
        using var bot = new TestBot(handler);

        await bot.Client.SendMessage(5, "Thanks", replyMarkup: new ReplyKeyboardRemove());

        Assert.Equal("""{"remove_keyboard":true}""", handler.Single.Json.GetProperty("reply_markup").GetRawText());
    }

    [Fact]
    public async Task SendMessage_WithForceReply_SendsForceReplyTrue()
    {
        var handler = RecordingHandler.ReturningResult(SentMessage);
        using var bot = new TestBot(handler);

        await bot.Client.SendMessage(5, "Your wish?", replyMarkup: new ForceReplyMarkup { InputFieldPlaceholder = "Wish" });

        Assert.Equal("""{"force_reply":true,"input_field_placeholder":"Wish"}""", handler.Single.Json.GetProperty("reply_markup").GetRawText());
    }

    [Fact]
    public async Task EditMessageText_WithInlineKeyboard_SendsIdsTextAndMarkup()
    {
        var handler = RecordingHandler.ReturningResult(SentMessage);
        using var bot = new TestBot(handler);

        var edited = await bot.Client.EditMessageText(SupergroupId, 42, "3 of 5 in", replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("Refresh", "r")));

        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "editMessageText"), handler.Single.Uri);
        Assert.Equal(
            """{"chat_id":-1009876543210,"message_id":42,"text":"3 of 5 in","parse_mode":"HTML","reply_markup":{"inline_keyboard":[[{"text":"Refresh","callback_data":"r"}]]}}""",
            handler.Single.BodyText);
        Assert.Equal(42, edited.Id);
    }

    [Fact]
    public async Task EditMessageReplyMarkup_WithoutMarkup_RemovesTheKeyboard()
    {
        var handler = RecordingHandler.ReturningResult(SentMessage);
        using var bot = new TestBot(handler);

        await bot.Client.EditMessageReplyMarkup(SupergroupId, 42);

        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "editMessageReplyMarkup"), handler.Single.Uri);
        Assert.Equal("""{"chat_id":-1009876543210,"message_id":42}""", handler.Single.BodyText);
    }

    [Fact]
    public async Task AnswerCallbackQuery_WithAlert_SendsTextAndShowAlert()
    {
        var handler = RecordingHandler.ReturningResult("true");
        using var bot = new TestBot(handler);

        await bot.Client.AnswerCallbackQuery("4382bfdwdsb323b2d9", "Not allowed", showAlert: true);

        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "answerCallbackQuery"), handler.Single.Uri);
        Assert.Equal("""{"callback_query_id":"4382bfdwdsb323b2d9","text":"Not allowed","show_alert":true}""", handler.Single.BodyText);
    }

    [Fact]
    public async Task SetMyCommands_WithChatScope_SerializesTypeAndChatId()
    {
        var handler = RecordingHandler.ReturningResult("true");
        using var bot = new TestBot(handler);

        await bot.Client.SetMyCommands(
            [new BotCommand { Command = "start", Description = "Start" }, new BotCommand { Command = "muster", Description = "Start a muster" }],
            BotCommandScope.Chat(SupergroupId),
            "de");

        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "setMyCommands"), handler.Single.Uri);
        Assert.Equal(
            """{"commands":[{"command":"start","description":"Start"},{"command":"muster","description":"Start a muster"}],"scope":{"type":"chat","chat_id":-1009876543210},"language_code":"de"}""",
            handler.Single.BodyText);
    }

    public static TheoryData<BotCommandScope, string> Scopes => new()
    {
        { BotCommandScope.Default(), """{"type":"default"}""" },
        { BotCommandScope.AllPrivateChats(), """{"type":"all_private_chats"}""" },
        { BotCommandScope.AllGroupChats(), """{"type":"all_group_chats"}""" },
        { BotCommandScope.AllChatAdministrators(), """{"type":"all_chat_administrators"}""" },
        { BotCommandScope.Chat(7), """{"type":"chat","chat_id":7}""" },
        { BotCommandScope.ChatAdministrators(-1009876543210), """{"type":"chat_administrators","chat_id":-1009876543210}""" },
        { BotCommandScope.ChatMember(-1009876543210, 7000000001), """{"type":"chat_member","chat_id":-1009876543210,"user_id":7000000001}""" },
    };

    [Theory]
    [MemberData(nameof(Scopes))]
    public async Task DeleteMyCommands_WithScope_SerializesTheScopeShape(BotCommandScope scope, string expected)
    {
        var handler = RecordingHandler.ReturningResult("true");
        using var bot = new TestBot(handler);

        await bot.Client.DeleteMyCommands(scope);

        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "deleteMyCommands"), handler.Single.Uri);
        Assert.Equal(expected, handler.Single.Json.GetProperty("scope").GetRawText());
    }

    [Fact]
    public async Task SetWebhook_WithSecretAndAllowedUpdates_SendsSnakeCaseNames()
    {
        var handler = RecordingHandler.ReturningResult("true");
        using var bot = new TestBot(handler);

        await bot.Client.SetWebhook(
            "https://muster.example.org/telegram",
            secretToken: "hook-secret",
            maxConnections: 40,
            allowedUpdates: [UpdateType.Message, UpdateType.EditedMessage, UpdateType.CallbackQuery, UpdateType.MyChatMember]);

        Assert.Equal(
            """{"url":"https://muster.example.org/telegram","max_connections":40,"allowed_updates":["message","edited_message","callback_query","my_chat_member"],"secret_token":"hook-secret"}""",
            handler.Single.BodyText);
    }

    [Fact]
    public async Task SetWebhook_WithUnknownUpdateType_Throws()
    {
        using var bot = new TestBot(RecordingHandler.ReturningResult("true"));

        await Assert.ThrowsAsync<ArgumentException>(() => bot.Client.SetWebhook("https://x.test/", allowedUpdates: [UpdateType.Unknown]));
    }

    [Fact]
    public async Task DeleteWebhook_ByDefault_KeepsPendingUpdates()
    {
        var handler = RecordingHandler.ReturningResult("true");
        using var bot = new TestBot(handler);

        await bot.Client.DeleteWebhook();

        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "deleteWebhook"), handler.Single.Uri);
        Assert.Equal("{}", handler.Single.BodyText);
    }

    [Fact]
    public async Task GetWebhookInfo_WithErrorAndUnknownUpdateKind_Deserializes()
    {
        var handler = RecordingHandler.ReturningResult(
            """{"url":"https://muster.example.org/telegram","has_custom_certificate":false,"pending_update_count":3,"last_error_date":1700000000,"last_error_message":"Connection timed out","max_connections":40,"allowed_updates":["message","chat_member"],"ip_address":"203.0.113.5"}""");
        using var bot = new TestBot(handler);

        var info = await bot.Client.GetWebhookInfo();

        Assert.Equal("https://muster.example.org/telegram", info.Url);
        Assert.Equal(3, info.PendingUpdateCount);
        Assert.Equal(new DateTime(2023, 11, 14, 22, 13, 20, DateTimeKind.Utc), info.LastErrorDate);
        Assert.Equal([UpdateType.Message, UpdateType.Unknown], info.AllowedUpdates);
        Assert.Equal(40, info.MaxConnections);
    }

    [Fact]
    public async Task SendLocation_WithKeyboard_SendsCoordinates()
    {
        var handler = RecordingHandler.ReturningResult(SentMessage);
        using var bot = new TestBot(handler);

        await bot.Client.SendLocation(5, 52.520008, 13.404954, new ReplyKeyboardRemove());

        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "sendLocation"), handler.Single.Uri);
        Assert.Equal("""{"chat_id":5,"latitude":52.520008,"longitude":13.404954,"reply_markup":{"remove_keyboard":true}}""", handler.Single.BodyText);
    }
}
