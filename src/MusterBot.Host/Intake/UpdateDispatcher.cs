using Microsoft.Extensions.Options;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Host.Delivery;
using MusterBot.State;
using MusterBot.State.Leases;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace MusterBot.Host.Intake;

/// <summary>
/// Runs updates through the flows: one person's updates one at a time and in order, different people concurrently up
/// to <see cref="IntakeOptions.MaxConcurrency"/>. Each update's task (<see cref="StartBatch"/>) completes only when it is durably
/// handled (committed) or deliberately dropped, so the caller may then confirm it to Telegram.
/// </summary>
/// <remarks>
/// With <see cref="IntakeOptions.PersonLeases"/> (webhook mode, several instances) a person's turn is also a lease in the
/// store (<c>person:{id}</c>, owner = this instance): taken after the in-memory lock, given back after the commit, so
/// an update of the same person that reached another instance at the same moment waits for it instead of racing it.
/// </remarks>
public sealed partial class UpdateDispatcher(
    UpdateProcessor processor,
    IOptions<IntakeOptions> options,
    OutboxSignal outboxSignal,
    ITelegramBotClient client,
    IStateStore store,
    ILeaseStore leases,
    InstanceIdentity instance,
    Observability.BotMetrics metrics,
    TimeProvider timeProvider,
    ILogger<UpdateDispatcher> logger) : IDisposable
{
    private static readonly TimeSpan FirstLeaseRetry = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan LastLeaseRetry = TimeSpan.FromMilliseconds(100);
    private const int MaxFailures = 3;
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);
    private readonly KeyedLock _userLocks = new();

    // Per person (ordering key): the task of their updates last started by StartBatch, while it runs.
    private readonly Dictionary<long, Task> _tails = [];
    private readonly SemaphoreSlim _concurrency = new(options.Value.MaxConcurrency, options.Value.MaxConcurrency);
    private readonly SemaphoreSlim _downloads = new(options.Value.MaxParallelDownloads, options.Value.MaxParallelDownloads);
    private readonly FloodGuard _flood = new(options.Value.FloodLimit, options.Value.FloodWindow, timeProvider);

    public void Dispose()
    {
        _concurrency.Dispose();
        _downloads.Dispose();
    }

    /// <summary>
    /// Starts handling a batch and returns, per update, a task that completes once the update is handled (committed or
    /// dropped), faulted when it could not be: then it, and everything after it, must be delivered again. One person's
    /// updates are handled in id order, and after that person's updates of earlier batches still under way (polling
    /// with a sliding window hands one person's updates in over several batches); when an earlier one failed, the later
    /// ones are not handled either (they fail too), so the order holds when they come again.
    /// </summary>
    public IReadOnlyList<(int UpdateId, Task Handled)> StartBatch(IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var started = new List<(int, Task)>(updates.Count);
        foreach (var group in updates.GroupBy(u => UpdateMapper.OrderingKey(u) ?? 0))
        {
            var ordered = group.OrderBy(u => u.Id).ToList();
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task? previous;
            lock (_tails)
            {
                _tails.TryGetValue(group.Key, out previous);
                _tails[group.Key] = done.Task;
            }

            var handled = HandleAfterAsync(group.Key, previous, ordered, done, cancellationToken);
            foreach (var update in ordered)
            {
                started.Add((update.Id, handled));
            }
        }

        return started;
    }

    private async Task HandleAfterAsync(long key, Task? previous, IReadOnlyList<Update> updates, TaskCompletionSource done, CancellationToken cancellationToken)
    {
        try
        {
            if (previous is not null)
            {
                await previous.ConfigureAwait(false);
            }

            await HandleInOrderAsync(updates, cancellationToken).ConfigureAwait(false);
            done.TrySetResult();
        }
        catch (Exception ex)
        {
            done.TrySetException(ex);
            throw;
        }
        finally
        {
            lock (_tails)
            {
                if (_tails.TryGetValue(key, out var tail) && tail == done.Task)
                {
                    _tails.Remove(key);
                }
            }
        }
    }

    /// <summary>Handles one update (webhook); completes once it is committed or dropped.</summary>
    public Task DispatchAsync(Update update, CancellationToken cancellationToken) => HandleInOrderAsync([update], cancellationToken);

    /// <summary>
    /// Decides a button press made in the dashboard Mini App exactly as one made in the chat (the same flow, checks and
    /// audit), in order with the person's updates. It has no update id and no callback query (the flows answer none);
    /// what the flow says goes to the person's chat.
    /// </summary>
    public Task DispatchPressAsync(ButtonPressed press, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(press);
        return RunAsync(press.UserId, null, press, cancellationToken);
    }

    /// <summary>
    /// A press and the text the flow then asks for (a reason), decided one after the other with nothing of the person's
    /// in between: the lock (and, across instances, the person's lease) is held for both.
    /// </summary>
    public async Task DispatchPressAndTextAsync(ButtonPressed press, TextReceived text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(press);
        ArgumentNullException.ThrowIfNull(text);
        var userId = press.UserId;
        using (await _userLocks.AcquireAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            var lease = options.Value.PersonLeases == true ? await TakePersonAsync(userId, cancellationToken).ConfigureAwait(false) : null;
            try
            {
                await RunLockedAsync(userId, null, press, cancellationToken).ConfigureAwait(false);
                await RunLockedAsync(userId, null, text, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (lease is not null)
                {
                    await GiveBackAsync(lease).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Delivers a due timer into the flows, in order with the person's updates (a system timer: with its shard's).</summary>
    public Task DispatchTimerAsync(TimerFired timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        return RunAsync(TimerOrderingKey(timer.UserId, timer.Shard), null, timer, cancellationToken);
    }

    /// <summary>
    /// What a timer is ordered with: a person's timer with that person's updates; a system timer (user 0: a community's
    /// or a street's) with the other system timers of its shard, in a key range no user or chat id uses.
    /// </summary>
    public static long TimerOrderingKey(long userId, long? shard) =>
        userId != 0 ? userId : long.MinValue + Math.Max(0, shard ?? 0);

    private async Task HandleInOrderAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        foreach (var update in updates)
        {
            metrics.UpdateReceived();
            var @event = UpdateMapper.Map(update);
            if (@event is null)
            {
                metrics.UpdateDropped("kind");
                LogDropped(logger, update.Id, update.Type);
                continue;
            }

            if (!_flood.Allow(@event.UserId))
            {
                metrics.UpdateDropped("flood");
                LogFlood(logger, update.Id, @event.UserId);
                continue;
            }

            if (@event is GroupCommand { Command: "link" or "unlink" } groupCommand)
            {
                // Linking needs the sender to be an administrator of the group: asked here, so the flow stays a pure decision.
                var (isAdmin, botCanPin) = await AskGroupAsync(groupCommand, cancellationToken).ConfigureAwait(false);
                @event = groupCommand with { SenderIsGroupAdmin = isAdmin, BotCanPin = botCanPin };
            }

            if (@event is ButtonPressed press && Flows.Musters.MusterButton.Codec.Decode(press.Data) is Flows.Musters.MusterButton.CheckIn)
            {
                metrics.CheckIn();
            }

            await RunWithRetriesAsync(update.Id, @event, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the sender administers the group, and whether the bot may pin there (getChatMember twice).</summary>
    private async Task<(bool SenderIsAdmin, bool BotCanPin)> AskGroupAsync(GroupCommand command, CancellationToken cancellationToken)
    {
        try
        {
            var member = await client.GetChatMember(command.Chat.Id, command.From.Id, cancellationToken).ConfigureAwait(false);
            var bot = await client.GetChatMember(command.Chat.Id, client.BotId, cancellationToken).ConfigureAwait(false);
            return (member.Status is ChatMemberStatus.Administrator or ChatMemberStatus.Creator, bot is ChatMemberAdministrator { CanPinMessages: true });
        }
        catch (Exception ex) when (ex is ApiRequestException or HttpRequestException or Telegram.Bot.Exceptions.RequestException)
        {
            // Not known: treated as not an administrator (the sender is told so and may try again).
            LogGroupAdminUnknown(logger, ex, command.Chat.Id);
            return (false, false);
        }
    }

    /// <summary>
    /// Handles one update, trying it again at once (after a short pause) when it fails while the store answers: only
    /// this person's updates wait, and the batch is not failed for everyone. After <see cref="MaxFailures"/> tries the
    /// update is dropped with a log line, so one bad update cannot stop intake. When the store does not answer, the
    /// failure propagates and the whole batch is delivered again later (nothing was confirmed, nothing is lost).
    /// </summary>
    private async Task RunWithRetriesAsync(int updateId, BotEvent @event, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RunAsync(@event.UserId, updateId, @event, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (!await StoreAnswersAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }

                if (attempt >= MaxFailures)
                {
                    metrics.UpdateDropped("failed");
                    LogPoison(logger, ex, updateId, @event.UserId, MaxFailures);
                    return;
                }

                LogRetry(logger, ex, updateId, @event.UserId, attempt);
                await Task.Delay(RetryPause * attempt, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RunAsync(long userId, long? updateId, BotEvent @event, CancellationToken cancellationToken)
    {
        using (await _userLocks.AcquireAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            var lease = options.Value.PersonLeases == true ? await TakePersonAsync(userId, cancellationToken).ConfigureAwait(false) : null;
            try
            {
                await RunLockedAsync(userId, updateId, @event, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (lease is not null)
                {
                    await GiveBackAsync(lease).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Waits for the person's lease (another instance may hold it); throws after <see cref="IntakeOptions.PersonLeaseWait"/>.</summary>
    private async Task<string> TakePersonAsync(long key, CancellationToken cancellationToken)
    {
        var name = "person:" + key.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var started = timeProvider.GetTimestamp();
        var pause = FirstLeaseRetry;
        while (!await leases.TryAcquireLeaseAsync(name, instance.Id, options.Value.PersonLease, cancellationToken).ConfigureAwait(false))
        {
            if (timeProvider.GetElapsedTime(started) > options.Value.PersonLeaseWait)
            {
                throw new TimeoutException($"Another instance held the lease {name} for more than {options.Value.PersonLeaseWait.TotalSeconds} s.");
            }

            await Task.Delay(pause, timeProvider, cancellationToken).ConfigureAwait(false);
            pause = pause * 2 > LastLeaseRetry ? LastLeaseRetry : pause * 2;
        }

        return name;
    }

    private async Task GiveBackAsync(string name)
    {
        try
        {
            await leases.ReleaseLeaseAsync(name, instance.Id, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Not given back (store down): it ends by itself after PersonLease.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogLeaseNotReleased(logger, ex, name);
        }
    }

    private async Task RunLockedAsync(long userId, long? updateId, BotEvent @event, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();

        // A document is decided first without its bytes: only a flow that checked the sender's right to send it (an
        // administrator in the roster step) asks for them; then it is downloaded and decided again.
        var outcome = await ProcessAsync(updateId, @event, cancellationToken).ConfigureAwait(false);
        if (outcome == ProcessOutcome.NeedsDocumentContent && @event is DocumentReceived document)
        {
            var fetched = await DownloadAsync(document, cancellationToken).ConfigureAwait(false);
            outcome = await ProcessAsync(updateId, fetched, cancellationToken).ConfigureAwait(false);
        }

        if (outcome == ProcessOutcome.Duplicate)
        {
            LogDuplicate(logger, updateId, userId);
        }
        else if (outcome == ProcessOutcome.Handled)
        {
            outboxSignal.Notify();
        }

        if (updateId is not null && outcome is ProcessOutcome.Duplicate or ProcessOutcome.Handled)
        {
            metrics.UpdateHandled(outcome == ProcessOutcome.Duplicate, timeProvider.GetElapsedTime(started));
        }
    }

    private async Task<ProcessOutcome> ProcessAsync(long? updateId, BotEvent @event, CancellationToken cancellationToken)
    {
        await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await processor.ProcessAsync(updateId, @event, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _concurrency.Release();
        }
    }

    private async Task<bool> StoreAnswersAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.PingAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
#pragma warning disable CA1031 // Any failure means the store does not answer.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>
    /// Fetches a small document's bytes for a flow that asked for them (at most <see cref="IntakeOptions.MaxParallelDownloads"/>
    /// at a time); null content if too big or failed. <see cref="DocumentReceived.ContentFetched"/> is set either way.
    /// </summary>
    private async Task<DocumentReceived> DownloadAsync(DocumentReceived document, CancellationToken cancellationToken)
    {
        var tried = document with { ContentFetched = true };
        if (document.FileSize is > DocumentReceived.MaxDownloadBytes)
        {
            return tried;
        }

        await _downloads.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var file = await client.GetFile(document.FileId, cancellationToken).ConfigureAwait(false);
            if (file.FilePath is null || file.FileSize is > DocumentReceived.MaxDownloadBytes)
            {
                return tried;
            }

            using var buffer = new MemoryStream();
            await client.DownloadFile(file.FilePath, buffer, cancellationToken).ConfigureAwait(false);
            return buffer.Length > DocumentReceived.MaxDownloadBytes ? tried : tried with { Content = buffer.ToArray() };
        }
        catch (RequestException ex)
        {
            LogDownloadFailed(logger, ex, document.UserId);
            return tried;
        }
        finally
        {
            _downloads.Release();
        }
    }

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "The lease {Lease} could not be given back; it ends by itself")]
    private static partial void LogLeaseNotReleased(ILogger logger, Exception exception, string lease);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "Update {UpdateId} of user {UserId} failed {Failures} times; dropped so intake goes on")]
    private static partial void LogPoison(ILogger logger, Exception exception, long updateId, long userId, int failures);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Update {UpdateId} of user {UserId} failed (try {Attempt}); trying it again")]
    private static partial void LogRetry(ILogger logger, Exception exception, long updateId, long userId, int attempt);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Could not download a document sent by user {UserId}")]
    private static partial void LogDownloadFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Dropped update {UpdateId} of a kind the bot does not handle ({Kind})")]
    private static partial void LogDropped(ILogger logger, long updateId, UpdateType kind);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Dropped update {UpdateId}: user {UserId} is sending too fast")]
    private static partial void LogFlood(ILogger logger, long updateId, long userId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Update {UpdateId} of user {UserId} was already handled; not applied again")]
    private static partial void LogDuplicate(ILogger logger, long? updateId, long userId);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Could not ask whether the sender of a command in group {ChatId} is its administrator; treated as not")]
    private static partial void LogGroupAdminUnknown(ILogger logger, Exception exception, long chatId);
}
