using MusterBot.State.Leases;
using StackExchange.Redis;

namespace MusterBot.State.Redis;

/// <summary>
/// Leases as plain Redis keys with a PX expiry (<c>mb:{lease:poller}</c>): Redis judges the expiry, so the instances'
/// clocks do not matter. Each name is its own hash tag, so on a cluster the leases spread over the nodes.
/// </summary>
public sealed partial class RedisStateStore : ILeaseStore, IInstanceRegistry
{
    public async Task<bool> TryAcquireLeaseAsync(string name, string owner, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        CheckLease(name, owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeToLive, TimeSpan.FromMilliseconds(1));
        var result = await EvalAsync(RedisScripts.AcquireLease, [LeaseKey(name)], [owner, Milliseconds(timeToLive)], cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    public async Task<bool> ReleaseLeaseAsync(string name, string owner, CancellationToken cancellationToken)
    {
        CheckLease(name, owner);
        var result = await EvalAsync(RedisScripts.ReleaseLease, [LeaseKey(name)], [owner], cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    public async Task<string?> LeaseHolderAsync(string name, CancellationToken cancellationToken)
    {
        CheckLease(name, "-");
        var value = await _db.StringGetAsync(LeaseKey(name)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : (string?)value;
    }

    public async Task<IReadOnlyDictionary<string, string>> AnnounceAsync(string instance, string settings, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        CheckLease("instances", instance);
        var result = await EvalAsync(RedisScripts.AnnounceInstance, [LeaseKey("instances")], [instance, settings, Milliseconds(timeToLive)], cancellationToken).ConfigureAwait(false);
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in (RedisResult[])result!)
        {
            var text = (string)entry!;
            var split = text.IndexOf('\n', StringComparison.Ordinal);
            entries[text[..split]] = text[(split + 1)..];
        }

        return entries;
    }

    private RedisKey LeaseKey(string name) => _prefix + "{lease:" + name + "}";

    private static void CheckLease(string name, string owner)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        if (name.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException("A lease name must not contain '{' or '}' (it is the key's hash tag).", nameof(name));
        }
    }
}
