using Moq;
using MusterBot.Host.Delivery;
using MusterBot.Emulator;
using MusterBot.State.Outbox;
using Telegram.Bot;
using Telegram.Bot.Requests;
using Telegram.Bot.Requests.Abstractions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace MusterBot.Tests.Host;

/// <summary>The executor turns outbox actions into Telegram.Bot requests (the client is mocked at its one seam, SendRequest).</summary>
public class OutboxExecutorTests
{
    [Fact]
    public async Task SetChatCommands_ForAnAdministrator_PublishesTheAdminListInBothLanguages_InThatChatOnly()
    {
        var client = new Mock<ITelegramBotClient>(MockBehavior.Strict);
        var published = new List<SetMyCommandsRequest>();
        client.Setup(c => c.SendRequest(It.IsAny<SetMyCommandsRequest>(), It.IsAny<CancellationToken>()))
            .Callback((IRequest<bool> request, CancellationToken _) => published.Add((SetMyCommandsRequest)request))
            .ReturnsAsync(true);

        await new OutboxExecutor(client.Object).ExecuteAsync(new OutboxMessage(Lane.Normal, 5_000_000_001, new SetChatCommands(true)), CancellationToken.None);

        Assert.Equal([null, "en"], published.Select(p => p.LanguageCode));
        Assert.All(published, p => Assert.Equal(5_000_000_001, Assert.IsType<BotCommandScopeChat>(p.Scope).ChatId.Identifier));
        Assert.All(published, p => Assert.Contains(p.Commands, c => c.Command == "admin"));
        Assert.Contains(published[0].Commands, c => c.Command == "admin" && c.Description.Contains("网格", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SetChatCommands_ForSomeoneNoLongerAdministrator_RemovesTheChatList()
    {
        var client = new Mock<ITelegramBotClient>(MockBehavior.Strict);
        var deleted = new List<DeleteMyCommandsRequest>();
        client.Setup(c => c.SendRequest(It.IsAny<DeleteMyCommandsRequest>(), It.IsAny<CancellationToken>()))
            .Callback((IRequest<bool> request, CancellationToken _) => deleted.Add((DeleteMyCommandsRequest)request))
            .ReturnsAsync(true);

        await new OutboxExecutor(client.Object).ExecuteAsync(new OutboxMessage(Lane.Normal, 7, new SetChatCommands(false)), CancellationToken.None);

        Assert.Equal([null, "en"], deleted.Select(d => d.LanguageCode));
        Assert.All(deleted, d => Assert.Equal(7, Assert.IsType<BotCommandScopeChat>(d.Scope).ChatId.Identifier));
    }

    [Fact]
    public async Task SendPhoto_SendsByFileIdWithCaptionAndKeyboard_AndReturnsTheMessageId()
    {
        var client = new Mock<ITelegramBotClient>(MockBehavior.Strict);
        SendPhotoRequest? sent = null;
        client.Setup(c => c.SendRequest(It.IsAny<SendPhotoRequest>(), It.IsAny<CancellationToken>()))
            .Callback((IRequest<Message> request, CancellationToken _) => sent = (SendPhotoRequest)request)
            .ReturnsAsync(new Message { Id = 321, Chat = new Chat { Id = 77 } });
        var markup = new InlineMarkup([[new InlineButton("Thanks", "w:thanks")]]);

        var id = await new OutboxExecutor(client.Object).ExecuteAsync(
            new OutboxMessage(Lane.Normal, 77, new SendPhoto("AgACAgIAAxkBAAI", "<b>Ann</b>: happy birthday!", markup)),
            CancellationToken.None);

        Assert.Equal(321, id);
        Assert.NotNull(sent);
        Assert.Equal(77, sent.ChatId!.Identifier);
        Assert.Equal("AgACAgIAAxkBAAI", Assert.IsType<InputFileId>(sent.Photo).Id);
        Assert.Equal("<b>Ann</b>: happy birthday!", sent.Caption);
        Assert.Equal(ParseMode.Html, sent.ParseMode);
        var keyboard = Assert.IsType<InlineKeyboardMarkup>(sent.ReplyMarkup);
        Assert.Equal("w:thanks", Assert.Single(Assert.Single(keyboard.InlineKeyboard)).CallbackData);
    }

    [Fact]
    public async Task SendPhoto_WithoutCaption_SendsNoCaption()
    {
        var client = new Mock<ITelegramBotClient>(MockBehavior.Strict);
        SendPhotoRequest? sent = null;
        client.Setup(c => c.SendRequest(It.IsAny<SendPhotoRequest>(), It.IsAny<CancellationToken>()))
            .Callback((IRequest<Message> request, CancellationToken _) => sent = (SendPhotoRequest)request)
            .ReturnsAsync(new Message { Id = 9, Chat = new Chat { Id = 5 } });

        var id = await new OutboxExecutor(client.Object).ExecuteAsync(new OutboxMessage(Lane.Normal, 5, new SendPhoto("AgAC")), CancellationToken.None);

        Assert.Equal(9, id);
        Assert.NotNull(sent);
        Assert.Null(sent.Caption);
        Assert.Null(sent.ReplyMarkup);
    }

    [Fact]
    public async Task SendPhoto_OverlongCaption_IsCutToTheCaptionLimitAtALineAndStaysValidHtml()
    {
        string? caption = null;
        var client = new Mock<ITelegramBotClient>(MockBehavior.Strict);
        client.Setup(c => c.SendRequest(It.IsAny<SendPhotoRequest>(), It.IsAny<CancellationToken>()))
            .Callback((IRequest<Message> request, CancellationToken _) => caption = ((SendPhotoRequest)request).Caption)
            .ReturnsAsync(new Message { Id = 9, Chat = new Chat { Id = 5 } });
        var html = string.Join('\n', Enumerable.Range(1, 60).Select(i => $"<b>Wish {i}</b>: all the best &amp; more"));

        await new OutboxExecutor(client.Object).ExecuteAsync(new OutboxMessage(Lane.Normal, 5, new SendPhoto("AgAC", html)), CancellationToken.None);

        Assert.NotNull(caption);
        Assert.True(caption.Length <= HtmlChunks.MaxCaptionLength, $"{caption.Length} characters");
        Assert.StartsWith("<b>Wish 1</b>: all the best &amp; more\n<b>Wish 2</b>", caption, StringComparison.Ordinal);
        Assert.EndsWith("more\n" + HtmlChunks.CutMarker, caption, StringComparison.Ordinal);
        Assert.True(TelegramHtml.TryParse(caption, out _, out var error), error);
    }

    [Fact]
    public async Task SendText_WithAReplyKeyboard_SendsHtmlWithTheKeyboard_AndADocumentUploadsItsBytes()
    {
        var client = new Mock<ITelegramBotClient>(MockBehavior.Strict);
        var requests = new List<object>();
        client.Setup(c => c.SendRequest(It.IsAny<SendMessageRequest>(), It.IsAny<CancellationToken>()))
            .Callback((IRequest<Message> request, CancellationToken _) => requests.Add(request))
            .ReturnsAsync(new Message { Id = 10, Chat = new Chat { Id = 5 } });
        client.Setup(c => c.SendRequest(It.IsAny<SendDocumentRequest>(), It.IsAny<CancellationToken>()))
            .Callback((IRequest<Message> request, CancellationToken _) => requests.Add(request))
            .ReturnsAsync(new Message { Id = 11, Chat = new Chat { Id = 5 } });
        var executor = new OutboxExecutor(client.Object);
        var keyboard = new ReplyKeyboard([[new ReplyButton("📍 Send my location", RequestLocation: true)]]) { OneTime = true };

        var textId = await executor.ExecuteAsync(new OutboxMessage(Lane.Reply, 5, new SendText("<b>Hi</b>", keyboard)), CancellationToken.None);
        var fileId = await executor.ExecuteAsync(new OutboxMessage(Lane.Reply, 5, new SendDocument("roll.csv", [1, 2, 3], "<i>CSV</i>")), CancellationToken.None);

        Assert.Equal((10, 11), (textId, fileId));
        var text = Assert.IsType<SendMessageRequest>(requests[0]);
        Assert.Equal(("<b>Hi</b>", ParseMode.Html), (text.Text, text.ParseMode));
        var reply = Assert.IsType<ReplyKeyboardMarkup>(text.ReplyMarkup);
        Assert.True(Assert.Single(Assert.Single(reply.Keyboard)).RequestLocation);
        Assert.True(reply.OneTimeKeyboard);
        var document = Assert.IsType<SendDocumentRequest>(requests[1]);
        var upload = Assert.IsType<InputFileStream>(document.Document);
        Assert.Equal("roll.csv", upload.FileName);
        Assert.Equal("<i>CSV</i>", document.Caption);
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(4000)]
    public void Truncate_ATagSpanningTheCut_DropsTheFormattingOfThatPart(int maxLength)
    {
        // A user's multi-line text inside one tag: cutting at a line would leave <i> open.
        var html = "<b>From Ann</b>\n<i>" + string.Join('\n', Enumerable.Repeat("line &lt;3 😀", 600)) + "</i>";

        var cut = HtmlChunks.Truncate(html, maxLength);

        Assert.True(cut.Length <= maxLength);
        Assert.EndsWith("\n" + HtmlChunks.CutMarker, cut, StringComparison.Ordinal);
        Assert.DoesNotContain("<i>", cut, StringComparison.Ordinal);
        Assert.StartsWith("From Ann\nline &lt;3 😀", cut, StringComparison.Ordinal);
        Assert.True(TelegramHtml.TryParse(cut, out _, out var error), error);
    }

    [Fact]
    public void Truncate_OverlongSingleLineCaption_NeverSplitsAnEmojiOrAnEntity()
    {
        foreach (var pad in Enumerable.Range(0, 6))
        {
            var html = new string('x', pad) + string.Concat(Enumerable.Repeat("😀&amp;", 400));

            var cut = HtmlChunks.Truncate(html, HtmlChunks.MaxCaptionLength);

            Assert.True(cut.Length <= HtmlChunks.MaxCaptionLength);
            Assert.EndsWith(HtmlChunks.CutMarker, cut, StringComparison.Ordinal);
            Assert.False(char.IsHighSurrogate(cut[^2]), "half an emoji");
            Assert.True(TelegramHtml.TryParse(cut, out _, out var error), error);
        }
    }

    [Fact]
    public void Truncate_ShortCaption_IsUnchanged()
    {
        Assert.Equal("<b>hi</b>", HtmlChunks.Truncate("<b>hi</b>", HtmlChunks.MaxCaptionLength));
    }
}
