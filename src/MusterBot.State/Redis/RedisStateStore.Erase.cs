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
    /// Deletes every key under the store's prefix: SCAN … MATCH {escaped prefix}* (never KEYS, so Redis is not blocked)
    /// and UNLINK per batch (memory is freed in the background). Refused without a prefix: that would be the whole database.
    /// </summary>
    public async Task EraseAllAsync(CancellationToken cancellationToken)
    {
        if (_prefix.Length == 0)
        {
            throw new InvalidOperationException("The Redis store has no key prefix: erasing everything would delete the whole database.");
        }

        var pattern = GlobEscape(_prefix) + "*";
        var cursor = "0";
        do
        {
            var reply = await _db.ExecuteAsync("SCAN", [cursor, "MATCH", pattern, "COUNT", EraseBatch.ToString(CultureInfo.InvariantCulture)])
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            var parts = (RedisResult[])reply!;
            cursor = (string)parts[0]!;
            var keys = (RedisKey[])parts[1]!;
            if (keys.Length > 0)
            {
                await _db.ExecuteAsync("UNLINK", keys.Cast<object>().ToArray()).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        while (cursor != "0");
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
