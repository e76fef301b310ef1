using MusterBot.State;
using Telegram.Bot;

namespace MusterBot.Host.Health;

/// <summary>
/// Asks the store and the Bot API whether they answer, at most once per <see cref="CacheFor"/>: <c>/readyz</c> is
/// public and unauthenticated, so a caller hammering it must not turn into as many getMe calls and Redis pings.
/// </summary>
public sealed class ReadinessProbe(IStateStore store, ITelegramBotClient client, TimeProvider timeProvider) : IDisposable
{
    /// <summary>How long one reading is reused.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, Readiness Value)? _last;

    public void Dispose() => _gate.Dispose();

    /// <summary>The latest reading, taken afresh when the cached one is older than <see cref="CacheFor"/>.</summary>
    public async Task<Readiness> ReadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = timeProvider.GetUtcNow();
            if (_last is { } last && now - last.At < CacheFor)
            {
                return last.Value;
            }

            var storeState = await ProbeAsync(ct => store.PingAsync(ct), cancellationToken).ConfigureAwait(false);
            var apiState = await ProbeAsync(ct => client.GetMe(ct), cancellationToken).ConfigureAwait(false);
            var reading = new Readiness(storeState, apiState);
            _last = (timeProvider.GetUtcNow(), reading);
            return reading;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<string> ProbeAsync(Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await probe(timeout.Token).ConfigureAwait(false);
            return "ok";
        }
#pragma warning disable CA1031 // A probe reports any failure as "unavailable"; details stay out of the public answer.
        catch (Exception)
#pragma warning restore CA1031
        {
            return "unavailable";
        }
    }
}
