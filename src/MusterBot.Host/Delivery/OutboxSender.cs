using System.Net;
using Microsoft.Extensions.Options;
using MusterBot.State;
using MusterBot.State.Outbox;
using MusterBot.State.Rates;
using Telegram.Bot.Exceptions;

namespace MusterBot.Host.Delivery;

/// <summary>
/// Drains the persisted outbox: claims messages in lane order (emergency, replies, notices), keeps the global and
/// per-chat rates shared by every sender on the store (<see cref="ISendRates"/>), keeps up to <see cref="SenderOptions.EffectiveMaxInFlight"/> calls in flight, honours 429 retry_after by
/// pausing the chat (or all sending, when 429s come in a flood: see <see cref="FloodDetector"/>), records every outcome (sent, failed with reason, unreachable) as a delivery record.
/// A message is removed from the outbox only after its outcome is recorded; a crash re-sends at most the in-flight ones.
/// An outcome the store cannot take (Redis down) is kept in memory and written again with backoff; meanwhile nothing new
/// is sent or claimed, and claimed messages not yet sent are put back as soon as the store answers (not after the lease).
/// </summary>
public sealed partial class OutboxSender(
    IStateStore store,
    ISendRates rates,
    OutboxExecutor executor,
    OutboxSignal signal,
    Observability.BotMetrics metrics,
    IOptions<SenderOptions> options,
    TimeProvider timeProvider,
    ILogger<OutboxSender> logger) : BackgroundService
{
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ChatBusyDelay = TimeSpan.FromMilliseconds(30);
    private readonly HashSet<long> _busyChats = [];

    // Until when a chat's message went back to the outbox (the latest such time): its later messages, claimed in a later
    // claim, go back until then too, so none overtakes it. Used by the claim loop only; forgotten once past.
    private readonly Dictionary<long, (DateTimeOffset Until, long Id)> _chatBackUntil = [];
    private int _rateLimitedPerClaim;

    // How late a call may start on its old slot: the bot's burst (one late call, or a few, stay within the limit).
    private TimeSpan _lateLimit;

    // At a low rate a claim still takes a few dozen: a burst of live-summary edits is then claimed together (the newest
    // wins), and claims stay few. (A claim cut off by a store failure — the script ran, its answer was lost — is put back
    // by the Redis store as soon as Redis answers again, by the claim's token; it no longer waits out its lease.)
    private const int MinRateLimitedPerClaim = 32;

    // Until when claims take answers only: the bot's next slot is beyond the horizon (claim loop only).
    private DateTimeOffset _rateLimitedPausedUntil;

    // Chats' shared turns to give back in the next step, the task their step completes, and whether a step runs.
    private readonly List<long> _releases = [];
    private TaskCompletionSource? _releasesDone;
    private bool _releasing;

    private readonly SenderOptions _options = options.Value;

    // This sender's name in the shared chat turns (one per sender, so two hosts in one process are two senders).
    private readonly string _owner = InstanceIdentity.ForThisProcess().Id;
    private readonly Dictionary<(long Chat, int Message), long> _latestEdit = [];
    private readonly Dictionary<(long Chat, int Message), DateTimeOffset> _lastEditAt = [];
    private readonly Dictionary<long, DateTimeOffset> _targetWaitSince = [];
    private readonly FloodDetector _floods = new(TimeSpan.FromSeconds(1), minFloods: 3, share: 0.05);
    private SendLimits? _limits;

    // Until when all sending is paused, as far as this sender knows (its own floods, and pauses the shared gates
    // reported): answers to presses, which skip the shared gates, wait for it too. Ticks of a UTC time.
    private long _pausedUntilTicks;
    private SemaphoreSlim? _inFlight;
    private double _replyShare;

    // NotBefore of the messages this sender put back (earliest first), so an idle sender wakes when the first is due
    // instead of after IdlePoll; and until when the idle loop waits (MinValue while it is not waiting).
    private readonly Lock _wake = new();
    private readonly PriorityQueue<DateTimeOffset, DateTimeOffset> _putBack = new();
    private DateTimeOffset _idleUntil = DateTimeOffset.MinValue;

    // Outcomes (completions, put-backs, migration forwards) the store could not take, one per claimed message at most
    // (so bounded by the claims), by outbox id. Written again by the claim loop before it claims anything; while any is
    // waiting, the store counts as unavailable and no new send starts. Every write is safe to repeat.
    private readonly Lock _pendingLock = new();
    private readonly Dictionary<long, Func<CancellationToken, Task>> _pending = [];
    private static readonly TimeSpan ShutdownFlush = TimeSpan.FromSeconds(2);

    /// <summary>How long the calls in flight at a stop (SIGTERM) may take to finish and be recorded.</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    // Calls of messages marked SendFirst under way, and a task that completes when the last of them returns. Other
    // emergency messages wait for it (at most FirstWaitLimit: a hung call does not hold a fan-out back for long).
    private static readonly TimeSpan FirstWaitLimit = TimeSpan.FromSeconds(5);
    private readonly Lock _firstLock = new();
    private int _firstUnderWay;
    private TaskCompletionSource? _firstDone;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _limits = new SendLimits(
            _options.GlobalPerSecond,
            Math.Max(1, (int)Math.Ceiling(_options.GlobalPerSecond / 10)),
            _options.PaidBroadcast ? _options.PaidBroadcastPerSecond : null,
            Math.Max(1, (int)Math.Ceiling(_options.PaidBroadcastPerSecond / 10)),
            _options.PerChatPerSecond,
            _options.PerChatBurst,
            _options.PerGroupPerMinute / 60.0,
            _options.PerGroupBurst,
            Slack,
            _options.Lease,
            Horizon(_options.GlobalPerSecond));
        _inFlight = new SemaphoreSlim(_options.EffectiveMaxInFlight, _options.EffectiveMaxInFlight);
        // A claim takes no more rate-limited messages than the bot's rate allows over the horizon; the others wait in
        // the outbox (claiming them only to put them back cost a claim and a put-back each, and made the
        // loop, and the answers it starts, slower). Answers to presses are not counted.
        var fastest = Math.Max(_options.GlobalPerSecond, _options.PaidBroadcast ? _options.PaidBroadcastPerSecond : 0);
        _lateLimit = TimeSpan.FromSeconds(Math.Max(Slack.TotalSeconds, _limits.GlobalBurst / _options.GlobalPerSecond));
        _rateLimitedPerClaim = Math.Max(MinRateLimitedPerClaim, (int)Math.Ceiling(fastest * _limits.Horizon!.Value.TotalSeconds));
        var running = new HashSet<Task>();

        // A claim being worked through, and the calls in flight, are not cut off by a stop: the rest of the claim goes
        // back to the outbox at once and the calls get ShutdownGrace to finish and be recorded (a call cut off may have
        // reached Telegram without its outcome recorded: it would be sent again by the next instance).
        using var stopped = new CancellationTokenSource();
        var drain = stopped.Token;
        await using var onStop = stoppingToken.Register(() => stopped.CancelAfter(ShutdownGrace)).ConfigureAwait(false);
        var failureDelay = TimeSpan.FromMilliseconds(200);

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Outcomes kept while the store was unavailable are written first: a claim must not hand out again a
                // message whose put-back is still waiting here, and nothing new is sent before they are recorded.
                await FlushPendingAsync(stoppingToken).ConfigureAwait(false);
                await _inFlight.WaitAsync(stoppingToken).ConfigureAwait(false);
                var free = _inFlight.CurrentCount + 1;
                _inFlight.Release();

                // A quarter of the claimed calls is kept for waiting direct replies, so a press is answered within about
                // a second even while a long emergency fan-out drains. The quarter is carried from claim to claim: a
                // saturated sender claims one call at a time, and reserving that one for replies every time starved the
                // emergency lane behind a reply backlog (a city roll call's edit waited 51 s behind 150,000 replies).
                _replyShare += free / 4.0;
                var reserved = (int)_replyShare;
                _replyShare -= reserved;
                var claimStart = timeProvider.GetUtcNow();
                var budget = claimStart < _rateLimitedPausedUntil ? 0 : _rateLimitedPerClaim;
                var claimed = await store.ClaimOutboxAsync(free, reserved, budget, _options.Lease, drain).ConfigureAwait(false);
                ForgetPutBacksDueBy(claimStart);
                if (claimed.Count == 0)
                {
                    await signal.WaitAsync(StartIdleWait(), stoppingToken).ConfigureAwait(false);
                    lock (_wake)
                    {
                        _idleUntil = DateTimeOffset.MinValue;
                    }

                    continue;
                }

                // Edits aimed at a tagged message learn its message id first, so they are coalesced like any other.
                IReadOnlyList<OutboxMessage> batch;
                try
                {
                    batch = await ResolveTargetsAsync(claimed, drain).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The store failed between the claim and the sends: the whole claim goes back once it answers.
                    LogLoopFailed(logger, ex);
                    foreach (var message in claimed)
                    {
                        Defer(message.Id, c => store.RetryOutboxAsync(message.Id, timeProvider.GetUtcNow(), message.Attempts, c));
                    }

                    continue;
                }

                NoteNewestEdits(batch);

                // Answers to presses (and command menus) first: they skip the rate gates and must not wait behind the
                // rate step of the claim's other messages (OrderBy is stable: each group keeps the claim's order).
                batch = InChatOrder([.. batch.OrderBy(m => IsOrdered(m) ? 1 : 0)]);

                // Put-backs and other outcomes of this claim are written together (one round trip, not one per message)
                // and all land before the next claim, so a message put back cannot be overtaken by a later one.
                var writes = new List<Task>();

                // A chat whose message went back to the outbox holds back its later messages of this claim until the
                // same time: otherwise one could take the chat the moment it is free and overtake the earlier one.
                var heldBack = new Dictionary<long, DateTimeOffset>();

                // Ordered messages that passed the local checks wait for ONE rate step for the whole claim; a chat's
                // later message of the claim waits until its first one's verdict is known.
                var ready = new List<(OutboxMessage Message, bool Paid)>();
                var followers = new List<OutboxMessage>();
                var readyChats = new HashSet<long>();
                foreach (var claimedMessage in batch)
                {
                    var message = claimedMessage;
                    var now = timeProvider.GetUtcNow();
                    if (StoreUnavailable || stoppingToken.IsCancellationRequested)
                    {
                        // Never send what cannot be recorded: the rest of the claim goes back once the store answers.
                        // Stopping: the rest goes back at once, so another instance sends it without waiting for the lease.
                        writes.Add(PutBackAsync(message.Id, now, message.Attempts, drain));
                        continue;
                    }

                    if (message.Lane != Lane.Reply && IsEdit(message, out var target))
                    {
                        // Live summaries (notices, not answers to a press): the newest edit of a message wins (an
                        // older one claimed with it, or claimed later, is dropped), at most one edit per message per
                        // interval.
                        var latest = _latestEdit.TryGetValue(target, out var known) && known > message.Id ? known : message.Id;
                        _latestEdit[target] = latest;
                        if (latest > message.Id)
                        {
                            metrics.Sent("superseded", Observability.BotMetrics.LaneName(message.Lane));
                            var superseded = new DeliveryRecord(message.Id, message.ChatId, DeliveryStatus.Sent, now) { Tag = message.Tag, Error = "superseded by a newer edit" };
                            var supersededId = message.Id;
                            writes.Add(RecordAsync(supersededId, c => store.CompleteOutboxAsync(supersededId, superseded, c)));
                            continue;
                        }

                        if (_lastEditAt.TryGetValue(target, out var last) && last + _options.EditInterval > now + Slack)
                        {
                            writes.Add(PutBackAsync(message.Id, last + _options.EditInterval, message.Attempts, drain));
                            continue;
                        }

                        _lastEditAt[target] = now;
                    }

                    var paid = _options.PaidBroadcast && message.Lane == Lane.Emergency && message.Action is SendText;
                    if (paid)
                    {
                        message = message with { Action = ((SendText)message.Action) with { AllowPaidBroadcast = true } };
                    }

                    // While all sending is paused (a flood), messages go back to the outbox instead of waiting here.
                    var ordered = IsOrdered(message);
                    var paused = PausedUntil;
                    if (paused > now)
                    {
                        HoldBack(message, ordered, paused);
                        continue;
                    }

                    if (!ordered)
                    {
                        await StartAsync(message, ordered: false, DateTimeOffset.MinValue).ConfigureAwait(false);
                        continue;
                    }

                    if (readyChats.Contains(message.ChatId))
                    {
                        followers.Add(message);
                        continue;
                    }

                    if (heldBack.TryGetValue(message.ChatId, out var earlierBack))
                    {
                        HoldBack(message, ordered, earlierBack);
                        continue;
                    }

                    if (_chatBackUntil.TryGetValue(message.ChatId, out var back) && back.Until > claimStart && message.Id > back.Id)
                    {
                        // A message newer than every one this chat put back, while an earlier one went back until a time
                        // this claim began before (so it could not take it): this one comes after it. (The put-back ones
                        // the store keeps in id order: an earlier one is never due after a later one.)
                        HoldBack(message, ordered, back.Until);
                        continue;
                    }

                    if (!TryTakeChat(message.ChatId))
                    {
                        // One call per chat at a time keeps a chat's messages in order; this one waits its turn.
                        HoldBack(message, ordered, now + ChatBusyDelay);
                        continue;
                    }

                    readyChats.Add(message.ChatId);
                    ready.Add((message, paid));
                }

                if (ready.Count > 0)
                {
                    // The chats' turns and rates and the bot's rate, shared with every other sender on the store: one
                    // step for the whole claim.
                    IReadOnlyList<RateTicket>? tickets = null;
                    try
                    {
                        tickets = await rates.TakeManyAsync(_limits, [.. ready.Select(r => new RateRequest(r.Message.ChatId, true, r.Paid))], _owner, drain).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                    {
                        // The store cannot answer: these messages go back once it does, and so does the rest of the claim.
                        LogLoopFailed(logger, ex);
                        foreach (var (message, _) in ready)
                        {
                            ReleaseChat(message.ChatId);
                            heldBack[message.ChatId] = timeProvider.GetUtcNow();
                            Defer(message.Id, c => store.RetryOutboxAsync(message.Id, timeProvider.GetUtcNow(), message.Attempts, c));
                        }
                    }

                    var takenAt = timeProvider.GetUtcNow();
                    for (var i = 0; tickets is not null && i < ready.Count; i++)
                    {
                        var (message, _) = ready[i];
                        var ticket = tickets[i];
                        if (ticket.Verdict != RateVerdict.Go)
                        {
                            ReleaseChat(message.ChatId);
                            var notBefore = ticket.Verdict switch
                            {
                                RateVerdict.ChatBusy => takenAt + ChatBusyDelay,
                                RateVerdict.Paused => PauseFor(takenAt + ticket.Wait),

                                // Beyond the horizon: back until the bot's next slot is due (then a horizon's worth of
                                // slots lies ahead), and no rate-limited message is claimed before then (they would only
                                // go back again); those put back come first then (due retries before fresh messages, in
                                // id order).
                                RateVerdict.BotLater => RateLimitedPausedFor(takenAt + ticket.Wait),
                                _ => takenAt + ticket.Wait,
                            };
                            HoldBack(message, true, notBefore);
                            continue;
                        }

                        // The bot's slot may be a little ahead: the call waits for it on its own, not the loop.
                        await StartAsync(message, ordered: true, takenAt + ticket.Wait).ConfigureAwait(false);
                    }
                }

                foreach (var message in followers)
                {
                    // Its chat's first message of the claim went back (this one goes back with it) or is being sent
                    // (this one waits its turn).
                    if (heldBack.TryGetValue(message.ChatId, out var earlierBack))
                    {
                        HoldBack(message, true, earlierBack);
                    }
                    else
                    {
                        HoldBack(message, true, timeProvider.GetUtcNow() + ChatBusyDelay);
                    }
                }

                await Task.WhenAll(writes).ConfigureAwait(false);
                ForgetIdleChats(timeProvider.GetUtcNow());
                failureDelay = TimeSpan.FromMilliseconds(200);

                void HoldBack(OutboxMessage message, bool ordered, DateTimeOffset notBefore)
                {
                    if (ordered)
                    {
                        // A chat's messages that go back in one claim are spaced a busy chat's wait apart, in id order,
                        // so the next claims take them one by one rather than all of them each time (one person's 100
                        // replies claimed and put back 100 times over).
                        if (heldBack.TryGetValue(message.ChatId, out var previous) && previous + ChatBusyDelay > notBefore)
                        {
                            notBefore = previous + ChatBusyDelay;
                        }

                        heldBack[message.ChatId] = notBefore;
                        var known = _chatBackUntil.GetValueOrDefault(message.ChatId);
                        _chatBackUntil[message.ChatId] = (known.Until > notBefore ? known.Until : notBefore, Math.Max(known.Id, message.Id));
                    }

                    writes.Add(PutBackAsync(message.Id, notBefore, message.Attempts, drain));
                }

                // Takes a call slot and starts the call (at `due`: the bot's slot). The store may have become unavailable
                // meanwhile: then the message goes back.
                async Task StartAsync(OutboxMessage message, bool ordered, DateTimeOffset due)
                {
                    if (message.Lane == Lane.Emergency && !message.SendFirst && FirstUnderWay() is { } first)
                    {
                        // The convenors' orders are sent first: not only claimed first, but answered before anything
                        // else of the lane starts (with many calls in flight, a later call can arrive before an earlier).
                        await Task.WhenAny(first, Task.Delay(FirstWaitLimit, timeProvider, drain)).ConfigureAwait(false);
                        drain.ThrowIfCancellationRequested();
                    }

                    await _inFlight.WaitAsync(drain).ConfigureAwait(false);
                    if (StoreUnavailable)
                    {
                        _inFlight.Release();
                        if (ordered)
                        {
                            ReleaseChat(message.ChatId);
                        }

                        HoldBack(message, ordered, timeProvider.GetUtcNow());
                        return;
                    }

                    if (message.SendFirst)
                    {
                        StartFirst();
                    }

                    var task = SendOneAsync(message, ordered, due, drain);
                    lock (running)
                    {
                        running.Add(task);
                    }

                    _ = task.ContinueWith(t => { lock (running) { running.Remove(t); } }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The sender must outlive a store outage: log, wait, try again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogLoopFailed(logger, ex);
                try
                {
                    await Task.Delay(failureDelay, timeProvider, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                failureDelay = TimeSpan.FromTicks(Math.Min(failureDelay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }

        Task[] pending;
        lock (running)
        {
            pending = [.. running];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);

        // Shutting down: one last chance for outcomes still kept in memory (else their messages come back after the lease).
        using var finalFlush = new CancellationTokenSource(ShutdownFlush);
        try
        {
            await FlushPendingAsync(finalFlush.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogPendingLost(logger, PendingCount);
        }
    }

    private bool StoreUnavailable => PendingCount > 0;

    private int PendingCount
    {
        get
        {
            lock (_pendingLock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Writes an outcome to the store; when the store is unavailable (the write fails, or outcomes are already waiting),
    /// keeps it to be written by <see cref="FlushPendingAsync"/> instead of losing it. The write does not stop at shutdown:
    /// an outcome of a call that was made is worth recording.
    /// </summary>
    private async Task RecordAsync(long outboxId, Func<CancellationToken, Task> write)
    {
        if (!StoreUnavailable)
        {
            try
            {
                await write(CancellationToken.None).ConfigureAwait(false);
                return;
            }
#pragma warning disable CA1031 // Any failure of the store: the outcome is kept and written again, never dropped.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogRecordDeferred(logger, ex, outboxId);
            }
        }

        Defer(outboxId, write);
    }

    private void Defer(long outboxId, Func<CancellationToken, Task> write)
    {
        lock (_pendingLock)
        {
            _pending.TryAdd(outboxId, write);
        }
    }

    /// <summary>
    /// Writes every kept outcome, in a loop with backoff (0.1 s doubling to 1 s) until all are written; returns at once
    /// when none is kept. Outcomes kept meanwhile by sends still in flight are written in the same loop.
    /// </summary>
    private async Task FlushPendingAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        var written = 0;
        while (true)
        {
            KeyValuePair<long, Func<CancellationToken, Task>>[] kept;
            lock (_pendingLock)
            {
                kept = [.. _pending];
            }

            if (kept.Length == 0)
            {
                if (written > 0)
                {
                    LogPendingRecorded(logger, written);
                }

                return;
            }

            var failed = false;
            foreach (var (outboxId, write) in kept)
            {
                try
                {
                    await write(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // The store is still unavailable: wait and try again.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogStillUnavailable(logger, ex.Message, kept.Length, delay.TotalSeconds);
                    failed = true;
                    break;
                }

                lock (_pendingLock)
                {
                    _pending.Remove(outboxId);
                }

                written++;
            }

            if (failed)
            {
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
            }
        }
    }

    private async Task SendOneAsync(OutboxMessage message, bool ordered, DateTimeOffset due, CancellationToken cancellationToken)
    {
        try
        {
            if (!await WaitForSlotAsync(message, ordered, due, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await SendAndRecordAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the lease expires and the message is sent by the next run.
        }
#pragma warning disable CA1031 // Recording failed (store down): the lease expires and the message comes back.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogRecordFailed(logger, ex, message.Id);
        }
        finally
        {
            if (ordered)
            {
                await ReleaseSharedChatAsync(message.ChatId).ConfigureAwait(false);
                ReleaseChat(message.ChatId);
            }

            if (message.SendFirst)
            {
                EndFirst();
            }

            _inFlight!.Release();
        }
    }

    /// <summary>
    /// Waits until the message's slot of the bot's rate (<paramref name="due"/>, taken with its claim). A call that starts
    /// later than the bot's burst takes (the process stalled, and the slots of many calls passed meanwhile) asks for a slot of the bot's rate again
    /// (its chat's turn and slot it keeps), so a stall never turns into a burst above the limit. False when the message
    /// went back to the outbox: a 429 pause arrived meanwhile, or the store became unavailable.
    /// </summary>
    private async Task<bool> WaitForSlotAsync(OutboxMessage message, bool ordered, DateTimeOffset due, CancellationToken cancellationToken)
    {
        for (var asked = 0; ; asked++)
        {
            var wait = due - timeProvider.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
            }

            var now = timeProvider.GetUtcNow();
            var paused = PausedUntil;
            if (paused > now || StoreUnavailable)
            {
                await PutBackAsync(message.Id, paused > now ? paused : now, message.Attempts, cancellationToken).ConfigureAwait(false);
                return false;
            }

            if (!ordered || now - due <= _lateLimit || asked >= 3)
            {
                return true;
            }

            RateTicket ticket;
            try
            {
                var request = new RateRequest(message.ChatId, Ordered: true, Paid: message.Action is SendText { AllowPaidBroadcast: true }, BotOnly: true);
                // Without the horizon: this message keeps its chat's turn and waits for whatever slot it gets.
                ticket = (await rates.TakeManyAsync(_limits! with { Horizon = null }, [request], _owner, cancellationToken).ConfigureAwait(false))[0];
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogLoopFailed(logger, ex);
                Defer(message.Id, c => store.RetryOutboxAsync(message.Id, timeProvider.GetUtcNow(), message.Attempts, c));
                return false;
            }

            if (ticket.Verdict == RateVerdict.Paused)
            {
                await PutBackAsync(message.Id, PauseFor(timeProvider.GetUtcNow() + ticket.Wait), message.Attempts, cancellationToken).ConfigureAwait(false);
                return false;
            }

            due = timeProvider.GetUtcNow() + ticket.Wait;
        }
    }

    private DateTimeOffset RateLimitedPausedFor(DateTimeOffset until)
    {
        if (until > _rateLimitedPausedUntil)
        {
            _rateLimitedPausedUntil = until;
        }

        return until;
    }

    /// <summary>
    /// How far ahead a claim takes slots of the bot's rate (50 ms, at least two slots): the claim's messages beyond go back
    /// to the outbox until their time instead of each holding a call slot while it waits, so answers to presses (which
    /// need a call slot, not a rate slot) find one free.
    /// </summary>
    internal static TimeSpan Horizon(double globalPerSecond) =>
        TimeSpan.FromMilliseconds(Math.Max(50, 2 * 1000 / globalPerSecond));

    private void StartFirst()
    {
        lock (_firstLock)
        {
            _firstUnderWay++;
            _firstDone ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private void EndFirst()
    {
        lock (_firstLock)
        {
            if (--_firstUnderWay == 0)
            {
                _firstDone?.TrySetResult();
                _firstDone = null;
            }
        }
    }

    private Task? FirstUnderWay()
    {
        lock (_firstLock)
        {
            return _firstDone?.Task;
        }
    }

    private async Task SendAndRecordAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        DeliveryRecord Record(DeliveryStatus status) =>
            new(message.Id, message.ChatId, status, timeProvider.GetUtcNow()) { Tag = message.Tag, Attempts = message.Attempts + 1 };
        var lane = Observability.BotMetrics.LaneName(message.Lane);
        void Count(string outcome) => metrics.Sent(outcome, lane);

        try
        {
            var telegramMessageId = await executor.ExecuteAsync(message, cancellationToken).ConfigureAwait(false);
            _floods.RecordSend(timeProvider.GetUtcNow());
            Count("sent");
            if (message.EnqueuedAt != default)
            {
                metrics.SendDelay(timeProvider.GetUtcNow() - message.EnqueuedAt, lane);
            }

            await CompleteAsync(message.Id, Record(DeliveryStatus.Sent) with { TelegramMessageId = telegramMessageId }).ConfigureAwait(false);
        }
        catch (RequestException ex) when (ex is not ApiRequestException && ex.HttpStatusCode == HttpStatusCode.OK)
        {
            // The call succeeded but its answer could not be read (a server or proxy that answers differently): the
            // message went out, so it is recorded as sent, with a warning, and never sent again.
            Count("sent");
            LogUnreadableAnswer(logger, message.Id, message.ChatId, ex.Message);
            await CompleteAsync(message.Id, Record(DeliveryStatus.Sent) with { Error = "sent; the answer could not be read" }).ConfigureAwait(false);
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 429)
        {
            Count("retry_after");
            var wait = ex.Parameters?.RetryAfter is int seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(1);
            var now = timeProvider.GetUtcNow();
            var until = now + wait;
            var flood = _floods.RecordFloodIsGlobal(now);
            if (flood)
            {
                PauseFor(until);
                LogFlood(logger, message.ChatId, wait.TotalSeconds);
            }
            else
            {
                LogChatFlood(logger, message.ChatId, wait.TotalSeconds);
            }

            try
            {
                // Every sender on the store keeps the pause (the message itself goes back until then in any case).
                await rates.PauseAsync(_limits!, flood ? null : message.ChatId, wait, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The store cannot take the pause: this sender keeps it, the others learn by their own 429s.
            catch (Exception shareFailed)
#pragma warning restore CA1031
            {
                LogPauseNotShared(logger, shareFailed);
            }

            await PutBackAsync(message.Id, until, message.Attempts, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 403)
        {
            Count("unreachable");
            LogUnreachable(logger, message.ChatId);
            await CompleteAsync(message.Id, Record(DeliveryStatus.Unreachable) with { Error = ex.Message }).ConfigureAwait(false);
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 400 && ex.Message.Contains("message is not modified", StringComparison.OrdinalIgnoreCase))
        {
            // An edit with the same content: the message already shows what we wanted.
            Count("sent");
            await CompleteAsync(message.Id, Record(DeliveryStatus.Sent)).ConfigureAwait(false);
        }
        catch (ApiRequestException ex) when (ex.Parameters?.MigrateToChatId is { } newChatId && message.Attempts < _options.MaxAttempts)
        {
            // The group became a supergroup: send to its new id once, and record where the message went, in one store
            // step (a crash between enqueueing the copy and recording the original would send it twice).
            Count("migrated");
            LogMigrated(logger, message.ChatId, newChatId);
            var moved = Record(DeliveryStatus.Failed) with { Error = $"migrated to {newChatId.ToString(System.Globalization.CultureInfo.InvariantCulture)}" };
            var forward = message with { Id = 0, ChatId = newChatId, Attempts = _options.MaxAttempts, EnqueuedAt = default };
            await RecordAsync(message.Id, c => store.ForwardOutboxAsync(message.Id, moved, forward, c)).ConfigureAwait(false);
        }
        catch (ApiRequestException ex) when (ex.ErrorCode < 500)
        {
            Count("failed");
            LogRejected(logger, message.Id, message.ChatId, ex.ErrorCode, ex.Message);
            await CompleteAsync(message.Id, Record(DeliveryStatus.Failed) with { Error = $"{ex.ErrorCode}: {ex.Message}" }).ConfigureAwait(false);
        }
        catch (RequestException ex)
        {
            Count(ex is ApiRequestException { ErrorCode: >= 500 } ? "server_error" : "transport");
            var attempts = message.Attempts + 1;
            if (attempts >= _options.MaxAttempts)
            {
                LogGaveUp(logger, ex, message.Id, attempts);
                await CompleteAsync(message.Id, Record(DeliveryStatus.Failed) with { Error = ex.Message }).ConfigureAwait(false);
                return;
            }

            var backoff = _options.RetryDelay * Math.Pow(2, attempts - 1);
#pragma warning disable CA5394 // Jitter, not security.
            var jitter = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * backoff.TotalMilliseconds / 2);
#pragma warning restore CA5394
            LogTransient(logger, message.Id, attempts, (backoff + jitter).TotalSeconds);
            await PutBackAsync(message.Id, timeProvider.GetUtcNow() + backoff + jitter, attempts, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task CompleteAsync(long outboxId, DeliveryRecord record) =>
        RecordAsync(outboxId, c => store.CompleteOutboxAsync(outboxId, record, c));

    /// <summary>
    /// Puts a claimed message back into the outbox, ready at <paramref name="notBefore"/>, and remembers that time: an
    /// idle sender waiting longer than that is woken, so it claims the message when it is due rather than up to
    /// <see cref="SenderOptions.IdlePoll"/> later.
    /// </summary>
    private async Task PutBackAsync(long outboxId, DateTimeOffset notBefore, int attempts, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        await RecordAsync(outboxId, c => store.RetryOutboxAsync(outboxId, notBefore, attempts, c)).ConfigureAwait(false);
        bool wake;
        lock (_wake)
        {
            _putBack.Enqueue(notBefore, notBefore);

            // Already due: a claim that started before it was put back may have missed it, so look again.
            wake = notBefore < _idleUntil || notBefore <= timeProvider.GetUtcNow();
        }

        if (wake)
        {
            signal.Notify();
        }
    }

    /// <summary>Forgets put-back times that were due when the last claim started: that claim could take them.</summary>
    private void ForgetPutBacksDueBy(DateTimeOffset claimStart)
    {
        lock (_wake)
        {
            while (_putBack.TryPeek(out var notBefore, out _) && notBefore <= claimStart)
            {
                _putBack.Dequeue();
            }
        }
    }

    /// <summary>How long an empty claim waits for a signal: IdlePoll, or until the first put-back message is due.</summary>
    private TimeSpan StartIdleWait()
    {
        var now = timeProvider.GetUtcNow();
        lock (_wake)
        {
            var wait = _options.IdlePoll;
            if (_putBack.TryPeek(out var next, out _) && next - now < wait)
            {
                wait = next <= now ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling((next - now).TotalMilliseconds));
            }

            _idleUntil = now + wait;
            return wait;
        }
    }

    /// <summary>
    /// Gives every <see cref="EditText"/> or <see cref="PinMessage"/> with a target tag the Telegram message id of the newest
    /// message sent to its chat with that tag (one store read per tag in the batch). An edit whose target is still
    /// queued goes back to the outbox for <see cref="SenderOptions.TargetPoll"/> (not a failed attempt), for up to
    /// <see cref="SenderOptions.TargetWait"/>; an edit without a target is recorded as failed. Returns the messages
    /// to send, in claim order.
    /// </summary>
    private async Task<IReadOnlyList<OutboxMessage>> ResolveTargetsAsync(IReadOnlyList<OutboxMessage> claimed, CancellationToken cancellationToken)
    {
        if (!claimed.Any(m => TargetTagOf(m.Action) is not null))
        {
            return claimed;
        }

        var byTag = new Dictionary<(string Tag, long Shard), IReadOnlyList<DeliveryRecord>>();
        var batch = new List<OutboxMessage>(claimed.Count);
        foreach (var message in claimed)
        {
            if (TargetTagOf(message.Action) is not { } tag)
            {
                batch.Add(message);
                continue;
            }

            // The edited message was enqueued in the same shard as the edit (the same community's records).
            var shard = OutboxIds.ShardOf(message.Id);
            if (!byTag.TryGetValue((tag, shard), out var records))
            {
                records = await store.GetDeliveriesByTagAsync(tag, shard, cancellationToken).ConfigureAwait(false);
                byTag[(tag, shard)] = records;
            }

            var now = timeProvider.GetUtcNow();
            var (messageId, waiting, failure) = FindTarget(records, message, tag);
            if (messageId is { } id)
            {
                _targetWaitSince.Remove(message.Id);
                batch.Add(message with { Action = WithTarget(message.Action, id) });
                continue;
            }

            if (waiting)
            {
                if (!_targetWaitSince.TryGetValue(message.Id, out var since))
                {
                    since = now;
                    _targetWaitSince[message.Id] = since;
                }

                if (now - since < _options.TargetWait)
                {
                    await PutBackAsync(message.Id, now + _options.TargetPoll, message.Attempts, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                failure = "target message not sent";
            }

            _targetWaitSince.Remove(message.Id);
            LogNoTarget(logger, message.Id, message.ChatId, tag, failure!);
            await CompleteAsync(message.Id, new DeliveryRecord(message.Id, message.ChatId, DeliveryStatus.Failed, now) { Tag = message.Tag, Attempts = message.Attempts, Error = failure }).ConfigureAwait(false);
        }

        return batch;
    }

    /// <summary>The outbox tag naming the message an edit or a pin acts on (null: it names the message by id, or acts on none).</summary>
    private static string? TargetTagOf(OutgoingAction action) => action switch
    {
        EditText { TargetTag: { } tag } => tag,
        PinMessage { TargetTag: { } tag } => tag,
        _ => null,
    };

    private static OutgoingAction WithTarget(OutgoingAction action, int messageId) => action switch
    {
        EditText edit => edit with { MessageId = messageId },
        PinMessage pin => pin with { MessageId = messageId },
        _ => action,
    };

    /// <summary>
    /// The newest sent message of the edit's chat with the tag; else whether one is still queued (wait); else why there
    /// is no target. The edit's own record (it may carry the same tag) is not a candidate.
    /// </summary>
    private static (int? MessageId, bool Waiting, string? Failure) FindTarget(IReadOnlyList<DeliveryRecord> records, OutboxMessage edit, string tag)
    {
        DeliveryRecord? sent = null;
        DeliveryRecord? ended = null;
        var queued = false;
        foreach (var record in records)
        {
            if (record.ChatId != edit.ChatId || record.OutboxId == edit.Id)
            {
                continue;
            }

            switch (record.Status)
            {
                case DeliveryStatus.Sent when record.TelegramMessageId is not null:
                    sent = sent is null || record.OutboxId > sent.OutboxId ? record : sent;
                    break;
                case DeliveryStatus.Queued:
                    queued = true;
                    break;
                case DeliveryStatus.Failed or DeliveryStatus.Unreachable:
                    ended = ended is null || record.OutboxId > ended.OutboxId ? record : ended;
                    break;
            }
        }

        if (sent is not null)
        {
            return (sent.TelegramMessageId, false, null);
        }

        if (queued)
        {
            return (null, true, null);
        }

        return ended is null
            ? (null, false, $"no message tagged {tag} was sent to this chat")
            : (null, false, $"target message {ended.OutboxId.ToString(System.Globalization.CultureInfo.InvariantCulture)} tagged {tag} ended {ended.Status}" + (ended.Error is { } error ? $": {error}" : string.Empty));
    }

    /// <summary>Remembers the newest edit of each message in the batch, so an older edit claimed with it is dropped.</summary>
    private void NoteNewestEdits(IReadOnlyList<OutboxMessage> batch)
    {
        foreach (var message in batch)
        {
            if (message.Lane != Lane.Reply && IsEdit(message, out var target)
                && (!_latestEdit.TryGetValue(target, out var known) || known < message.Id))
            {
                _latestEdit[target] = message.Id;
            }
        }
    }

    private bool TryTakeChat(long chatId)
    {
        lock (_busyChats)
        {
            return _busyChats.Add(chatId);
        }
    }

    private void ReleaseChat(long chatId)
    {
        lock (_busyChats)
        {
            _busyChats.Remove(chatId);
        }
    }

    /// <summary>Whether the message keeps its chat's order and rate (everything but answers to presses and command menus).</summary>
    /// <summary>
    /// The claim with each chat's ordered messages in id (commit) order, in the places the claim gave that chat's messages:
    /// retries are claimed before fresh messages and by due time, so a chat's messages of one claim may come unordered.
    /// </summary>
    internal static List<OutboxMessage> InChatOrder(List<OutboxMessage> batch)
    {
        Dictionary<long, List<int>>? places = null;
        var seen = new Dictionary<long, long>();
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i];
            if (!IsOrdered(message))
            {
                continue;
            }

            if (seen.TryGetValue(message.ChatId, out var previous) && previous > message.Id)
            {
                places ??= [];
                places[message.ChatId] = [];
            }

            seen[message.ChatId] = Math.Max(previous, message.Id);
        }

        if (places is null)
        {
            return batch;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (IsOrdered(batch[i]) && places.TryGetValue(batch[i].ChatId, out var list))
            {
                list.Add(i);
            }
        }

        foreach (var list in places.Values)
        {
            var messages = list.Select(i => batch[i]).OrderBy(m => m.Id).ToList();
            for (var k = 0; k < list.Count; k++)
            {
                batch[list[k]] = messages[k];
            }
        }

        return batch;
    }

    private static bool IsOrdered(OutboxMessage message) => message.Action is not (AnswerCallback or SetChatCommands);

    private static bool IsEdit(OutboxMessage message, out (long Chat, int Message) target)
    {
        target = message.Action switch
        {
            EditText e => (message.ChatId, e.MessageId),
            _ => default,
        };
        return message.Action is EditText;
    }

    private DateTimeOffset PausedUntil => new(Interlocked.Read(ref _pausedUntilTicks), TimeSpan.Zero);

    /// <summary>Remembers that all sending is paused until <paramref name="until"/> (the later of two pauses wins); returns it.</summary>
    private DateTimeOffset PauseFor(DateTimeOffset until)
    {
        var ticks = until.UtcTicks;
        var seen = Interlocked.Read(ref _pausedUntilTicks);
        while (ticks > seen)
        {
            var was = Interlocked.CompareExchange(ref _pausedUntilTicks, ticks, seen);
            if (was == seen)
            {
                break;
            }

            seen = was;
        }

        return until;
    }

    /// <summary>
    /// Gives the chat's shared turn back after its call. The turns given back while one step is under way go together in
    /// the next (one store round trip for many calls, none added when the sender is quiet); completes when its step is
    /// done. If the store cannot take it, the turn ends by itself after the lease; meanwhile this sender may still use the
    /// chat (it holds the turn), others wait.
    /// </summary>
    private Task ReleaseSharedChatAsync(long chatId)
    {
        Task done;
        var start = false;
        lock (_releases)
        {
            _releases.Add(chatId);
            _releasesDone ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done = _releasesDone.Task;
            if (!_releasing)
            {
                _releasing = true;
                start = true;
            }
        }

        if (start)
        {
            _ = Task.Run(ReleaseTurnsAsync);
        }

        return done;
    }

    private async Task ReleaseTurnsAsync()
    {
        while (true)
        {
            List<long> chats;
            TaskCompletionSource done;
            lock (_releases)
            {
                if (_releases.Count == 0)
                {
                    _releasing = false;
                    return;
                }

                chats = [.. _releases];
                _releases.Clear();
                done = _releasesDone!;
                _releasesDone = null;
            }

            try
            {
                await rates.ReleaseChatsAsync(chats, _owner, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // See above: the turns end by themselves.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogTurnsNotReleased(logger, ex, chats.Count);
            }

            done.TrySetResult();
        }
    }

    private void ForgetIdleChats(DateTimeOffset now)
    {
        if (_chatBackUntil.Count >= 1_000)
        {
            foreach (var chat in _chatBackUntil.Where(kv => kv.Value.Until <= now).Select(kv => kv.Key).ToList())
            {
                _chatBackUntil.Remove(chat);
            }
        }

        if (_lastEditAt.Count >= 1_000)
        {
            foreach (var target in _lastEditAt.Where(kv => kv.Value + _options.EditInterval < now).Select(kv => kv.Key).ToList())
            {
                _lastEditAt.Remove(target);
                _latestEdit.Remove(target);
            }
        }

        if (_targetWaitSince.Count >= 1_000)
        {
            // Edits completed elsewhere (another sender, after a lease) leave an entry behind.
            var stale = _options.TargetWait + _options.Lease + _options.Lease;
            foreach (var id in _targetWaitSince.Where(kv => kv.Value + stale < now).Select(kv => kv.Key).ToList())
            {
                _targetWaitSince.Remove(id);
            }
        }

    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "Could not share a 429 pause with the other senders (store unavailable); this sender keeps it")]
    private static partial void LogPauseNotShared(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Warning, Message = "Could not give back the turns of {Count} chats (store unavailable); they end by themselves after the lease")]
    private static partial void LogTurnsNotReleased(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "Chat {ChatId} migrated to {NewChatId}; the message is sent there once")]
    private static partial void LogMigrated(ILogger logger, long chatId, long newChatId);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Edit {OutboxId} for chat {ChatId} has no message tagged {Tag} to edit: {Reason}")]
    private static partial void LogNoTarget(ILogger logger, long outboxId, long chatId, string tag, string reason);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Sender loop failed; retrying")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Could not record the outcome of outbox message {OutboxId}; it will be retried after its lease")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, long outboxId);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "Could not record the outcome of outbox message {OutboxId} (store unavailable); kept in memory and written when the store answers, nothing new is sent meanwhile")]
    private static partial void LogRecordDeferred(ILogger logger, Exception exception, long outboxId);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "Store still unavailable ({Problem}); {Count} outcomes kept in memory, trying again in {Seconds} s")]
    private static partial void LogStillUnavailable(ILogger logger, string problem, int count, double seconds);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information, Message = "Store answers again: {Count} kept outcomes recorded; sending goes on")]
    private static partial void LogPendingRecorded(ILogger logger, int count);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Error, Message = "Shutting down with {Count} outcomes not recorded (store unavailable); their messages are sent again after the lease")]
    private static partial void LogPendingLost(ILogger logger, int count);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "429 from Telegram for chat {ChatId} alone; pausing that chat for {Seconds} s")]
    private static partial void LogChatFlood(ILogger logger, long chatId, double seconds);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "429 from Telegram (chat {ChatId}) in a flood; pausing all sending for {Seconds} s")]
    private static partial void LogFlood(ILogger logger, long chatId, double seconds);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Chat {ChatId} is unreachable (blocked or deactivated); recorded, not retried")]
    private static partial void LogUnreachable(ILogger logger, long chatId);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Telegram refused outbox message {OutboxId} to chat {ChatId}: {ErrorCode} {Description}")]
    private static partial void LogRejected(ILogger logger, long outboxId, long chatId, int errorCode, string description);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Error, Message = "Outbox message {OutboxId} failed {Attempts} times; recorded as failed")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, long outboxId, int attempts);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Outbox message {OutboxId} failed (attempt {Attempts}); retrying in {Seconds} s")]
    private static partial void LogTransient(ILogger logger, long outboxId, int attempts, double seconds);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Outbox message {OutboxId} to chat {ChatId} was accepted but the answer could not be read ({Problem}); recorded as sent, not sent again")]
    private static partial void LogUnreadableAnswer(ILogger logger, long outboxId, long chatId, string problem);
}
