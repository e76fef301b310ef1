using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Emulator;
using MusterBot.Emulator.Sandbox;
using MusterBot.State.Records.Org;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.WebApp;

/// <summary>
/// The dashboard's API through the real host (issue #18 points 1, 2 and 5): the English sandbox, its demo community,
/// a drill launched in the chat. Every data call is tried with a missing, forged, tampered, expired and another bot's
/// initData, and with every role of the demo: administrator, convenor, backup convenor, member, resident, and someone
/// the bot does not know.
/// </summary>
public sealed class DashboardApiTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const long Convenor = 1101;       // North (r1)
    private const long Backup = 1303;         // North's backup seat, but holds only the member role
    private const long OtherConvenor = 1102;  // Centre (r2)
    private const long Member = 1301;         // North
    private const long Resident = 1401;
    private const long Stranger = 9_000_001;  // exists in the emulator, never talked to the bot

    private BotHost _host = null!;
    private BotApiEmulator _emulator = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await BotHost.StartAsync(null, null, new Dictionary<string, string?> { ["Sandbox:Language"] = "en" });
        _emulator = _host.App.Services.GetRequiredService<BotApiEmulator>();
        _http = new HttpClient { BaseAddress = _host.BaseAddress };
        _emulator.CreateUser(Stranger, "Stranger", "en");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task ThePage_IsServed_WithNoDataInIt_AndItsWordsInBothLanguages()
    {
        var page = await _http.GetAsync(new Uri("/app", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("tgWebAppData", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);

        using var en = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/app/api/texts?lang=en", UriKind.Relative)));
        using var zh = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/app/api/texts?lang=zh-CN", UriKind.Relative)));
        Assert.Equal("📊 Dashboard", en.RootElement.GetProperty("texts").GetProperty("dash.title").GetString());
        Assert.Equal("📊 看板", zh.RootElement.GetProperty("texts").GetProperty("dash.title").GetString());
        Assert.Equal("arrived", en.RootElement.GetProperty("texts").GetProperty("mu.status.Arrived").GetString());
        Assert.Equal("已到岗", zh.RootElement.GetProperty("texts").GetProperty("mu.status.Arrived").GetString());
    }

    [Fact]
    public async Task BadInitData_Is401_LoggedWithoutTheData()
    {
        var good = _emulator.WebAppInitData(SandboxDemo.AdminId);
        var tampered = good.Replace("%22id%22%3A1001", "%22id%22%3A1002", StringComparison.Ordinal);
        Assert.NotEqual(good, tampered);
        await using var otherBot = await BotApiEmulator.StartAsync(new EmulatorOptions { Token = "999:another-bot" }, CancellationToken.None);
        otherBot.CreateUser(SandboxDemo.AdminId, "Li", "en");
        var cases = new (string Name, string? InitData, string Error)[]
        {
            ("missing", null, "unauthorized"),
            ("empty", string.Empty, "unauthorized"),
            ("garbage", "hello", "unauthorized"),
            ("tampered user", tampered, "unauthorized"),
            ("another bot's", otherBot.WebAppInitData(SandboxDemo.AdminId), "unauthorized"),
            ("two hours old", _emulator.WebAppInitData(SandboxDemo.AdminId, DateTimeOffset.UtcNow.AddHours(-2)), "expired"),
        };
        foreach (var (name, initData, error) in cases)
        {
            var (status, body) = await BoardAsync(initData);
            Assert.True(status == HttpStatusCode.Unauthorized, $"{name}: {status}");
            Assert.Equal(error, body.GetProperty("error").GetString());
            Assert.False(body.TryGetProperty("board", out _), name);
        }

        var logs = _host.Logs.All;
        Assert.Contains("Dashboard request refused", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("hash=", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("query_id", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryEndpoint_WithMissingForgedTamperedExpiredOrAnotherBotsInitData_Is401_AndSaysNothing()
    {
        await LaunchDrillAsync();
        var good = _emulator.WebAppInitData(SandboxDemo.AdminId);
        await using var otherBot = await BotApiEmulator.StartAsync(new EmulatorOptions { Token = "999:another-bot" }, CancellationToken.None);
        otherBot.CreateUser(SandboxDemo.AdminId, "Li", "en");
        var variants = new (string Name, string? InitData)[]
        {
            ("missing", null),
            ("garbage", "user=1&hash=2"),
            ("another bot's", otherBot.WebAppInitData(SandboxDemo.AdminId)),
            ("tampered", good.Replace("%22id%22%3A1001", "%22id%22%3A1101", StringComparison.Ordinal)),
            ("expired", _emulator.WebAppInitData(SandboxDemo.AdminId, DateTimeOffset.UtcNow.AddHours(-1).AddMinutes(-1))),
        };
        var gets = new[]
        {
            "/app/api/board", "/app/api/board?muster=1", "/app/api/board?node=4", "/app/api/region?muster=1&region=r1", "/app/api/region?muster=1&region=r1&node=4",
            "/app/api/queues", "/app/api/queues?node=4", "/app/api/figures", "/app/api/figures?node=4", "/app/api/figures.csv?table=category",
            "/app/api/figures.csv/link?table=category", "/app/api/me",
        };
        var messages = _emulator.Messages(SandboxDemo.AdminId).Count;
        foreach (var (name, initData) in variants)
        {
            foreach (var url in gets)
            {
                var (status, body) = await GetRawAsync(url, initData);
                Assert.True(status == HttpStatusCode.Unauthorized, $"{name} {url}: {status}");
                Assert.DoesNotContain("North", body, StringComparison.Ordinal);
            }

            var (postStatus, _) = await PostAsync("/app/api/action", new { action = "close_muster", muster = 1 }, initData);
            Assert.True(postStatus == HttpStatusCode.Unauthorized, $"{name} action: {postStatus}");
        }

        // Nothing was done: the muster is open and the administrator's chat got nothing from these calls.
        Assert.Single((await BoardOkAsync(SandboxDemo.AdminId)).GetProperty("board").GetProperty("musters").EnumerateArray());
        await Task.Delay(300);
        Assert.DoesNotContain(_emulator.Messages(SandboxDemo.AdminId).Skip(messages), m => m.Text?.Contains("closed", StringComparison.Ordinal) == true);
    }

    private async Task<(HttpStatusCode Status, string Body)> GetRawAsync(string url, string? initData)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, UriKind.Relative));
        if (initData is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("tma", initData);
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ACsvLink_ForTelegramsDownload_WorksWithoutInitData_OnlyAsSigned_ForItsPerson_AndNotOnceOld()
    {
        const long admin = SandboxDemo.AdminId;
        var (status, link) = await GetAsync("/app/api/figures.csv/link?table=trend&period=all", _emulator.WebAppInitData(admin));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("trend-all.csv", link.GetProperty("fileName").GetString());
        var url = new Uri(link.GetProperty("url").GetString()!);
        Assert.Equal((_host.BaseAddress.Authority, "/app/api/figures.csv"), (url.Authority, url.AbsolutePath));

        // Telegram fetches it without the page's header: the CSV, as the page's own download gives it.
        var (csvStatus, csv) = await GetRawAsync(url.PathAndQuery, null);
        Assert.Equal(HttpStatusCode.OK, csvStatus);
        Assert.Equal((await GetRawAsync("/app/api/figures.csv?table=trend&period=all", _emulator.WebAppInitData(admin))).Body, csv);

        // Any value changed, the signature cut or missing: 401, nothing shown.
        var expires = System.Web.HttpUtility.ParseQueryString(url.Query)["expires"]!;
        foreach (var altered in new[]
        {
            url.PathAndQuery.Replace("table=trend", "table=points", StringComparison.Ordinal),
            url.PathAndQuery.Replace("period=all", "period=month", StringComparison.Ordinal),
            url.PathAndQuery.Replace("user=1001", "user=1101", StringComparison.Ordinal),
            url.PathAndQuery.Replace("expires=" + expires, "expires=" + (long.Parse(expires, System.Globalization.CultureInfo.InvariantCulture) + 60), StringComparison.Ordinal),
            url.PathAndQuery[..^3],
            url.PathAndQuery + "&node=" + DefaultTree.CommunityId,
            "/app/api/figures.csv?table=trend&period=all&user=1001&expires=" + expires + "&sig=",
        })
        {
            var (s, body) = await GetRawAsync(altered, null);
            Assert.True(s == HttpStatusCode.Unauthorized, $"{altered}: {s} {body}");
            Assert.DoesNotContain("2026", body, StringComparison.Ordinal);
        }

        // Signed with the bot's token but expired, or dated far ahead: 401.
        var token = _host.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MusterBot.Host.Configuration.TelegramOptions>>().Value.BotToken;
        string Signed(long who, DateTimeOffset until, string? node = null)
        {
            var canonical = MusterBot.Host.WebApp.DownloadLink.Canonical("trend", "all", node, who, until.ToUnixTimeSeconds());
            return "/app/api/figures.csv?" + canonical + "&sig=" + MusterBot.Host.WebApp.DownloadLink.Sign(canonical, token);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetRawAsync(Signed(admin, DateTimeOffset.UtcNow.AddSeconds(-5)), null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetRawAsync(Signed(admin, DateTimeOffset.UtcNow.AddDays(1)), null)).Status);

        // A correctly signed link still answers only what its person may see: a member none, the administrator no
        // other community; the person is read from the store, as for the page.
        Assert.Equal(HttpStatusCode.Forbidden, (await GetRawAsync(Signed(Member, DateTimeOffset.UtcNow.AddMinutes(1)), null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetRawAsync(Signed(admin, DateTimeOffset.UtcNow.AddMinutes(1), SandboxDemo.SecondCommunityId.ToString(System.Globalization.CultureInfo.InvariantCulture)), null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetRawAsync(Signed(Stranger, DateTimeOffset.UtcNow.AddMinutes(1)), null)).Status);

        // Links are asked for with initData, by those who may see the figures, for a table that exists.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/app/api/figures.csv/link?table=trend", null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/app/api/figures.csv/link?table=trend", _emulator.WebAppInitData(Convenor))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("/app/api/figures.csv/link?table=secrets", _emulator.WebAppInitData(admin))).Status);

        // A street's director: a link to one community's table below works, for that community only.
        var (_, street) = await GetAsync("/app/api/figures.csv/link?table=category&period=all&node=" + SandboxDemo.SecondCommunityId, _emulator.WebAppInitData(SandboxDemo.StreetAdminId));
        var streetUrl = new Uri(street.GetProperty("url").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await GetRawAsync(streetUrl.PathAndQuery, null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetRawAsync(streetUrl.PathAndQuery.Replace("node=" + SandboxDemo.SecondCommunityId, "node=" + DefaultTree.CommunityId, StringComparison.Ordinal), null)).Status);
    }

    [Fact]
    public async Task EachRole_SeesItsScope_AndNoOneElse()
    {
        await LaunchDrillAsync();

        // The administrator: every region of the community.
        var admin = await BoardOkAsync(SandboxDemo.AdminId);
        Assert.Equal(["r1", "r2", "r3"], RegionIds(admin));
        Assert.Equal("Your community", admin.GetProperty("board").GetProperty("scope").GetString());

        // A convenor: their region only, never another's.
        Assert.Equal(["r1"], RegionIds(await BoardOkAsync(Convenor)));
        Assert.Equal(["r2"], RegionIds(await BoardOkAsync(OtherConvenor)));

        // A member, a resident: no board; a backup seat without the convenor role neither (as in the chat, where the
        // convenor's buttons need both). Someone the bot does not know: refused too.
        foreach (var (who, error) in new[] { (Member, "forbidden"), (Backup, "forbidden"), (Resident, "forbidden"), (Stranger, "unknown") })
        {
            var (status, body) = await BoardAsync(_emulator.WebAppInitData(who));
            Assert.True(status == HttpStatusCode.Forbidden, $"{who}: {status}");
            Assert.Equal(error, body.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task TheBoard_CountsTheCalled_AndMovesWhenAMemberChecksIn()
    {
        await LaunchDrillAsync();
        var north = Region(await BoardOkAsync(Convenor), "r1");
        var called = north.GetProperty("called").GetInt32();
        Assert.True(called >= 3, $"North called {called}");
        Assert.Equal(0, north.GetProperty("arrived").GetInt32());
        Assert.Equal(called, north.GetProperty("noAnswer").GetInt32());
        Assert.Equal("Zhang Wei", north.GetProperty("convenorName").GetString());

        // The administrator's roll call carries the Mini App button (the sandbox's own /app), and so does the
        // convenor's once they acknowledge; the configured administrator's menu button opens it too.
        await _emulator.State.WaitForAsync(() => _emulator.Messages(SandboxDemo.AdminId).Any(m => m.Buttons.Any(b => b.WebAppUrl?.EndsWith("/app", StringComparison.Ordinal) == true && b.Text == "📊 Dashboard")), Wait);
        Assert.All(_emulator.Messages(SandboxDemo.AdminId).SelectMany(m => m.Buttons).Where(b => b.WebAppUrl is not null), b => Assert.Null(b.CallbackData));

        // The convenor relays, the member presses "arrived" in the chat: the board shows it.
        await PressesAsync(Convenor, "Acknowledge", "Roll call M-1");
        await _emulator.State.WaitForAsync(() => _emulator.Messages(Convenor).Any(m => m.Buttons.Any(b => b.WebAppUrl?.EndsWith("/app", StringComparison.Ordinal) == true)), Wait);
        await _emulator.State.WaitForAsync(() => _emulator.State.GetMenuButton(SandboxDemo.AdminId).Type == "web_app", Wait);
        await PressesAsync(Convenor, "Relay to my region", "Members told at");
        await _emulator.State.WaitForAsync(() => _emulator.Messages(Member).Any(m => m.Buttons.Any(b => b.Text.Contains("Arrived", StringComparison.OrdinalIgnoreCase))), Wait);
        await PressesAsync(Member, "rrived", "Your answer");
        await _emulator.State.WaitForAsync(() => Region(BoardOkAsync(Convenor).GetAwaiter().GetResult(), "r1").GetProperty("arrived").GetInt32() == 1, Wait);
        north = Region(await BoardOkAsync(SandboxDemo.AdminId), "r1");
        Assert.Equal(1, north.GetProperty("arrived").GetInt32());
        Assert.Equal(called - 1, north.GetProperty("noAnswer").GetInt32());
        Assert.True(north.GetProperty("delivered").GetInt32() >= 1);
    }

    [Fact]
    public async Task ARegionInDetail_OnlyForItsConvenorAndTheAdministrator_WithWhoHasNotAnsweredAndTheirPhones()
    {
        await LaunchDrillAsync();

        // The North convenor and the administrator open North; Centre's convenor, a member, a resident cannot; a region or
        // muster that does not exist looks the same as one out of scope.
        foreach (var who in new[] { Convenor, SandboxDemo.AdminId })
        {
            var (status, body) = await GetAsync("/app/api/region?muster=1&region=r1", _emulator.WebAppInitData(who));
            Assert.True(status == HttpStatusCode.OK, $"{who}: {status} {body}");
            var detail = body.GetProperty("region");
            Assert.Equal("r1", detail.GetProperty("region").GetProperty("regionId").GetString());
            var waiting = detail.GetProperty("notAnswered").EnumerateArray().ToList();
            Assert.Equal(detail.GetProperty("region").GetProperty("called").GetInt32(), waiting.Count);
            Assert.All(waiting, w => Assert.False(string.IsNullOrEmpty(w.GetProperty("phone").GetString())));
            Assert.False(detail.GetProperty("hasRallyPoint").GetBoolean());
        }

        foreach (var (who, url) in new[]
        {
            (OtherConvenor, "/app/api/region?muster=1&region=r1"),
            (Member, "/app/api/region?muster=1&region=r1"),
            (Resident, "/app/api/region?muster=1&region=r1"),
            (Convenor, "/app/api/region?muster=1&region=r2"),
            (SandboxDemo.AdminId, "/app/api/region?muster=2&region=r1"),
            (SandboxDemo.AdminId, "/app/api/region?muster=1&region=nowhere"),
        })
        {
            var (status, body) = await GetAsync(url, _emulator.WebAppInitData(who));
            Assert.True(status == HttpStatusCode.Forbidden, $"{who} {url}: {status} {body}");
            Assert.False(body.TryGetProperty("region", out _));
        }

        foreach (var url in new[] { "/app/api/region", "/app/api/region?muster=x&region=r1", "/app/api/region?muster=1", "/app/api/region?muster=-1&region=r1" })
        {
            var (status, _) = await GetAsync(url, _emulator.WebAppInitData(SandboxDemo.AdminId));
            Assert.True(status == HttpStatusCode.BadRequest, $"{url}: {status}");
        }

        // Without a valid initData nothing is said about the region at all.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/app/api/region?muster=1&region=r1", null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/app/api/region?muster=1&region=r1", _emulator.WebAppInitData(Convenor, DateTimeOffset.UtcNow.AddDays(-1)))).Status);
    }

    [Fact]
    public async Task CloseFromTheBoard_IsTheChatsDecision_OnlyForAnAdministrator_ResultInTheChat_SecondTimePolite()
    {
        await LaunchDrillAsync();
        var close = new { action = "close_muster", muster = 1 };

        // Not an administrator: refused before anything reaches the flows; the muster stays open.
        var (status, _) = await PostAsync("/app/api/action", close, _emulator.WebAppInitData(Convenor));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("/app/api/action", close, null)).Status);
        var forged = _emulator.WebAppInitData(Convenor).Replace("%22id%22%3A1101", "%22id%22%3A1001", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("/app/api/action", close, forged)).Status);
        foreach (var bad in new object[] { new { action = "delete_everything", muster = 1 }, new { action = "close_muster" }, new { action = "close_muster", muster = -1 }, "not json" })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("/app/api/action", bad, _emulator.WebAppInitData(SandboxDemo.AdminId))).Status);
        }

        Assert.Single((await BoardOkAsync(SandboxDemo.AdminId)).GetProperty("board").GetProperty("musters").EnumerateArray());

        // The administrator: the flow closes it as "🏁 Yes, close" in the chat would; the report comes to the chat.
        var since = _emulator.State.Version;
        (status, _) = await PostAsync("/app/api/action", close, _emulator.WebAppInitData(SandboxDemo.AdminId));
        Assert.Equal(HttpStatusCode.Accepted, status);
        await WaitForNewAsync(SandboxDemo.AdminId, since, "M-1 is closed");
        Assert.Empty((await BoardOkAsync(SandboxDemo.AdminId)).GetProperty("board").GetProperty("musters").EnumerateArray());

        // The close report carries a "📊 Dashboard" button that opens this muster's final board (?muster=1).
        var report = await _emulator.WaitForMessageAsync(SandboxDemo.AdminId, m => m.Text?.Contains("Report", StringComparison.OrdinalIgnoreCase) == true && m.Buttons.Any(b => b.WebAppUrl is not null), Wait);
        var url = new Uri(report.Buttons.Single(b => b.WebAppUrl is not null).WebAppUrl!);
        Assert.Equal(("/app", "?muster=1"), (url.AbsolutePath, url.Query));
        var final = await GetAsync("/app/api/board" + url.Query, _emulator.WebAppInitData(SandboxDemo.AdminId));
        Assert.Equal(HttpStatusCode.OK, final.Status);
        var closed = Assert.Single(final.Body.GetProperty("board").GetProperty("musters").EnumerateArray());
        Assert.Equal("M-1", closed.GetProperty("code").GetString());
        Assert.NotEqual(JsonValueKind.Null, closed.GetProperty("closedAt").ValueKind);
        Assert.Equal(["r1", "r2", "r3"], RegionIds(final.Body));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/app/api/region?muster=1&region=r1", _emulator.WebAppInitData(SandboxDemo.AdminId))).Status);

        // The North convenor's report has the same button; their final board shows North only; a member, a muster
        // that is not there and a malformed number are refused.
        var convenorReport = await _emulator.WaitForMessageAsync(Convenor, m => m.Buttons.Any(b => b.WebAppUrl?.EndsWith("?muster=1", StringComparison.Ordinal) == true), Wait);
        Assert.NotNull(convenorReport);
        Assert.Equal(["r1"], RegionIds((await GetAsync("/app/api/board?muster=1", _emulator.WebAppInitData(Convenor))).Body));
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/app/api/board?muster=1", _emulator.WebAppInitData(Member))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/app/api/board?muster=2", _emulator.WebAppInitData(SandboxDemo.AdminId))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("/app/api/board?muster=x1", _emulator.WebAppInitData(SandboxDemo.AdminId))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/app/api/board?muster=1", null)).Status);

        // Pressed again (a second tap, a stale page): the flow's polite answer comes to the chat; nothing else happens.
        await Task.Delay(500);
        var messagesAfterClose = _emulator.Messages(SandboxDemo.AdminId).Count;
        since = _emulator.State.Version;
        (status, _) = await PostAsync("/app/api/action", close, _emulator.WebAppInitData(SandboxDemo.AdminId));
        Assert.Equal(HttpStatusCode.Accepted, status);
        await WaitForNewAsync(SandboxDemo.AdminId, since, "Muster M-1 is closed.");
        await Task.Delay(500);
        Assert.Equal(messagesAfterClose + 1, _emulator.Messages(SandboxDemo.AdminId).Count);
        Assert.Equal(0, _emulator.State.CallbackAnswers().Count(a => string.IsNullOrEmpty(a.CallbackQueryId)));
    }

    [Fact]
    public async Task QueuesAndFigures_AWishToReview_AndAnAssignedComplaint_EachRoleSeesItsOwn_CsvForAdministrators()
    {
        const long resident = 1401;   // Harbour Grid (g1)
        const long handler = 1201;    // Harbour Grid's worker
        const long otherHandler = 1202;
        async Task<EmulatedMessage> Says(long who, string text, string expect)
        {
            _emulator.SendText(who, text);
            return await _emulator.WaitForMessageAsync(who, m => m.Text?.Contains(expect, StringComparison.Ordinal) == true, Wait);
        }

        async Task<EmulatedMessage> Presses(long who, EmulatedMessage on, string data, string expect)
        {
            _emulator.PressButton(who, who, on.MessageId, data);
            return await _emulator.WaitForMessageAsync(who, m => m.Text?.Contains(expect, StringComparison.Ordinal) == true, Wait);
        }

        var m = await Says(resident, "/wish", "File a micro-wish");
        m = await Says(resident, "Please help me carry <rice> upstairs", "Add a photo");
        m = await Presses(resident, m, new MusterBot.Flows.Wishes.WishButton.SkipPhoto().Encode(), "choose a category");
        m = await Presses(resident, m, new MusterBot.Flows.Wishes.WishButton.PickCategory(MusterBot.State.Records.Wishes.WishCategory.DailyLife).Encode(), "By when");
        m = await Presses(resident, m, new MusterBot.Flows.Wishes.WishButton.PickDate(MusterBot.Flows.Wishes.WantedBy.Week).Encode(), "check your wish");
        await Presses(resident, m, new MusterBot.Flows.Wishes.WishButton.Submit().Encode(), "W-0001");
        m = await Says(resident, "/complain", "choose a category");
        m = await Presses(resident, m, new MusterBot.Flows.Complaints.ComplaintButton.PickCategory(MusterBot.State.Records.Complaints.ComplaintCategory.Noise).Encode(), "Please describe");
        m = await Says(resident, "Loud music every night", "You may send photos");
        m = await Presses(resident, m, new MusterBot.Flows.Complaints.ComplaintButton.PhotosDone().Encode(), "send the location");
        m = await Presses(resident, m, new MusterBot.Flows.Complaints.ComplaintButton.NoLocation().Encode(), "Anonymous?");
        m = await Presses(resident, m, new MusterBot.Flows.Complaints.ComplaintButton.ChooseAnonymous(false).Encode(), "check your complaint");
        await Presses(resident, m, new MusterBot.Flows.Complaints.ComplaintButton.Submit().Encode(), "C-0001");
        await _emulator.WaitForMessageAsync(handler, x => x.Text?.Contains("assigned to you", StringComparison.Ordinal) == true, Wait);

        // The administrator: the wish to review and the complaint with its reply deadline, no resident's name.
        var (status, body) = await GetAsync("/app/api/queues", _emulator.WebAppInitData(SandboxDemo.AdminId));
        Assert.True(status == HttpStatusCode.OK, $"{status} {body}");
        var queues = body.GetProperty("queues");
        var wish = Assert.Single(queues.GetProperty("wishes").EnumerateArray());
        Assert.Equal(("W-0001", "waiting for review", "Please help me carry <rice> upstairs"), (wish.GetProperty("code").GetString(), wish.GetProperty("status").GetString(), wish.GetProperty("text").GetString()));
        var complaint = Assert.Single(queues.GetProperty("complaints").EnumerateArray());
        Assert.Equal("C-0001", complaint.GetProperty("code").GetString());
        Assert.False(complaint.GetProperty("responded").GetBoolean());
        Assert.True(complaint.GetProperty("respondBy").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.DoesNotContain("Grandma", body.ToString(), StringComparison.Ordinal);

        // The grid worker: the wish of their grid and the complaint assigned to them; the other grid's worker neither.
        (status, body) = await GetAsync("/app/api/queues", _emulator.WebAppInitData(handler));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Single(body.GetProperty("queues").GetProperty("wishes").EnumerateArray());
        Assert.Single(body.GetProperty("queues").GetProperty("complaints").EnumerateArray());
        (status, body) = await GetAsync("/app/api/queues", _emulator.WebAppInitData(otherHandler));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(body.GetProperty("queues").GetProperty("wishes").EnumerateArray());
        Assert.Empty(body.GetProperty("queues").GetProperty("complaints").EnumerateArray());

        // A grid worker has queues but no board; a convenor a board but no queues; a member and a resident neither.
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/app/api/board", _emulator.WebAppInitData(handler))).Status);
        foreach (var who in new[] { Convenor, Member, resident })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/app/api/queues", _emulator.WebAppInitData(who))).Status);
        }

        foreach (var (who, board, queue, figure) in new[] { (SandboxDemo.AdminId, true, true, true), (Convenor, true, false, false), (handler, false, true, false), (Member, false, false, false) })
        {
            var me = (await GetAsync("/app/api/me", _emulator.WebAppInitData(who))).Body;
            Assert.Equal((board, queue, figure), (me.GetProperty("board").GetBoolean(), me.GetProperty("queues").GetBoolean(), me.GetProperty("figures").GetBoolean()));
        }

        // Actions from the queues, decided by the flows as the chat's buttons: approving the wish (administrators and grid
        // workers), assigning the complaint (administrators). Others are refused before the flows.
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("/app/api/action", new { action = "approve_wish", wish = 1 }, _emulator.WebAppInitData(Convenor))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("/app/api/action", new { action = "approve_wish", wish = 1 }, _emulator.WebAppInitData(resident))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("/app/api/action", new { action = "assign_complaint", complaint = 1, handler = otherHandler }, _emulator.WebAppInitData(handler))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("/app/api/action", new { action = "assign_complaint", complaint = 1 }, _emulator.WebAppInitData(SandboxDemo.AdminId))).Status);
        Assert.True(queues.GetProperty("mayAssign").GetBoolean());
        Assert.Contains(queues.GetProperty("handlers").EnumerateArray(), h => h.GetProperty("id").GetInt64() == otherHandler);

        var member = 1301;
        var since = _emulator.State.Version;
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync("/app/api/action", new { action = "approve_wish", wish = 1 }, _emulator.WebAppInitData(handler))).Status);
        await _emulator.State.WaitForAsync(() => _emulator.Transcript(member, since).Any(x => x.FromBot && x.Text?.Contains("W-0001", StringComparison.Ordinal) == true), Wait);
        await _emulator.State.WaitForAsync(() => _emulator.Transcript(handler, since).Any(x => x.FromBot && x.Text?.Contains("Approved", StringComparison.Ordinal) == true), Wait);
        Assert.Equal("open for claims", Assert.Single((await GetAsync("/app/api/queues", _emulator.WebAppInitData(SandboxDemo.AdminId))).Body.GetProperty("queues").GetProperty("wishes").EnumerateArray()).GetProperty("status").GetString());

        since = _emulator.State.Version;
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync("/app/api/action", new { action = "assign_complaint", complaint = 1, handler = otherHandler }, _emulator.WebAppInitData(SandboxDemo.AdminId))).Status);
        await _emulator.State.WaitForAsync(() => _emulator.Transcript(otherHandler, since).Any(x => x.FromBot && x.Text?.Contains("assigned to you", StringComparison.Ordinal) == true), Wait);
        Assert.Single((await GetAsync("/app/api/queues", _emulator.WebAppInitData(otherHandler))).Body.GetProperty("queues").GetProperty("complaints").EnumerateArray());
        Assert.Empty((await GetAsync("/app/api/queues", _emulator.WebAppInitData(handler))).Body.GetProperty("queues").GetProperty("complaints").EnumerateArray());

        // Extending the deadline: the chat's "⏳ Extend 3 days" and the reason it then asks for, as one request.
        var before = Assert.Single((await GetAsync("/app/api/queues", _emulator.WebAppInitData(SandboxDemo.AdminId))).Body.GetProperty("queues").GetProperty("complaints").EnumerateArray()).GetProperty("resolveBy").GetDateTimeOffset();
        foreach (var bad in new object[] { new { action = "extend_deadline", complaint = 1, days = 3 }, new { action = "extend_deadline", complaint = 1, days = 2, reason = "x" }, new { action = "extend_deadline", complaint = 1, days = 3, reason = "  " }, new { action = "extend_deadline", complaint = 1, days = 3, reason = new string('r', 201) } })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("/app/api/action", bad, _emulator.WebAppInitData(SandboxDemo.AdminId))).Status);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("/app/api/action", new { action = "extend_deadline", complaint = 1, days = 3, reason = "waiting for the plumber" }, _emulator.WebAppInitData(otherHandler))).Status);
        since = _emulator.State.Version;
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync("/app/api/action", new { action = "extend_deadline", complaint = 1, days = 3, reason = "waiting for the plumber" }, _emulator.WebAppInitData(SandboxDemo.AdminId))).Status);
        await _emulator.State.WaitForAsync(() => _emulator.Transcript(SandboxDemo.AdminId, since).Any(x => x.FromBot && x.Text?.Contains("C-0001 now due by", StringComparison.Ordinal) == true), Wait);
        var after = Assert.Single((await GetAsync("/app/api/queues", _emulator.WebAppInitData(SandboxDemo.AdminId))).Body.GetProperty("queues").GetProperty("complaints").EnumerateArray()).GetProperty("resolveBy").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromDays(3), after - before);

        // Figures (administrators only): the /stats rates per category and grid, 12 months, the points ranking, CSVs.
        (status, body) = await GetAsync("/app/api/figures?period=all", _emulator.WebAppInitData(SandboxDemo.AdminId));
        Assert.True(status == HttpStatusCode.OK, $"{status} {body}");
        var figures = body.GetProperty("figures");
        Assert.Equal(1, figures.GetProperty("total").GetProperty("filed").GetInt32());
        var noise = Assert.Single(figures.GetProperty("byCategory").EnumerateArray());
        Assert.Equal(("noise", 1), (noise.GetProperty("name").GetString(), noise.GetProperty("filed").GetInt32()));
        Assert.Equal("Harbour Grid", Assert.Single(figures.GetProperty("byGrid").EnumerateArray()).GetProperty("name").GetString());
        var trend = figures.GetProperty("trend").EnumerateArray().ToList();
        Assert.Equal(12, trend.Count);
        Assert.Equal((1, 1), (trend[^1].GetProperty("complaints").GetInt32(), trend[^1].GetProperty("wishes").GetInt32()));
        Assert.All(trend.Take(11), m => Assert.Equal(0, m.GetProperty("complaints").GetInt32()));
        Assert.Equal("all time", figures.GetProperty("periodName").GetString());

        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/app/api/figures.csv?table=category&period=all", UriKind.Relative)))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("tma", _emulator.WebAppInitData(SandboxDemo.AdminId));
            using var csv = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
            Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
            var bytes = await csv.Content.ReadAsByteArrayAsync();
            Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
            var lines = System.Text.Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("name,filed,response rate,on time,resolution rate,satisfaction", lines[0]);
            Assert.StartsWith("noise,1,", lines[1], StringComparison.Ordinal);
            Assert.StartsWith("Total,1,", lines[2], StringComparison.Ordinal);
        }

        foreach (var who in new[] { handler, Convenor, Member })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/app/api/figures", _emulator.WebAppInitData(who))).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/app/api/figures.csv?table=category", _emulator.WebAppInitData(who))).Status);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("/app/api/figures.csv?table=people", _emulator.WebAppInitData(SandboxDemo.AdminId))).Status);

        // The chat's /stats report carries the dashboard button too (the same figures as charts).
        var stats = await Says(SandboxDemo.AdminId, "/stats", "Complaint figures");
        Assert.Contains(stats.Buttons, b => b.WebAppUrl?.EndsWith("/app", StringComparison.Ordinal) == true);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/app/api/figures.csv?table=category", null)).Status);

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/app/api/queues", null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/app/api/me", "user=%7B%22id%22%3A1001%7D&auth_date=1&hash=" + new string('0', 64))).Status);
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string url, object body, string? initData)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, UriKind.Relative))
        {
            Content = body is string text ? new StringContent(text, System.Text.Encoding.UTF8, "application/json") : System.Net.Http.Json.JsonContent.Create(body),
        };
        if (initData is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("tma", initData);
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ABySkillMuster_TheBoardShowsEachSkillsQuorum_FromMaintainedSets_AndItMovesWithArrivals()
    {
        const long admin = SandboxDemo.AdminId;
        await SaysAsync(admin, "/muster", "Launch a muster");
        await PressesAsync(admin, "Flood", "Step 2");
        await PressesAsync(admin, "By skill", "tap a skill");
        await PressesAsync(admin, "medical", "tap a skill");
        await _emulator.State.WaitForAsync(() => _emulator.Messages(admin).Any(m => m.Buttons.Any(b => b.Text == "medical ×1")), Wait);
        await PressesAsync(admin, "medical", "tap a skill");
        await _emulator.State.WaitForAsync(() => _emulator.Messages(admin).Any(m => m.Buttons.Any(b => b.Text == "medical ×2")), Wait);
        await PressesAsync(admin, "Done", "rally point");
        await SaysAsync(admin, "Community square", "location pin");
        await PressesAsync(admin, "Skip", "report within");
        await PressesAsync(admin, "within 1 h", "drill or real");
        await PressesAsync(admin, "🧪 Drill", "Please confirm");
        await PressesAsync(admin, "Send the drill order", "order M-1 sent");

        JsonElement Medical(JsonElement answer) =>
            answer.GetProperty("board").GetProperty("musters")[0].GetProperty("skills").EnumerateArray().Single(q => q.GetProperty("skill").GetString() == "Medical");
        var medical = Medical(await BoardOkAsync(admin));
        Assert.Equal((0, 2, "medical"), (medical.GetProperty("arrived").GetInt32(), medical.GetProperty("needed").GetInt32(), medical.GetProperty("name").GetString()));

        // North's convenor relays; Wang Fang (medical) arrives: 1 of 2.
        await PressesAsync(Convenor, "Acknowledge", "Roll call M-1");
        await PressesAsync(Convenor, "Relay to my region", "Members told at");
        await PressesAsync(Member, "rrived", "Your answer");
        await _emulator.State.WaitForAsync(() => Medical(BoardOkAsync(admin).GetAwaiter().GetResult()).GetProperty("arrived").GetInt32() == 1, Wait);
        Assert.Equal(1, Medical(await BoardOkAsync(Convenor)).GetProperty("arrived").GetInt32());
        // Centre has no medical member, so it is not called: its convenor's board shows no muster at all.
        Assert.Empty((await BoardOkAsync(OtherConvenor)).GetProperty("board").GetProperty("musters").EnumerateArray());

        // Wang Fang changes her answer to "on my way": the quorum goes back to 0 of 2.
        await _emulator.State.WaitForAsync(() => _emulator.Messages(Member).Any(m => m.Buttons.Any(b => b.Text.Contains("way", StringComparison.OrdinalIgnoreCase))), Wait);
        var order = _emulator.Messages(Member).Last(m => m.Buttons.Any(b => b.Text.Contains("way", StringComparison.OrdinalIgnoreCase)));
        _emulator.PressButton(Member, Member, order.MessageId, order.Buttons.Last(b => b.Text.Contains("way", StringComparison.OrdinalIgnoreCase)).CallbackData!);
        await _emulator.State.WaitForAsync(() => Medical(BoardOkAsync(admin).GetAwaiter().GetResult()).GetProperty("arrived").GetInt32() == 0, Wait);
    }

    [Fact]
    public async Task AStreetsMuster_TheStreetsDirectorSeesOneRowPerCommunity_FromTheTallies_AndEachCommunityItsOwnPart()
    {
        const long director = SandboxDemo.StreetAdminId;
        Assert.Empty((await BoardOkAsync(director)).GetProperty("board").GetProperty("musters").EnumerateArray());
        await SaysAsync(director, "/muster", "choose where to muster");
        await PressesAsync(director, "Every community below", "choose where to muster");
        await PressesAsync(director, "Done", "choose the kind");
        await PressesAsync(director, "Flood", "who is called?");
        await PressesAsync(director, "All members", "report-to place");
        await PressesAsync(director, "Own community", "location pin");
        await PressesAsync(director, "Skip", "report within?");
        await PressesAsync(director, "within 1 h", "drill or real?");
        await PressesAsync(director, "🧪 Drill", "Please confirm");
        await PressesAsync(director, "Send the drill order", "Roll call");

        // Each community's part writes its tally as it goes: wait until both are counted.
        JsonElement Tree() => Assert.Single((BoardOkAsync(director).GetAwaiter().GetResult()).GetProperty("board").GetProperty("musters").EnumerateArray());
        await _emulator.State.WaitForAsync(() => Tree().GetProperty("regions").EnumerateArray().Sum(r => r.GetProperty("called").GetInt32()) > 0
            && Tree().GetProperty("regions").EnumerateArray().All(r => r.GetProperty("called").GetInt32() > 0), Wait);
        var tree = Tree();
        Assert.True(tree.GetProperty("tree").GetBoolean());
        Assert.Equal(["Harbour Community", "Xinhe Community"], tree.GetProperty("regions").EnumerateArray().Select(r => r.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        var board = await BoardOkAsync(director);
        Assert.Equal("Dongcheng Street", board.GetProperty("board").GetProperty("scope").GetString());

        // The community's administrator sees their own part, region by region, as before.
        var part = Assert.Single((await BoardOkAsync(SandboxDemo.AdminId)).GetProperty("board").GetProperty("musters").EnumerateArray());
        Assert.False(part.GetProperty("tree").GetBoolean());
        var harbour = tree.GetProperty("regions").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "Harbour Community").GetProperty("called").GetInt32();
        Assert.Equal(harbour, part.GetProperty("regions").EnumerateArray().Sum(r => r.GetProperty("called").GetInt32()));

        // The director lives in no community: the street's queues and figures, one row per community.
        var me = (await GetAsync("/app/api/me", _emulator.WebAppInitData(director))).Body;
        Assert.Equal((true, true, true), (me.GetProperty("board").GetBoolean(), me.GetProperty("queues").GetBoolean(), me.GetProperty("figures").GetBoolean()));

        // The director's region detail is not a thing: a child node is not a region of a community.
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/app/api/region?muster=" + tree.GetProperty("number").GetInt32() + "&region=r1", _emulator.WebAppInitData(director))).Status);

        // Drilling down: a row of the street's board opens that community's part, region by region, read-only.
        var harbourRow = tree.GetProperty("regions").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "Harbour Community").GetProperty("regionId").GetString();
        Assert.Equal("node:" + DefaultTree.CommunityId, harbourRow);
        var (status, opened) = await GetAsync("/app/api/board?node=" + DefaultTree.CommunityId, _emulator.WebAppInitData(director));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Harbour Community", opened.GetProperty("board").GetProperty("visiting").GetString());
        Assert.False(opened.GetProperty("board").GetProperty("mayAct").GetBoolean());
        var openedPart = Assert.Single(opened.GetProperty("board").GetProperty("musters").EnumerateArray());
        Assert.Equal(part.GetProperty("number").GetInt32(), openedPart.GetProperty("number").GetInt32());
        Assert.Equal<string[]>(RegionIds(await BoardOkAsync(SandboxDemo.AdminId)), [.. openedPart.GetProperty("regions").EnumerateArray().Select(r => r.GetProperty("regionId").GetString()!)]);
        var region = await GetAsync($"/app/api/region?muster={openedPart.GetProperty("number").GetInt32()}&region=r1&node={DefaultTree.CommunityId}", _emulator.WebAppInitData(director));
        Assert.Equal(HttpStatusCode.OK, region.Status);
        Assert.True(region.Body.GetProperty("region").GetProperty("notAnswered").GetArrayLength() > 0);
        var xinhe = Assert.Single((await GetAsync("/app/api/board?node=" + SandboxDemo.SecondCommunityId, _emulator.WebAppInitData(director))).Body.GetProperty("board").GetProperty("musters").EnumerateArray());
        Assert.Equal(tree.GetProperty("regions").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "Xinhe Community").GetProperty("called").GetInt32(),
            xinhe.GetProperty("regions").EnumerateArray().Sum(r => r.GetProperty("called").GetInt32()));

        // Their own street by id is their own view; a community's administrator cannot open the other community, the
        // street or the city; a node that is not there and one that is not a number are refused alike.
        Assert.Equal("Dongcheng Street", (await GetAsync("/app/api/board?node=" + DefaultTree.StreetId, _emulator.WebAppInitData(director))).Body.GetProperty("board").GetProperty("scope").GetString());
        foreach (var url in new[] { "/app/api/board?node=" + SandboxDemo.SecondCommunityId, "/app/api/board?node=" + DefaultTree.StreetId, "/app/api/board?node=" + DefaultTree.CityId,
            "/app/api/queues?node=" + SandboxDemo.SecondCommunityId, "/app/api/figures?node=" + SandboxDemo.SecondCommunityId,
            $"/app/api/region?muster=1&region=r1&node={SandboxDemo.SecondCommunityId}" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(url, _emulator.WebAppInitData(SandboxDemo.AdminId))).Status);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/app/api/board?node=" + DefaultTree.CityId, _emulator.WebAppInitData(director))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/app/api/board?node=987654", _emulator.WebAppInitData(director))).Status);
        // A convenor naming their own community gets their own view (still their region only), and nothing above it.
        var convenorOwn = (await GetAsync("/app/api/board?node=" + DefaultTree.CommunityId, _emulator.WebAppInitData(Convenor))).Body;
        Assert.Equal(["r1"], Assert.Single(convenorOwn.GetProperty("board").GetProperty("musters").EnumerateArray()).GetProperty("regions").EnumerateArray().Select(r => r.GetProperty("regionId").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/app/api/board?node=" + DefaultTree.StreetId, _emulator.WebAppInitData(Convenor))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("/app/api/board?node=abc", _emulator.WebAppInitData(director))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/app/api/board?node=" + DefaultTree.CommunityId, null)).Status);

        // The street's queues: what is open in each community, from their figures; a community opens read-only.
        var queues = (await GetAsync("/app/api/queues", _emulator.WebAppInitData(director))).Body.GetProperty("queues");
        Assert.Equal("Dongcheng Street", queues.GetProperty("node").GetString());
        Assert.Equal([DefaultTree.CommunityId, SandboxDemo.SecondCommunityId], queues.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetInt64()).Order());
        Assert.Empty(queues.GetProperty("wishes").EnumerateArray());
        var communityQueues = (await GetAsync("/app/api/queues?node=" + SandboxDemo.SecondCommunityId, _emulator.WebAppInitData(director))).Body.GetProperty("queues");
        Assert.Equal("Xinhe Community", communityQueues.GetProperty("visiting").GetString());
        Assert.False(communityQueues.GetProperty("mayApprove").GetBoolean());
        Assert.False(communityQueues.GetProperty("mayAssign").GetBoolean());
        Assert.Empty(communityQueues.GetProperty("handlers").EnumerateArray());
        var xinheOpenWishes = queues.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetInt64() == SandboxDemo.SecondCommunityId).GetProperty("openWishes").GetInt32();
        Assert.Equal(xinheOpenWishes, communityQueues.GetProperty("wishes").EnumerateArray().Count());

        // The street's figures: one row per community summed from their figures documents, and the 12 months.
        var figures = (await GetAsync("/app/api/figures?period=all", _emulator.WebAppInitData(director))).Body.GetProperty("figures");
        Assert.Equal("Dongcheng Street", figures.GetProperty("node").GetString());
        var children = figures.GetProperty("byChild").EnumerateArray().ToList();
        Assert.Equal(["Harbour Community", "Xinhe Community"], children.Select(c => c.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(children.Sum(c => c.GetProperty("filed").GetInt32()), figures.GetProperty("total").GetProperty("filed").GetInt32());
        Assert.Equal(12, figures.GetProperty("trend").GetArrayLength());
        foreach (var child in children)
        {
            var own = (await GetAsync($"/app/api/figures?period=all&node={child.GetProperty("node").GetInt64()}", _emulator.WebAppInitData(director))).Body.GetProperty("figures");
            Assert.Equal(child.GetProperty("filed").GetInt32(), own.GetProperty("total").GetProperty("filed").GetInt32());
            Assert.Equal(child.GetProperty("name").GetString(), own.GetProperty("visiting").GetString());
        }

        var (csvStatus, csv) = await GetRawAsync("/app/api/figures.csv?table=child&period=all", _emulator.WebAppInitData(director));
        Assert.Equal(HttpStatusCode.OK, csvStatus);
        Assert.Contains("Harbour Community,", csv, StringComparison.Ordinal);
        Assert.Contains("Xinhe Community,", csv, StringComparison.Ordinal);
    }

    private async Task LaunchDrillAsync()
    {
        const long admin = SandboxDemo.AdminId;
        await _emulator.State.WaitForAsync(() => _emulator.Messages(admin).Count >= 0, Wait);
        await SaysAsync(admin, "/muster", "Launch a muster");
        await PressesAsync(admin, "Flood", "Step 2");
        await PressesAsync(admin, "All members", "Step 3");
        await SaysAsync(admin, "Community square", "Step 4");
        await PressesAsync(admin, "Skip", "Step 5");
        await PressesAsync(admin, "within 1 h", "Step 6");
        await PressesAsync(admin, "🧪 Drill", "Please confirm");
        await PressesAsync(admin, "Send the drill order", "order M-1 sent");
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> BoardAsync(string? initData) => GetAsync("/app/api/board", initData);

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string url, string? initData)
    {
        var (status, text) = await GetRawAsync(url, initData);
        return (status, JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<JsonElement> BoardOkAsync(long who)
    {
        var (status, body) = await BoardAsync(_emulator.WebAppInitData(who));
        Assert.True(status == HttpStatusCode.OK, $"{who}: {status} {body}");
        return body;
    }

    private static string[] RegionIds(JsonElement answer) =>
        [.. answer.GetProperty("board").GetProperty("musters").EnumerateArray().Single().GetProperty("regions").EnumerateArray().Select(r => r.GetProperty("regionId").GetString()!)];

    private static JsonElement Region(JsonElement answer, string id) =>
        answer.GetProperty("board").GetProperty("musters").EnumerateArray().Single().GetProperty("regions").EnumerateArray().Single(r => r.GetProperty("regionId").GetString() == id);

    private async Task SaysAsync(long who, string text, string expect)
    {
        var since = _emulator.State.Version;
        _emulator.SendText(who, text);
        await WaitForNewAsync(who, since, expect);
    }

    private async Task PressesAsync(long who, string button, string expect)
    {
        await _emulator.State.WaitForAsync(() => _emulator.Messages(who).Any(m => m.Buttons.Any(b => b.Text.Contains(button, StringComparison.Ordinal))), Wait);
        var message = _emulator.Messages(who).Last(m => m.Buttons.Any(b => b.Text.Contains(button, StringComparison.Ordinal)));
        var data = message.Buttons.Last(b => b.Text.Contains(button, StringComparison.Ordinal)).CallbackData!;
        var since = _emulator.State.Version;
        _emulator.PressButton(who, who, message.MessageId, data);
        await WaitForNewAsync(who, since, expect);
    }

    private Task WaitForNewAsync(long who, long since, string expect) =>
        _emulator.State.WaitForAsync(() => _emulator.Transcript(who, since).Any(m => m.FromBot && m.Text?.Contains(expect, StringComparison.Ordinal) == true), Wait);
}
