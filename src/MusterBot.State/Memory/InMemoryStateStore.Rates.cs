using MusterBot.State.Rates;

namespace MusterBot.State.Memory;

/// <summary>The senders' rate gates in this process (<see cref="LocalSendRates"/>), on the store's clock.</summary>
public sealed partial class InMemoryStateStore : ISendRates
{
    private LocalSendRates? _rates;

    private LocalSendRates Rates => LazyInitializer.EnsureInitialized(ref _rates, () => new LocalSendRates(_time));

    public Task<RateTicket> TakeAsync(SendLimits limits, long chatId, bool ordered, bool paid, string owner, CancellationToken cancellationToken) =>
        Task.FromResult(Rates.Take(limits, chatId, ordered, paid, owner));

    public Task<IReadOnlyList<RateTicket>> TakeManyAsync(SendLimits limits, IReadOnlyList<RateRequest> requests, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var tickets = new RateTicket[requests.Count];
        for (var i = 0; i < tickets.Length; i++)
        {
            tickets[i] = Rates.Take(limits, requests[i].ChatId, requests[i].Ordered, requests[i].Paid, owner, requests[i].BotOnly);
        }

        return Task.FromResult<IReadOnlyList<RateTicket>>(tickets);
    }

    public Task ReleaseChatsAsync(IReadOnlyList<long> chatIds, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chatIds);
        foreach (var chatId in chatIds)
        {
            Rates.ReleaseChat(chatId, owner);
        }

        return Task.CompletedTask;
    }

    public Task ReleaseChatAsync(long chatId, string owner, CancellationToken cancellationToken)
    {
        Rates.ReleaseChat(chatId, owner);
        return Task.CompletedTask;
    }

    public Task PauseAsync(SendLimits limits, long? chatId, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        Rates.Pause(limits, chatId, retryAfter);
        return Task.CompletedTask;
    }
}
