using MusterBot.State.Leases;

namespace MusterBot.State.Memory;

/// <summary>Leases in this process (the sandbox and tests: one process, one store), judged by the store's clock.</summary>
public sealed partial class InMemoryStateStore : ILeaseStore
{
    private readonly Dictionary<string, (string Owner, DateTimeOffset Until)> _leases = new(StringComparer.Ordinal);

    public Task<bool> TryAcquireLeaseAsync(string name, string owner, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeToLive, TimeSpan.FromMilliseconds(1));
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_leases.TryGetValue(name, out var lease) && lease.Until > now && lease.Owner != owner)
            {
                return Task.FromResult(false);
            }

            _leases[name] = (owner, now + timeToLive);
            return Task.FromResult(true);
        }
    }

    public Task<bool> ReleaseLeaseAsync(string name, string owner, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_leases.TryGetValue(name, out var lease) && lease.Until > now && lease.Owner == owner)
            {
                _leases.Remove(name);
                return Task.FromResult(true);
            }

            return Task.FromResult(false);
        }
    }

    public Task<string?> LeaseHolderAsync(string name, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            return Task.FromResult(_leases.TryGetValue(name, out var lease) && lease.Until > now ? lease.Owner : null);
        }
    }
}
