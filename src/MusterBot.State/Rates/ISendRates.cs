namespace MusterBot.State.Rates;

/// <summary>
/// Telegram's limits as the sender keeps them: a rate and a burst for the whole bot, for paid broadcasts, for one
/// private chat and for one group (negative chat id). <see cref="Slack"/>: a chat's slot this close ahead counts as now.
/// <see cref="ChatTurn"/>: how long a chat's turn is held at most when its holder never gives it back (a crash).
/// <see cref="Horizon"/>: a slot of the bot's rate further ahead than this is not taken (<see cref="RateVerdict.BotLater"/>),
/// so a sender does not hold many messages waiting for slots far ahead (null: any slot is taken).
/// </summary>
public sealed record SendLimits(
    double GlobalPerSecond,
    int GlobalBurst,
    double? PaidPerSecond,
    int PaidBurst,
    double ChatPerSecond,
    int ChatBurst,
    double GroupPerSecond,
    int GroupBurst,
    TimeSpan Slack,
    TimeSpan ChatTurn,
    TimeSpan? Horizon = null);

/// <summary>What a sender may do with a message now.</summary>
public enum RateVerdict
{
    /// <summary>Send after <see cref="RateTicket.Wait"/> (the bot's slot); the chat's turn and slot are taken.</summary>
    Go,

    /// <summary>Another sender has a call to this chat under way: try again shortly (keeps the chat's messages in order).</summary>
    ChatBusy,

    /// <summary>The chat's rate (or its 429 pause) allows nothing before <see cref="RateTicket.Wait"/> from now.</summary>
    ChatLater,

    /// <summary>All sending is paused (a flood of 429s) for <see cref="RateTicket.Wait"/>.</summary>
    Paused,

    /// <summary>The bot's next slot is further than <see cref="SendLimits.Horizon"/> ahead: try again after <see cref="RateTicket.Wait"/>.</summary>
    BotLater,
}

public readonly record struct RateTicket(RateVerdict Verdict, TimeSpan Wait);

/// <summary>
/// One message's ask of <see cref="ISendRates.TakeManyAsync"/>. <paramref name="BotOnly"/>: a slot of the bot's rate only,
/// for a message whose chat's turn and slot the owner holds already (a call that starts late asks again).
/// </summary>
public readonly record struct RateRequest(long ChatId, bool Ordered, bool Paid, bool BotOnly = false);

/// <summary>
/// The rate gates every sender on one store shares, so N instances together keep to Telegram's limits: the bot's global
/// rate (or the paid-broadcast rate), each chat's rate and its one-call-at-a-time turn, and the pauses after 429s.
/// In Redis they are judged by Redis's clock, so clock skew between instances moves nothing; in memory (the sandbox,
/// one process) by the store's clock.
/// </summary>
public interface ISendRates
{
    /// <summary>
    /// Asks to send one message to <paramref name="chatId"/>. <paramref name="ordered"/> false (answers to button presses,
    /// command menus): only a pause applies. Otherwise, when the verdict is <see cref="RateVerdict.Go"/>, the chat's turn
    /// is held by <paramref name="owner"/> until <see cref="ReleaseChatAsync"/> and one slot of the chat's and of the
    /// bot's rate (the paid one when <paramref name="paid"/>) is taken.
    /// </summary>
    Task<RateTicket> TakeAsync(SendLimits limits, long chatId, bool ordered, bool paid, string owner, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="TakeAsync"/> for several messages in one step (one store round trip), judged in the order given: a
    /// claim's messages. A message later in the list sees the slots the earlier ones took.
    /// </summary>
    Task<IReadOnlyList<RateTicket>> TakeManyAsync(SendLimits limits, IReadOnlyList<RateRequest> requests, string owner, CancellationToken cancellationToken);

    /// <summary>Gives back the chat's turn if <paramref name="owner"/> holds it.</summary>
    Task ReleaseChatAsync(long chatId, string owner, CancellationToken cancellationToken);

    /// <summary>Gives back each of these chats' turns that <paramref name="owner"/> holds, in one step.</summary>
    Task ReleaseChatsAsync(IReadOnlyList<long> chatIds, string owner, CancellationToken cancellationToken);

    /// <summary>
    /// After a 429 with retry_after: nothing more to <paramref name="chatId"/>, or to anyone when it is null (a flood),
    /// for <paramref name="retryAfter"/>, and no burst right after.
    /// </summary>
    Task PauseAsync(SendLimits limits, long? chatId, TimeSpan retryAfter, CancellationToken cancellationToken);
}
