using MusterBot.State.Leases;

namespace MusterBot.State.Memory;

/// <summary>Leases in this process (the sandbox and tests: one process, one store), judged by the store's clock.</summary>
public sealed partial class InMemoryStateStore : ILeaseStore, IInstanceRegistry
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

    private readonly Dictionary<string, (string Settings, DateTimeOffset Until)> _instances = new(StringComparer.Ordinal);

    public Task<IReadOnlyDictionary<string, string>> AnnounceAsync(string instance, string settings, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            _instances[instance] = (settings, now + timeToLive);
            foreach (var ended in _instances.Where(i => i.Value.Until <= now).Select(i => i.Key).ToList())
            {
                _instances.Remove(ended);
            }

            return Task.FromResult<IReadOnlyDictionary<string, string>>(_instances.ToDictionary(i => i.Key, i => i.Value.Settings, StringComparer.Ordinal));
        }
    }
}
