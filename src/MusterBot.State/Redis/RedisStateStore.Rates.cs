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
    public async Task<RateTicket> TakeAsync(SendLimits limits, long chatId, bool ordered, bool paid, string owner, CancellationToken cancellationToken) =>
        (await TakeManyAsync(limits, [new RateRequest(chatId, ordered, paid)], owner, cancellationToken).ConfigureAwait(false))[0];

    public async Task<IReadOnlyList<RateTicket>> TakeManyAsync(SendLimits limits, IReadOnlyList<RateRequest> requests, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        if (requests.Count == 0)
        {
            return [];
        }

        var global = RateKey("global");
        var keys = new RedisKey[3 + (2 * requests.Count)];
        keys[0] = global;
        keys[1] = limits.PaidPerSecond is not null ? RateKey("paid") : global;
        keys[2] = RateKey("pause");
        var args = new RedisValue[8 + (4 * requests.Count)];
        var botInterval = Interval(limits.GlobalPerSecond);
        args[0] = botInterval;
        args[1] = botInterval * (limits.GlobalBurst - 1);
        var paidInterval = limits.PaidPerSecond is { } paidRate ? Interval(paidRate) : botInterval;
        args[2] = paidInterval;
        args[3] = limits.PaidPerSecond is not null ? paidInterval * (limits.PaidBurst - 1) : args[1];
        args[4] = Micro(limits.Slack);
        args[5] = owner;
        args[6] = Milliseconds(limits.ChatTurn);
        args[7] = limits.Horizon is { } horizon ? Micro(horizon) : -1;
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            var (chatRate, chatBurst) = request.ChatId < 0 ? (limits.GroupPerSecond, limits.GroupBurst) : (limits.ChatPerSecond, limits.ChatBurst);
            var chatInterval = Interval(chatRate);
            var id = Id(request.ChatId);
            keys[3 + (2 * i)] = RateKey("chat:" + id);
            keys[4 + (2 * i)] = RateKey("turn:" + id);
            args[8 + (4 * i)] = !request.Ordered ? 0 : request.BotOnly ? 2 : 1;
            args[9 + (4 * i)] = request.Paid ? 1 : 0;
            args[10 + (4 * i)] = chatInterval;
            args[11 + (4 * i)] = chatInterval * (chatBurst - 1);
        }

        var result = (RedisResult[])(await EvalAsync(RedisScripts.TakeRate, keys, args, cancellationToken).ConfigureAwait(false))!;
        var tickets = new RateTicket[requests.Count];
        for (var i = 0; i < tickets.Length; i++)
        {
            tickets[i] = new RateTicket((RateVerdict)(int)(long)result[2 * i], TimeSpan.FromMicroseconds((long)result[(2 * i) + 1]));
        }

        return tickets;
    }

    public async Task ReleaseChatAsync(long chatId, string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        await EvalAsync(RedisScripts.ReleaseLease, [RateKey("turn:" + Id(chatId))], [owner], cancellationToken).ConfigureAwait(false);
    }

    public async Task ReleaseChatsAsync(IReadOnlyList<long> chatIds, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chatIds);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        if (chatIds.Count == 0)
        {
            return;
        }

        var keys = new RedisKey[chatIds.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = RateKey("turn:" + Id(chatIds[i]));
        }

        await EvalAsync(RedisScripts.ReleaseTurns, keys, [owner], cancellationToken).ConfigureAwait(false);
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
