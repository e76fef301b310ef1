using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MusterBot.Emulator;

namespace MusterBot.Tests.Emulator;

public sealed class BotApiEmulatorTests : EmulatorTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task GetMe_ReturnsTheBotUser()
    {
        var body = await OkAsync("getMe");

        Assert.True(body["result"]!["is_bot"]!.GetValue<bool>());
        Assert.Equal("muster_test_bot", body["result"]!["username"]!.GetValue<string>());
        Assert.Equal(1, Emulator.RequestCount("getMe"));
    }

    [Fact]
    public async Task AnyMethod_WithWrongToken_Returns401()
    {
        var (status, body) = await CallAsync("getMe", token: "1:wrong");

        Assert.Equal(401, status);
        Assert.Equal(401, body["error_code"]!.GetValue<int>());
        Assert.Equal("Unauthorized", Description(body));
    }

    [Fact]
    public async Task UnknownMethod_Returns404()
    {
        var (status, body) = await CallAsync("sendTelepathy");

        Assert.Equal(404, status);
        Assert.Equal("Not Found: method not found", Description(body));
    }

    [Fact]
    public async Task MalformedJsonBody_Returns400()
    {
        using var content = new StringContent("{not json", Encoding.UTF8, "application/json");
        var (status, body) = await PostAsync("sendMessage", content);

        Assert.Equal(400, status);
        Assert.False(body["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task GetUpdates_WithOffset_ConfirmsEarlierUpdates()
    {
        Emulator.SendText(Alice, "/start abc");
        Emulator.SendText(Bob, "hello");

        var first = await GetUpdatesAsync();
        Assert.Equal(2, first.Count);
        var firstId = first[0]!["update_id"]!.GetValue<long>();
        var secondId = first[1]!["update_id"]!.GetValue<long>();
        Assert.True(secondId > firstId);
        var entity = first[0]!["message"]!["entities"]![0]!;
        Assert.Equal("bot_command", entity["type"]!.GetValue<string>());
        Assert.Equal(6, entity["length"]!.GetValue<int>());
        Assert.Equal(Alice, first[0]!["message"]!["from"]!["id"]!.GetValue<long>());

        var again = await GetUpdatesAsync(offset: firstId + 1);
        Assert.Single(again);
        Assert.Equal(secondId, again[0]!["update_id"]!.GetValue<long>());

        var none = await GetUpdatesAsync(offset: secondId + 1);
        Assert.Empty(none);
        Assert.Equal(0, Emulator.PendingUpdateCount);
    }

    [Fact]
    public async Task GetUpdates_LongPoll_WakesOnNewUpdate()
    {
        var poll = GetUpdatesAsync(timeout: 10);
        await Emulator.WaitForAsync(() => Emulator.IsPolling, Wait);
        Assert.False(poll.IsCompleted);

        Emulator.SendText(Alice, "here");
        var updates = await poll.WaitAsync(Wait);

        Assert.Single(updates);
        Assert.Equal("here", updates[0]!["message"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetUpdates_LongPoll_ReturnsEmptyAfterTimeout()
    {
        var started = Stopwatch.GetTimestamp();
        var updates = await GetUpdatesAsync(timeout: 1);

        Assert.Empty(updates);
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task GetUpdates_WhileAnotherPollIsWaiting_Returns409()
    {
        var first = GetUpdatesAsync(timeout: 10);
        await Emulator.WaitForAsync(() => Emulator.IsPolling, Wait);

        var (status, body) = await CallAsync("getUpdates", new { timeout = 0 });

        Assert.Equal(409, status);
        Assert.Contains("terminated by other getUpdates request", Description(body), StringComparison.Ordinal);
        Emulator.SendText(Alice, "release");
        Assert.Single(await first.WaitAsync(Wait));
    }

    [Fact]
    public async Task SendMessage_ReturnsMessageWithPerChatIncreasingIds()
    {
        var markup = new JsonObject
        {
            ["inline_keyboard"] = new JsonArray(new JsonArray(new JsonObject { ["text"] = "OK", ["callback_data"] = "m:1:ok" })),
        };
        var first = await SendMessageAsync(Alice, "one", new { reply_markup = markup, disable_notification = true });
        var second = await SendMessageAsync(Alice, "two");
        var other = await SendMessageAsync(Bob, "three");

        Assert.Equal(1, first["message_id"]!.GetValue<int>());
        Assert.Equal(2, second["message_id"]!.GetValue<int>());
        Assert.Equal(1, other["message_id"]!.GetValue<int>());
        Assert.Equal("m:1:ok", first["reply_markup"]!["inline_keyboard"]![0]![0]!["callback_data"]!.GetValue<string>());
        Assert.True(first["from"]!["is_bot"]!.GetValue<bool>());
        Assert.Equal(Alice, first["chat"]!["id"]!.GetValue<long>());
        var stored = Emulator.Messages(Alice);
        Assert.Equal(2, stored.Count);
        Assert.True(stored[0].DisableNotification);
        Assert.Equal("m:1:ok", stored[0].FindCallbackData("OK"));
        Assert.Equal(3, Emulator.AllSentCount);
    }

    [Fact]
    public async Task SendMessage_FormUrlEncoded_IsAccepted()
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["chat_id"] = Alice.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["text"] = "<b>hi</b>",
            ["parse_mode"] = "HTML",
            ["reply_markup"] = """{"keyboard":[[{"text":"Share","request_contact":true}]]}""",
        });
        var (status, body) = await PostAsync("sendMessage", content);

        Assert.Equal(200, status);
        Assert.Equal("hi", body["result"]!["text"]!.GetValue<string>());
        Assert.Null(body["result"]!["reply_markup"]);
        Assert.Contains("request_contact", Emulator.Messages(Alice)[0].SentReplyMarkupJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EditMessageText_KeepsHistory_AndRejectsIdenticalContent()
    {
        var sent = await SendMessageAsync(Alice, "v1");
        var id = sent["message_id"]!.GetValue<int>();

        var edited = await OkAsync("editMessageText", new { chat_id = Alice, message_id = id, text = "v2" });
        Assert.Equal("v2", edited["result"]!["text"]!.GetValue<string>());

        var (status, body) = await CallAsync("editMessageText", new { chat_id = Alice, message_id = id, text = "v2" });
        Assert.Equal(400, status);
        Assert.StartsWith("Bad Request: message is not modified", Description(body), StringComparison.Ordinal);

        var message = Emulator.Messages(Alice).Single();
        Assert.Equal("v2", message.Text);
        Assert.Equal(1, message.EditCount);
        Assert.Equal("v1", Assert.Single(message.History).Text);
    }

    [Fact]
    public async Task EditMessageText_UnknownMessage_IsNotFound()
    {
        var (status, body) = await CallAsync("editMessageText", new { chat_id = Alice, message_id = 77, text = "x" });

        Assert.Equal(400, status);
        Assert.Equal("Bad Request: message to edit not found", Description(body));
    }

    [Fact]
    public async Task EditMessageReplyMarkup_ChangesKeyboard_ThenIsNotModified()
    {
        var sent = await SendMessageAsync(Alice, "pick");
        var id = sent["message_id"]!.GetValue<int>();
        var markup = new { inline_keyboard = new[] { new[] { new { text = "A", callback_data = "a" } } } };

        await OkAsync("editMessageReplyMarkup", new { chat_id = Alice, message_id = id, reply_markup = markup });
        var (status, _) = await CallAsync("editMessageReplyMarkup", new { chat_id = Alice, message_id = id, reply_markup = markup });

        Assert.Equal(400, status);
        Assert.Equal("a", Emulator.Messages(Alice)[0].FindCallbackData("A"));
    }

    [Fact]
    public async Task SendMessage_Html_AcceptsWellFormedMarkup()
    {
        var message = await SendMessageAsync(Alice, "<b>Roll call</b>: 3 &lt; 5 &amp; <a href=\"https://example.org\">list</a>", new { parse_mode = "HTML" });

        Assert.Equal("Roll call: 3 < 5 & list", message["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("a < b")]
    [InlineData("<b>unclosed")]
    [InlineData("Tom & Jerry")]
    public async Task SendMessage_Html_RejectsMalformedMarkup(string text)
    {
        var (status, body) = await CallAsync("sendMessage", new { chat_id = Alice, text, parse_mode = "HTML" });

        Assert.Equal(400, status);
        Assert.StartsWith("Bad Request: can't parse entities:", Description(body), StringComparison.Ordinal);
        Assert.Empty(Emulator.Messages(Alice));
    }

    [Fact]
    public async Task SendMessage_LengthIsCountedAfterEntityParsing()
    {
        var fits = "<b>" + string.Concat(Enumerable.Repeat("&amp;", 4096)) + "</b>";
        await SendMessageAsync(Alice, fits, new { parse_mode = "HTML" });

        var (status, body) = await CallAsync("sendMessage", new { chat_id = Alice, text = new string('x', 4097) });
        Assert.Equal(400, status);
        Assert.Equal("Bad Request: message is too long", Description(body));

        var (emptyStatus, emptyBody) = await CallAsync("sendMessage", new { chat_id = Alice, text = "<b></b>", parse_mode = "HTML" });
        Assert.Equal(400, emptyStatus);
        Assert.Equal("Bad Request: message text is empty", Description(emptyBody));
    }

    [Fact]
    public async Task SendMessage_UnknownChat_IsChatNotFound()
    {
        var (status, body) = await CallAsync("sendMessage", new { chat_id = 42, text = "x" });

        Assert.Equal(400, status);
        Assert.Equal("Bad Request: chat not found", Description(body));
    }

    [Fact]
    public async Task AnswerCallbackQuery_Twice_SecondIsRejected()
    {
        var sent = await SendMessageAsync(Alice, "pick", new { reply_markup = new { inline_keyboard = new[] { new[] { new { text = "Yes", callback_data = "y" } } } } });
        var queryId = Emulator.PressButtonByText(Alice, sent["message_id"]!.GetValue<int>(), "Yes");

        await OkAsync("answerCallbackQuery", new { callback_query_id = queryId, text = "Noted" });
        var (status, body) = await CallAsync("answerCallbackQuery", new { callback_query_id = queryId });

        Assert.Equal(400, status);
        Assert.Equal("Bad Request: query is too old and response timeout expired or query ID is invalid", Description(body));
        Assert.Equal("Noted", Assert.Single(Emulator.CallbackAnswers(queryId)).Text);
    }

    [Fact]
    public async Task PressButton_WithForgedData_StillProducesUpdate()
    {
        var sent = await SendMessageAsync(Alice, "pick", new { reply_markup = new { inline_keyboard = new[] { new[] { new { text = "Yes", callback_data = "y" } } } } });

        var queryId = Emulator.PressButton(Alice, null, sent["message_id"]!.GetValue<int>(), "admin:delete-all");
        var stale = Emulator.PressButton(Alice, Alice, 99, "y");

        var updates = await GetUpdatesAsync();
        Assert.Equal(2, updates.Count);
        var query = updates[0]!["callback_query"]!;
        Assert.Equal(queryId, query["id"]!.GetValue<string>());
        Assert.Equal("admin:delete-all", query["data"]!.GetValue<string>());
        Assert.Equal("pick", query["message"]!["text"]!.GetValue<string>());
        Assert.Equal(stale, updates[1]!["callback_query"]!["id"]!.GetValue<string>());
        Assert.Equal(0, updates[1]!["callback_query"]!["message"]!["date"]!.GetValue<int>());
    }

    [Fact]
    public async Task FailNext_429_CarriesRetryAfter_ThenSucceeds()
    {
        Emulator.FailNext("sendMessage", 429, "Too Many Requests: retry after 7", retryAfter: 7, chatId: Alice);

        var (otherStatus, _) = await CallAsync("sendMessage", new { chat_id = Bob, text = "b" });
        var (status, body) = await CallAsync("sendMessage", new { chat_id = Alice, text = "a" });
        var (retryStatus, _) = await CallAsync("sendMessage", new { chat_id = Alice, text = "a" });

        Assert.Equal(200, otherStatus);
        Assert.Equal(429, status);
        Assert.Equal(7, body["parameters"]!["retry_after"]!.GetValue<int>());
        Assert.Equal(200, retryStatus);
        Assert.Equal(1, Emulator.TooManyRequestsGiven);
    }

    [Fact]
    public async Task RateLimit_WhenExceeded_Gives429WithRetryAfter()
    {
        Emulator.RateLimitPerSecond = 5;

        var statuses = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await CallAsync("sendMessage", new { chat_id = Alice, text = "x" })).Status);
        }

        var (status, body) = await CallAsync("sendMessage", new { chat_id = Alice, text = "x" });
        Assert.Contains(429, statuses);
        Assert.Equal(429, status);
        Assert.True(body["parameters"]!["retry_after"]!.GetValue<int>() >= 1);
        Assert.True(Emulator.TooManyRequestsGiven >= 1);
        Assert.Equal(200, (await CallAsync("getMe")).Status);
    }

    [Fact]
    public async Task Random429Fraction_One_RejectsEverySend()
    {
        Emulator.Random429Fraction = 1;

        var (status, body) = await CallAsync("sendMessage", new { chat_id = Alice, text = "x" });

        Assert.Equal(429, status);
        Assert.NotNull(body["parameters"]!["retry_after"]);
    }

    [Fact]
    public async Task BlockedUser_SendIsForbidden_AndMyChatMemberUpdateArrives()
    {
        Emulator.BlockBot(Alice);

        var (status, body) = await CallAsync("sendMessage", new { chat_id = Alice, text = "x" });
        Assert.Equal(403, status);
        Assert.Equal("Forbidden: bot was blocked by the user", Description(body));
        Assert.Equal(1, Emulator.ForbiddenGiven);

        var update = Assert.Single(await GetUpdatesAsync());
        Assert.Equal("kicked", update!["my_chat_member"]!["new_chat_member"]!["status"]!.GetValue<string>());

        Emulator.UnblockBot(Alice);
        await SendMessageAsync(Alice, "welcome back");
    }

    [Fact]
    public async Task UploadedDocument_CanBeFetchedWithGetFileAndDownloaded()
    {
        var bytes = Encoding.UTF8.GetBytes("name,phone\nAlice,1\n");
        Emulator.UploadDocument(Alice, "list.csv", bytes, "text/csv");

        var update = Assert.Single(await GetUpdatesAsync());
        var fileId = update!["message"]!["document"]!["file_id"]!.GetValue<string>();
        var file = await OkAsync("getFile", new { file_id = fileId });
        var path = file["result"]!["file_path"]!.GetValue<string>();

        var downloaded = await Http.GetByteArrayAsync(new Uri($"{Emulator.BaseUrl}/file/bot{Emulator.Token}/{path}"));
        Assert.Equal(bytes, downloaded);
    }

    [Fact]
    public async Task SendDocument_Multipart_KeepsNameBytesAndCaption()
    {
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent(Alice.ToString(System.Globalization.CultureInfo.InvariantCulture)), "chat_id");
        content.Add(new StringContent("Roll call"), "caption");
        var file = new ByteArrayContent([1, 2, 3]);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        content.Add(file, "document", "rollcall.csv");

        var (status, body) = await PostAsync("sendDocument", content);

        Assert.Equal(200, status);
        Assert.Equal("rollcall.csv", body["result"]!["document"]!["file_name"]!.GetValue<string>());
        var message = Emulator.Messages(Alice).Single();
        Assert.Equal("Roll call", message.Text);
        Assert.Equal(new byte[] { 1, 2, 3 }, Emulator.GetFileContent(message.DocumentFileId!));
    }

    [Fact]
    public async Task SetMyCommands_IsStoredPerScopeAndLanguage()
    {
        await OkAsync("setMyCommands", new { commands = new[] { new { command = "start", description = "Start" } } });
        await OkAsync("setMyCommands", new { commands = new[] { new { command = "muster", description = "Muster" } }, scope = new { type = "all_chat_administrators" }, language_code = "en" });

        var defaults = await OkAsync("getMyCommands");
        Assert.Equal("start", defaults["result"]![0]!["command"]!.GetValue<string>());
        Assert.Equal("muster", Assert.Single(Emulator.State.GetCommands("all_chat_administrators", "en")).Command);
        Assert.Equal(2, Emulator.Commands.Count);

        await OkAsync("deleteMyCommands");
        Assert.Empty((await OkAsync("getMyCommands"))["result"]!.AsArray());
    }

    [Fact]
    public async Task WaitForMessageAsync_ReturnsWhenTheBotSends()
    {
        var wait = Emulator.WaitForMessageAsync(Bob, m => m.Text == "done", Wait);
        await SendMessageAsync(Bob, "working");
        await SendMessageAsync(Bob, "done");

        Assert.Equal(2, (await wait).MessageId);
    }

    [Fact]
    public async Task ControlApi_ActsAsUserAndReadsChat()
    {
        using var content = new StringContent("""{"text":"hi from the browser"}""", Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(new Uri($"{Emulator.BaseUrl}/_emulator/users/{Alice}/text"), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await SendMessageAsync(Alice, "reply");

        var chat = JsonNode.Parse(await Http.GetStringAsync(new Uri($"{Emulator.BaseUrl}/_emulator/chats/{Alice}/messages?since=0")))!;
        var messages = chat["result"]!["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.False(messages[0]!["from_bot"]!.GetValue<bool>());
        Assert.True(messages[1]!["from_bot"]!.GetValue<bool>());
    }

    [Fact]
    public async Task SendMessage_ManyConcurrentSends_AreAllRecorded()
    {
        for (var i = 0; i < 100; i++)
        {
            Emulator.CreateUser(7_000_000_000 + i, "User" + i);
        }

        using var gate = new SemaphoreSlim(50);
        var sends = Enumerable.Range(0, 1000).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                return (await CallAsync("sendMessage", new { chat_id = 7_000_000_000 + (i % 100), text = "n" + i })).Status;
            }
            finally
            {
                gate.Release();
            }
        });

        var statuses = await Task.WhenAll(sends);

        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Equal(1000, Emulator.AllSentCount);
        Assert.Equal(10, Emulator.Messages(7_000_000_042).Count);
    }

    [Fact]
    public async Task SendMessage_ButtonDataOfWrongType_IsBadRequest()
    {
        var (status, _) = await CallAsync("sendMessage", new { chat_id = Alice, text = "x", reply_markup = new { inline_keyboard = new[] { new[] { new { text = "A", callback_data = 5 } } } } });

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task Latency_IsAddedToEveryCall()
    {
        Emulator.Latency = TimeSpan.FromMilliseconds(300);
        var started = Stopwatch.GetTimestamp();

        await OkAsync("getMe");

        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(280));
    }

    [Fact]
    public async Task ControlApi_Changes_WakesOnNewMessage_AndUploadsDocument()
    {
        var since = Emulator.State.Version;
        var changes = Http.GetStringAsync(new Uri($"{Emulator.BaseUrl}/_emulator/changes?since={since}&timeout=10"));
        await SendMessageAsync(Bob, "news");
        var version = JsonNode.Parse(await changes.WaitAsync(Wait))!["result"]!["version"]!.GetValue<long>();
        Assert.True(version > since);

        using var content = new MultipartFormDataContent();
        content.Add(new ByteArrayContent([9, 8, 7]), "document", "photo.bin");
        using var response = await Http.PostAsync(new Uri($"{Emulator.BaseUrl}/_emulator/users/{Bob}/document"), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fileId = Assert.Single(await GetUpdatesAsync())!["message"]!["document"]!["file_id"]!.GetValue<string>();
        Assert.Equal(new byte[] { 9, 8, 7 }, Emulator.GetFileContent(fileId));
    }

    [Fact]
    public async Task RawUpdates_AreDeliveredExactlyAsWritten_WhateverTheyHold()
    {
        const string huge = """{"message":{"message_id":1,"date":0,"chat":{"id":18446744073709551615,"type":"private"},"text":"x"}}""";
        const string surrogate = """{"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private"},"text":"a\ud800b"}}""";
        const string notAnObject = """{"update_id":77,"message":[1,"two",{"three":null}],"future_kind":true}""";
        var deep = """{"message":""" + string.Concat(Enumerable.Repeat("""{"a":""", 200)) + "1" + new string('}', 200) + "}";
        var ids = new[] { huge, surrogate, notAnObject, deep }.Select(Emulator.InjectRawUpdate).ToList();

        // The answer is read as text: a JSON reader with the default depth limit could not read the deep one back.
        using var response = await Http.PostAsJsonAsync(MethodUri("getUpdates"), new { offset = 0, timeout = 0 });
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("\"update_id\":" + ids[0] + ",\"message\":{\"message_id\":1,\"date\":0,\"chat\":{\"id\":18446744073709551615,", text, StringComparison.Ordinal);
        Assert.Contains("\"text\":\"a\\ud800b\"", text, StringComparison.Ordinal);
        Assert.Contains("{\"update_id\":" + ids[2] + ",\"message\":[1,\"two\",{\"three\":null}],\"future_kind\":true}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"update_id\":77", text, StringComparison.Ordinal);
        Assert.Contains(new string('}', 201), text, StringComparison.Ordinal);
        Assert.Equal(4, Emulator.PendingUpdateCount);
    }
}
