using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using MusterBot.Emulator;
using MusterBot.Host;

namespace MusterBot.Bench.City;

/// <summary>The real host of the city benchmarks: configured from <paramref name="settings"/>, logging counted, every member a user of the emulator.</summary>
internal static class CityHost
{
    public static async Task<WebApplication> CreateAsync(Dictionary<string, string?> settings, ILoggerProvider logs, BotApiEmulator emulator, CityModel city, CancellationToken cancellationToken)
    {
        var app = await MusterBotApp.CreateAsync([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.Logging.ClearProviders();
            b.Logging.AddProvider(logs);
        }, cancellationToken);
        foreach (var member in city.Members)
        {
            emulator.CreateUser(member.Id, "成员", "zh-CN");
        }

        return app;
    }
}
