using System.Text.Json;
using Microsoft.Extensions.Options;
using MusterBot.Host.Delivery;
using MusterBot.Host.Intake;
using MusterBot.State.Leases;

namespace MusterBot.Host;

/// <summary>
/// Instances on one store must agree on what they share: rates, administrators, mode. Each announces its settings
/// (never a secret) every <see cref="Every"/> and compares them with the others'; a difference is logged as an error
/// naming each setting and both values, again whenever the set of differences changes.
/// </summary>
public sealed partial class InstanceSettingsCheck(
    IInstanceRegistry registry,
    InstanceIdentity instance,
    IConfiguration configuration,
    IOptions<SenderOptions> sender,
    IOptions<IntakeOptions> intake,
    TimeProvider timeProvider,
    ILogger<InstanceSettingsCheck> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

    /// <summary>The settings compared between instances (names as in configuration; values as this instance uses them).</summary>
    public SortedDictionary<string, string> Shared()
    {
        var s = sender.Value;
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["Sender:GlobalPerSecond"] = Text(s.GlobalPerSecond),
            ["Sender:PerChatPerSecond"] = Text(s.PerChatPerSecond),
            ["Sender:PerGroupPerMinute"] = Text(s.PerGroupPerMinute),
            ["Sender:PaidBroadcast"] = s.PaidBroadcast ? "true" : "false",
            ["Sender:PaidBroadcastPerSecond"] = Text(s.PaidBroadcastPerSecond),
            ["Telegram:Mode"] = configuration["Telegram:Mode"] ?? "Polling",
            ["Intake:PersonLeases"] = intake.Value.PersonLeases == true ? "true" : "false",
            ["MusterBot:Admins"] = string.Join(",", configuration.GetSection("MusterBot:Admins").GetChildren().Select(c => c.Value).Order(StringComparer.Ordinal)),
            ["Muster:UtcOffset"] = configuration["Muster:UtcOffset"] ?? "(default)",
        };
        return settings;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var mine = Shared();
        var json = JsonSerializer.Serialize(mine);
        var reported = string.Empty;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var all = await registry.AnnounceAsync(instance.Id, json, Every * 3, stoppingToken).ConfigureAwait(false);
                var differences = Differences(mine, all.Where(a => a.Key != instance.Id)).ToList();
                var summary = string.Join("; ", differences);
                if (summary.Length > 0 && summary != reported)
                {
                    LogDiffer(logger, instance.Id, summary);
                }

                reported = summary;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The store is down: other parts say so; try again next time.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            try
            {
                await Task.Delay(Every, timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>"setting: here X, instance Y has Z" for every setting another instance has otherwise.</summary>
    public static IEnumerable<string> Differences(IReadOnlyDictionary<string, string> mine, IEnumerable<KeyValuePair<string, string>> others)
    {
        ArgumentNullException.ThrowIfNull(mine);
        ArgumentNullException.ThrowIfNull(others);
        foreach (var (other, json) in others.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            Dictionary<string, string>? theirs;
            try
            {
                theirs = JsonSerializer.Deserialize<Dictionary<string, string>>(json);
            }
            catch (JsonException)
            {
                theirs = null;
            }

            if (theirs is null)
            {
                yield return $"instance {other} announced settings this version cannot read";
                continue;
            }

            foreach (var (name, value) in mine)
            {
                var their = theirs.GetValueOrDefault(name, "(not set)");
                if (!string.Equals(value, their, StringComparison.Ordinal))
                {
                    yield return $"{name}: here {value}, instance {other} has {their}";
                }
            }
        }
    }

    private static string Text(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "INSTANCES DISAGREE: instance {Instance} shares this store with instances configured differently: {Differences}. Give every instance the same settings (the shared rate gates take each sender's own rates: they disagree about Telegram's limits).")]
    private static partial void LogDiffer(ILogger logger, string instance, string differences);
}
