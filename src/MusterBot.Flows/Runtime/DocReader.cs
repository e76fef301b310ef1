using MusterBot.State;
using MusterBot.State.Documents;
using MusterBot.State.Records;

namespace MusterBot.Flows.Runtime;

/// <summary>
/// Read-only access to stored records for a decision. Every document read is remembered with its version, so the
/// commit that follows can refuse to overwrite a document that changed in between (optimistic concurrency).
/// A document read twice in one decision is read from the store once: the decision sees one snapshot of it.
/// Keys without a shard are read in <see cref="Shard"/>, the shard of the decision (the person's home community), and
/// remembered with that shard.
/// </summary>
public sealed class DocReader(IStateStore store, long shard = Shards.Root)
{
    private readonly IStateStore _store = store;

    /// <summary>The shard that keys without one are read from.</summary>
    public long Shard { get; } = shard;

    /// <summary>
    /// A reader of another shard that shares what this one has read (keys are remembered with their shard, so nothing
    /// is mixed up): a decision whose shard is known only after reading where the person lives.
    /// </summary>
    public DocReader For(long otherShard)
    {
        var other = new DocReader(_store, otherShard);
        foreach (var (key, doc) in _docs)
        {
            other._docs[key] = doc;
        }

        foreach (var (key, version) in _versions)
        {
            other._versions[key] = version;
        }

        return other;
    }

    /// <summary>The key as this reader reads it (in <see cref="Shard"/> when it has none).</summary>
    public DocKey Bound(DocKey key) => key.Bind(Shard);

    private readonly Dictionary<DocKey, long> _versions = [];
    private readonly Dictionary<DocKey, StoredDoc?> _docs = [];

    /// <summary>Versions of the documents read so far (0 = was absent).</summary>
    public IReadOnlyDictionary<DocKey, long> Versions => _versions;

    public async ValueTask<T?> GetAsync<T>(DocKey key, CancellationToken cancellationToken)
        where T : class
    {
        key = Bound(key);
        if (!_docs.TryGetValue(key, out var doc))
        {
            doc = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            Remember(key, doc);
        }

        return doc is null ? null : RecordJson.Deserialize<T>(doc.Utf8.Span);
    }

    /// <summary>
    /// As <see cref="GetAsync{T}"/>, but a large document read often (a city's muster, read by each of its 1,530 parts'
    /// links) is parsed once per stored version: records are immutable, so the parsed one is shared. Versions are
    /// remembered as for any read.
    /// </summary>
    public async ValueTask<T?> GetSharedAsync<T>(DocKey key, ParsedDocCache cache, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(cache);
        key = Bound(key);
        if (!_docs.TryGetValue(key, out var doc))
        {
            doc = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            Remember(key, doc);
        }

        return doc is null ? null : cache.Get<T>(key, doc);
    }

    /// <summary>
    /// Reads several documents of any kinds in one round trip and keeps them for this decision, so the typed reads
    /// that follow (<see cref="GetAsync{T}"/>) cost nothing.
    /// </summary>
    public async ValueTask PrefetchAsync(IReadOnlyList<DocKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var missing = keys.Select(Bound).Where(k => !_docs.ContainsKey(k)).Distinct().ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var docs = await _store.GetManyAsync(missing, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < missing.Count; i++)
        {
            Remember(missing[i], docs[i]);
        }
    }

    private void Remember(DocKey key, StoredDoc? doc)
    {
        _docs.TryAdd(key, doc);
        _versions.TryAdd(key, doc?.Version ?? 0);
    }

    /// <summary>
    /// Delivery records of the messages enqueued with <paramref name="tag"/> in this reader's shard (messages belong to
    /// the shard of the commit that enqueued them; not version-tracked).
    /// </summary>
    public async ValueTask<IReadOnlyList<State.Outbox.DeliveryRecord>> DeliveriesAsync(string tag, CancellationToken cancellationToken) =>
        await _store.GetDeliveriesByTagAsync(tag, Shard, cancellationToken).ConfigureAwait(false);

    /// <summary>The maintained outcome counts of the messages with <paramref name="tag"/> in this reader's shard (not version-tracked).</summary>
    public async ValueTask<IReadOnlyDictionary<State.Outbox.DeliveryStatus, int>> DeliveryCountsAsync(string tag, CancellationToken cancellationToken) =>
        await _store.CountDeliveriesByTagAsync(tag, Shard, cancellationToken).ConfigureAwait(false);

    /// <summary>Each chat's final outcome of the messages with <paramref name="tag"/> in this reader's shard (not version-tracked).</summary>
    public async ValueTask<IReadOnlyDictionary<long, State.Outbox.DeliveryStatus>> DeliveryOutcomesAsync(string tag, CancellationToken cancellationToken) =>
        await _store.GetDeliveryOutcomesByTagAsync(tag, Shard, cancellationToken).ConfigureAwait(false);

    /// <summary>How many members a set of this reader's shard has (not version-tracked).</summary>
    public async ValueTask<long> CountAsync(string setName, CancellationToken cancellationToken) =>
        await _store.CountSetMembersAsync(setName, Shard, cancellationToken).ConfigureAwait(false);

    /// <summary>Whether a set of this reader's shard has a member (not version-tracked).</summary>
    public async ValueTask<bool> HasMemberAsync(string setName, string member, CancellationToken cancellationToken) =>
        await _store.IsSetMemberAsync(setName, member, Shard, cancellationToken).ConfigureAwait(false);

    /// <summary>Reads several documents at once (each remembered with its version); null where absent.</summary>
    public async ValueTask<IReadOnlyList<T?>> GetManyAsync<T>(IReadOnlyList<DocKey> keys, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(keys);
        await PrefetchAsync(keys, cancellationToken).ConfigureAwait(false);
        var result = new T?[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            result[i] = _docs[Bound(keys[i])] is { } doc ? RecordJson.Deserialize<T>(doc.Utf8.Span) : null;
        }

        return result;
    }

    /// <summary>Members of a set of this reader's shard.</summary>
    public ValueTask<IReadOnlyList<string>> MembersAsync(string setName, CancellationToken cancellationToken) =>
        MembersAsync(setName, Shard, cancellationToken);

    /// <summary>Members of a set of another shard (not version-tracked, like every set read).</summary>
    public async ValueTask<IReadOnlyList<string>> MembersAsync(string setName, long shard, CancellationToken cancellationToken) =>
        await _store.GetSetMembersAsync(setName, shard, cancellationToken).ConfigureAwait(false);
}
