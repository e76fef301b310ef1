using System.Globalization;
using MusterBot.State.Rates;
using StackExchange.Redis;

namespace MusterBot.State.Redis;

/// <summary>
/// The senders' shared rate gates (<c>mb:{rate}…</c>, one hash tag: on a cluster they live on one node, which takes a
/// few thousand tiny scripts a second at most). Judged by Redis's clock (<c>TIME</c>), so the instances' clocks do not
/// matter; every key ends by itself shortly after its gate is free again.
/// </summary>
public sealed partial class RedisStateStore : ISendRates
{
    public async Task<RateTicket> TakeAsync(SendLimits limits, long chatId, bool ordered, bool paid, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        var (botRate, botBurst) = paid && limits.PaidPerSecond is { } p ? (p, limits.PaidBurst) : (limits.GlobalPerSecond, limits.GlobalBurst);
        var (chatRate, chatBurst) = chatId < 0 ? (limits.GroupPerSecond, limits.GroupBurst) : (limits.ChatPerSecond, limits.ChatBurst);
        var botInterval = Interval(botRate);
        var chatInterval = Interval(chatRate);
        var result = (RedisResult[])(await EvalAsync(
            RedisScripts.TakeRate,
            [RateKey(paid && limits.PaidPerSecond is not null ? "paid" : "global"), RateKey("pause"), RateKey("chat:" + Id(chatId)), RateKey("turn:" + Id(chatId))],
            [
                ordered ? 1 : 0, botInterval, botInterval * (botBurst - 1), chatInterval, chatInterval * (chatBurst - 1),
                Micro(limits.Slack), owner, Milliseconds(limits.ChatTurn),
            ],
            cancellationToken).ConfigureAwait(false))!;
        var wait = TimeSpan.FromMicroseconds((long)result[1]);
        return new RateTicket((RateVerdict)(int)(long)result[0], wait);
    }

    public async Task ReleaseChatAsync(long chatId, string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        await EvalAsync(RedisScripts.ReleaseLease, [RateKey("turn:" + Id(chatId))], [owner], cancellationToken).ConfigureAwait(false);
    }

    public async Task PauseAsync(SendLimits limits, long? chatId, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfLessThan(retryAfter, TimeSpan.Zero);
        if (chatId is { } chat)
        {
            var (rate, burst) = chat < 0 ? (limits.GroupPerSecond, limits.GroupBurst) : (limits.ChatPerSecond, limits.ChatBurst);
            var gate = RateKey("chat:" + Id(chat));
            await EvalAsync(RedisScripts.PauseRate, [gate, gate], [Micro(retryAfter), 0, Interval(rate) * (burst - 1)], cancellationToken).ConfigureAwait(false);
            return;
        }

        RedisKey[] keys = limits.PaidPerSecond is { } paid
            ? [RateKey("pause"), RateKey("global"), RateKey("paid")]
            : [RateKey("pause"), RateKey("global")];
        RedisValue[] args = limits.PaidPerSecond is { } paidRate
            ? [Micro(retryAfter), 1, Interval(limits.GlobalPerSecond) * (limits.GlobalBurst - 1), Interval(paidRate) * (limits.PaidBurst - 1)]
            : [Micro(retryAfter), 1, Interval(limits.GlobalPerSecond) * (limits.GlobalBurst - 1)];
        await EvalAsync(RedisScripts.PauseRate, keys, args, cancellationToken).ConfigureAwait(false);
    }

    private RedisKey RateKey(string name) => _prefix + "{rate}" + name;

    /// <summary>Microseconds between two sends, rounded up: never faster than the limit.</summary>
    private static long Interval(double perSecond) => (long)Math.Ceiling(1_000_000 / perSecond);

    private static long Micro(TimeSpan span) => (long)Math.Ceiling(span.TotalMicroseconds);

    private static string Id(long chatId) => chatId.ToString(CultureInfo.InvariantCulture);
}
