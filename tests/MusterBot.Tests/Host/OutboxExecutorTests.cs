using Moq;
using MusterBot.Host.Delivery;
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
}
