using System.Collections.Concurrent;
using MusterBot.State.Documents;
using MusterBot.State.Records;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// Parsed documents by key and stored version (a version is written once, so its parse never goes stale), shared by
/// the decisions of one process. Small: when it holds <see cref="Capacity"/> entries it starts again.
/// </summary>
public sealed class ParsedDocCache
{
    public const int Capacity = 64;

    private readonly ConcurrentDictionary<(DocKey Key, long Version), object> _parsed = new();

    public T? Get<T>(DocKey key, StoredDoc doc)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(doc);
        if (_parsed.TryGetValue((key, doc.Version), out var hit) && hit is T parsed)
        {
            return parsed;
        }

        var fresh = RecordJson.Deserialize<T>(doc.Json);
        if (fresh is not null)
        {
            if (_parsed.Count >= Capacity)
            {
                _parsed.Clear();
            }

            _parsed[(key, doc.Version)] = fresh;
        }

        return fresh;
    }
}
