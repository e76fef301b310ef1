using Microsoft.Extensions.Options;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Host.Delivery;
using MusterBot.State;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace MusterBot.Host.Intake;

/// <summary>
/// Runs updates through the flows: one person's updates one at a time and in order, different people concurrently up
/// to <see cref="IntakeOptions.MaxConcurrency"/>. A batch task completes only when every update in it is durably
/// handled (committed) or deliberately dropped, so the caller may then confirm it to Telegram.
/// </summary>
public sealed partial class UpdateDispatcher(
    UpdateProcessor processor,
    IOptions<IntakeOptions> options,
    OutboxSignal outboxSignal,
    ITelegramBotClient client,
    IStateStore store,
    TimeProvider timeProvider,
    ILogger<UpdateDispatcher> logger) : IDisposable
{
    private const int MaxFailures = 3;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, int> _failures = new();
    private readonly KeyedLock _userLocks = new();
    private readonly SemaphoreSlim _concurrency = new(options.Value.MaxConcurrency, options.Value.MaxConcurrency);
    private readonly FloodGuard _flood = new(options.Value.FloodLimit, options.Value.FloodWindow, timeProvider);

    public void Dispose() => _concurrency.Dispose();

    /// <summary>Handles a batch; throws if any update could not be handled (then none may be confirmed).</summary>
    public async Task DispatchBatchAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var groups = updates
            .GroupBy(u => UpdateMapper.OrderingKey(u) ?? 0)
            .Select(g => HandleInOrderAsync(g.OrderBy(u => u.Id).ToList(), cancellationToken))
            .ToList();
        await Task.WhenAll(groups).ConfigureAwait(false);
    }

    /// <summary>Handles one update (webhook); completes once it is committed or dropped.</summary>
    public Task DispatchAsync(Update update, CancellationToken cancellationToken) => HandleInOrderAsync([update], cancellationToken);

    /// <summary>Delivers a due timer into the flows, in order with the person's updates.</summary>
    public Task DispatchTimerAsync(TimerFired timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        return RunAsync(timer.UserId, null, timer, cancellationToken);
    }

    private async Task HandleInOrderAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        foreach (var update in updates)
        {
            var @event = UpdateMapper.Map(update);
            if (@event is null)
            {
                LogDropped(logger, update.Id, update.Type);
                continue;
            }

            if (!_flood.Allow(@event.UserId))
            {
                LogFlood(logger, update.Id, @event.UserId);
                continue;
            }

            try
            {
                await RunAsync(@event.UserId, update.Id, @event, cancellationToken).ConfigureAwait(false);
                _failures.TryRemove(update.Id, out _);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The same update failing again and again while the store answers (e.g. a record that no longer
                // reads) is dropped, so one bad update cannot stop intake for everyone. Otherwise (first failures, or
                // the store is down) the failure propagates and the batch is delivered again.
                if (_failures.AddOrUpdate(update.Id, 1, (_, n) => n + 1) < MaxFailures || !await StoreAnswersAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }

                _failures.TryRemove(update.Id, out _);
                LogPoison(logger, ex, update.Id, @event.UserId, MaxFailures);
            }
        }
    }

    private async Task RunAsync(long userId, long? updateId, BotEvent @event, CancellationToken cancellationToken)
    {
        if (@event is DocumentReceived { Content: null } document)
        {
            @event = await DownloadAsync(document, cancellationToken).ConfigureAwait(false);
        }

        using (await _userLocks.AcquireAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var outcome = await processor.ProcessAsync(updateId, @event, cancellationToken).ConfigureAwait(false);
                if (outcome == ProcessOutcome.Duplicate)
                {
                    LogDuplicate(logger, updateId, userId);
                }
                else if (outcome == ProcessOutcome.Handled)
                {
                    outboxSignal.Notify();
                }
            }
            finally
            {
                _concurrency.Release();
            }
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

    /// <summary>Fetches a small document's bytes so the flows (which do no I/O) can read it; null content if too big or failed.</summary>
    private async Task<DocumentReceived> DownloadAsync(DocumentReceived document, CancellationToken cancellationToken)
    {
        if (document.FileSize is > DocumentReceived.MaxDownloadBytes)
        {
            return document;
        }

        try
        {
            var file = await client.GetFile(document.FileId, cancellationToken).ConfigureAwait(false);
            if (file.FilePath is null || file.FileSize is > DocumentReceived.MaxDownloadBytes)
            {
                return document;
            }

            using var buffer = new MemoryStream();
            await client.DownloadFile(file.FilePath, buffer, cancellationToken).ConfigureAwait(false);
            return buffer.Length > DocumentReceived.MaxDownloadBytes ? document : document with { Content = buffer.ToArray() };
        }
        catch (RequestException ex)
        {
            LogDownloadFailed(logger, ex, document.UserId);
            return document;
        }
    }

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "Update {UpdateId} of user {UserId} failed {Failures} times; dropped so intake goes on")]
    private static partial void LogPoison(ILogger logger, Exception exception, long updateId, long userId, int failures);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Could not download a document sent by user {UserId}")]
    private static partial void LogDownloadFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Dropped update {UpdateId} of a kind the bot does not handle ({Kind})")]
    private static partial void LogDropped(ILogger logger, long updateId, UpdateType kind);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Dropped update {UpdateId}: user {UserId} is sending too fast")]
    private static partial void LogFlood(ILogger logger, long updateId, long userId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Update {UpdateId} of user {UserId} was already handled; not applied again")]
    private static partial void LogDuplicate(ILogger logger, long? updateId, long userId);
}
