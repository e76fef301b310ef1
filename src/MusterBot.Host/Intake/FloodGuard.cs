namespace MusterBot.Host.Intake;

/// <summary>
/// Counts each person's updates in a fixed window; beyond the limit their updates are dropped so one flooding person
/// cannot slow everyone else. In memory on purpose: it protects this process, and forgetting it on restart is harmless.
/// </summary>
public sealed class FloodGuard(int limit, TimeSpan window, TimeProvider timeProvider)
{
    private readonly Dictionary<long, (DateTimeOffset WindowStart, int Count)> _counts = [];

    /// <summary>True when the update may be handled.</summary>
    public bool Allow(long userId)
    {
        var now = timeProvider.GetUtcNow();
        lock (_counts)
        {
            if (_counts.Count > 100_000)
            {
                foreach (var stale in _counts.Where(kv => now - kv.Value.WindowStart >= window).Select(kv => kv.Key).ToList())
                {
                    _counts.Remove(stale);
                }
            }

            if (!_counts.TryGetValue(userId, out var entry) || now - entry.WindowStart >= window)
            {
                _counts[userId] = (now, 1);
                return true;
            }

            _counts[userId] = (entry.WindowStart, entry.Count + 1);
            return entry.Count + 1 <= limit;
        }
    }
}
