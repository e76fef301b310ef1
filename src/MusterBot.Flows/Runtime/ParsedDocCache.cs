using System.Collections.Concurrent;
using MusterBot.State.Documents;
using MusterBot.State.Records;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// Parsed documents by key and stored version, shared by the decisions of one process. A hit also needs the same text
/// (a comparison of the UTF-8 bytes, far cheaper than a parse): a document deleted and written again, say after a community's
/// records were erased, may come back with the same version and other content. Small: when it holds
/// <see cref="Capacity"/> entries it starts again.
/// </summary>
public sealed class ParsedDocCache
{
    public const int Capacity = 64;

    private readonly ConcurrentDictionary<(DocKey Key, long Version), (ReadOnlyMemory<byte> Utf8, object Parsed)> _parsed = new();

    public T? Get<T>(DocKey key, StoredDoc doc)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(doc);
        if (_parsed.TryGetValue((key, doc.Version), out var hit) && hit.Parsed is T parsed && hit.Utf8.Span.SequenceEqual(doc.Utf8.Span))
        {
            return parsed;
        }

        var fresh = RecordJson.Deserialize<T>(doc.Utf8.Span);
        if (fresh is not null)
        {
            if (_parsed.Count >= Capacity)
            {
                _parsed.Clear();
            }

            _parsed[(key, doc.Version)] = (doc.Utf8, fresh);
        }

        return fresh;
    }
}
