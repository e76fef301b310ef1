using Microsoft.Extensions.Time.Testing;
using Moq;
using MusterBot.Host.Health;
using MusterBot.State.Memory;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Requests;
using Telegram.Bot.Types;

namespace MusterBot.Tests.Host;

public sealed class ReadinessProbeTests
{
    [Fact]
    public async Task ManyReadingsInOnePeriod_AskTheBotApiOnce_AndAFreshPeriodAsksAgain()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-03T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var client = new Mock<ITelegramBotClient>(MockBehavior.Strict);
        var answers = new Queue<Func<User>>([() => new User { Id = 1, IsBot = true, FirstName = "bot" }, () => throw new RequestException("Bot API Request timed out")]);
        client.Setup(c => c.SendRequest(It.IsAny<GetMeRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(() => answers.Dequeue()());
        using var probe = new ReadinessProbe(new InMemoryStateStore(clock), client.Object, clock);

        for (var i = 0; i < 20; i++)
        {
            Assert.True((await probe.ReadAsync(CancellationToken.None)).Ready);
        }

        clock.Advance(ReadinessProbe.CacheFor);
        var later = await probe.ReadAsync(CancellationToken.None);

        client.Verify(c => c.SendRequest(It.IsAny<GetMeRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
        Assert.Equal(new Readiness("ok", "unavailable"), later);
        Assert.False(later.Ready);
    }
}
