using System.Text;

namespace MusterBot.State.Documents;

/// <summary>
/// A document as stored: its JSON text and its version (1 after the first write, +1 per write). A store may hand it
/// over as the UTF-8 bytes it read (<see cref="StoredDoc(DocKey, ReadOnlyMemory{byte}, long)"/>): readers that parse it
/// take <see cref="Utf8"/>, and the .NET string of <see cref="Json"/> is made only when someone asks for it.
/// </summary>
/// <remarks>
/// Reading documents was the largest single item of the bot's CPU in the check-in burst: each came from Redis as
/// bytes, was made a string, and the JSON reader turned that string back into UTF-8 (docs/benchmarks.md). Two documents
/// are equal when their keys, versions and texts are.
/// </remarks>
public sealed class StoredDoc : IEquatable<StoredDoc>
{
    // References only, so that a document shared between threads (the in-memory store hands out one instance) can make
    // its other form on first use without a lock: a reference is written whole, a Nullable<ReadOnlyMemory<byte>> is not.
    private readonly byte[]? _bytes;
    private readonly int _offset;
    private readonly int _length;
    private string? _json;
    private byte[]? _encoded;

    public StoredDoc(DocKey key, string json, long version)
    {
        ArgumentNullException.ThrowIfNull(json);
        Key = key;
        _json = json;
        Version = version;
    }

    /// <summary>A document from its UTF-8 bytes, which the caller no longer changes.</summary>
    public StoredDoc(DocKey key, ReadOnlyMemory<byte> utf8, long version)
    {
        Key = key;
        if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray(utf8, out var segment))
        {
            (_bytes, _offset, _length) = (segment.Array, segment.Offset, segment.Count);
        }
        else
        {
            _bytes = utf8.ToArray();
            _length = _bytes.Length;
        }

        Version = version;
    }

    public DocKey Key { get; }

    /// <summary>The JSON text (made from the bytes on first use when the store gave bytes).</summary>
    public string Json => _json ??= Encoding.UTF8.GetString(_bytes!, _offset, _length);

    /// <summary>The JSON as UTF-8, for parsing (encoded on first use when the document was made from a string).</summary>
    public ReadOnlyMemory<byte> Utf8 => _bytes is not null ? new ReadOnlyMemory<byte>(_bytes, _offset, _length) : _encoded ??= Encoding.UTF8.GetBytes(_json!);

    public long Version { get; }

    /// <summary>The same document under another key (a store that keeps one copy for several keys).</summary>
    public StoredDoc WithKey(DocKey key) => _bytes is null ? new StoredDoc(key, _json!, Version) : new StoredDoc(key, Utf8, Version);

    public bool Equals(StoredDoc? other) =>
        other is not null && Key == other.Key && Version == other.Version && Utf8.Span.SequenceEqual(other.Utf8.Span);

    public override bool Equals(object? obj) => Equals(obj as StoredDoc);

    public override int GetHashCode() => HashCode.Combine(Key, Version);

    public override string ToString() => $"StoredDoc {{ Key = {Key}, Json = {Json}, Version = {Version} }}";
}
