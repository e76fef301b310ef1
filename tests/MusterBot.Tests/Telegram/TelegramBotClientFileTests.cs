using System.Net;
using System.Text;
using MusterBot.Host.Telegram;
using MusterBot.Host.Telegram.Types;

namespace MusterBot.Tests.Telegram;

public sealed class TelegramBotClientFileTests
{
    private const string SentDocument =
        """{"message_id":9,"date":1700000000,"chat":{"id":5,"type":"private","first_name":"Ann"},"document":{"file_id":"BQAC","file_unique_id":"AgAD","file_name":"roll.csv","mime_type":"text/csv","file_size":5000000000}}""";

    private const string SentPhoto =
        """{"message_id":10,"date":1700000000,"chat":{"id":5,"type":"private","first_name":"Ann"},"photo":[{"file_id":"AgACsmall","file_unique_id":"AQADs","width":90,"height":68,"file_size":1200},{"file_id":"AgACbig","file_unique_id":"AQADb","width":1280,"height":960,"file_size":120000}],"caption":"Ann wishes you well","caption_entities":[{"type":"bold","offset":0,"length":3}]}""";

    [Fact]
    public async Task SendDocument_FromStream_UploadsMultipartAndLeavesTheStreamOpen()
    {
        var handler = RecordingHandler.ReturningResult(SentDocument);
        using var bot = new TestBot(handler);
        using var csv = new MemoryStream(Encoding.UTF8.GetBytes("name;status\nAnn;in\n"));

        var message = await bot.Client.SendDocument(
            -1009876543210,
            InputFile.FromStream(csv, "roll.csv"),
            caption: "<b>Roll call</b>",
            replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("Again", "x:1")));

