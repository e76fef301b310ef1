using System.Net;
using System.Text;
using MusterBot.Flows.Session;
using MusterBot.Emulator;
using MusterBot.Host;
using MusterBot.Host.Intake;
using MusterBot.Tests.State;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.EndToEnd;

/// <summary>
/// The real host, through the production Bot API client, against the project's emulator over HTTP, with Redis.
/// </summary>
[Collection("redis")]
public sealed class FoundationEndToEndTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private BotApiEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        await redis.EnsureRunningAsync();
        _emulator = await BotHost.StartEmulatorAsync();
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Start_WithAndWithoutPayload_RepliesInTheUsersLanguage_WithTheMenu()
    {
        _emulator.CreateUser(5_000_000_001, "李明", "zh-hans");
        _emulator.CreateUser(2, "Ann", "en-US");
        await using var host = await BotHost.StartAsync(_emulator, redis.ConnectionString);

        _emulator.SendText(5_000_000_001, "/start");
        _emulator.SendText(2, "/start bad-code_123");

        var zh = await _emulator.WaitForMessageAsync(5_000_000_001, m => m.Text!.Contains("您好", StringComparison.Ordinal), Wait);
        Assert.Contains("李明", zh.Text, StringComparison.Ordinal);
        var keyboard = System.Text.Json.Nodes.JsonNode.Parse(zh.SentReplyMarkupJson!)!["keyboard"]!.AsArray();
        Assert.Contains(keyboard.SelectMany(row => row!.AsArray()), b => (string?)b!["text"] == "❓ 帮助");
        var en = await _emulator.WaitForMessageAsync(2, m => m.Text!.Contains("invitation", StringComparison.Ordinal), Wait);
        Assert.Contains("not valid or has expired", en.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lang_PressEnglish_EditsThePickerInPlace_AnswersTheButton_AndSwitchesLanguage()
    {
        _emulator.CreateUser(10, "Wang", "zh-CN");
        await using var host = await BotHost.StartAsync(_emulator, redis.ConnectionString);

        _emulator.SendText(10, "/lang");
        var picker = await _emulator.WaitForMessageAsync(10, m => m.Buttons.Count == 2, Wait);
        var queryId = _emulator.PressButtonByText(10, picker.MessageId, "English");

        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(queryId).Count == 1, Wait);
        await _emulator.WaitForAsync(() => _emulator.Messages(10).Single(m => m.MessageId == picker.MessageId).EditCount == 1, Wait);
        Assert.Empty(_emulator.Messages(10).Single(m => m.MessageId == picker.MessageId).Buttons);

        _emulator.SendText(10, "/help");
        await _emulator.WaitForMessageAsync(10, m => m.Text!.StartsWith("What I can do", StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task Commands_ArePublishedPerLanguage_AndAdministratorsGetTheirOwnScope()
    {
        await using var host = await BotHost.StartAsync(_emulator, redis.ConnectionString, new Dictionary<string, string?> { ["MusterBot:Admins:0"] = "7000000001" });

        await _emulator.WaitForAsync(() => _emulator.State.GetCommands("chat:7000000001", "en").Count > 0, Wait);
        var zh = _emulator.State.GetCommands("default", string.Empty);
        var en = _emulator.State.GetCommands("default", "en");
        Assert.Equal(CommandCatalog.For(MusterBot.State.Records.Roles.None).Select(c => c.Name), zh.Select(c => c.Command));
        Assert.Contains(zh, c => c.Command == "help" && c.Description == "我能做什么");
        Assert.Contains(en, c => c.Command == "help" && c.Description == "What I can do");
        Assert.NotEmpty(_emulator.State.GetCommands("chat:7000000001", string.Empty));
    }

    [Fact]
    public async Task OddInput_UnknownUpdateKind_ForgedButton_LongText_GetAnswersOrAreDropped_AndNothingStops()
    {
        _emulator.CreateUser(20, "Ann", "en");
        await using var host = await BotHost.StartAsync(_emulator, redis.ConnectionString);

        _emulator.InjectRawUpdate("""{"message_reaction":{"chat":{"id":20,"type":"private"},"message_id":1,"date":0,"new_reaction":[]}}""");
        _emulator.InjectRawUpdate("""{"some_future_kind":{"weird":[1,2,{"x":null}]}}""");
        var forged = _emulator.PressButton(20, 20, 999, "m:forged:ok");
        _emulator.SendText(20, new string('长', 5000));
        _emulator.SendText(20, "/help");

        await _emulator.WaitForAsync(() => _emulator.CallbackAnswers(forged).Count == 1, Wait);
        Assert.Equal("This button is no longer valid.", _emulator.CallbackAnswers(forged)[0].Text);
        await _emulator.WaitForMessageAsync(20, m => m.Text!.Contains("did not understand", StringComparison.Ordinal), Wait);
        await _emulator.WaitForMessageAsync(20, m => m.Text!.StartsWith("What I can do", StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task UpdatesTelegramBotCannotRead_AreSkippedOneByOne_AndTheRestOfTheirBatchIsServed()
    {
        _emulator.CreateUser(21, "Ann", "en");
        const string chat = """{"id":21,"type":"private","first_name":"Ann"}""";
        const string from = """{"id":21,"is_bot":false,"first_name":"Ann"}""";
        const string hugeId = "18446744073709551615"; // 2^64 − 1: no 64-bit signed integer holds it

        // One batch (issue #13): every reproduction that Telegram.Bot's types cannot read or that lacks what a handler
        // needs, then a normal /help. The emulator delivers each exactly as written.
        long[] odd =
        [
            _emulator.InjectRawUpdate("""{"callback_query":{"id":"q1","chat_instance":"c","data":"mu:x"}}"""),
            _emulator.InjectRawUpdate("""{"message":{"message_id":1,"date":1700000000,"chat":{"id":""" + hugeId + ""","type":"private"},"from":{"id":""" + hugeId + ""","is_bot":false,"first_name":"Big"},"text":"/help"}}"""),
            _emulator.InjectRawUpdate("""{"callback_query":{"id":"q2","chat_instance":"c","data":"mu:x","from":{"id":""" + hugeId + ""","is_bot":false,"first_name":"Big"}}}"""),
            _emulator.InjectRawUpdate("""{"message":{"message_id":1,"date":1000000000000000,"chat":""" + chat + ""","from":""" + from + ""","text":"hi"}}"""),
            _emulator.InjectRawUpdate("""{"message":{"message_id":1,"date":1700000000,"chat":""" + chat + ""","from":""" + from + ""","text":12345}}"""),
            _emulator.InjectRawUpdate("""{"message":{"message_id":2147483648,"date":1700000000,"chat":""" + chat + ""","from":""" + from + ""","text":"hi"}}"""),
            _emulator.InjectRawUpdate("""{"message":{"message_id":1,"date":1700000000,"chat":""" + chat + ""","from":""" + from + ""","text":"lone \ud800 surrogate"}}"""),
            _emulator.InjectRawUpdate("""{"message":{"message_id":1,"date":1700000000,"from":""" + from + ""","text":"no chat"}}"""),
            _emulator.InjectRawUpdate("""{"my_chat_member":{"chat":""" + chat + ""","from":""" + from + ""","date":1700000000,"old_chat_member":{"status":"member","user":""" + from + """}}}"""),
            // Nested past Telegram.Bot's reader depth (64 for the whole answer): it used to fail every poll.
            _emulator.InjectRawUpdate("""{"message":{"message_id":1,"date":1700000000,"chat":""" + chat + ""","from":""" + from + ""","text":"deep","x":""" + new string('[', 200) + new string(']', 200) + "}}"),
        ];
        _emulator.SendText(21, "/help");
        var firstPoll = _emulator.WaitForAsync(() => _emulator.RequestCount("getUpdates") > 0, Wait).ContinueWith(_ => DateTimeOffset.UtcNow, TaskScheduler.Default);
        await using var host = await BotHost.StartAsync(_emulator, redis.ConnectionString);

        var help = await _emulator.WaitForMessageAsync(21, m => m.Text!.StartsWith("What I can do", StringComparison.Ordinal), Wait);
        await _emulator.WaitForAsync(() => _emulator.PendingUpdateCount == 0, Wait);

        // The /help of the same batch is answered at once: within 2 s of the poll that fetched the batch.
        var polled = await firstPoll;
        Assert.True(help.Date - polled < TimeSpan.FromSeconds(2), $"/help answered {(help.Date - polled).TotalSeconds:0.00} s after the first getUpdates");

        // Each odd update is either logged as unreadable or dropped with its id — never silently, never retried.
        foreach (var id in odd)
        {
            Assert.True(
                host.Logs.All.Contains($"Update {id} cannot be read", StringComparison.Ordinal)
                || host.Logs.All.Contains($"Dropped update {id} ", StringComparison.Ordinal)
                || host.Logs.All.Contains($"Update {id} nests ", StringComparison.Ordinal),
                $"update {id} left no log line:\n{host.Logs.All}");
        }

        Assert.DoesNotContain("failed (try", host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Polling or handling a batch failed", host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdatesOfOnePerson_AreHandledInOrder_EvenInOneBatch()
    {
        _emulator.CreateUser(30, "Zhao", "zh-CN");
        // Queue everything before the bot polls, so it all arrives in one getUpdates batch.
        _emulator.SendText(30, "/lang");
        await using (var first = await BotHost.StartAsync(_emulator, redis.ConnectionString))
        {
            var picker = await _emulator.WaitForMessageAsync(30, m => m.Buttons.Count == 2, Wait);
            await first.DisposeAsync();
            _emulator.PressButtonByText(30, picker.MessageId, "English");
            for (var i = 0; i < 5; i++)
            {
                _emulator.SendText(30, "/help");
            }
        }

        await using var host = await BotHost.StartAsync(_emulator, redis.ConnectionString);
        await _emulator.WaitForAsync(() => _emulator.Messages(30).Count(m => m.Text!.StartsWith("What I can do", StringComparison.Ordinal)) == 5, Wait);
        Assert.DoesNotContain(_emulator.Messages(30), m => m.Text!.StartsWith("我能做什么", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Crash_AfterHandlingBeforeConfirming_RedeliveredUpdatesAreNotAppliedTwice()
    {
        _emulator.CreateUser(40, "Sun", "zh-CN");
        var prefix = $"crash{Guid.NewGuid():N}:";
        var settings = new Dictionary<string, string?> { ["Redis:KeyPrefix"] = prefix };

        // Telegram never hears the confirmation (as when the process dies right after handling).
        _emulator.IgnoreConfirmations = true;
        _emulator.SendText(40, "/start");
        await using (var first = await BotHost.StartAsync(_emulator, redis.ConnectionString, settings))
        {
            await _emulator.WaitForMessageAsync(40, m => m.Text!.Contains("您好", StringComparison.Ordinal), Wait);
            await first.DisposeAsync();
        }

        Assert.Equal(1, _emulator.PendingUpdateCount);

        // A new process over the same Redis receives the same update again.
        _emulator.IgnoreConfirmations = false;
        await using var second = await BotHost.StartAsync(_emulator, redis.ConnectionString, settings);
        _emulator.SendText(40, "/me");
        await _emulator.WaitForMessageAsync(40, m => m.Text!.Contains("我的资料", StringComparison.Ordinal), Wait);
        await _emulator.WaitForAsync(() => _emulator.PendingUpdateCount == 0, Wait);

        Assert.Single(_emulator.Messages(40), m => m.Text!.Contains("您好", StringComparison.Ordinal));
        Assert.Contains("was already handled", second.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Crash_BeforeCommit_TheUpdateIsHandledOnRedelivery_AndNothingIsLost()
    {
        _emulator.CreateUser(45, "Zhou", "en");
        await using var host = await BotHost.StartAsync(_emulator, redis.ConnectionString, new Dictionary<string, string?> { ["Intake:RetryDelay"] = "00:00:00.100" });
        await _emulator.WaitForAsync(() => _emulator.RequestCount("getUpdates") > 0, Wait);

        // Redis goes away between receiving the update and committing it.
        await redis.StopAsync();
        try
        {
            _emulator.SendText(45, "/help");
            // The handling fails (the batch is given up, nothing confirmed), or the poller's lease in the same Redis runs
            // out first and it stops polling: either way the update stays with Telegram.
            await _emulator.WaitForAsync(
                () => host.Logs.All.Contains("nothing was confirmed", StringComparison.Ordinal) || host.Logs.All.Contains("lost the poller's lease", StringComparison.Ordinal),
                TimeSpan.FromSeconds(20));
            Assert.Equal(1, _emulator.PendingUpdateCount);
        }
        finally
        {
            await redis.StartAgainAsync();
        }

        var help = await _emulator.WaitForMessageAsync(45, m => m.Text!.StartsWith("What I can do", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await _emulator.WaitForAsync(() => _emulator.PendingUpdateCount == 0, Wait);
        Assert.Single(_emulator.Messages(45));
        Assert.NotNull(help);
    }

    [Fact]
    public async Task AnUpdateThatKeepsFailing_IsDroppedAfterThreeTries_AndOthersAreServed()
    {
        _emulator.CreateUser(46, "Broken", "en");
        _emulator.CreateUser(47, "Fine", "en");
        var prefix = $"poison{Guid.NewGuid():N}:";
        await using (var store = await MusterBot.State.Redis.RedisStateStore.ConnectAsync(new() { Configuration = redis.ConnectionString, KeyPrefix = prefix }, TimeProvider.System, CancellationToken.None))
        {
            // A stored profile that no longer reads: every attempt to handle this person's update throws.
            await store.CommitAsync(new MusterBot.State.Commits.Commit { Writes = [new(MusterBot.State.Records.DocKeys.User(46), "{not json", null)] }, CancellationToken.None);
        }

        await using var host = await BotHost.StartAsync(_emulator, redis.ConnectionString, new Dictionary<string, string?> { ["Redis:KeyPrefix"] = prefix, ["Intake:RetryDelay"] = "00:00:00.050" });
        _emulator.SendText(46, "/help");
        _emulator.SendText(47, "/help");

        await _emulator.WaitForMessageAsync(47, m => m.Text!.StartsWith("What I can do", StringComparison.Ordinal), Wait);
        await _emulator.WaitForAsync(() => _emulator.PendingUpdateCount == 0, Wait);
        Assert.Contains("failed 3 times; dropped so intake goes on", host.Logs.All, StringComparison.Ordinal);
        Assert.Empty(_emulator.Messages(46));

        // The failing update was tried again on its own: its batch never failed, so nobody else waited for a redelivery.
        Assert.DoesNotContain("Polling or handling a batch failed", host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FloodOfStartFromOnePerson_DoesNotDelayOthers_AndIsCappedWithALogLine()
    {
        _emulator.CreateUser(50, "Flood", "en");
        _emulator.CreateUser(51, "Calm", "en");
        await using var host = await BotHost.StartAsync(_emulator, redis.ConnectionString, new Dictionary<string, string?> { ["Intake:FloodLimit"] = "10", ["Intake:FloodWindow"] = "00:01:00" });

        for (var i = 0; i < 60; i++)
        {
            _emulator.SendText(50, "/start");
        }

        _emulator.SendText(51, "/help");
        await _emulator.WaitForMessageAsync(51, m => m.Text!.StartsWith("What I can do", StringComparison.Ordinal), Wait);
        await _emulator.WaitForAsync(() => _emulator.PendingUpdateCount == 0 && _emulator.Messages(50).Count == 10, Wait);
        Assert.Contains("is sending too fast", host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlockedUser_IsRecordedAsUnreachable_AndOthersStillGetTheirReplies()
    {
        _emulator.CreateUser(60, "Gone", "en");
        _emulator.CreateUser(61, "Here", "en");
        await using var host = await BotHost.StartAsync(_emulator, redis.ConnectionString);
        _emulator.SendText(60, "/start");
        await _emulator.WaitForMessageAsync(60, _ => true, Wait);

        _emulator.FailNext("sendMessage", 403, "Forbidden: bot was blocked by the user", chatId: 60);
        _emulator.SendText(60, "/help");
        _emulator.SendText(61, "/help");

        await _emulator.WaitForMessageAsync(61, m => m.Text!.StartsWith("What I can do", StringComparison.Ordinal), Wait);
        await _emulator.WaitForAsync(() => host.Logs.All.Contains("Chat 60 is unreachable", StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task Sender_Honours429_AndTransientApiErrors_WithoutLosingMessages()
    {
        _emulator.CreateUser(70, "Ann", "en");
        await using var host = await BotHost.StartAsync(_emulator, redis.ConnectionString, new Dictionary<string, string?> { ["Sender:RetryDelay"] = "00:00:00.050" });
        _emulator.FailNext("sendMessage", 429, "Too Many Requests: retry after 1", retryAfter: 1);
        _emulator.FailNext("getUpdates", 502, "Bad Gateway");
        _emulator.SendText(70, "/help");
        _emulator.SendText(70, "/me");

        await _emulator.WaitForAsync(() => _emulator.Messages(70).Count == 2, Wait);
        Assert.Equal(1, _emulator.TooManyRequestsGiven);
        Assert.Contains("pausing that chat for 1 s", host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_IsAlive_AndReadyWhenRedisAndTheApiAnswer_503WhenRedisIsDown()
    {
        await using var host = await BotHost.StartAsync(_emulator, redis.ConnectionString);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        await redis.StopAsync();
        try
        {
            // A reading is reused for ReadinessProbe.CacheFor, so a caller hammering /readyz costs one probe per period.
            HttpResponseMessage down;
            var asked = 0;
            do
            {
                await Task.Delay(200);
                down = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                asked++;
            }
            while (down.StatusCode == HttpStatusCode.OK && asked < 50);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Contains("\"store\":\"unavailable\"", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        }
        finally
        {
            await redis.StartAgainAsync();
        }
    }

    [Fact]
    public async Task Sandbox_OnRedis_SeedsUnderItsOwnKeyPrefix_NeverAmongARealCommunitysKeys()
    {
        var prefix = $"real{Guid.NewGuid():N}:";
        await using var host = await BotHost.StartAsync(null, redis.ConnectionString, new Dictionary<string, string?> { ["Redis:KeyPrefix"] = prefix });
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var server = connection.GetServer(connection.GetEndPoints()[0]);

        await _emulator.WaitForAsync(() => server.Keys(pattern: prefix + MusterBotApp.SandboxKeyPrefix + "*").Any(), Wait);

        Assert.DoesNotContain(server.Keys(pattern: prefix + "*"), k => !k.ToString().StartsWith(prefix + MusterBotApp.SandboxKeyPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Webhook_BodyOverTheLimit_IsRefusedBeforeItIsRead()
    {
        var port = BotHost.FreePort();
        const string secret = "s3cret_Webhook-Value";
        await using var host = await BotHost.StartAsync(
            _emulator,
            redis.ConnectionString,
            new Dictionary<string, string?>
            {
                ["urls"] = $"http://127.0.0.1:{port}",
                ["Telegram:Mode"] = "Webhook",
                ["Telegram:WebhookUrl"] = $"http://127.0.0.1:{port}{WebhookEndpoint.Path}",
                ["Telegram:WebhookSecret"] = secret,
            });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        using var body = new StringContent("{\"update_id\":1,\"pad\":\"" + new string('x', (int)WebhookEndpoint.MaxBodyBytes) + "\"}", Encoding.UTF8, "application/json");
        body.Headers.Add(WebhookEndpoint.SecretHeader, secret);

        var response = await http.PostAsync(new Uri(WebhookEndpoint.Path, UriKind.Relative), body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Webhook_AnUpdateNestedTooDeepForTelegramBot_IsAcknowledgedAndLogged_NotRefused()
    {
        var port = BotHost.FreePort();
        const string secret = "s3cret_Webhook-Value";
        await using var host = await BotHost.StartAsync(
            _emulator,
            redis.ConnectionString,
            new Dictionary<string, string?>
            {
                ["urls"] = $"http://127.0.0.1:{port}",
                ["Telegram:Mode"] = "Webhook",
                ["Telegram:WebhookUrl"] = $"http://127.0.0.1:{port}{WebhookEndpoint.Path}",
                ["Telegram:WebhookSecret"] = secret,
            });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        using var body = new StringContent("{\"update_id\":4242,\"message\":{\"x\":" + new string('[', 300) + new string(']', 300) + "}}", Encoding.UTF8, "application/json");
        body.Headers.Add(WebhookEndpoint.SecretHeader, secret);

        var response = await http.PostAsync(new Uri(WebhookEndpoint.Path, UriKind.Relative), body);

        // A 400 would make Telegram send it again and again; it is valid JSON, so it is skipped with its id logged.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("4242", host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_RejectsMissingOrWrongSecret_AndHandlesUpdatesDeliveredWithTheSecret()
    {
        _emulator.CreateUser(80, "Hook", "en");
        var port = BotHost.FreePort();
        const string secret = "s3cret_Webhook-Value";
        await using var host = await BotHost.StartAsync(
            _emulator,
            redis.ConnectionString,
            new Dictionary<string, string?>
            {
                ["Telegram:Mode"] = "Webhook",
                ["Telegram:WebhookUrl"] = $"http://127.0.0.1:{port}{WebhookEndpoint.Path}",
                ["Telegram:WebhookSecret"] = secret,
            },
            urls: $"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        using var body = new StringContent("""{"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":80,"type":"private"},"from":{"id":80,"is_bot":false,"first_name":"X"},"text":"/help"}}""", Encoding.UTF8, "application/json");

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync(new Uri(WebhookEndpoint.Path, UriKind.Relative), body)).StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Post, WebhookEndpoint.Path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        wrong.Headers.Add(WebhookEndpoint.SecretHeader, "not-the-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        using var malformed = new HttpRequestMessage(HttpMethod.Post, WebhookEndpoint.Path) { Content = new StringContent("{not json", Encoding.UTF8, "application/json") };
        malformed.Headers.Add(WebhookEndpoint.SecretHeader, secret);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(malformed)).StatusCode);

        await _emulator.WaitForAsync(() => _emulator.State.WebhookUrl is not null, Wait);
        _emulator.SendText(80, "/help");
        await _emulator.WaitForMessageAsync(80, m => m.Text!.StartsWith("What I can do", StringComparison.Ordinal), Wait);
        await _emulator.WaitForAsync(() => _emulator.WebhookDeliveries.Any(d => d.StatusCode == 200), Wait);
        Assert.Equal(0, _emulator.RequestCount("getUpdates"));
    }

    [Fact]
    public async Task Secrets_NeverReachTheLogs()
    {
        _emulator.CreateUser(90, "Ann", "en");
        await using (var host = await BotHost.StartAsync(_emulator, redis.ConnectionString, new Dictionary<string, string?> { ["Telegram:WebhookSecret"] = "topSecretWebhookValue", ["Metrics:Token"] = "topSecretMetricsToken" }))
        {
            _emulator.FailNext("sendMessage", 500, "Internal Server Error");
            _emulator.FailNext("getUpdates", 502, "Bad Gateway");
            _emulator.SendText(90, "/start");
            await _emulator.WaitForMessageAsync(90, _ => true, Wait);
            await host.DisposeAsync();
            Assert.NotEmpty(host.Logs.Lines);
            Assert.DoesNotContain(BotHost.Token, host.Logs.All, StringComparison.Ordinal);
            Assert.DoesNotContain(BotHost.Token.Split(':')[1], host.Logs.All, StringComparison.Ordinal);
            Assert.DoesNotContain("topSecretWebhookValue", host.Logs.All, StringComparison.Ordinal);
            Assert.DoesNotContain("topSecretMetricsToken", host.Logs.All, StringComparison.Ordinal);
        }
    }
}
