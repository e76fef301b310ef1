namespace MusterBot.State.Rates;

/// <summary>
/// The rate gates of one process (<see cref="Memory.InMemoryStateStore"/>: the sandbox and tests), judged by the given
/// clock. The same decisions as the Redis scripts (<c>TakeRate</c>, <c>PauseRate</c>).
/// </summary>
public sealed class LocalSendRates(TimeProvider timeProvider)
{
    private const int ForgetAbove = 10_000;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, RateGate> _chats = [];
    private readonly Dictionary<long, (string Owner, DateTimeOffset Until)> _turns = [];
    private RateGate? _global;
    private RateGate? _paid;
    private SendLimits? _limits;

    public RateTicket Take(SendLimits limits, long chatId, bool ordered, bool paid, string owner, bool botOnly = false)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            Prepare(limits);
            if (_global!.PausedUntil > now)
            {
                return new RateTicket(RateVerdict.Paused, _global.PausedUntil - now);
            }

            if (!ordered)
            {
                return new RateTicket(RateVerdict.Go, TimeSpan.Zero);
            }

            var bot = paid && _paid is not null ? _paid : _global;
            if (botOnly)
            {
                // The chat's turn and slot are held already (a call that starts late asks again for the bot's slot).
                var next = bot.NextAllowed(now);
                if (limits.Horizon is { } ahead && next - now > ahead)
                {
                    return new RateTicket(RateVerdict.BotLater, next - now);
                }

                var slot = bot.Reserve(now);
                return new RateTicket(RateVerdict.Go, slot > now ? slot - now : TimeSpan.Zero);
            }

            if (_turns.TryGetValue(chatId, out var turn) && turn.Until > now && turn.Owner != owner)
            {
                return new RateTicket(RateVerdict.ChatBusy, TimeSpan.Zero);
            }

            // The chat's slot is judged at the time the bot's slot allows the send: its spacing holds between the sends.
            var at = bot.NextAllowed(now);
            var chat = Chat(chatId, limits);
            var chatAt = chat.NextAllowed(at);
            if (chatAt > at + limits.Slack)
            {
                return new RateTicket(RateVerdict.ChatLater, chatAt - now);
            }

            if (limits.Horizon is { } horizon && at - now > horizon)
            {
                return new RateTicket(RateVerdict.BotLater, at - now);
            }

            bot.Reserve(now);
            chat.Reserve(at);
            _turns[chatId] = (owner, now + limits.ChatTurn);
            return new RateTicket(RateVerdict.Go, at > now ? at - now : TimeSpan.Zero);
        }
    }

    public void ReleaseChat(long chatId, string owner)
    {
        lock (_gate)
        {
            if (_turns.TryGetValue(chatId, out var turn) && turn.Owner == owner)
            {
                _turns.Remove(chatId);
            }
        }
    }

    public void Pause(SendLimits limits, long? chatId, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var until = timeProvider.GetUtcNow() + retryAfter;
        lock (_gate)
        {
            Prepare(limits);
            if (chatId is { } chat)
            {
                Chat(chat, limits).PauseUntil(until);
                return;
            }

            _global!.PauseUntil(until);
            _paid?.PauseUntil(until);
        }
    }

    private void Prepare(SendLimits limits)
    {
        if (_limits is { } known && SameGates(known, limits))
        {
            return;
        }

        // New limits (the first call, or a test that starts another sender): gates start afresh.
        _limits = limits;
        _global = new RateGate(limits.GlobalPerSecond, limits.GlobalBurst);
        _paid = limits.PaidPerSecond is { } paid ? new RateGate(paid, limits.PaidBurst) : null;
        _chats.Clear();
    }

    /// <summary>Whether two sets of limits make the same gates (the horizon and the turn's length make none).</summary>
    private static bool SameGates(SendLimits a, SendLimits b) =>
        a.GlobalPerSecond.Equals(b.GlobalPerSecond) && a.GlobalBurst == b.GlobalBurst && Nullable.Equals(a.PaidPerSecond, b.PaidPerSecond)
        && a.PaidBurst == b.PaidBurst && a.ChatPerSecond.Equals(b.ChatPerSecond) && a.ChatBurst == b.ChatBurst
        && a.GroupPerSecond.Equals(b.GroupPerSecond) && a.GroupBurst == b.GroupBurst;

    private RateGate Chat(long chatId, SendLimits limits)
    {
        if (!_chats.TryGetValue(chatId, out var gate))
        {
            if (_chats.Count >= ForgetAbove)
            {
                var now = timeProvider.GetUtcNow();
                foreach (var idle in _chats.Where(kv => kv.Value.IsIdle(now)).Select(kv => kv.Key).ToList())
                {
                    _chats.Remove(idle);
                }

                foreach (var ended in _turns.Where(kv => kv.Value.Until <= now).Select(kv => kv.Key).ToList())
                {
                    _turns.Remove(ended);
                }
            }

            // Groups and channels (negative ids) have their own, slower limit.
            gate = chatId < 0 ? new RateGate(limits.GroupPerSecond, limits.GroupBurst) : new RateGate(limits.ChatPerSecond, limits.ChatBurst);
            _chats[chatId] = gate;
        }

        return gate;
    }
}