        var request = handler.Single;
        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "sendDocument"), request.Uri);
        Assert.Equal("multipart/form-data", request.MediaType);
        Assert.Equal("-1009876543210", request.Part("chat_id").Text);
        Assert.Equal("<b>Roll call</b>", request.Part("caption").Text);
        Assert.Equal("HTML", request.Part("parse_mode").Text);
        Assert.Equal("""{"inline_keyboard":[[{"text":"Again","callback_data":"x:1"}]]}""", request.Part("reply_markup").Text);
        var file = request.Part("document");
        Assert.Equal("roll.csv", file.FileName);
        Assert.Equal("application/octet-stream", file.MediaType);
        Assert.Equal("name;status\nAnn;in\n", file.Text);
        Assert.DoesNotContain(request.Parts!, part => part.Name == "document" && part.FileName is null);
        Assert.True(csv.CanRead, "The caller's stream must not be disposed by the client.");
        Assert.Equal("roll.csv", message.Document!.FileName);
        Assert.Equal(5000000000, message.Document.FileSize);
    }

    [Fact]
    public async Task SendDocument_FromBytesWithoutCaption_SendsOnlyChatIdAndFile()
    {
        var handler = RecordingHandler.ReturningResult(SentDocument);
        using var bot = new TestBot(handler);

        await bot.Client.SendDocument(5, InputFile.FromBytes("a;b"u8.ToArray(), "export.csv"));

        var request = handler.Single;
        Assert.Equal(["chat_id", "document"], request.Parts!.Select(part => part.Name));
        Assert.Equal("a;b", request.Part("document").Text);
        Assert.Equal("export.csv", request.Part("document").FileName);
    }

    [Fact]
    public async Task SendDocument_FromFileId_SendsJson()
    {
        var handler = RecordingHandler.ReturningResult(SentDocument);
        using var bot = new TestBot(handler);

        await bot.Client.SendDocument(5, InputFile.FromFileId("BQAC"), caption: "again");

        Assert.Equal("application/json", handler.Single.MediaType);
        Assert.Equal("""{"chat_id":5,"document":"BQAC","caption":"again","parse_mode":"HTML"}""", handler.Single.BodyText);
    }

    [Fact]
    public async Task SendPhoto_FromFileId_SendsJsonAndReadsThePhotoSizes()
    {
        var handler = RecordingHandler.ReturningResult(SentPhoto);
        using var bot = new TestBot(handler);

        var message = await bot.Client.SendPhoto(
            5,
            InputFile.FromFileId("AgACbig"),
            caption: "<b>Ann</b> wishes you well",
            replyMarkup: new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData("Thanks", "w:1")),
            disableNotification: true);

        var request = handler.Single;
        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "sendPhoto"), request.Uri);
        Assert.Equal("application/json", request.MediaType);
        Assert.Equal(
            """{"chat_id":5,"photo":"AgACbig","caption":"\u003Cb\u003EAnn\u003C/b\u003E wishes you well","parse_mode":"HTML","disable_notification":true,"reply_markup":{"inline_keyboard":[[{"text":"Thanks","callback_data":"w:1"}]]}}""",
            request.BodyText);
        Assert.Equal(10, message.Id);
        Assert.Equal(["AgACsmall", "AgACbig"], message.Photo!.Select(size => size.FileId));
        Assert.Equal(1280, message.Photo![^1].Width);
        Assert.Equal("Ann wishes you well", message.Caption);
    }

    [Fact]
    public async Task SendPhoto_FromFileIdWithoutCaption_SendsOnlyChatIdAndPhoto()
    {
        var handler = RecordingHandler.ReturningResult(SentPhoto);
        using var bot = new TestBot(handler);

        await bot.Client.SendPhoto(5, InputFile.FromFileId("AgACbig"));

        Assert.Equal("""{"chat_id":5,"photo":"AgACbig"}""", handler.Single.BodyText);
    }

    [Fact]
    public async Task SendPhoto_FromBytes_UploadsMultipart()
    {
        var handler = RecordingHandler.ReturningResult(SentPhoto);
        using var bot = new TestBot(handler);

        await bot.Client.SendPhoto(-1009876543210, InputFile.FromBytes(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, "cake.jpg"), caption: "cake");

        var request = handler.Single;
        Assert.Equal(new Uri(TestBot.MethodUrlPrefix + "sendPhoto"), request.Uri);
        Assert.Equal("multipart/form-data", request.MediaType);
        Assert.Equal(["chat_id", "caption", "parse_mode", "photo"], request.Parts!.Select(part => part.Name));
        Assert.Equal("-1009876543210", request.Part("chat_id").Text);
        Assert.Equal("cake", request.Part("caption").Text);
        Assert.Equal("cake.jpg", request.Part("photo").FileName);
    }

    [Fact]
    public async Task GetFile_ThenDownloadFile_UsesTheFileUrl()
    {
        var handler = new RecordingHandler((request, _) => Task.FromResult(
            request.Uri.AbsolutePath.EndsWith("/getFile", StringComparison.Ordinal)
                ? RecordingHandler.Response(HttpStatusCode.OK, """{"ok":true,"result":{"file_id":"BQAC","file_unique_id":"AgAD","file_size":7,"file_path":"documents/file_12.csv"}}""", "application/json")
                : RecordingHandler.Response(HttpStatusCode.OK, "a;b;c\n1", "application/octet-stream")));
        using var bot = new TestBot(handler);
        using var destination = new MemoryStream();

        var file = await bot.Client.GetFile("BQAC");
        await bot.Client.DownloadFile(file.FilePath!, destination);

        Assert.Equal("""{"file_id":"BQAC"}""", handler.Requests[0].BodyText);
        Assert.Equal(HttpMethod.Get, handler.Requests[1].Method);
        Assert.Equal(new Uri(TestBot.BaseUrl + "/file/bot" + TestBot.Token + "/documents/file_12.csv"), handler.Requests[1].Uri);
        Assert.Equal("a;b;c\n1", Encoding.UTF8.GetString(destination.ToArray()));
    }

    [Fact]
    public async Task DownloadFile_WhenNotFound_ThrowsApiRequestException()
    {
        using var bot = new TestBot(RecordingHandler.Returning(HttpStatusCode.NotFound, """{"ok":false,"error_code":404,"description":"Not Found"}"""));
        using var destination = new MemoryStream();

        var exception = await Assert.ThrowsAsync<ApiRequestException>(() => bot.Client.DownloadFile("documents/gone.csv", destination));

        Assert.Equal(404, exception.ErrorCode);
        Assert.DoesNotContain(TestBot.Token, exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadFile_WhenServerFailsWithHtml_ThrowsRequestException()
    {
        using var bot = new TestBot(RecordingHandler.Returning(HttpStatusCode.BadGateway, "<html>502</html>", "text/html"));
        using var destination = new MemoryStream();

        var exception = await Assert.ThrowsAsync<RequestException>(() => bot.Client.DownloadFile("documents/x.csv", destination));

        Assert.Equal(HttpStatusCode.BadGateway, exception.HttpStatusCode);
        Assert.DoesNotContain(TestBot.Token, exception.ToString(), StringComparison.Ordinal);
    }
}
