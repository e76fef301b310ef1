using MusterBot.State;
using MusterBot.State.Documents;
using MusterBot.State.Records;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// Read-only access to stored records for a decision. Every document read is remembered with its version, so the
/// commit that follows can refuse to overwrite a document that changed in between (optimistic concurrency).
/// </summary>
public sealed class DocReader(IStateStore store)
{
    private readonly Dictionary<DocKey, long> _versions = [];

    /// <summary>Versions of the documents read so far (0 = was absent).</summary>
    public IReadOnlyDictionary<DocKey, long> Versions => _versions;

    public async ValueTask<T?> GetAsync<T>(DocKey key, CancellationToken cancellationToken)
        where T : class
    {
        var doc = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        _versions.TryAdd(key, doc?.Version ?? 0);
        return doc is null ? null : RecordJson.Deserialize<T>(doc.Json);
    }

    /// <summary>Delivery records of the messages enqueued with <paramref name="tag"/> (not version-tracked).</summary>
    public async ValueTask<IReadOnlyList<State.Outbox.DeliveryRecord>> DeliveriesAsync(string tag, CancellationToken cancellationToken) =>
        await store.GetDeliveriesByTagAsync(tag, cancellationToken).ConfigureAwait(false);

    /// <summary>Reads several documents at once (each remembered with its version); null where absent.</summary>
    public async ValueTask<IReadOnlyList<T?>> GetManyAsync<T>(IReadOnlyList<DocKey> keys, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(keys);
        var docs = await store.GetManyAsync(keys, cancellationToken).ConfigureAwait(false);
        var result = new T?[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            _versions.TryAdd(keys[i], docs[i]?.Version ?? 0);
            result[i] = docs[i] is { } doc ? RecordJson.Deserialize<T>(doc.Json) : null;
        }

        return result;
    }

    public async ValueTask<IReadOnlyList<string>> MembersAsync(string setName, CancellationToken cancellationToken) =>
        await store.GetSetMembersAsync(setName, cancellationToken).ConfigureAwait(false);
}
