using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using MusterBot.Host.Observability;

namespace MusterBot.Tests.Support;

/// <summary>The bot's instruments on a meter factory of their own, for parts a test builds by hand.</summary>
internal static class TestMetrics
{
    public static BotMetrics Create() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
}
