using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace MusterBot.State.Redis;

/// <summary><see cref="IStateStore.EraseAllAsync"/> on Redis: the sandbox's "reset demo".</summary>
public sealed partial class RedisStateStore
{
    /// <summary>Keys asked for per SCAN step and deleted per UNLINK.</summary>
    private const int EraseBatch = 500;

    /// <summary>
    /// Deletes every key under the store's prefix: SCAN … MATCH {escaped prefix}* on every primary (one on a single node,
    /// each master of a cluster; never KEYS, so Redis is not blocked) and UNLINK per batch and hash slot (memory is freed
    /// in the background; one UNLINK never names keys of two slots). Refused without a prefix: that would be the whole
    /// database.
    /// </summary>
    public async Task EraseAllAsync(CancellationToken cancellationToken)
    {
        if (_prefix.Length == 0)
        {
            throw new InvalidOperationException("The Redis store has no key prefix: erasing everything would delete the whole database.");
        }

        var pattern = GlobEscape(_prefix) + "*";
        foreach (var server in _connection.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            var cursor = "0";
            do
            {
                var reply = await server.ExecuteAsync("SCAN", [cursor, "MATCH", pattern, "COUNT", EraseBatch.ToString(CultureInfo.InvariantCulture)])
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
                var parts = (RedisResult[])reply!;
                cursor = (string)parts[0]!;
                var keys = (RedisKey[])parts[1]!;
                foreach (var slot in keys.GroupBy(k => _connection.HashSlot(k)))
                {
                    await _db.ExecuteAsync("UNLINK", slot.Cast<object>().ToArray()).WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            while (cursor != "0");
        }

        _registered.Clear();
        _sweepDue = true;
    }

    /// <summary>The prefix as a literal in a Redis glob pattern (<c>* ? [ ] \</c> escaped).</summary>
    private static string GlobEscape(string text)
    {
        var escaped = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
