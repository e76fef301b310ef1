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

    public async ValueTask<IReadOnlyList<string>> MembersAsync(string setName, CancellationToken cancellationToken) =>
        await store.GetSetMembersAsync(setName, cancellationToken).ConfigureAwait(false);
}
