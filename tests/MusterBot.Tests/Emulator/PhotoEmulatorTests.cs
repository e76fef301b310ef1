using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MusterBot.Flows.Events;
using MusterBot.Host.Delivery;
using MusterBot.Emulator;
using MusterBot.Host.Intake;
using MusterBot.State.Outbox;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace MusterBot.Tests.Emulator;

/// <summary>Photos in the emulator: users send them (in-process and control API), the bot sends them on by file id.</summary>
public sealed class PhotoEmulatorTests : EmulatorTestBase, IDisposable
{
    // A 1x1 PNG whose header was changed to claim 640x480 (the emulator reads only the header).
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAoAAAAHgCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");

    private HttpClient? _clientHttp;

    public void Dispose() => _clientHttp?.Dispose();

    [Fact]
    public async Task UserPhoto_ArrivesWithTwoSizesAndCaption_AndMapsToPhotoReceivedOfTheLargest()
    {
        var sent = Emulator.SendPhoto(Alice, caption: "my cake");

        var json = Assert.Single(await GetUpdatesAsync())!["message"]!.AsObject();
        var sizes = json["photo"]!.AsArray();
        Assert.Equal(2, sizes.Count);
        Assert.True(sizes[0]!["width"]!.GetValue<int>() < sizes[1]!["width"]!.GetValue<int>());
        Assert.Equal(sent.PhotoFileId, sizes[1]!["file_id"]!.GetValue<string>());
        Assert.NotEqual(sizes[0]!["file_id"]!.GetValue<string>(), sizes[1]!["file_id"]!.GetValue<string>());
        Assert.Equal("my cake", json["caption"]!.GetValue<string>());
        Assert.Null(json["text"]);

        var update = JsonSerializer.Deserialize<Update>(new JsonObject { ["update_id"] = 1, ["message"] = json.DeepClone() }, JsonBotAPI.Options)!;
        var photo = Assert.IsType<PhotoReceived>(UpdateMapper.Map(update));
        Assert.Equal(sent.PhotoFileId, photo.FileId);
        Assert.Equal("my cake", photo.Caption);
        Assert.Equal(sent.MessageId, photo.MessageId);
    }

    [Fact]
    public async Task UserPhotoWithBytes_TakesItsSizeFromTheHeader_AndCanBeFetchedWithGetFile()
    {
        var sent = Emulator.SendPhoto(Alice, Png);

        var sizes = Assert.Single(await GetUpdatesAsync())!["message"]!["photo"]!.AsArray();
        Assert.Equal(640, sizes[1]!["width"]!.GetValue<int>());
        Assert.Equal(480, sizes[1]!["height"]!.GetValue<int>());
        Assert.Equal(90, sizes[0]!["width"]!.GetValue<int>());
        Assert.Equal(68, sizes[0]!["height"]!.GetValue<int>());

        var file = (await OkAsync("getFile", new { file_id = sent.PhotoFileId }))["result"]!;
        Assert.Equal(Png.Length, file["file_size"]!.GetValue<int>());
        var downloaded = await Http.GetByteArrayAsync(new Uri($"{Emulator.BaseUrl}/file/bot{Emulator.Token}/{file["file_path"]!.GetValue<string>()}"));
        Assert.Equal(Png, downloaded);
    }

    [Fact]
    public async Task Album_SharesAMediaGroupId_CaptionOnTheFirst()
    {
        var album = Emulator.SendPhotoAlbum(Alice, 3, "holiday");

        var messages = (await GetUpdatesAsync()).Select(u => u!["message"]!).ToList();
        Assert.Equal(3, messages.Count);
        var group = album[0].MediaGroupId;
        Assert.NotNull(group);
        Assert.All(messages, m => Assert.Equal(group, m["media_group_id"]!.GetValue<string>()));
        Assert.Equal("holiday", messages[0]["caption"]!.GetValue<string>());
        Assert.Null(messages[1]["caption"]);
        Assert.Equal(3, album.Select(m => m.PhotoFileId).Distinct().Count());
    }

