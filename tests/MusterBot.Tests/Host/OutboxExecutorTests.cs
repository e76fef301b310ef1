using Moq;
using MusterBot.Host.Delivery;
using MusterBot.Emulator;
using MusterBot.Host.Telegram;
using MusterBot.Host.Telegram.Types;
using MusterBot.State.Outbox;

namespace MusterBot.Tests.Host;

public class OutboxExecutorTests
{
    [Fact]
    public async Task SetChatCommands_ForAnAdministrator_PublishesTheAdminListInBothLanguages_InThatChatOnly()
    {
        var client = new Mock<ITelegramBotClient>(MockBehavior.Strict);
        var published = new List<(List<BotCommand> Commands, BotCommandScope? Scope, string? Language)>();
        client.Setup(c => c.SetMyCommands(It.IsAny<IEnumerable<BotCommand>>(), It.IsAny<BotCommandScope?>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .Callback((IEnumerable<BotCommand> commands, BotCommandScope? scope, string? language, CancellationToken _) => published.Add((commands.ToList(), scope, language)))
            .Returns(Task.CompletedTask);

        await new OutboxExecutor(client.Object).ExecuteAsync(new OutboxMessage(Lane.Normal, 5_000_000_001, new SetChatCommands(true)), CancellationToken.None);

        Assert.Equal([null, "en"], published.Select(p => p.Language));
        Assert.All(published, p => Assert.Equal(new BotCommandScopeChat(5_000_000_001), p.Scope));
        Assert.All(published, p => Assert.Contains(p.Commands, c => c.Command == "admin"));
        Assert.Contains(published[0].Commands, c => c.Command == "admin" && c.Description.Contains("网格", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SetChatCommands_ForSomeoneNoLongerAdministrator_RemovesTheChatList()
    {
        var client = new Mock<ITelegramBotClient>(MockBehavior.Strict);
        client.Setup(c => c.DeleteMyCommands(It.IsAny<BotCommandScope?>(), It.IsAny<string?>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);

        await new OutboxExecutor(client.Object).ExecuteAsync(new OutboxMessage(Lane.Normal, 7, new SetChatCommands(false)), CancellationToken.None);

        client.Verify(c => c.DeleteMyCommands(new BotCommandScopeChat(7), null, It.IsAny<CancellationToken>()), Times.Once);
        client.Verify(c => c.DeleteMyCommands(new BotCommandScopeChat(7), "en", It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task SendPhoto_SendsByFileIdWithCaptionAndKeyboard_AndReturnsTheMessageId()
    {
        var client = new Mock<ITelegramBotClient>(MockBehavior.Strict);
        InputFile? sent = null;
        client.Setup(c => c.SendPhoto(77, It.IsAny<InputFile>(), "<b>Ann</b>: happy birthday!", ParseMode.Html, It.IsAny<ReplyMarkup?>(), false, It.IsAny<CancellationToken>()))
            .Callback((long _, InputFile photo, string? _, ParseMode _, ReplyMarkup? _, bool _, CancellationToken _) => sent = photo)
            .ReturnsAsync(new Message { Id = 321, Chat = new Chat { Id = 77 } });
        var markup = new InlineMarkup([[new InlineButton("Thanks", "w:thanks")]]);

        var id = await new OutboxExecutor(client.Object).ExecuteAsync(
            new OutboxMessage(Lane.Normal, 77, new SendPhoto("AgACAgIAAxkBAAI", "<b>Ann</b>: happy birthday!", markup)),
            CancellationToken.None);

        Assert.Equal(321, id);
        Assert.NotNull(sent);
        Assert.False(sent.IsUpload);
        Assert.Equal("AgACAgIAAxkBAAI", sent.FileId);
        client.Verify(c => c.SendPhoto(77, It.IsAny<InputFile>(), It.IsAny<string?>(), ParseMode.Html, It.Is<ReplyMarkup?>(m => m is InlineKeyboardMarkup), false, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task SendPhoto_WithoutCaption_SendsNoCaption()
    {
        var client = new Mock<ITelegramBotClient>(MockBehavior.Strict);
        client.Setup(c => c.SendPhoto(5, It.IsAny<InputFile>(), null, ParseMode.Html, null, false, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Message { Id = 9, Chat = new Chat { Id = 5 } });

        var id = await new OutboxExecutor(client.Object).ExecuteAsync(new OutboxMessage(Lane.Normal, 5, new SendPhoto("AgAC")), CancellationToken.None);

        Assert.Equal(9, id);
    }

    [Fact]
    public async Task SendPhoto_OverlongCaption_IsCutToTheCaptionLimitAtALineAndStaysValidHtml()
    {
        string? caption = null;
        var client = new Mock<ITelegramBotClient>(MockBehavior.Strict);
        client.Setup(c => c.SendPhoto(5, It.IsAny<InputFile>(), It.IsAny<string?>(), ParseMode.Html, null, false, It.IsAny<CancellationToken>()))
            .Callback((long _, InputFile _, string? text, ParseMode _, ReplyMarkup? _, bool _, CancellationToken _) => caption = text)
            .ReturnsAsync(new Message { Id = 9, Chat = new Chat { Id = 5 } });
        var html = string.Join('\n', Enumerable.Range(1, 60).Select(i => $"<b>Wish {i}</b>: all the best &amp; more"));

        await new OutboxExecutor(client.Object).ExecuteAsync(new OutboxMessage(Lane.Normal, 5, new SendPhoto("AgAC", html)), CancellationToken.None);

        Assert.NotNull(caption);
        Assert.True(caption.Length <= HtmlChunks.MaxCaptionLength, $"{caption.Length} characters");
        Assert.StartsWith("<b>Wish 1</b>: all the best &amp; more\n<b>Wish 2</b>", caption, StringComparison.Ordinal);
        Assert.EndsWith("more\n" + HtmlChunks.CutMarker, caption, StringComparison.Ordinal);
        Assert.True(TelegramHtml.TryParse(caption, out _, out var error), error);
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
