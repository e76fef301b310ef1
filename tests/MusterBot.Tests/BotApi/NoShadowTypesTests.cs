using System.Reflection;
using Telegram.Bot;

namespace MusterBot.Tests.BotApi;

/// <summary>Telegram.Bot is the Bot API's only model: no type of ours carries the name of one of its public types.</summary>
public sealed class NoShadowTypesTests
{
    [Fact]
    public void NoTypeOfOurs_HasTheNameOfATelegramBotType()
    {
        var theirs = typeof(TelegramBotClient).Assembly.GetExportedTypes().Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        Assembly[] ours =
        [
            typeof(MusterBot.Host.BotApi.BotApiClientRegistration).Assembly,
            typeof(MusterBot.Flows.Runtime.IFlow).Assembly,
            typeof(MusterBot.State.IStateStore).Assembly,
        ];

        var clashes = ours
            .SelectMany(a => a.GetTypes())
            .Where(t => !t.Name.StartsWith('<') && theirs.Contains(t.Name))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(clashes.Count == 0, "Types of ours named like Telegram.Bot's: " + string.Join(", ", clashes));
    }
}