    [Fact]
    public async Task BotSendsAPhotoOnByFileId_WithAnHtmlCaptionAndKeyboard()
    {
        var received = Emulator.SendPhoto(Alice, Png, "from Alice");
        var client = Client();

        var message = await client.SendPhoto(
            Bob,
            InputFile.FromFileId(received.PhotoFileId!),
            "<b>Alice</b> sends &lt;3",
            ParseMode.Html,
            replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("Thanks", "w:1")));

        Assert.Equal(received.PhotoFileId, message.Photo![^1].FileId);
        Assert.Equal(640, message.Photo[^1].Width);
        Assert.Equal("Alice sends <3", message.Caption);
        var stored = Assert.Single(Emulator.Messages(Bob));
        Assert.True(stored.FromBot);
        Assert.Equal(received.PhotoFileId, stored.PhotoFileId);
        Assert.Equal("Alice sends <3", stored.Text);
        Assert.Equal("<b>Alice</b> sends &lt;3", stored.RawText);
        Assert.Equal("w:1", stored.FindCallbackData("Thanks"));
    }

    [Fact]
    public async Task BotUploadsAPhoto_Multipart_IsStoredWithItsBytes()
    {
        var message = await Client().SendPhoto(Alice, InputFile.FromStream(new MemoryStream(Png), "cake.png"), "cake");

        var stored = Assert.Single(Emulator.Messages(Alice));
        Assert.Equal(message.Photo![^1].FileId, stored.PhotoFileId);
        Assert.Equal(Png, Emulator.GetFileContent(stored.PhotoFileId!));
        Assert.Equal("cake", stored.Text);
    }

    [Theory]
    [InlineData("AgACAgIAAxkBAAEnope", "wrong file identifier/HTTP URL specified")]
    [InlineData("", "there is no photo in the request")]
    public async Task SendPhoto_UnknownFileId_IsBadRequest(string fileId, string description)
    {
        var (status, body) = await CallAsync("sendPhoto", new { chat_id = Alice, photo = fileId });

        Assert.Equal(400, status);
        Assert.Equal("Bad Request: " + description, body["description"]!.GetValue<string>());
        Assert.Empty(Emulator.Messages(Alice));
    }

    [Fact]
    public async Task SendPhoto_ADocumentsFileId_IsBadRequest()
    {
        var document = Emulator.UploadDocument(Alice, "list.csv", [1, 2], "text/csv");

        var (status, body) = await CallAsync("sendPhoto", new { chat_id = Alice, photo = document.DocumentFileId });

        Assert.Equal(400, status);
        Assert.Contains("Document as Photo", body["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendPhoto_CaptionLimitIsCountedAfterEntityParsing()
    {
        var photo = Emulator.SendPhoto(Alice).PhotoFileId;
        var fits = "<b>" + new string('a', 1024) + "</b>";
        var tooLong = new string('a', 1025);

        await OkAsync("sendPhoto", new { chat_id = Alice, photo, caption = fits, parse_mode = "HTML" });
        var (status, body) = await CallAsync("sendPhoto", new { chat_id = Alice, photo, caption = tooLong });
        var (badStatus, _) = await CallAsync("sendPhoto", new { chat_id = Alice, photo, caption = "<b>open", parse_mode = "HTML" });

        Assert.Equal(400, status);
        Assert.Equal("Bad Request: message caption is too long", body["description"]!.GetValue<string>());
        Assert.Equal(400, badStatus);
    }

    [Fact]
    public async Task OutboxExecutor_OverlongCaption_IsAcceptedByTheEmulator()
    {
        var photo = Emulator.SendPhoto(Alice).PhotoFileId!;
        var caption = string.Join('\n', Enumerable.Range(1, 80).Select(i => $"<i>wish {i}</i> &amp; more"));

        var id = await new OutboxExecutor(Client()).ExecuteAsync(new OutboxMessage(Lane.Normal, Bob, new SendPhoto(photo, caption)), CancellationToken.None);

        var stored = Assert.Single(Emulator.Messages(Bob));
        Assert.Equal(stored.MessageId, id);
        Assert.Equal(photo, stored.PhotoFileId);
        Assert.StartsWith("wish 1 & more\nwish 2 & more", stored.Text, StringComparison.Ordinal);
        Assert.EndsWith(HtmlChunks.CutMarker, stored.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EditMessageText_OnAPhoto_IsBadRequest()
    {
        var message = await Client().SendPhoto(Alice, InputFile.FromFileId(Emulator.SendPhoto(Bob).PhotoFileId!), "caption");

        var (status, body) = await CallAsync("editMessageText", new { chat_id = Alice, message_id = message.Id, text = "new" });

        Assert.Equal(400, status);
        Assert.Equal("Bad Request: there is no text in the message to edit", body["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task SendingAPhoto_UnblocksABlockedBot()
    {
        Emulator.BlockBot(Alice);

        Emulator.SendPhoto(Alice);

        Assert.False(Emulator.State.Users.Single(u => u.Id == Alice).HasBlockedBot);
        var updates = await GetUpdatesAsync();
        Assert.Equal(["my_chat_member", "my_chat_member", "message"], updates.Select(u => u!.AsObject().Single(p => p.Key != "update_id").Key));
    }

    [Fact]
    public async Task ControlApi_Photo_WithoutBytes_GeneratesAPhoto()
    {
        using var content = new StringContent("""{"caption":"from the browser","media_group_id":"42"}""", Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(new Uri($"{Emulator.BaseUrl}/_emulator/users/{Alice}/photo"), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["result"]!;
        Assert.Equal("from the browser", result["caption"]!.GetValue<string>());
        Assert.Equal(2, result["photo"]!.AsArray().Count);
        Assert.False(result["from_bot"]!.GetValue<bool>());
        var message = Assert.Single(await GetUpdatesAsync())!["message"]!;
        Assert.Equal("42", message["media_group_id"]!.GetValue<string>());
        Assert.Equal(Emulator.Transcript(Alice).Single().PhotoFileId, message["photo"]![1]!["file_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task ControlApi_Photo_WithBase64OrMultipartBytes_KeepsThem()
    {
        var json = new JsonObject { ["content_base64"] = Convert.ToBase64String(Png) }.ToJsonString();
        using var base64 = new StringContent(json, Encoding.UTF8, "application/json");
        using var first = await Http.PostAsync(new Uri($"{Emulator.BaseUrl}/_emulator/users/{Alice}/photo"), base64);
        using var multipart = new MultipartFormDataContent();
        multipart.Add(new ByteArrayContent(Png), "photo", "cake.png");
        multipart.Add(new StringContent("cake"), "caption");
        using var second = await Http.PostAsync(new Uri($"{Emulator.BaseUrl}/_emulator/users/{Alice}/photo"), multipart);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var messages = Emulator.Transcript(Alice);
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Equal(Png, Emulator.GetFileContent(m.PhotoFileId!)));
        Assert.Equal("cake", messages[1].Text);
    }

    [Fact]
    public async Task ControlApi_Photo_UnknownUser_IsBadRequest()
    {
        using var content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(new Uri($"{Emulator.BaseUrl}/_emulator/users/{9_999_999_999L.ToString(CultureInfo.InvariantCulture)}/photo"), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public void ImageSize_ReadsPngAndJpegHeaders_ElseADefault()
    {
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x4A, 0x46, 0xFF, 0xC2, 0x00, 0x11, 0x08, 0x03, 0x00, 0x04, 0x00, 0x03, 0x01];

        Assert.Equal((640, 480), ImageSize.Read(Png));
        Assert.Equal((1024, 768), ImageSize.Read(jpeg));
        Assert.Equal((ImageSize.DefaultWidth, ImageSize.DefaultHeight), ImageSize.Read([1, 2, 3]));
        Assert.Equal((ImageSize.DefaultWidth, ImageSize.DefaultHeight), ImageSize.Read(jpeg.AsSpan(0, 8)));
    }

    private TelegramBotClient Client()
    {
        _clientHttp ??= new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        return new TelegramBotClient(new TelegramBotClientOptions(Emulator.Token, Emulator.BaseUrl), _clientHttp);
    }
}
